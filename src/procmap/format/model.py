"""The process format as pydantic models: field names, types, defaults and value rules.

Owns: what a valid process file holds, field by field, and the small value types
(ids, durations, review cadences) with their parsing. Every field carries a
description, so the JSON Schema (`procmap schema`) documents itself.

Must not know: YAML, files, line numbers, or how problems are printed. Checks that
look across fields (graph shape, references, practice) live in `rules`.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AllowInfNan,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    StringConstraints,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .values import (  # noqa: F401  the format's constants, re-exported
    _DATE,
    _DURATION,
    CADENCE_PATTERN,
    CADENCES,
    DATE_IN_RANGE_PATTERN,
    DATE_PATTERN,
    DATE_YEARS,
    DURATION_PATTERN,
    DURATION_UNITS,
    FORMAT_VERSION,
    ID_PATTERN,
    IMPROVEMENT_STATUSES,
    KINDS,
    MEASURE_DEFAULTS,
    MEASURE_KINDS,
    MEASURE_OPTIONS,
    RATE_UNIT,
    RUN_PERIODS,
    RUNS_PATTERN,
    SHARES_TOLERANCE,
    STAGES,
    SYSTEMS,
    TIME_UNITS,
    VISIBLE_PATTERN,
    WHITESPACE,
    MeasureMethods,
    ProcessMethods,
    StepMethods,
    date_in_range,
    duration_minutes,
    measure_shape,
    measure_unit,
    runs_per_month,
    slugify,
    visible,
)


def _whole_number_id(value: Any) -> Any:
    """A number as an id: only a whole number, which becomes its digits (`3.0` is `3`).

    Numbers as text are coerced by the config; for ids that would make ids of `1e-05`,
    `inf` and `nan` (their `str`), and treat `3` and `3.0` differently, which JSON Schema,
    where both are the integer 3, cannot. So a whole float is the int, others are bad ids.
    """
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise PydanticCustomError(
            "string_pattern_mismatch",
            "String should match pattern '{pattern}'",
            {"pattern": ID_PATTERN},
        )
    return value


def _version_number(value: Any) -> Any:
    """The format version as JSON Schema reads `const: 1`: `1.0` is 1, `true` is not.

    Left to `Literal[1]`, pydantic takes `true` (as `True == 1`), and takes `1.0` in
    recent releases but not in 2.6.0: procmap's verdict must not depend on the pydantic release.
    """
    if isinstance(value, bool):
        raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": "1"})
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _date_text(value: Any) -> Any:
    """Dates are written YYYY-MM-DD; pydantic would also take datetimes at midnight
    (`2026-01-01T00:00`) and Unix timestamps (`0` is 1970-01-01), which no author means."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        if _DATE.fullmatch(value):
            return value
        raise PydanticCustomError("date_parsing", "Input should be a date written YYYY-MM-DD")
    raise PydanticCustomError("date_type", "Input should be a date written YYYY-MM-DD")


def _date_range(value: dt.date) -> dt.date:
    """A date's year is in DATE_YEARS: a year like 9999 is a typo, and its due date
    would be past the end of the calendar."""
    if not date_in_range(value):
        raise PydanticCustomError(
            "date_out_of_range",
            "{date} is out of range: write a year from {low} to {high}",
            {"date": value.isoformat(), "low": DATE_YEARS[0], "high": DATE_YEARS[1]},
        )
    return value


def _visible_name(value: str) -> str:
    """A name shows something: not empty, not only spaces, controls or format characters."""
    if not visible(value):
        raise PydanticCustomError("blank_name", "the name is empty or shows nothing")
    return value


def _activities(value: Any) -> Any:
    """`activity:` as a list: one name (text, or a number as text) is a list of one.

    The model holds the list whichever way it was written, so readers ask one shape (and
    `procmap diff` sees no change when one name becomes a list of one). The usual union
    (text or list) would report a wrong value twice, once per alternative.
    """
    if isinstance(value, list):
        if not value:
            raise PydanticCustomError(
                "activity_empty", "Name at least one activity, or leave `activity` out"
            )
        return value
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return [value]
    raise PydanticCustomError("text_or_list_type", "Input should be text or a list of text")


def _next_value(value: Any) -> str:
    """`next:` is a list of ids when written as a list, else one id: a wrong value is
    reported once, against the one it was written as (a plain union would report it
    twice, once per alternative)."""
    return "many" if isinstance(value, list) else "one"


def _step_pair(value: Any) -> Any:
    """[FROM, TO] of a measure: a list of exactly two (the items are ids, checked after)."""
    if isinstance(value, list) and len(value) == 2:
        return tuple(value)
    count = len(value) if isinstance(value, list) else 0
    got = (
        f"a list of {count} item{'s' * (count != 1)}" if isinstance(value, list) else _shown(value)
    )
    raise PydanticCustomError(
        "step_pair", "Write two step ids, [FROM, TO], not {got}", {"got": got}
    )


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if value is None or isinstance(value, bool):
        return str(value).lower() if value is not None else "nothing"
    return repr(value) if isinstance(value, str) else str(value)


Id = Annotated[str, BeforeValidator(_whole_number_id), StringConstraints(pattern=ID_PATTERN)]
#: Text fields take numbers as text (a step called `404` is still a name): see the config.
Text = str
#: A name a reader sees (a heading of the runbook, a box of the map, a branch's label):
#: text with at least one visible character (rule S014).
Name = Annotated[str, AfterValidator(_visible_name)]
Duration = Annotated[str, StringConstraints(strip_whitespace=True, pattern=DURATION_PATTERN)]
Cadence = Annotated[str, StringConstraints(pattern=CADENCE_PATTERN)]
#: How often a process runs: a number of runs per day, week, month, quarter or year.
Runs = Annotated[str, StringConstraints(pattern=RUNS_PATTERN)]
#: A measured figure: a finite number, never `true` (which pydantic would read as 1.0).
Figure = Annotated[float, Strict(), AllowInfNan(False)]
#: An expected share of a decision's branch: a percent, finite and not negative.
Share = Annotated[float, Strict(), AllowInfNan(False), Field(ge=0)]
#: What one run of a process is worth: an amount, finite and not negative (a Share's rules).
Amount = Share
#: The log activities of a step: one name or a non-empty list, held as a list.
Activities = Annotated[list[Text], BeforeValidator(_activities)]
#: What follows a step: one id, or (a parallel split's strands) a list of ids.
Next = Annotated[
    Annotated[Id, Tag("one")] | Annotated[list[Id], Tag("many")], Discriminator(_next_value)
]
#: Two step ids, from and to, written as a list of two.
StepPair = Annotated[tuple[Id, Id], BeforeValidator(_step_pair)]
Stage = Literal["know", "like", "trust", "try", "buy", "repeat", "refer"]
Date = Annotated[dt.date, BeforeValidator(_date_text), AfterValidator(_date_range)]
Version = Annotated[Literal[1], BeforeValidator(_version_number)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class Scope(_Model):
    """What is inside the process and what is deliberately left out."""

    in_: list[Text] = Field(
        default_factory=list, alias="in", description="Work that is part of it."
    )
    out: list[Text] = Field(default_factory=list, description="Work that is not part of it.")


class Review(_Model):
    """How often the process is reviewed, when it last was, and who approves changes."""

    every: Cadence | None = Field(
        None, description="weekly, monthly, quarterly, yearly, or a number of days like 45d."
    )
    last: Date | None = Field(None, description="Date of the last review (YYYY-MM-DD).")
    approver: Id | None = Field(None, description="Role id of the person who approves changes.")


class Metric(_Model):
    """A KPI: what is measured, where it stands now and where it should go."""

    name: Name = Field(description="What is measured, in words.")
    unit: Text | None = Field(
        None,
        description="Unit of the figures, like % or clients. With `measure:` it goes with the"
        " kind: a time is in m, min, minute(s), h, hour(s), d, day(s), w or week(s) (needed);"
        " a rate is a percent, `%`; a count names what is counted, not a time or `%`.",
    )
    baseline: Figure | None = Field(None, description="The figure before any change.")
    target: Figure | None = Field(None, description="The figure the process should reach.")
    direction: Literal["up", "down"] = Field(
        "up", description="Whether bigger (up) or smaller (down) is better."
    )
    measure: Measure | None = Field(
        None, description="How the figure is computed from an event log (`procmap measure`)."
    )

    @field_validator("measure")
    @classmethod
    def _unit_of_kind(cls, measure: Measure | None, info: ValidationInfo) -> Measure | None:
        """The unit suits the measure's kind (rule S015); a unit that is itself wrong
        (not text) is reported as such, and not again here."""
        if measure is not None and "unit" in info.data:
            wrong = measure_unit(measure.kind, info.data["unit"])
            if wrong is not None:
                raise PydanticCustomError("measure_unit", "{message}", {"message": wrong})
        return measure


class Measure(_Model, MeasureMethods):
    """How a metric is computed from an event log: exactly one of rate, time or count."""

    rate: StepPair | None = Field(
        None,
        description="[FROM, TO]: of the cases that reached step FROM, the percent that"
        " later reached step TO.",
    )
    time: StepPair | None = Field(
        None,
        description="[FROM, TO]: per case, the time from the first event of step FROM to the"
        " first event of step TO after it, in the metric's `unit`.",
    )
    stat: Literal["p50", "p90", "mean"] | None = Field(
        None,
        description=f"With time only: p50, p90 or mean ({MEASURE_DEFAULTS['stat']} when left out).",
    )
    count: Id | None = Field(None, description="A step id: its events per period.")
    per: Literal["day", "week", "month"] | None = Field(
        None,
        description=f"With count only: day, week or month ({MEASURE_DEFAULTS['per']}"
        " when left out).",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Measure:
        wrong = measure_shape({name: getattr(self, name) for name in type(self).model_fields})
        if wrong is not None:
            field, message = wrong
            raise PydanticCustomError("measure_shape", message, {"field": field})
        return self


class Step(_Model, StepMethods):
    """One box of the flow map: a start, task, decision, end or subprocess."""

    id: Id = Field(description="Unique id of the step within the process.")
    name: Name = Field(description="What happens, in plain words (a question for a decision).")
    kind: Literal["start", "task", "decision", "end", "subprocess", "parallel", "join"] = Field(
        "task",
        description="Shape of the step on the map. `parallel` splits the flow into strands"
        " that all run (its `next` lists one step per strand); `join` waits for every strand"
        " of its split, then goes on. Neither is work.",
    )
    description: Text | None = Field(None, description="More detail for the runbook.")
    owner: Id | None = Field(None, description="Role id responsible for the step.")
    tools: list[Id] = Field(default_factory=list, description="Tool ids the step uses.")
    duration: Duration | None = Field(
        None, description="Expected hands-on time, someone working: 45m, 1h, 2d, 1w."
    )
    wait: Duration | None = Field(
        None,
        description="Time that passes before the step can start, with nobody working (7d"
        " after the reminder is sent): elapsed time, not work. Like `duration`: 2h, 7d, 1w.",
    )
    critical: bool = Field(False, description="Check every time: a mistake here costs most.")
    automated: bool = Field(False, description="Runs without a person.")
    automatable: bool = Field(False, description="Could run without a person.")
    checklist: list[Text] = Field(default_factory=list, description="Items to tick off.")
    metrics: list[Id] = Field(default_factory=list, description="Metric ids recorded here.")
    next: Next | None = Field(
        None,
        description="Id of the step that follows; for a parallel split, a list of ids, the"
        " first step of each strand.",
    )
    branches: dict[Name, Id] | None = Field(
        None, description="Decisions only: answer label -> id of the step it leads to."
    )
    process: Id | None = Field(
        None, description="Subprocesses only: id of the process this step stands for."
    )
    activity: Activities | None = Field(
        None,
        description="The event-log activity, or a non-empty list of them, that means the step"
        " happened (without it: an activity equal to the step's id or name).",
    )
    shares: dict[Text, Share] | None = Field(
        None,
        description="Decisions only: branch label -> expected percent of the cases taking it"
        " (for simulate, and to compare with measured shares); they add up to 100.",
    )


class ExceptionCase(_Model):
    """A variation of the normal flow and what to do instead."""

    when: Text = Field(description="The situation that departs from the normal flow.")
    then: Text = Field(description="What to do instead.")
    step: Id | None = Field(None, description="Id of the step where it applies.")


class ChangelogEntry(_Model):
    """A dated change to the process, and who approved it."""

    date: Date = Field(description="When the change was made (YYYY-MM-DD).")
    change: Text = Field(description="What changed and why.")
    by: Text | None = Field(None, description="Who made or approved the change.")


class Improvement(_Model):
    """A change being tried or considered (DMAIC Improve)."""

    change: Text = Field(description="The change to the process.")
    status: Literal["proposed", "piloting", "adopted", "rejected"] = Field(
        "proposed", description="Where the change stands."
    )


class ControlPoint(_Model):
    """A metric watched after the change, with the reaction when it slips (DMAIC Control)."""

    metric: Id = Field(description="Metric id to watch.")
    every: Cadence = Field(description="How often it is checked.")
    threshold: Figure | None = Field(None, description="The figure that calls for the reaction.")
    reaction: Text = Field(description="What to do when the threshold is crossed.")


class Dmaic(_Model):
    """The improvement record: Define, Measure, Analyze, Improve, Control."""

    problem: Text | None = Field(None, description="Problem statement (Define).")
    goal: Text | None = Field(None, description="Goal statement with a figure and a date.")
    root_causes: list[Text] = Field(default_factory=list, description="Causes found (Analyze).")
    improvements: list[Improvement] = Field(default_factory=list, description="Improve.")
    control: list[ControlPoint] = Field(default_factory=list, description="Control plan.")


class Process(_Model, ProcessMethods):
    """A business process: its purpose, boundaries, people, tools, metrics and flow."""

    procmap: Version = Field(description="Format version: 1.")
    id: Id = Field(description="Unique id of the process (a slug).")
    name: Name = Field(description="Name of the process.")
    goal: Text | None = Field(None, description="What the process is for.")
    description: Text | None = Field(None, description="More context for readers.")
    owner: Id | None = Field(None, description="Role id of the process owner.")
    system: Literal["marketing", "operations"] | None = Field(
        None, description="Marketing system (know to try) or operations system (buy to refer)."
    )
    hourglass: list[Stage] = Field(
        default_factory=list, description="Customer-journey stages the process serves."
    )
    trigger: Text | None = Field(None, description="What starts the process.")
    outcome: Text | None = Field(None, description="How you know it is complete.")
    scope: Scope | None = None
    outputs: list[Text] = Field(default_factory=list, description="What the process produces.")
    runs: Runs | None = Field(
        None,
        description="How often the process runs: a number per day, week, month, quarter or"
        " year, like 20/month (for `procmap portfolio`: frequency and workload).",
    )
    value: Amount | None = Field(
        None,
        description="What one run is worth on average (revenue it brings or cost it saves),"
        " in the portfolio's currency (for `procmap portfolio`).",
    )
    feeds: list[Id] = Field(
        default_factory=list,
        description="Ids of the processes that pick up this one's output, next on the"
        " customer journey (a marketing process feeds an operations process).",
    )
    review: Review | None = None
    roles: dict[Id, Name] = Field(default_factory=dict, description="Role id -> display name.")
    tools: dict[Id, Name] = Field(default_factory=dict, description="Tool id -> display name.")
    metrics: dict[Id, Metric] = Field(default_factory=dict, description="Metric id -> metric.")
    steps: list[Step] = Field(description="The steps, in the order authors read them.")
    exceptions: list[ExceptionCase] = Field(default_factory=list)
    changelog: list[ChangelogEntry] = Field(default_factory=list)
    dmaic: Dmaic | None = None

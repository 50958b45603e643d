"""The format's value rules and constants, and what the models do: no pydantic here.

Owns: the patterns of ids, durations, cadences and dates (and their range of years),
what makes a name visible, the constant vocabularies (kinds, stages, systems, cadences,
duration units, the units of a measured metric by its kind: `TIME_UNITS`), small value
helpers (`slugify`, `duration_minutes`, `suggest`, `date_in_range`, `visible`,
`measure_unit`: rule S015 for both readers), review due dates (`due_date`, `add_months`: one
arithmetic for `procmap review` and the rendered documents, safe at the calendar's end),
and the behaviour that the pydantic models (`model`) and
the fast records (`fastcheck`) share (`StepMethods`, `ProcessMethods`).

Must not import pydantic: the validate hot path reads these without it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Protocol, TypeVar

    # The fields the methods read, read-only (the models are frozen, the records too).

    class _StepFields(Protocol):
        @property
        def duration(self) -> str | None: ...
        @property
        def wait(self) -> str | None: ...
        @property
        def next(self) -> str | list[str] | None: ...
        @property
        def branches(self) -> dict[str, str] | None: ...
        @property
        def activity(self) -> list[str] | None: ...

    class _MeasureFields(Protocol):
        @property
        def rate(self) -> tuple[str, str] | None: ...
        @property
        def time(self) -> tuple[str, str] | None: ...
        @property
        def stat(self) -> str | None: ...
        @property
        def count(self) -> str | None: ...
        @property
        def per(self) -> str | None: ...

    class _Identified(Protocol):
        @property
        def id(self) -> str: ...
        @property
        def process(self) -> str | None: ...

    _S = TypeVar("_S", bound=_Identified, covariant=True)

    class _ProcessFields(Protocol[_S]):
        @property
        def steps(self) -> Sequence[_S]: ...
        @property
        def roles(self) -> Mapping[str, str]: ...
        @property
        def runs(self) -> str | None: ...


FORMAT_VERSION = 1

# Value rules are patterns, checked inside pydantic-core and published in the JSON Schema;
# `schema` turns a mismatch of each pattern into its own rule code and message.
ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
#: The characters pydantic strips from a duration (Rust's `str::trim`, Unicode White_Space),
#: spelt out: `\s` means three different sets in Rust, Python and the ECMA-262 regexes of
#: JSON Schema, and the published pattern must mean in an editor what it means here.
WHITESPACE = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
DURATION_PATTERN = rf"^[0-9]+(?:\.[0-9]+)?[{WHITESPACE}]*(?:m|min|h|d|w)$"
CADENCE_PATTERN = r"^(?:weekly|monthly|quarterly|yearly|[1-9][0-9]{0,3}d)$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#: How often a process runs (`runs:`): a number of runs per period, like `20/month`.
RUNS_PATTERN = r"^[0-9]+(?:\.[0-9]+)?/(?:day|week|month|quarter|year)$"
_RUNS = re.compile(r"^([0-9]+(?:\.[0-9]+)?)/(day|week|month|quarter|year)$")
#: Months in each period of `runs:`, on a calendar of 365 days and 12 months: a week is
#: 12/52 of a month, a day 12/365; runs are counted on the calendar, like durations.
RUN_PERIODS: dict[str, float] = {
    "day": 12 / 365,
    "week": 12 / 52,
    "month": 1.0,
    "quarter": 3.0,
    "year": 12.0,
}
_DATE = re.compile(DATE_PATTERN[1:-1])
#: The years a date of the format may have (rule S013). Wide enough for any record a
#: business keeps, and far from the calendar's end (9999-12-31): a date plus the longest
#: cadence (9999 days, 28 years) stays a date, so no due date overflows.
DATE_YEARS = (1900, 2999)
#: DATE_PATTERN with the year in DATE_YEARS, for the JSON Schema.
DATE_IN_RANGE_PATTERN = r"^(?:19[0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}$"
#: The characters that show nothing by themselves (rule S014): Unicode's control (Cc),
#: format (Cf) and space (Zs, Zl, Zp) characters of the Basic Multilingual Plane, fixed
#: here from Unicode 14 rather than read from `unicodedata`, so the verdict does not change
#: with the Python release, and written so that an ECMA-262 regex (the JSON Schema) reads
#: it as Python does, with or without the `u` flag; hence the BMP only.
INVISIBLE = (
    r"\x00-\x20\x7f-\xa0\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u1680"
    r"\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ufeff\ufff9-\ufffb"
)
#: A name shows something: one character that is not INVISIBLE (unanchored, as in JSON Schema).
VISIBLE_PATTERN = rf"[^{INVISIBLE}]"
_VISIBLE = re.compile(VISIBLE_PATTERN)
_DURATION = re.compile(rf"^([0-9]+(?:\.[0-9]+)?)[{WHITESPACE}]*(m|min|h|d|w)$")

#: Minutes per duration unit, on the calendar: `5d` is five days on the calendar, not
#: five working days. A step's `duration` is its hands-on time (someone works); its `wait`
#: the time that passes before it can start with nobody working (elapsed, not work).
DURATION_UNITS: dict[str, int] = {"m": 1, "min": 1, "h": 60, "d": 1440, "w": 10080}
CADENCES = ("weekly", "monthly", "quarterly", "yearly")
STAGES = ("know", "like", "trust", "try", "buy", "repeat", "refer")
KINDS = ("start", "task", "decision", "end", "subprocess", "parallel", "join")
#: The kinds that are no work: they route the flow (a parallel split, its join).
GATEWAY_KINDS = ("parallel", "join")
SYSTEMS = ("marketing", "operations")
IMPROVEMENT_STATUSES = ("proposed", "piloting", "adopted", "rejected")
#: How a metric is computed from an event log (`measure:`): exactly one kind, and the
#: options that go with it, with the value used when the option is left out.
MEASURE_KINDS = ("rate", "time", "count")
MEASURE_OPTIONS = {
    "stat": ("time", ("p50", "p90", "mean")),
    "per": ("count", ("day", "week", "month")),
}
MEASURE_DEFAULTS = {"stat": "p50", "per": "week"}
#: The units of a metric whose `measure:` is a time, with seconds per unit: the closed
#: set of rule S015. The figure is computed in it, and baseline and target are read in it.
TIME_UNITS: dict[str, float] = {
    **dict.fromkeys(("m", "min", "minute", "minutes"), 60.0),
    **dict.fromkeys(("h", "hour", "hours"), 3600.0),
    **dict.fromkeys(("d", "day", "days"), 86400.0),
    **dict.fromkeys(("w", "week", "weeks"), 604800.0),
}
#: The unit of a metric whose `measure:` is a rate: a percent (or no unit written).
RATE_UNIT = "%"
_TIME_UNITS_SAID = "m, min, minute(s), h, hour(s), d, day(s), w or week(s)"
#: How far the expected shares of a decision's branches may be from 100 in all (G014).
SHARES_TOLERANCE = 0.5


def slugify(text: str) -> str:
    """The id an author probably meant: 'Lead Handoff_2' -> 'lead-handoff-2'."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def date_in_range(day: dt.date) -> bool:
    """Whether a date's year is in DATE_YEARS (rule S013)."""
    return DATE_YEARS[0] <= day.year <= DATE_YEARS[1]


def visible(name: str) -> bool:
    """Whether a name shows anything: not empty, not only spaces, controls or format
    characters like the zero-width space (rule S014)."""
    return _VISIBLE.search(name) is not None


_CADENCE_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
_CADENCE_DAYS = re.compile(r"^([1-9][0-9]*)d$")


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole calendar months, clamped to the month's last day (Jan 31 -> Feb 28);
    past the calendar's end (9999-12-31), that end."""
    index = day.year * 12 + day.month - 1 + months
    import calendar  # here: not on the validate path

    if index >= (dt.MAXYEAR + 1) * 12:
        return dt.date.max
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def due_date(every: str, last: dt.date) -> dt.date:
    """The next review date: `last` plus the cadence.

    weekly is 7 days, monthly 1 calendar month, quarterly 3, yearly 12 (Feb 29 + 1 year
    is Feb 28), and `Nd` is N days. A due date beyond the calendar's end (9999-12-31) is
    that end, `dt.date.max`: validation keeps dates far from it (rule S013), and a caller
    with any date still gets a date, never an OverflowError. Raises ValueError for any
    other cadence.
    """
    if every in _CADENCE_MONTHS:
        return add_months(last, _CADENCE_MONTHS[every])
    match = _CADENCE_DAYS.match(every)
    if every != "weekly" and match is None:
        raise ValueError(f"not a review cadence: {every!r} (use {', '.join(CADENCES)} or Nd)")
    days = 7 if match is None else int(match.group(1))
    if (dt.date.max - last).days < days:
        return dt.date.max
    return last + dt.timedelta(days=days)


def duration_minutes(duration: str) -> float:
    """Minutes in a duration string already accepted by the model (`45m`, `1.5h`, `2d`)."""
    match = _DURATION.match(duration)
    if match is None:
        raise ValueError(f"not a duration: {duration!r}")
    return float(match.group(1)) * DURATION_UNITS[match.group(2)]


def runs_per_month(runs: str) -> float:
    """Runs per month of a `runs:` value the model accepted (`20/month`, `5/week`)."""
    match = _RUNS.match(runs)
    if match is None:
        raise ValueError(f"not a run frequency: {runs!r}")
    return float(match.group(1)) / RUN_PERIODS[match.group(2)]


def measure_shape(fields: dict[str, Any]) -> tuple[str, str] | None:
    """What is wrong with the shape of a `measure:` (the fields given, not None), as
    (the field to point at, or "" for the whole measure; the message), or None when it
    names exactly one kind and only the options of that kind."""
    kinds = [kind for kind in MEASURE_KINDS if fields.get(kind) is not None]
    if not kinds:
        return "", "measure needs one of rate, time or count"
    if len(kinds) > 1:
        both = " and ".join(kinds) if len(kinds) == 2 else "rate, time and count"
        return kinds[1], f"measure gives {both}; give exactly one of rate, time or count"
    for option, (kind, _) in MEASURE_OPTIONS.items():
        if fields.get(option) is not None and kinds[0] != kind:
            return option, f"measure: `{option}` goes only with `{kind}`, not with `{kinds[0]}`"
    return None


def measure_unit(kind: str, unit: str | None) -> str | None:
    """What is wrong with the unit of a metric whose `measure:` is of `kind` (rule S015),
    as a message, or None: a time needs one of TIME_UNITS, in which it is computed; a
    rate is a percent, `%` or no unit; a count counts something (leads, calls): any
    word but a time unit or `%`, or no unit."""
    if kind == "time":
        if unit is None:
            return f"a time measure needs a unit, which its figure is in: write {_TIME_UNITS_SAID}"
        if unit not in TIME_UNITS:
            hint = suggest(unit, list(TIME_UNITS))
            tail = f"; did you mean {hint!r}?" if hint else ""
            return f"unit {unit!r} is not a unit of time: write {_TIME_UNITS_SAID}{tail}"
    elif kind == "rate":
        if unit is not None and unit != RATE_UNIT:
            return (
                f"unit {unit!r}: a rate is a percent of the cases; write `%` or leave the unit out"
            )
    elif unit is not None and (unit in TIME_UNITS or unit == RATE_UNIT):
        return (
            f"unit {unit!r}: a count is a number of events per period; write what is"
            " counted (leads, calls) or leave the unit out"
        )
    return None


def suggest(word: str, choices: Sequence[str]) -> str | None:
    """The closest choice to a misspelt word, if any is close."""
    import difflib

    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


class StepMethods:
    """What a step can tell beyond its fields (pydantic `Step` and the fast record).

    No annotations here: pydantic would read them as fields of `Step`.
    """

    @property
    def minutes(self: _StepFields) -> float | None:
        return None if self.duration is None else duration_minutes(self.duration)

    @property
    def wait_minutes(self: _StepFields) -> float | None:
        """The wait before the step (`wait:`) in minutes, or None when it has none."""
        return None if self.wait is None else duration_minutes(self.wait)

    def following(self: _StepFields) -> list[str]:
        """The ids `next` names, in written order: one, or a parallel split's strands."""
        if self.next is None:
            return []
        return [self.next] if isinstance(self.next, str) else list(self.next)

    def targets(self: _StepFields) -> list[tuple[str | None, str]]:
        """Outgoing flows as (label, step id); `next` has no label (a parallel split's
        `next` is a list: a flow to each strand)."""
        flows: list[tuple[str | None, str]] = [(None, t) for t in StepMethods.following(self)]
        if self.branches:
            flows.extend(self.branches.items())
        return flows

    def activities(self: _StepFields) -> list[str]:
        """The event-log activities that mean the step happened (`activity:`), or []."""
        return list(self.activity or [])


class MeasureMethods:
    """What a metric's `measure:` can tell beyond its fields (pydantic and fast record)."""

    @property
    def kind(self: _MeasureFields) -> str:
        """rate, time or count: the one the measure gives."""
        return next(k for k in MEASURE_KINDS if getattr(self, k) is not None)

    @property
    def statistic(self: _MeasureFields) -> str:
        """For a time: p50, p90 or mean (p50 when left out)."""
        return self.stat or MEASURE_DEFAULTS["stat"]

    @property
    def period(self: _MeasureFields) -> str:
        """For a count: day, week or month (week when left out)."""
        return self.per or MEASURE_DEFAULTS["per"]

    def steps(self: _MeasureFields) -> list[str]:
        """The step ids the measure names, in the order written."""
        pair = self.rate or self.time
        if pair is not None:
            return list(pair)
        return [self.count] if self.count is not None else []


class ProcessMethods:
    """What a process can tell beyond its fields (pydantic `Process` and the fast record)."""

    def called(self: _ProcessFields[_S]) -> list[str]:
        """The ids of the processes its steps run (a subprocess step's `process`), sorted,
        each once."""
        return sorted({step.process for step in self.steps if step.process})

    def step(self: _ProcessFields[_S], step_id: str) -> _S | None:
        for step in self.steps:
            if step.id == step_id:
                return step
        return None

    @property
    def runs_per_month(self: _ProcessFields[_Identified]) -> float | None:
        """How many times a month the process runs (`runs:`), or None when not said."""
        return None if self.runs is None else runs_per_month(self.runs)

    def role_name(self: _ProcessFields[_Identified], role_id: str | None) -> str | None:
        if role_id is None:
            return None
        return self.roles.get(role_id, role_id)

"""A process file that is plainly valid, read without pydantic: the validate hot path.

Owns: `accept(data)`, which returns the process as plain records when the loaded data is
plainly valid (every value of the type the model asks for, spelt the usual way) and None
otherwise. None is not a verdict: the caller then validates with the pydantic model
(`schema`), which is the truth and the only source of problems. Importing pydantic and
building the models costs more than the rest of a one-file `procmap validate` together,
and most files a pre-commit hook sees are valid.

Soundness is what matters: whatever `accept` takes, the pydantic model takes too, with
equal values. It declines anything unusual (a number where text is asked, a padded
duration, a date that is not YYYY-MM-DD text or out of range, a name that shows nothing,
a boolean spelt `yes`, a measure of the wrong shape or with a unit that does not suit
it). `FIELDS` mirrors the models field by field; tests hold it to
them (names, aliases, defaults, required fields) and compare the two readers on
generated files. Each record class declares its attributes' types too (the same names
as its FIELDS, checked when the class is made), so that mypy holds the records to
`protocols.ProcessLike`, as it holds the models.

Must not import pydantic, and must not report problems.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

from .values import (
    CADENCE_PATTERN,
    DATE_PATTERN,
    DURATION_PATTERN,
    ID_PATTERN,
    KINDS,
    MEASURE_OPTIONS,
    RUNS_PATTERN,
    STAGES,
    SYSTEMS,
    MeasureMethods,
    ProcessMethods,
    StepMethods,
    date_in_range,
    measure_shape,
    measure_unit,
    visible,
)


class _Decline(Exception):
    """The value is not plainly valid: let pydantic decide."""


_DECLINE = _Decline()

# A reader takes a value and returns what the model would hold, or raises _Decline.
Reader = Callable[[Any], Any]


def _text(value: Any) -> Any:
    # Text fields take whole numbers as their digits (`coerce_numbers_to_str`); floats
    # are declined, their spelling is pydantic's to decide.
    if value.__class__ is str:
        return value
    if value.__class__ is int:
        return str(value)
    raise _DECLINE


def _name(value: Any) -> Any:
    # A name that shows nothing is the model's to report (S014).
    text = _text(value)
    if visible(text):
        return text
    raise _DECLINE


def _pattern(pattern: str) -> Reader:
    match = re.compile(pattern[1:-1]).fullmatch

    def read(value: Any) -> Any:
        if value.__class__ is str and match(value) is not None:
            return value
        raise _DECLINE

    return read


_id = _pattern(ID_PATTERN)
_cadence = _pattern(CADENCE_PATTERN)
_runs = _pattern(RUNS_PATTERN)
# Durations are declined when padded: pydantic strips white space of its own choosing.
_duration = _pattern(DURATION_PATTERN)
_date_text = re.compile(DATE_PATTERN[1:-1]).fullmatch


def _date(value: Any) -> Any:
    if value.__class__ is str and _date_text(value) is not None:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise _DECLINE from None
        if date_in_range(day):  # else the model's S013
            return day
    raise _DECLINE


def _figure(value: Any) -> Any:
    if value.__class__ is float and math.isfinite(value):
        return value
    if value.__class__ is int and abs(value) < 2**53:
        return float(value)
    raise _DECLINE


def _share(value: Any) -> Any:
    share = _figure(value)
    if share < 0:
        raise _DECLINE
    return share


def _activities(value: Any) -> Any:
    # One name is held as a list of one, as the model holds it.
    if value.__class__ is list and value:
        return [_text(item) for item in value]
    return [_text(value)]


def _step_pair(value: Any) -> Any:
    if value.__class__ is list and len(value) == 2:
        return (_id(value[0]), _id(value[1]))
    raise _DECLINE


def _bool(value: Any) -> Any:
    if value is True or value is False:
        return value
    raise _DECLINE


def _version(value: Any) -> Any:
    if value.__class__ is int and value == 1:
        return 1
    raise _DECLINE


def _literal(*choices: str) -> Reader:
    allowed = frozenset(choices)

    def read(value: Any) -> Any:
        if value.__class__ is str and value in allowed:
            return value
        raise _DECLINE

    return read


def _optional(reader: Reader) -> Reader:
    def read(value: Any) -> Any:
        return None if value is None else reader(value)

    return read


def _list(reader: Reader) -> Reader:
    def read(value: Any) -> Any:
        if value.__class__ is not list:
            raise _DECLINE
        return [reader(item) for item in value]

    return read


def _dict(key: Reader, reader: Reader) -> Reader:
    def read(value: Any) -> Any:
        if value.__class__ is not dict:
            raise _DECLINE
        return {key(k): reader(v) for k, v in value.items()}

    return read


class Record:
    """A value of the format read by `accept`: fields as attributes, compared by value."""

    __slots__ = ()
    FIELDS: tuple[tuple[str, str, Reader, Any], ...] = ()

    def __init_subclass__(cls) -> None:
        # The annotations are the static type (`protocols`), FIELDS what is read: one list.
        if tuple(cls.__annotations__) != _names(cls.FIELDS):
            raise TypeError(f"{cls.__name__}: its annotations are not its FIELDS")

    def __init__(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __reduce__(self) -> tuple[type[Record], tuple[dict[str, Any]]]:
        # Pickled as the class and its values: the default for slots restores them with
        # setattr, which a frozen record refuses (a worker process sends records back).
        return type(self), ({name: getattr(self, name) for name, *_ in self.FIELDS},)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Record):
            return NotImplemented  # the other side may know (a process read lazily)
        return type(other) is type(self) and dump(self) == dump(other)

    # Unhashable, as equal-by-value and mutable-looking; typeshed types `__hash__` as a
    # method, and None is how Python says a class has no hash.
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name, *_ in self.FIELDS)
        return f"{type(self).__name__}({inner})"


_REQUIRED = object()
_LIST = object()
_DICT = object()


def _names(fields: tuple[tuple[str, str, Reader, Any], ...]) -> tuple[str, ...]:
    """The attributes of a record class: its `__slots__`, from its FIELDS."""
    return tuple(field[0] for field in fields)


def _reader(cls: type[Record]) -> Reader:
    fields = cls.FIELDS
    keys = frozenset(key for _, key, _, _ in fields)

    def read(value: Any) -> Any:
        if value.__class__ is not dict or not keys.issuperset(value):
            raise _DECLINE  # not a mapping, or a key the model does not know
        values: dict[str, Any] = {}
        for attribute, key, reader, default in fields:
            if key in value:
                values[attribute] = reader(value[key])
            elif default is _REQUIRED:
                raise _DECLINE
            elif default is _LIST:
                values[attribute] = []
            elif default is _DICT:
                values[attribute] = {}
            else:
                values[attribute] = default
        return cls(values)

    return read


_text_or_none = _optional(_text)
_id_or_none = _optional(_id)
_ids = _list(_id)


def _next(value: Any) -> Any:
    """`next:`: one id, or a parallel split's list of ids (`model.Next`)."""
    if value is None:
        return None
    return _ids(value) if value.__class__ is list else _id(value)


class Scope(Record):
    """The record of `model.Scope`."""

    FIELDS = (
        ("in_", "in", _list(_text), _LIST),
        ("out", "out", _list(_text), _LIST),
    )
    __slots__ = _names(FIELDS)
    in_: list[str]
    out: list[str]


class Review(Record):
    """The record of `model.Review`."""

    FIELDS = (
        ("every", "every", _optional(_cadence), None),
        ("last", "last", _optional(_date), None),
        ("approver", "approver", _id_or_none, None),
    )
    __slots__ = _names(FIELDS)
    every: str | None
    last: dt.date | None
    approver: str | None


class Measure(Record, MeasureMethods):
    """The record of `model.Measure`."""

    FIELDS = (
        ("rate", "rate", _optional(_step_pair), None),
        ("time", "time", _optional(_step_pair), None),
        ("stat", "stat", _optional(_literal(*MEASURE_OPTIONS["stat"][1])), None),
        ("count", "count", _id_or_none, None),
        ("per", "per", _optional(_literal(*MEASURE_OPTIONS["per"][1])), None),
    )
    __slots__ = _names(FIELDS)
    rate: tuple[str, str] | None
    time: tuple[str, str] | None
    stat: str | None
    count: str | None
    per: str | None


_read_measure_fields = _reader(Measure)


def _measure(value: Any) -> Any:
    # The shape across the fields (S011) is the model's to report: decline a wrong one.
    measure = _read_measure_fields(value)
    if measure_shape({name: getattr(measure, name) for name, *_ in Measure.FIELDS}):
        raise _DECLINE
    return measure


class Metric(Record):
    """The record of `model.Metric`."""

    FIELDS = (
        ("name", "name", _name, _REQUIRED),
        ("unit", "unit", _text_or_none, None),
        ("baseline", "baseline", _optional(_figure), None),
        ("target", "target", _optional(_figure), None),
        ("direction", "direction", _literal("up", "down"), "up"),
        ("measure", "measure", _optional(_measure), None),
    )
    __slots__ = _names(FIELDS)
    name: str
    unit: str | None
    baseline: float | None
    target: float | None
    direction: str
    measure: Measure | None


_read_metric_fields = _reader(Metric)


def _metric(value: Any) -> Any:
    # A unit that does not suit the measure's kind (S015) is the model's to report.
    metric = _read_metric_fields(value)
    if metric.measure is not None and measure_unit(metric.measure.kind, metric.unit):
        raise _DECLINE
    return metric


class Step(Record, StepMethods):
    """The record of `model.Step`."""

    FIELDS = (
        ("id", "id", _id, _REQUIRED),
        ("name", "name", _name, _REQUIRED),
        ("kind", "kind", _literal(*KINDS), "task"),
        ("description", "description", _text_or_none, None),
        ("owner", "owner", _id_or_none, None),
        ("tools", "tools", _list(_id), _LIST),
        ("duration", "duration", _optional(_duration), None),
        ("wait", "wait", _optional(_duration), None),
        ("critical", "critical", _bool, False),
        ("automated", "automated", _bool, False),
        ("automatable", "automatable", _bool, False),
        ("checklist", "checklist", _list(_text), _LIST),
        ("metrics", "metrics", _list(_id), _LIST),
        ("next", "next", _next, None),
        ("branches", "branches", _optional(_dict(_name, _id)), None),
        ("process", "process", _id_or_none, None),
        ("activity", "activity", _optional(_activities), None),
        ("shares", "shares", _optional(_dict(_text, _share)), None),
    )
    __slots__ = _names(FIELDS)
    id: str
    name: str
    kind: str
    description: str | None
    owner: str | None
    tools: list[str]
    duration: str | None
    wait: str | None
    critical: bool
    automated: bool
    automatable: bool
    checklist: list[str]
    metrics: list[str]
    next: str | list[str] | None
    branches: dict[str, str] | None
    process: str | None
    activity: list[str] | None
    shares: dict[str, float] | None


class ExceptionCase(Record):
    """The record of `model.ExceptionCase`."""

    FIELDS = (
        ("when", "when", _text, _REQUIRED),
        ("then", "then", _text, _REQUIRED),
        ("step", "step", _id_or_none, None),
    )
    __slots__ = _names(FIELDS)
    when: str
    then: str
    step: str | None


class ChangelogEntry(Record):
    """The record of `model.ChangelogEntry`."""

    FIELDS = (
        ("date", "date", _date, _REQUIRED),
        ("change", "change", _text, _REQUIRED),
        ("by", "by", _text_or_none, None),
    )
    __slots__ = _names(FIELDS)
    date: dt.date
    change: str
    by: str | None


class Improvement(Record):
    """The record of `model.Improvement`."""

    FIELDS = (
        ("change", "change", _text, _REQUIRED),
        ("status", "status", _literal("proposed", "piloting", "adopted", "rejected"), "proposed"),
    )
    __slots__ = _names(FIELDS)
    change: str
    status: str


class ControlPoint(Record):
    """The record of `model.ControlPoint`."""

    FIELDS = (
        ("metric", "metric", _id, _REQUIRED),
        ("every", "every", _cadence, _REQUIRED),
        ("threshold", "threshold", _optional(_figure), None),
        ("reaction", "reaction", _text, _REQUIRED),
    )
    __slots__ = _names(FIELDS)
    metric: str
    every: str
    threshold: float | None
    reaction: str


class Dmaic(Record):
    """The record of `model.Dmaic`."""

    FIELDS = (
        ("problem", "problem", _text_or_none, None),
        ("goal", "goal", _text_or_none, None),
        ("root_causes", "root_causes", _list(_text), _LIST),
        ("improvements", "improvements", _list(_reader(Improvement)), _LIST),
        ("control", "control", _list(_reader(ControlPoint)), _LIST),
    )
    __slots__ = _names(FIELDS)
    problem: str | None
    goal: str | None
    root_causes: list[str]
    improvements: list[Improvement]
    control: list[ControlPoint]


class Process(Record, ProcessMethods):
    """The record of `model.Process`."""

    FIELDS = (
        ("procmap", "procmap", _version, _REQUIRED),
        ("id", "id", _id, _REQUIRED),
        ("name", "name", _name, _REQUIRED),
        ("goal", "goal", _text_or_none, None),
        ("description", "description", _text_or_none, None),
        ("owner", "owner", _id_or_none, None),
        ("system", "system", _optional(_literal(*SYSTEMS)), None),
        ("hourglass", "hourglass", _list(_literal(*STAGES)), _LIST),
        ("trigger", "trigger", _text_or_none, None),
        ("outcome", "outcome", _text_or_none, None),
        ("scope", "scope", _optional(_reader(Scope)), None),
        ("outputs", "outputs", _list(_text), _LIST),
        ("runs", "runs", _optional(_runs), None),
        ("value", "value", _optional(_share), None),
        ("feeds", "feeds", _list(_id), _LIST),
        ("review", "review", _optional(_reader(Review)), None),
        ("roles", "roles", _dict(_id, _name), _DICT),
        ("tools", "tools", _dict(_id, _name), _DICT),
        ("metrics", "metrics", _dict(_id, _metric), _DICT),
        ("steps", "steps", _list(_reader(Step)), _REQUIRED),
        ("exceptions", "exceptions", _list(_reader(ExceptionCase)), _LIST),
        ("changelog", "changelog", _list(_reader(ChangelogEntry)), _LIST),
        ("dmaic", "dmaic", _optional(_reader(Dmaic)), None),
    )
    __slots__ = _names(FIELDS)
    procmap: int
    id: str
    name: str
    goal: str | None
    description: str | None
    owner: str | None
    system: str | None
    hourglass: list[str]
    trigger: str | None
    outcome: str | None
    scope: Scope | None
    outputs: list[str]
    runs: str | None
    value: float | None
    feeds: list[str]
    review: Review | None
    roles: dict[str, str]
    tools: dict[str, str]
    metrics: dict[str, Metric]
    steps: list[Step]
    exceptions: list[ExceptionCase]
    changelog: list[ChangelogEntry]
    dmaic: Dmaic | None


RECORDS: tuple[type[Record], ...] = (
    Scope,
    Review,
    Measure,
    Metric,
    Step,
    ExceptionCase,
    ChangelogEntry,
    Improvement,
    ControlPoint,
    Dmaic,
    Process,
)
_read_process = _reader(Process)


def accept(data: Any) -> Process | None:
    """The process as records when `data` is plainly valid, else None (ask pydantic)."""
    try:
        process: Process = _read_process(data)
    except _Decline:
        return None
    return process


def dump(value: Any) -> Any:
    """Records as plain data, field names as keys (what pydantic's `model_dump` gives)."""
    if isinstance(value, Record):
        return {name: dump(getattr(value, name)) for name, *_ in value.FIELDS}
    if isinstance(value, list):
        return [dump(item) for item in value]
    if isinstance(value, dict):
        return {key: dump(item) for key, item in value.items()}
    return value

"""The shape of a measure result: what `procmap measure --format json` prints, as types.

Owns: `MeasureResult` and the TypedDicts of its parts, the one description of its keys,
so that mypy checks the engine that makes it (`procmap.measure`) and every reader of it
(the measure reports, the measured map, the worksheet's `measured_facts`). It lives in
`procmap.render`, the lowest layer that reads a result, so that readers in every layer
above can name it without importing upwards. The key order of each TypedDict is the
order of the JSON.

Durations are in seconds (floats, rounded to microseconds), shares are fractions 0..1,
percentiles interpolate linearly between closest ranks (numpy's default, DuckDB's
`quantile_cont`). Timestamps are ISO 8601 UTC with `Z`.

Must not know: how a log is read or a figure computed (`procmap.measure`), how a result
is shown.
"""

from __future__ import annotations

from typing import TypedDict


class Stats(TypedDict):
    """The mean and the 50th and 90th percentiles of durations (null when none)."""

    mean: float | None
    p50: float | None
    p90: float | None


class Span(TypedDict):
    """The first and last mapped event (null for none)."""

    first: str | None
    last: str | None


class Unmapped(TypedDict):
    """An activity that maps to no step, and its events: each is off the map (the case
    deviates there), and the events before and after it are not consecutive."""

    activity: str
    events: int


class UnmappedMore(TypedDict):
    """The unmapped activities beyond those listed, counted (0 and 0 when none)."""

    activities: int
    events: int


class SkippedRow(TypedDict):
    """`row`: the 1-based data row, the header not counted (for XES, the event's number
    in the file); `reason`: why it was not read."""

    row: int
    reason: str


class SkippedRows(TypedDict):
    """Rows not read (no case, activity or readable time): `count`, the first 5 in
    `examples`."""

    count: int
    examples: list[SkippedRow]


class TransitionCount(TypedDict):
    """A lifecycle transition, lower-cased (null: blank), and its events."""

    transition: str | None
    events: int


class CaseCount(TypedDict):
    """Events counted, and the first 5 distinct case ids they are in, in log order."""

    count: int
    examples: list[str]


class Lifecycle(TypedDict):
    """How lifecycle transitions were read. `handling`: `none` (no lifecycle column:
    every event is an activity instance), `complete` (a lifecycle column without
    `start`: each `complete` or blank event is an instance, the others are not
    occurrences) or `start-complete` (the same, each `start` paired first in first out
    with the next `complete` of its case and activity, which gives the processing time).
    `transitions`: the events of each transition (readable rows only); `instances`: the
    activity instances (null without a column); `paired_starts`: instances with their
    start; `without_start`: instances no start opened; `unpaired_starts`: starts no
    `complete` or abort followed; `aborted`: `ate_abort`, `pi_abort` and `withdraw`
    events."""

    column: str | None
    handling: str
    transitions: list[TransitionCount]
    instances: int | None
    paired_starts: int
    without_start: int
    unpaired_starts: CaseCount
    aborted: CaseCount


class StepFigures(TypedDict):
    """A step of the map: `processing` (start to timestamp) and `waiting` (previous
    event's timestamp to the start), null when the log has no start times for it.
    `overlaps`: its events that started before the case's previous event finished (the
    two ran at once), counted here and left out of `waiting`, never a negative wait."""

    id: str
    name: str
    cases: int
    events: int
    processing: Stats | None
    waiting: Stats | None
    overlaps: int


#: Consecutive events of a case, as step ids, the time from A's timestamp to B's.
DirectlyFollows = TypedDict(
    "DirectlyFollows",
    {
        "from": str,
        "to": str,
        "count": int,
        "mean": float | None,
        "p50": float | None,
        "p90": float | None,
    },
)

#: An arrow of the authored map: a log transition A->B counts on every arrow of the
#: shortest map path from A to B through steps that never occur in the log, with the
#: A->B time on each; a case's first event counts on the path from a start to it, and
#: its last event on the path from it to the nearest end, through such steps (without a
#: time). On a map with parallel blocks, strand by strand: each event counts on the
#: arrows by which the replay brought its token, with the time from the event that put
#: it there (the split's arrow to a strand's first step, from the event before the split;
#: a strand's last step's arrow to the join, to the event after the join). `share` (arrows leaving a decision only): count / transitions through the
#: decision; `p50`: median time of the log transitions on it (null when none).
ArrowFigures = TypedDict(
    "ArrowFigures",
    {
        "from": str,
        "to": str,
        "label": str | None,
        "count": int,
        "share": float | None,
        "p50": float | None,
    },
)


class Branch(TypedDict):
    """An arrow leaving a decision: `count` the transitions that took it (a case that
    passes the decision twice counts twice; the reports head it "Transitions"), `share`
    its part of the transitions through the decision; `expected` the declared `shares`
    percent or null."""

    decision: str
    label: str
    to: str
    count: int
    share: float | None
    expected: float | None


#: Cases that leave the map at their first transition from `from` (null when the first
#: step cannot be reached from a start) to `to`, a step id or an activity that maps to
#: no step; up to 5 case ids in log order.
Deviation = TypedDict(
    "Deviation",
    {"from": str | None, "to": str, "count": int, "examples": list[str]},
)

#: Every transition of the log that leaves the map, not only each case's first: `count`
#: times from `from` to `to` (step ids, or activities that map to no step; `from` null:
#: cases whose first event no start reaches).
OffMap = TypedDict("OffMap", {"from": str | None, "to": str, "count": int})


class Conformance(TypedDict):
    """Each distinct variant replayed on the map read as a workflow net (the token game:
    a split puts a token on each strand, a join fires when every strand has brought one,
    decisions choose a branch, the steps that never occur in the log fire silently): a
    case fits when its events fire in order and leave no token (a path from a start to an
    end, or a valid interleaving of the strands); it is incomplete when they fire but a
    strand or the way to an end is left undone; else it deviates at its first event that
    cannot fire (an event of an activity that maps to no step is off the map). `off_map`
    never lists a pair of steps of two strands of one block."""

    fitting: int
    deviating: int
    incomplete: int
    fitness: float | None
    deviations: list[Deviation]
    off_map: list[OffMap]
    unobserved_steps: list[str]
    incomplete_examples: list[str]


class BlockFigures(TypedDict):
    """A parallel block of the map (its split and join, its strands): the cases with an
    event inside it, and `time`, each such case's time from the earliest start of those
    events to the latest timestamp among them (null when none)."""

    split: str
    join: str | None
    strands: int
    cases: int
    time: Stats | None


class WaitFigures(TypedDict):
    """A step with a `wait:`: `declared`, the wait in seconds; `measured`, the waiting
    before it in the log (from the previous event's timestamp to the start of the next:
    the step's own events, or, for a step without events such as a decision, the
    consecutive events whose way on the map passes it), counted in `count` (null when
    the log has no start times or no such events)."""

    step: str
    declared: float
    count: int
    measured: Stats | None


class Rework(TypedDict):
    """Cases in which a step occurs more than once (unmapped activities not counted)."""

    cases: int
    rate: float | None


class Variant(TypedDict):
    """A sequence of steps, the cases that follow it and their share."""

    steps: list[str]
    cases: int
    share: float | None


class MetricFigures(TypedDict):
    """A metric with `measure`: its `actual` figure beside the declared ones."""

    id: str
    name: str
    unit: str | None
    actual: float | None
    baseline: float | None
    target: float | None
    direction: str
    meets_target: bool | None


class ControlFigures(TypedDict):
    """A `dmaic.control` entry of a measured metric; up: below the threshold is a breach,
    down: above it; its line and column in the process file (null when not given)."""

    metric: str
    threshold: float | None
    actual: float | None
    breached: bool | None
    line: int | None
    column: int | None


class MeasureResult(TypedDict):
    """Every figure of a process measured from a log; `events` counts the mapped events
    (activity instances, when the log has lifecycle transitions), the ones counted in the
    figures; `log` is the path as given."""

    process: str
    log: str
    cases: int
    events: int
    span: Span
    unmapped_activities: list[Unmapped]
    unmapped_more: UnmappedMore
    skipped_rows: SkippedRows
    lifecycle: Lifecycle
    steps: list[StepFigures]
    directly_follows: list[DirectlyFollows]
    arrows: list[ArrowFigures]
    branches: list[Branch]
    throughput: Stats | None
    blocks: list[BlockFigures]
    waits: list[WaitFigures]
    conformance: Conformance
    rework: Rework
    variants: list[Variant]
    metrics: list[MetricFigures]
    control: list[ControlFigures]

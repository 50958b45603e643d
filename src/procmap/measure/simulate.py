"""A synthetic event log from the map of a process (`procmap simulate`).

Owns: the simulation model and the log writers, streaming (`simulate_events` merges
the cases in progress by time; a row is final once the next case has arrived after
it). Cases arrive as a Poisson process (the first at `start`, then exponential gaps
with mean 1/`rate` days); each case begins at a start step (one of them, equal
chances, when there are several) and walks the flow:

- a start or end step is one instant event (`start_timestamp` = `time:timestamp`);
- a task or subprocess takes a random time around its `duration` (`DEFAULT_DURATION`
  when it has none) and is one event: `start_timestamp` when it began, `time:timestamp`
  when it finished. The next step begins when it finishes, except at a handoff: a task
  or subprocess whose owner differs from the owner of the case's previous task waits
  first, a random time around `handoff_wait` minutes (same distribution; none when 0,
  the default), as work waits in another person's queue. No other queueing;
- a decision emits no event and takes no time; it takes a branch with the shares the
  step declares (`shares: {label: percent}`, read with getattr until the field exists),
  else with equal shares;
- a parallel split emits no event and takes no time: every strand runs from it at once,
  each with its own times (drawn strand after strand, in written order), and the join
  (no event either) is passed when the last strand reaches it; the case goes on from
  there with that strand's owner. A case's events are in time order, so strands
  interleave;
- a step's `wait` is time that passes, exactly as declared, before the step begins
  (before its handoff wait): no event, nobody working (a timer);
- a case that has not reached an end after `MAX_STEPS` steps (decisions, splits and
  joins included, every strand's together) stops.

Lifecycle transitions (`lifecycle`): `none` (the default) writes one row per event with
its `start_timestamp`; `start-complete` writes each event as two rows, a `start` at its
start and a `complete` at its timestamp, in a `lifecycle:transition` column (no
`start_timestamp`), as XES logs record activity instances; `full` adds, before each task
or subprocess, a `schedule` when the work became ready (the case's previous event, or
its start) and, for `ABORTED_SHARE` of them, an instance started then and aborted
(`ate_abort`) halfway to the real start: what `procmap measure` pairs and counts. The
transitions draw from their own generator per case: the steps and times are those of
the plain log.

Step times (`distribution`): `lognormal` (default) with mean = the duration and a
coefficient of variation of 0.5; `exponential` with mean = the duration; `fixed`, exactly
the duration. Times are kept in whole milliseconds, so output is byte-identical for the
same inputs on every platform. Each case draws from its own generator seeded from
(`seed`, case number): adding cases does not change the earlier ones.

Must not know: files beyond the one output, options, exit statuses.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import heapq
import io
import math
import random
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from .._files import atomic_file
from ..format import Flow

if TYPE_CHECKING:
    from ..format import ProcessLike, StepLike

T = TypeVar("T")

#: The log's columns: the XES standard names, which `procmap measure` reads by default.
COLUMNS = ("case:concept:name", "concept:name", "time:timestamp", "start_timestamp", "org:resource")
DISTRIBUTIONS = ("lognormal", "exponential", "fixed")
#: The lifecycle models `--lifecycle` writes (see the module).
LIFECYCLES = ("none", "start-complete", "full")
#: The log's columns with lifecycle transitions: a transition column, no start time.
LIFECYCLE_COLUMNS = (
    "case:concept:name",
    "concept:name",
    "time:timestamp",
    "lifecycle:transition",
    "org:resource",
)
#: With `--lifecycle full`: the share of tasks with an aborted instance before them.
ABORTED_SHARE = 0.1
LOG_FORMATS = ("csv", "xes")
#: Coefficient of variation (standard deviation / mean) of the lognormal step times.
LOGNORMAL_CV = 0.5
#: The duration of a task or subprocess that declares none.
DEFAULT_DURATION = "30m"
DEFAULT_MINUTES = 30.0
#: Steps (decisions included) after which a case that has not ended stops: loops end.
MAX_STEPS = 1000
DEFAULT_START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)

_MS_PER_MINUTE = 60_000
_MS_PER_DAY = 86_400_000
#: Characters XML 1.0 cannot hold at all; replaced by U+FFFD in XES output.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


class SimulationError(ValueError):
    """An unusable simulation setting (cases, rate, start, distribution, format)."""


@dataclass(frozen=True, slots=True)
class Event:
    """One row of the log. `step` is the id of the step it stands for (not written);
    `transition` its lifecycle transition (empty: a log without them)."""

    case: str
    activity: str
    timestamp: dt.datetime
    start: dt.datetime
    resource: str
    step: str
    transition: str = ""


def parse_start(text: str) -> dt.datetime:
    """An ISO 8601 date or date and time as an aware UTC datetime (naive means UTC)."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise SimulationError(
            f"--start: {text!r} is not an ISO 8601 date or time; write like 2026-01-05T09:00:00Z"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def simulate_log(
    process: ProcessLike,
    cases: int = 100,
    rate: float = 20.0,
    start: dt.datetime = DEFAULT_START,
    seed: int = 1,
    distribution: str = "lognormal",
    handoff_wait: float = 0.0,
    lifecycle: str = "none",
) -> list[Event]:
    """The events of `cases` simulated cases of a validated `process`, sorted by timestamp.

    Ties (equal timestamps) keep case order, then each case's own order. Raises
    `SimulationError` for a setting that cannot be simulated. The whole log in memory:
    `simulate_events` and `simulate_cases` give it as it is made.
    """
    return list(
        simulate_events(process, cases, rate, start, seed, distribution, handoff_wait, lifecycle)
    )


def simulate_events(
    process: ProcessLike,
    cases: int = 100,
    rate: float = 20.0,
    start: dt.datetime = DEFAULT_START,
    seed: int = 1,
    distribution: str = "lognormal",
    handoff_wait: float = 0.0,
    lifecycle: str = "none",
) -> Iterator[Event]:
    """`simulate_log`'s events one by one as they are made, in the same order, holding
    only the cases in progress: a case's events are never earlier than its arrival, and
    arrivals come in case order, so an event no later than the next arrival is final
    (ties: the lower case number first, then the case's own order). The settings are
    checked at once (`SimulationError`), before the first event."""
    made = _made(process, cases, rate, start, seed, distribution, handoff_wait, lifecycle)
    return _by_time(made)


def simulate_cases(
    process: ProcessLike,
    cases: int = 100,
    rate: float = 20.0,
    start: dt.datetime = DEFAULT_START,
    seed: int = 1,
    distribution: str = "lognormal",
    handoff_wait: float = 0.0,
    lifecycle: str = "none",
) -> Iterator[list[Event]]:
    """The events of each simulated case (one with any), in case order, each case's in
    its own order (which is time order): the traces of XES, one case in memory at once."""
    made = _made(process, cases, rate, start, seed, distribution, handoff_wait, lifecycle)
    return (events for _, _, events in made if events)


def _made(
    process: ProcessLike,
    cases: int = 100,
    rate: float = 20.0,
    start: dt.datetime = DEFAULT_START,
    seed: int = 1,
    distribution: str = "lognormal",
    handoff_wait: float = 0.0,
    lifecycle: str = "none",
) -> Iterator[tuple[dt.datetime, int, list[Event]]]:
    """(arrival, case number, its events) for each case in case
    order, made as they are asked for; the settings are checked at once."""
    if isinstance(cases, bool) or not isinstance(cases, int) or cases < 1:
        raise SimulationError(f"--cases: must be a whole number of at least 1, not {cases!r}")
    if not (isinstance(rate, int | float) and math.isfinite(rate) and rate > 0):
        raise SimulationError(f"--rate: must be a number of cases per day above 0, not {rate!r}")
    if distribution not in DISTRIBUTIONS:
        raise SimulationError(
            f"--distribution: {distribution!r} is not one of {', '.join(DISTRIBUTIONS)}"
        )
    if not (
        isinstance(handoff_wait, int | float) and math.isfinite(handoff_wait) and handoff_wait >= 0
    ):
        raise SimulationError(
            f"--handoff-wait: must be a duration of 0 or more, not {handoff_wait!r}"
        )
    if lifecycle not in LIFECYCLES:
        raise SimulationError(f"--lifecycle: {lifecycle!r} is not one of {', '.join(LIFECYCLES)}")
    if start.tzinfo is None:
        start = start.replace(tzinfo=dt.UTC)
    walker = _Walker(process, distribution, handoff_wait * _MS_PER_MINUTE)
    made = _walk_cases(walker, cases, rate, start.astimezone(dt.UTC), seed)
    if lifecycle == "none":
        return made
    return (
        (arrival, number, _transitions(events, lifecycle, seed, number))
        for arrival, number, events in made
    )


def _transitions(events: list[Event], lifecycle: str, seed: int, number: int) -> list[Event]:
    """A case's `events` as lifecycle transitions (see the module), in time order (ties
    in the order made: a `complete` before the next step's `start`)."""
    rng = random.Random(f"procmap-simulate/{seed}/lifecycle/{number}")
    made: list[Event] = []
    ready: dt.datetime | None = None
    for event in events:
        began = event.start
        if lifecycle == "full" and began < event.timestamp:  # a task or subprocess
            at = ready if ready is not None and ready <= began else began
            made.append(replace(event, timestamp=at, transition="schedule"))
            if rng.random() < ABORTED_SHARE:
                halfway = dt.timedelta(milliseconds=(began - at) // dt.timedelta(milliseconds=2))
                made.append(replace(event, timestamp=at, transition="start"))
                made.append(replace(event, timestamp=at + halfway, transition="ate_abort"))
        made.append(replace(event, timestamp=began, transition="start"))
        made.append(replace(event, transition="complete"))
        ready = event.timestamp
    return sorted(made, key=lambda e: e.timestamp)


def _walk_cases(
    walker: _Walker, cases: int, rate: float, start: dt.datetime, seed: int
) -> Iterator[tuple[dt.datetime, int, list[Event]]]:
    width = max(4, len(str(cases)))
    arrivals = random.Random(f"procmap-simulate/{seed}/arrivals")
    clock = 0  # milliseconds after `start`
    try:
        for number in range(1, cases + 1):
            if number > 1:
                clock += round(arrivals.expovariate(rate) * _MS_PER_DAY)
            rng = random.Random(f"procmap-simulate/{seed}/case/{number}")
            case = f"case-{number:0{width}d}"
            events = [
                Event(
                    case,
                    walker.activity[step.id],
                    start + dt.timedelta(milliseconds=ended),
                    start + dt.timedelta(milliseconds=began),
                    walker.resource[step.id],
                    step.id,
                )
                for step, began, ended in walker.walk(rng, clock)
            ]
            yield start + dt.timedelta(milliseconds=clock), number, events
    except OverflowError:
        raise SimulationError(
            "the log would run past the year 9999: raise --rate or lower --cases"
        ) from None


def _by_time(made: Iterator[tuple[dt.datetime, int, list[Event]]]) -> Iterator[Event]:
    """The events of `made`'s cases merged into time order (see `simulate_events`)."""
    heap: list[tuple[dt.datetime, int, int, list[Event]]] = []
    for arrival, number, events in made:
        yield from _pop(heap, arrival)
        if events:
            heapq.heappush(heap, (events[0].timestamp, number, 0, events))
    yield from _pop(heap, None)


def _pop(
    heap: list[tuple[dt.datetime, int, int, list[Event]]], until: dt.datetime | None
) -> Iterator[Event]:
    """The events of the cases in `heap` in time order, up to `until` (None: all)."""
    while heap and (until is None or heap[0][0] <= until):
        _, number, index, events = heapq.heappop(heap)
        yield events[index]
        if index + 1 < len(events):
            heapq.heappush(heap, (events[index + 1].timestamp, number, index + 1, events))


class _Walker:
    """What the walk needs of a process, worked out once: flows, times, names."""

    def __init__(self, process: ProcessLike, distribution: str, handoff_ms: float = 0.0) -> None:
        self.steps: dict[str, StepLike] = {step.id: step for step in process.steps}
        self.handoff_ms = handoff_ms
        self.starts = [s for s in process.steps if s.kind == "start"] or list(process.steps[:1])
        self.distribution = distribution
        self.mean_ms: dict[str, float] = {}
        self.activity: dict[str, str] = {}
        self.resource: dict[str, str] = {}
        self.flows: dict[str, list[tuple[str, float]]] = {}
        self.wait_ms: dict[str, int] = {}
        for step in process.steps:
            minutes = step.minutes
            if minutes is None:  # no duration
                minutes = DEFAULT_MINUTES
            self.mean_ms[step.id] = minutes * _MS_PER_MINUTE
            self.activity[step.id] = _activity(step)
            self.resource[step.id] = process.role_name(step.owner) or ""
            self.flows[step.id] = _weighted_flows(step)
            self.wait_ms[step.id] = round((step.wait_minutes or 0.0) * _MS_PER_MINUTE)
        self.joins: dict[str, str] = {
            split: block.join for split, block in Flow(process).blocks.items() if block.join
        }
        self._left = MAX_STEPS

    def walk(self, rng: random.Random, clock: int) -> list[tuple[StepLike, int, int]]:
        """(step, began, ended) in milliseconds for each event of one case from `clock`,
        in time order (by `ended`; ties in the order made: a strand before the next)."""
        if not self.starts:
            return []
        step = self.starts[0] if len(self.starts) == 1 else _pick(rng, self.starts, None)
        made: list[tuple[StepLike, int, int]] = []
        self._left = MAX_STEPS
        self._run(rng, step, clock, None, None, made)
        made.sort(key=lambda event: event[2])
        return made

    def _run(
        self,
        rng: random.Random,
        step: StepLike,
        clock: int,
        owner: str | None,
        until: str | None,
        made: list[tuple[StepLike, int, int]],
    ) -> tuple[int, str | None] | None:
        """Walk from `step` at `clock` (`owner`: of the case's previous task), adding
        events to `made`, until the join `until` is reached: (the time then, the owner
        then); None when the walk ended before it (an end, no way on, `MAX_STEPS`)."""
        while self._left > 0:
            if until is not None and step.id == until:
                return clock, owner
            self._left -= 1
            clock += self.wait_ms[step.id]
            if step.kind in ("start", "end"):
                made.append((step, clock, clock))
            elif step.kind == "parallel":
                joined = self._strands(rng, step, clock, owner, made)
                if joined is None:
                    return None
                step, (clock, owner) = joined
                continue
            elif step.kind not in ("decision", "join"):
                if self.handoff_ms > 0 and owner and step.owner and step.owner != owner:
                    clock += self._time(rng, self.handoff_ms)
                owner = step.owner or owner
                took = self._time(rng, self.mean_ms[step.id])
                made.append((step, clock, clock + took))
                clock += took
            flows = self.flows[step.id]
            if step.kind == "end" or not flows:
                return None
            if len(flows) == 1:
                target = flows[0][0]
            else:
                target = _pick(rng, [t for t, _ in flows], [w for _, w in flows])
            following = self.steps.get(target)
            if following is None:  # a dangling reference: a valid process has none
                return None
            step = following
        return None

    def _strands(
        self,
        rng: random.Random,
        split: StepLike,
        clock: int,
        owner: str | None,
        made: list[tuple[StepLike, int, int]],
    ) -> tuple[StepLike, tuple[int, str | None]] | None:
        """Every strand of a parallel `split` walked from `clock`, one after another in
        written order (each draws its own times): the join, and the time and owner when
        the last strand reached it (ties: the first of them); None when a strand ended
        instead, or the block has no join (a valid process has one)."""
        join = self.joins.get(split.id)
        if join is None:
            return None
        reached: list[tuple[int, str | None]] = []
        for head in split.following():
            first = self.steps.get(head)
            done = None if first is None else self._run(rng, first, clock, owner, join, made)
            if done is None:
                return None
            reached.append(done)
        last = max(reached, key=lambda done: done[0]) if reached else (clock, owner)
        return self.steps[join], last

    def _time(self, rng: random.Random, mean: float) -> int:
        if mean <= 0 or self.distribution == "fixed":
            return round(mean)
        if self.distribution == "exponential":
            return round(rng.expovariate(1.0 / mean))
        sigma2 = math.log1p(LOGNORMAL_CV**2)
        return round(rng.lognormvariate(math.log(mean) - sigma2 / 2, math.sqrt(sigma2)))


def _activity(step: StepLike) -> str:
    """The step's declared log activity (the first, if a list), else its name."""
    declared = getattr(step, "activity", None)
    if isinstance(declared, list | tuple):
        declared = declared[0] if declared else None
    return str(declared) if declared else str(step.name)


def _weighted_flows(step: StepLike) -> list[tuple[str, float]]:
    """Outgoing (step id, weight): the declared shares of a decision, else equal weights.

    A label the shares leave out gets weight 0; shares that are all 0 count as none.
    """
    targets = step.targets()
    shares = getattr(step, "shares", None) or {}
    declared = {str(label): float(share) for label, share in dict(shares).items()}
    weights = [declared.get(str(label), 0.0) if label is not None else 0.0 for label, _ in targets]
    if not declared or not sum(weights) > 0:
        weights = [1.0] * len(targets)
    return [(target, weight) for (_, target), weight in zip(targets, weights, strict=True)]


def _pick(rng: random.Random, items: Sequence[T], weights: Sequence[float] | None) -> T:
    """One of `items` by `weights` (equal when None), with one draw of `rng.random()`."""
    if weights is None:
        weights = [1.0] * len(items)
    point = rng.random() * sum(weights)
    for item, weight in zip(items, weights, strict=True):
        if point < weight:
            return item
        point -= weight
    return next(
        item for item, weight in zip(reversed(items), reversed(weights), strict=True) if weight > 0
    )


def timestamp(moment: dt.datetime) -> str:
    """ISO 8601 UTC with milliseconds and `Z`: 2026-01-05T09:00:00.000Z."""
    if moment.year >= 1000:  # isoformat, five times faster than strftime: the same text
        return moment.isoformat(timespec="milliseconds")[:23] + "Z"
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def write_csv(events: Iterable[Event], out: TextIO, lifecycle: bool = False) -> None:
    """The log as CSV: a header of `COLUMNS` (`LIFECYCLE_COLUMNS` with `lifecycle`), one
    row per event, `\\n` line ends."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LIFECYCLE_COLUMNS if lifecycle else COLUMNS)
    for event in events:
        writer.writerow(
            [
                event.case,
                event.activity,
                timestamp(event.timestamp),
                event.transition if lifecycle else timestamp(event.start),
                event.resource,
            ]
        )


def _xml(text: str) -> str:
    text = _NOT_XML.sub("\ufffd", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def write_xes(events: Iterable[Event], out: TextIO, lifecycle: bool = False) -> None:
    """The log as XES (IEEE 1849): one `<trace>` per case in case order, its events in
    time order, each with `concept:name`, `org:resource` (left out when the step has no
    owner), `time:timestamp` and `start_timestamp` (with `lifecycle`:
    `lifecycle:transition` instead)."""
    traces: dict[str, list[Event]] = {}
    for event in events:
        traces.setdefault(event.case, []).append(event)
    write_traces((traces[case] for case in sorted(traces)), out, lifecycle)


def write_traces(cases: Iterable[Sequence[Event]], out: TextIO, lifecycle: bool = False) -> None:
    """`write_xes` from the events of each case, in case order (`simulate_cases`): a
    trace is written as soon as its case is made."""
    out.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">\n'
        '  <extension name="Concept" prefix="concept"'
        ' uri="http://www.xes-standard.org/concept.xesext"/>\n'
        '  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>\n'
        '  <extension name="Organizational" prefix="org"'
        ' uri="http://www.xes-standard.org/org.xesext"/>\n'
    )
    if lifecycle:
        out.write(
            '  <extension name="Lifecycle" prefix="lifecycle"'
            ' uri="http://www.xes-standard.org/lifecycle.xesext"/>\n'
        )
    out.write(
        '  <global scope="trace">\n'
        '    <string key="concept:name" value="__INVALID__"/>\n'
        "  </global>\n"
        '  <global scope="event">\n'
        '    <string key="concept:name" value="__INVALID__"/>\n'
        '    <date key="time:timestamp" value="1970-01-01T00:00:00.000Z"/>\n'
        "  </global>\n"
    )
    for events in cases:
        out.write(f'  <trace>\n    <string key="concept:name" value="{_xml(events[0].case)}"/>\n')
        for event in events:
            out.write(
                f'    <event>\n      <string key="concept:name" value="{_xml(event.activity)}"/>\n'
            )
            if event.resource:
                out.write(f'      <string key="org:resource" value="{_xml(event.resource)}"/>\n')
            out.write(f'      <date key="time:timestamp" value="{timestamp(event.timestamp)}"/>\n')
            if lifecycle:
                out.write(
                    f'      <string key="lifecycle:transition" value="{event.transition}"/>\n'
                )
            else:
                out.write(f'      <date key="start_timestamp" value="{timestamp(event.start)}"/>\n')
            out.write("    </event>\n")
        out.write("  </trace>\n")
    out.write("</log>\n")


def render_log(events: Sequence[Event], log_format: str = "csv") -> str:
    """The log as text in `log_format` (`csv` or `xes`), with a lifecycle column when
    its events have transitions."""
    _check_format(log_format)
    buffer = io.StringIO(newline="")
    lifecycle = any(event.transition for event in events)
    (write_csv if log_format == "csv" else write_xes)(events, buffer, lifecycle)
    return buffer.getvalue()


def _check_format(log_format: str) -> None:
    if log_format not in LOG_FORMATS:
        raise SimulationError(f"--format: {log_format!r} is not one of {', '.join(LOG_FORMATS)}")


def save(
    events: Iterable[Event], path: Path, log_format: str = "csv", lifecycle: bool = False
) -> None:
    """Write the log to `path` whole or not at all (temporary file beside it, then rename);
    gzip-compressed when the name ends in `.gz`, deterministically (no name, mtime 0);
    with a lifecycle column when `lifecycle`."""
    _check_format(log_format)
    with _atomic(path) as out:
        (write_csv if log_format == "csv" else write_xes)(events, out, lifecycle)


@dataclass
class Written:
    """What `write_simulated` or `save_simulated` wrote: its `events` (rows: each
    lifecycle transition is one) and the `cases` they are of."""

    events: int = 0
    cases: int = 0


#: Told the number of cases made so far, as they are made (a progress bar).
Progress = Callable[[int], None]


def _counted(
    made: Iterator[tuple[dt.datetime, int, list[Event]]],
    written: Written,
    progress: Progress | None,
) -> Iterator[tuple[dt.datetime, int, list[Event]]]:
    """`made` as it is, its cases and events counted into `written`, `progress` told."""
    for done, item in enumerate(made, 1):
        if item[2]:
            written.cases += 1
            written.events += len(item[2])
        if progress is not None:
            progress(done)
        yield item


def write_simulated(
    process: ProcessLike,
    out: TextIO,
    log_format: str = "csv",
    progress: Progress | None = None,
    **settings: Any,
) -> Written:
    """Simulate `process` (`settings`: those of `simulate_log`) and write its log to `out`
    as it is made: the same text as `render_log(simulate_log(...))`, in memory bounded by
    the cases in progress at once (CSV) or by one case (XES). The settings are checked
    before anything is written (`SimulationError`). `progress` is told the cases made so
    far as they are made; the events and cases written are returned."""
    _check_format(log_format)
    lifecycle = settings.get("lifecycle", "none") != "none"
    written = Written()
    made = _counted(_made(process, **settings), written, progress)
    if log_format == "csv":
        write_csv(_by_time(made), out, lifecycle)
    else:
        write_traces((events for _, _, events in made if events), out, lifecycle)
    return written


def save_simulated(
    process: ProcessLike,
    path: Path,
    log_format: str = "csv",
    progress: Progress | None = None,
    **settings: Any,
) -> Written:
    """`write_simulated` into `path` as `save` writes: streamed into the temporary file,
    renamed when complete, removed on any error (nothing half-written)."""
    _check_format(log_format)
    _made(process, **settings)  # the settings checked before the file is opened
    with _atomic(path) as out:
        return write_simulated(process, out, log_format, progress, **settings)


class _Gzip(io.RawIOBase):
    """Bytes written gzip-compressed into `handle` as they come, the same bytes as
    `gzip.compress(data, 9, mtime=0)` makes of them all (zlib's gzip wrapper: no name,
    mtime 0; deflate's output does not depend on how its input is cut)."""

    def __init__(self, handle: Any) -> None:
        super().__init__()
        self._handle = handle
        self._zlib = zlib.compressobj(9, zlib.DEFLATED, 31)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._handle.write(self._zlib.compress(data))
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._handle.write(self._zlib.flush())
        super().close()


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[TextIO]:
    """UTF-8 text into a file written whole (`procmap._files.atomic_file`), gzip when the
    name ends in `.gz` (no name, mtime 0, level 9, as `gzip.compress` makes it)."""
    with atomic_file(path) as handle:
        binary: Any = _Gzip(handle) if path.name.endswith(".gz") else handle
        with io.TextIOWrapper(binary, encoding="utf-8", newline="") as text:
            yield text

"""Measured figures as the documents show them: a measure result read against the map.

Owns: `human_duration` and `figure` (the one spelling of measured durations and figures
in the worksheet, the measure reports and the measured map), the unit a measured metric's
figure is shown in (`shown_in`: its own, or for a time too small for it the one that
keeps two significant figures; `metric_figure`, `bare_figure`) and `measured_facts`: the
Measure, Analyze and Control facts of the DMAIC worksheet (KPI actuals, measured time
sinks, handoff times, branch shares, deviations, rework, variants, control status, the
parallel blocks' times from split to join, the waits measured against the declared) from a
measure result joined to the process's `Analysis`, so they speak of numbered steps with
names and of the roles that hand work over.

Must not know: how a log is read or measured (`procmap.measure` computes the result, the
plain dict `procmap measure --format json` prints, and the caller hands it over),
Markdown, templates or files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ..format import TIME_UNITS

if TYPE_CHECKING:  # types only: the measure reports import this module, not the analysis
    from .analysis import Analysis, Control, Handoff, Kpi, StepView
    from .measureresult import MeasureResult, Stats, StepFigures

_UNITS = (("w", 604800.0), ("d", 86400.0), ("h", 3600.0), ("m", 60.0))
#: The units a small time figure is shown in instead of its metric's (`shown_in`).
_SHOWN = (("w", 604800.0), ("d", 86400.0), ("h", 3600.0), ("min", 60.0), ("s", 1.0))
#: How many measured time sinks, deviations and variants the worksheet lists.
TIME_SINKS = 3
DEVIATIONS = 5
VARIANTS = 3


def human_duration(seconds: float | None) -> str:
    """Seconds as a reader says them: 30s, 45m, 3.2h, 2.1d, 3w (weeks from two on); the
    one spelling of durations in the reports, the worksheet and on the measured map."""
    if seconds is None:
        return "–"
    sign = "-" if seconds < 0 else ""
    value = abs(seconds)
    if value < 60:
        return f"{sign}{value:.0f}s"
    for unit, size in _UNITS:
        if value >= size and (unit != "w" or value >= 2 * size):
            amount = value / size
            text = f"{amount:.1f}" if amount < 10 else f"{amount:.0f}"
            return f"{sign}{text.removesuffix('.0')}{unit}"
    raise AssertionError("unreachable: 60 s or more has a unit")  # pragma: no cover


def figure(value: float | None, unit: str | None = None) -> str:
    """A measured figure to two decimals at most, with its unit: 42.5%, 3.25 h, 12; one
    under 0.1 to two significant figures (0.0042), never a bare 0 for a small figure."""
    if value is None:
        return "–"
    decimals = 2
    if value and abs(value) < 0.1:
        decimals = 1 - math.floor(math.log10(abs(value)))
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    if unit:
        text += unit if unit == "%" else f" {unit}"
    return text


def shown_in(value: float | None, unit: str | None) -> tuple[float | None, str | None]:
    """A metric's figure and the unit to show it in: its own, except for a time (a unit
    of `TIME_UNITS`) under 0.1 of it, shown in the largest unit in which it is 1 or more
    (w, d, h, min, else s), so that it keeps two significant figures: 5.7 minutes of a
    metric in days is 5.7 min, not 0 d."""
    if value is None or not value or abs(value) >= 0.1 or unit not in TIME_UNITS:
        return value, unit
    seconds = value * TIME_UNITS[unit]
    for name, size in _SHOWN:
        if abs(seconds) >= size:
            return seconds / size, name
    return seconds, "s"


def metric_figure(value: float | None, unit: str | None) -> str:
    """A measured metric's figure with the unit it is shown in (`shown_in`): 1.1 days,
    42.5%, 5.7 min (of a metric in days)."""
    return figure(*shown_in(value, unit))


def bare_figure(value: float | None, unit: str | None) -> str:
    """A measured metric's figure as the worksheet shows it beside the metric's unit:
    without it (1.1), unless it is shown in another (5.7 min of a metric in days)."""
    shown, other = shown_in(value, unit)
    return figure(shown, other if other != unit else None)


def percent(share: float | None) -> str:
    """A share 0..1 as a percentage with one decimal: 0.4167 -> 41.7%."""
    return "–" if share is None else f"{100 * share:.1f}%"


@dataclass(frozen=True)
class MeasuredKpi:
    """A KPI row of the Measure table with its measured figure."""

    kpi: Kpi
    #: The figure without its unit, as baseline and target are shown; with its own unit
    #: when it is a time too small for the metric's (5.7 min of a metric in days).
    actual: str
    meets_target: bool | None  # None: no target, or no actual


@dataclass(frozen=True)
class StepTime:
    """A step by the time the cases spend reaching and doing it."""

    view: StepView
    events: int
    total: str  # time from each case's previous event to this step's event, summed
    share: str  # of all such time in the log
    waiting: str  # p50 waiting before it starts ("–" without start times)
    processing: str  # p50 from start to done ("–" without start times)
    p90: str  # p90 of waiting + processing where known, else of the time to reach it


@dataclass(frozen=True)
class HandoffTime:
    """A handoff of the map with the time work took to cross it in the log."""

    handoff: Handoff
    count: int  # transitions from giver's step straight to receiver's step
    p50: str  # from the giver's event to the receiver's event
    p90: str
    waiting: str  # p50 waiting before the receiver's step starts (start times only)


@dataclass(frozen=True)
class BranchShare:
    decision: StepView
    label: str
    target: StepView | None
    count: int
    share: str
    expected: str  # the declared share, "" when none


@dataclass(frozen=True)
class Deviation:
    source: StepView | None  # None: the case's first step cannot be reached from a start
    target: StepView | None
    target_id: str
    count: int
    examples: list[str]


@dataclass(frozen=True)
class ControlStatus:
    control: Control
    #: The figure without its unit, as the threshold is stored; with its own unit when it
    #: is a time too small for the metric's (5.7 min of a metric in days, `shown_in`).
    actual: str
    unit: str  # what to write after `actual`: the metric's unit, "" when it carries its own
    breached: bool | None  # None: the metric could not be measured


@dataclass(frozen=True)
class BlockTime:
    """A parallel block with its measured time from split to join."""

    split: StepView
    join: StepView | None
    strands: int
    cases: int  # with an event inside the block
    p50: str  # from the first start inside the block to the last end
    p90: str


@dataclass(frozen=True)
class WaitTime:
    """A step with a `wait:`, the declared wait beside the waiting measured before it."""

    view: StepView
    declared: str
    count: int  # the events (transitions, for a step without events) it is measured on
    p50: str
    p90: str


@dataclass(frozen=True)
class Measured:
    """What the worksheet shows of a measure result (see docs/templates.md)."""

    log: str
    map: str | None  # the measured map's file, when one is written beside the worksheet
    cases: int
    events: int
    first: str  # the first and last mapped event, ISO 8601, "" for none
    last: str
    throughput_p50: str
    throughput_p90: str
    fitting: int
    deviating: int
    incomplete: int
    fitness: str
    kpis: dict[str, MeasuredKpi]  # metric id -> row, for the metrics with a `measure`
    time_sinks: list[StepTime]
    handoffs: list[HandoffTime]
    branches: list[BranchShare]
    deviations: list[Deviation]
    more_deviations: int  # deviation kinds not listed
    rework_cases: int
    rework_rate: str
    variants: list[tuple[list[StepView | str], int, str]]  # steps, cases, share
    variant_count: int
    unobserved: list[StepView]  # tasks and subprocesses no case did (decisions have no event)
    unmapped: list[tuple[str, int]]
    #: Beside the worksheet's control plan (`analysis.control`), entry for entry: the
    #: status of each control point, None for one whose metric has no `measure`.
    control: list[ControlStatus | None]
    blocks: list[BlockTime] = field(default_factory=list)  # the map's parallel blocks
    waits: list[WaitTime] = field(default_factory=list)  # the steps with a `wait:`

    @property
    def breached(self) -> list[ControlStatus]:
        return [c for c in self.control if c is not None and c.breached]


def _stat(block: Stats | None, key: Literal["p50", "p90"]) -> float | None:
    return None if not block else block.get(key)


def measured_facts(
    analysis: Analysis, result: MeasureResult, map_file: str | None = None
) -> Measured:
    """The worksheet's measured facts from `result` (a measure result of `analysis`'s
    process); `map_file` names the measured map written beside the worksheet, if any."""
    views = analysis.by_id
    steps = {s["id"]: s for s in result["steps"]}
    sinks = _time_sinks(analysis, result, steps)
    handoffs = _handoff_times(analysis, result, steps)
    kpis = _kpis(analysis, result)
    control = _control(analysis, result)
    conformance = result["conformance"]
    deviations = [
        Deviation(
            source=views.get(d["from"]) if d["from"] else None,
            target=views.get(d["to"]),
            target_id=d["to"],
            count=d["count"],
            examples=list(d["examples"]),
        )
        for d in conformance["deviations"][:DEVIATIONS]
    ]
    variants = [
        ([views.get(sid, sid) for sid in v["steps"]], v["cases"], percent(v["share"]))
        for v in result["variants"][:VARIANTS]
    ]
    throughput = result["throughput"]
    span = result["span"]
    return Measured(
        log=result["log"],
        map=map_file,
        cases=result["cases"],
        events=result["events"],
        first=span["first"] or "",
        last=span["last"] or "",
        throughput_p50=human_duration(_stat(throughput, "p50")),
        throughput_p90=human_duration(_stat(throughput, "p90")),
        fitting=conformance["fitting"],
        deviating=conformance["deviating"],
        incomplete=conformance["incomplete"],
        fitness=percent(conformance["fitness"]),
        kpis=kpis,
        time_sinks=sinks,
        handoffs=handoffs,
        branches=[
            BranchShare(
                decision=views[b["decision"]],
                label=b["label"],
                target=views.get(b["to"]),
                count=b["count"],
                share=percent(b["share"]),
                expected="" if b["expected"] is None else f"{b['expected']:g}%",
            )
            for b in result["branches"]
            if b["decision"] in views
        ],
        deviations=deviations,
        more_deviations=max(0, len(conformance["deviations"]) - DEVIATIONS),
        rework_cases=result["rework"]["cases"],
        rework_rate=percent(result["rework"]["rate"]),
        variants=variants,
        variant_count=len(result["variants"]),
        unobserved=[
            views[sid]
            for sid in conformance["unobserved_steps"]
            if sid in views and views[sid].kind in ("task", "subprocess")
        ],
        unmapped=[(u["activity"], u["events"]) for u in result["unmapped_activities"]],
        control=control,
        blocks=_block_times(views, result),
        waits=_wait_times(views, result),
    )


def _block_times(views: dict[str, StepView], result: MeasureResult) -> list[BlockTime]:
    """The map's parallel blocks with their times from split to join."""
    return [
        BlockTime(
            split=views[b["split"]],
            join=views.get(b["join"] or ""),
            strands=b["strands"],
            cases=b["cases"],
            p50=human_duration(_stat(b["time"], "p50")),
            p90=human_duration(_stat(b["time"], "p90")),
        )
        for b in result.get("blocks", [])
        if b["split"] in views
    ]


def _wait_times(views: dict[str, StepView], result: MeasureResult) -> list[WaitTime]:
    """The steps with a `wait:`, the declared wait beside the measured waiting."""
    return [
        WaitTime(
            view=views[w["step"]],
            declared=human_duration(w["declared"]),
            count=w["count"],
            p50=human_duration(_stat(w["measured"], "p50")),
            p90=human_duration(_stat(w["measured"], "p90")),
        )
        for w in result.get("waits", [])
        if w["step"] in views
    ]


def _time_sinks(
    analysis: Analysis, result: MeasureResult, steps: dict[str, StepFigures]
) -> list[StepTime]:
    """The steps where most time goes (`TIME_SINKS`), by the time of arrivals into them."""
    views = analysis.by_id
    into: dict[str, list[float]] = {}  # step -> [count, count * mean] over arrivals
    for pair in result["directly_follows"]:
        entry = into.setdefault(pair["to"], [0, 0.0])
        entry[0] += pair["count"]
        entry[1] += pair["count"] * (pair["mean"] or 0.0)
    overall = sum(total for _, total in into.values())
    sinks = []
    for sid, (count, total) in into.items():
        if sid not in views or total <= 0:
            continue
        wait, work = _times(steps, sid)
        if wait and work:
            p90 = human_duration((_stat(wait, "p90") or 0.0) + (_stat(work, "p90") or 0.0))
        else:
            p90 = human_duration(_p90_into(result, sid))
        sinks.append(
            (
                -total,
                views[sid].number,
                StepTime(
                    view=views[sid],
                    events=int(count),
                    total=human_duration(total),
                    share=percent(total / overall) if overall else "–",
                    waiting=human_duration(_stat(wait, "p50")),
                    processing=human_duration(_stat(work, "p50")),
                    p90=p90,
                ),
            )
        )
    sinks.sort(key=lambda item: item[:2])
    return [item[2] for item in sinks[:TIME_SINKS]]


def _times(steps: dict[str, StepFigures], sid: str) -> tuple[Stats | None, Stats | None]:
    """The waiting and processing times of step `sid` (None for none)."""
    step = steps.get(sid)
    return (None, None) if step is None else (step["waiting"], step["processing"])


def _handoff_times(
    analysis: Analysis, result: MeasureResult, steps: dict[str, StepFigures]
) -> list[HandoffTime]:
    """The measured times of each handoff between roles."""
    pairs = {(d["from"], d["to"]): d for d in result["directly_follows"]}
    handoffs = []
    for handoff in analysis.handoffs:
        pair = pairs.get((handoff.source.id, handoff.target.id))
        wait, _ = _times(steps, handoff.target.id)
        handoffs.append(
            HandoffTime(
                handoff=handoff,
                count=pair["count"] if pair else 0,
                p50=human_duration(pair["p50"] if pair else None),
                p90=human_duration(pair["p90"] if pair else None),
                waiting=human_duration(_stat(wait, "p50")),
            )
        )
    return handoffs


def _kpis(analysis: Analysis, result: MeasureResult) -> dict[str, MeasuredKpi]:
    """The worksheet's KPIs with their measured figure, by metric id."""
    kpi_rows = {k.ref.id: k for k in analysis.kpis}
    kpis: dict[str, MeasuredKpi] = {}
    for metric in result["metrics"]:
        row = kpi_rows.get(metric["id"])
        if row is not None:
            actual = bare_figure(metric["actual"], metric["unit"])
            kpis[metric["id"]] = MeasuredKpi(row, actual, metric["meets_target"])
    return kpis


def _control(analysis: Analysis, result: MeasureResult) -> list[ControlStatus | None]:
    """The status of each control point of the worksheet (None: its metric has no
    `measure`)."""
    # The result has an entry per control point of a measured metric, in file order.
    pending = list(result["control"])
    control: list[ControlStatus | None] = []
    for point in analysis.control:
        entry = next((e for e in pending if e["metric"] == point.metric.id), None)
        if entry is None:
            control.append(None)
            continue
        pending.remove(entry)
        shown, unit = shown_in(entry["actual"], point.unit or None)
        own = unit == (point.unit or None)
        actual = figure(shown, None if own else unit)
        control.append(ControlStatus(point, actual, point.unit if own else "", entry["breached"]))
    return control


def _p90_into(result: MeasureResult, sid: str) -> float | None:
    """The largest p90 of the times from a previous step to `sid` (the log's figures are
    per pair; without start times this is the best single figure for the step)."""
    found = [d["p90"] for d in result["directly_follows"] if d["to"] == sid and d["p90"]]
    return max(found) if found else None

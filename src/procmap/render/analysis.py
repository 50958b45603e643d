"""Computed facts about one validated process, for the runbook, the worksheet and the index.

Owns: step numbers in reading order, what each step leads to (decisions as branches,
loops, subprocess links), roles and tools with the steps that use them, handoffs (where
the owner changes along an arrow), the longest path and its duration, time sinks,
automation candidates, the KPI table with gaps and vanity flags, the SIPOC derivation,
the control plan with metric names, exceptions by step, and review due dates.

Must not know: Markdown, templates, files or output formats. Everything here is plain
data that `documents` hands to the templates (see docs/templates.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..format import (
    ControlPointLike,
    ExceptionCaseLike,
    Flow,
    MetricLike,
    ProcessLike,
    StepLike,
    due_date,
)
from ..format import add_months as add_months  # re-exported for the documents' tests

#: How many time sinks the worksheet lists.
TIME_SINKS = 3


def next_review(last: dt.date | None, every: str | None) -> dt.date | None:
    """When the next review is due: last review + cadence (None when either is unknown);
    the format's `due_date`, so never past the calendar's end."""
    if last is None or every is None:
        return None
    return due_date(every, last)


def format_minutes(minutes: float | None) -> str:
    """A duration for people: 45m, 1h 30m, 2d 4h; whole minutes, largest units first."""
    if minutes is None:
        return ""
    total = round(minutes)
    if total == 0:
        return "0m"
    parts = []
    for unit, size in (("d", 1440), ("h", 60), ("m", 1)):
        amount, total = divmod(total, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return " ".join(parts)


def number(value: float) -> str:
    """A figure as written: 12 not 12.0, 2.5 stays 2.5."""
    return f"{value:g}"


@dataclass(frozen=True)
class Ref:
    """An id with the name people read (a role, tool or metric)."""

    id: str
    name: str


@dataclass(frozen=True)
class Target:
    """Where an arrow leads: the answer label (None for `next`), step number and name."""

    label: str | None
    id: str
    number: int
    name: str
    kind: str
    loop: bool  # the arrow goes back to an earlier point: the flow repeats from there
    follows: bool  # the target is simply the next numbered step


@dataclass(frozen=True)
class StepView:
    """One step as the documents show it."""

    number: int
    step: StepLike
    id: str
    name: str
    kind: str
    owner: Ref | None
    tools: list[Ref]
    metrics: list[Ref]
    duration: str
    minutes: float | None
    targets: list[Target]
    exceptions: list[ExceptionCaseLike]
    link: str | None  # subprocesses: the rendered runbook of the process they stand for
    process_name: str | None  # subprocesses: the name of that process (its id when unknown)
    automation: str  # "automated", "automatable" or "manual"


@dataclass(frozen=True)
class Handoff:
    """Work passes from one owner to another along an arrow (maybe through a decision)."""

    source: StepView
    target: StepView
    giver: Ref
    receiver: Ref
    answers: tuple[str, ...]  # the decision answers on the way, in order (often none)


@dataclass(frozen=True)
class Involvement:
    """A role or tool and the numbers of the steps that use it."""

    ref: Ref
    steps: list[int]


@dataclass(frozen=True)
class Kpi:
    """A metric row of the Measure table."""

    ref: Ref
    metric: MetricLike
    baseline: str
    target: str
    gap: str
    vanity: str | None  # what to track instead, when the metric is a vanity metric
    steps: list[int]


@dataclass(frozen=True)
class Control:
    """A control-plan row with the metric's name and unit resolved."""

    point: ControlPointLike
    metric: Ref
    unit: str
    threshold: str


@dataclass(frozen=True)
class Sipoc:
    suppliers: list[str]
    inputs: list[str]
    process: list[str]
    outputs: list[str]
    customers: list[str]


@dataclass(frozen=True)
class ReviewView:
    every: str | None
    last: dt.date | None
    next_due: dt.date | None
    approver: Ref | None


@dataclass
class Analysis:
    """Everything the templates compute from: see docs/templates.md for each field."""

    process: ProcessLike
    steps: list[StepView]
    by_id: dict[str, StepView]
    owner: Ref | None
    roles: list[Involvement]
    tools: list[Involvement]
    handoffs: list[Handoff]
    longest_path: list[StepView]
    longest_minutes: float
    longest_duration: str
    longest_hands_on_minutes: float
    longest_hands_on: str
    total_duration: str
    time_sinks: list[StepView]
    automation_candidates: list[StepView]
    critical_without_metric: list[StepView]
    kpis: list[Kpi]
    control: list[Control]
    sipoc: Sipoc
    review: ReviewView
    general_exceptions: list[ExceptionCaseLike]
    loops: list[tuple[StepView, StepView]] = field(default_factory=list)


def _ref(names: Mapping[str, str], key: str) -> Ref:
    return Ref(key, names.get(key, key))


def _automation(step: StepLike) -> str:
    if step.automated:
        return "automated"
    return "automatable" if step.automatable else "manual"


def analyze(
    process: ProcessLike, links: dict[str, str] | None = None, names: dict[str, str] | None = None
) -> Analysis:
    """The facts for `process`; `links` maps process ids to their rendered runbook and
    `names` process ids to their names (for subprocess steps)."""
    flow = Flow(process)
    by_step, general = _exceptions(process, flow)
    views = _step_views(process, flow, by_step, links or {}, names or {})
    steps = [views[sid] for sid in flow.order]
    critical = flow.critical_path()
    path, minutes = critical.path, critical.elapsed
    timed = [v for v in steps if v.minutes]
    sinks = sorted(timed, key=lambda v: (-(v.minutes or 0.0), v.number))[:TIME_SINKS]
    return Analysis(
        process=process,
        steps=steps,
        by_id=views,
        owner=_ref(process.roles, process.owner) if process.owner else None,
        roles=_involvement(process.roles, steps, lambda v: [v.owner] if v.owner else []),
        tools=_involvement(process.tools, steps, lambda v: v.tools),
        handoffs=_handoffs(flow, views),
        longest_path=[views[sid] for sid in path],
        longest_minutes=minutes,
        longest_duration=format_minutes(minutes) if path else "",
        longest_hands_on_minutes=critical.hands_on,
        longest_hands_on=format_minutes(critical.hands_on) if path else "",
        total_duration=format_minutes(sum(v.minutes or 0.0 for v in steps)),
        time_sinks=sinks,
        automation_candidates=[v for v in steps if v.automation == "automatable"],
        critical_without_metric=[v for v in steps if v.step.critical and not v.metrics],
        kpis=_kpis(process, steps),
        control=[
            _control(process, point) for point in (process.dmaic.control if process.dmaic else [])
        ],
        sipoc=_sipoc(process, steps, flow),
        review=_review(process),
        general_exceptions=general,
        loops=[
            (views[s], views[t])
            for s, t in sorted(
                flow.back_edges, key=lambda e: (views[e[0]].number, views[e[1]].number)
            )
        ],
    )


def _exceptions(
    process: ProcessLike, flow: Flow[StepLike]
) -> tuple[dict[str, list[ExceptionCaseLike]], list[ExceptionCaseLike]]:
    """The exceptions of each step, and the general ones (of no step, or of an unknown
    step), each in file order."""
    by_step: dict[str, list[ExceptionCaseLike]] = {}
    general: list[ExceptionCaseLike] = []
    for case in process.exceptions:
        if case.step is not None and case.step in flow.steps:
            by_step.setdefault(case.step, []).append(case)
        else:
            general.append(case)
    return by_step, general


def _step_views(
    process: ProcessLike,
    flow: Flow[StepLike],
    exceptions: dict[str, list[ExceptionCaseLike]],
    links: dict[str, str],
    names: dict[str, str],
) -> dict[str, StepView]:
    """Each step as the documents show it, numbered in reading order, with its arrows."""
    numbers = {sid: i + 1 for i, sid in enumerate(flow.order)}
    metric_names = {mid: m.name for mid, m in process.metrics.items()}
    views: dict[str, StepView] = {}
    for sid in flow.order:
        step = flow.steps[sid]
        targets = [
            Target(
                label,
                target,
                numbers[target],
                flow.steps[target].name,
                flow.steps[target].kind,
                (sid, target) in flow.back_edges,
                numbers[target] == numbers[sid] + 1,
            )
            for label, target in step.targets()
            if target in flow.steps
        ]
        views[sid] = StepView(
            number=numbers[sid],
            step=step,
            id=sid,
            name=step.name,
            kind=step.kind,
            owner=_ref(process.roles, step.owner) if step.owner else None,
            tools=[_ref(process.tools, t) for t in step.tools],
            metrics=[_ref(metric_names, m) for m in step.metrics],
            duration=format_minutes(step.minutes),
            minutes=step.minutes,
            targets=targets,
            exceptions=exceptions.get(sid, []),
            link=links.get(step.process) if step.process else None,
            process_name=names.get(step.process, step.process) if step.process else None,
            automation=_automation(step),
        )
    return views


def _review(process: ProcessLike) -> ReviewView:
    """The review cadence, the last review, the next due date and the approver."""
    review = process.review
    return ReviewView(
        every=review.every if review else None,
        last=review.last if review else None,
        next_due=next_review(review.last, review.every) if review else None,
        approver=_ref(process.roles, review.approver) if review and review.approver else None,
    )


def _involvement(
    names: Mapping[str, str], steps: list[StepView], refs: Callable[[StepView], list[Ref]]
) -> list[Involvement]:
    """Declared entries first (in file order), then any used but undeclared ids."""
    used: dict[str, list[int]] = {}
    for view in steps:
        for ref in refs(view):
            numbers = used.setdefault(ref.id, [])
            if view.number not in numbers:
                numbers.append(view.number)
    keys = list(names) + sorted(k for k in used if k not in names)
    return [Involvement(_ref(names, k), used.get(k, [])) for k in keys]


def _handoffs(flow: Flow[StepLike], views: dict[str, StepView]) -> list[Handoff]:
    """Owner changes along arrows; steps without an owner (decisions) are passed through,
    collecting the branch answers that lead from the giver to the receiver."""
    found: list[Handoff] = []
    seen: set[tuple[str, str]] = set()
    for source in flow.order:
        giver = views[source].owner
        if giver is None:
            continue
        stack: list[tuple[str, tuple[str, ...]]] = [
            (t, (label,) if label else ()) for label, t in reversed(_flows(flow, source))
        ]
        visited: set[str] = set()
        while stack:
            sid, answers = stack.pop()
            if sid in visited:
                continue
            visited.add(sid)
            receiver = views[sid].owner
            if receiver is None:
                stack.extend(
                    (t, (*answers, label) if label else answers)
                    for label, t in reversed(_flows(flow, sid))
                )
                continue
            if receiver.id != giver.id and (source, sid) not in seen:
                seen.add((source, sid))
                found.append(Handoff(views[source], views[sid], giver, receiver, answers))
    return found


def _flows(flow: Flow[StepLike], sid: str) -> list[tuple[str | None, str]]:
    return [(label, t) for label, t in flow.steps[sid].targets() if t in flow.steps]


def _kpis(process: ProcessLike, steps: list[StepView]) -> list[Kpi]:
    from ..lint import vanity

    rows = []
    for mid, metric in process.metrics.items():
        unit = f" {metric.unit}" if metric.unit else ""
        if metric.baseline is not None and metric.target is not None:
            change = metric.target - metric.baseline
            gap = f"{'+' if change > 0 else ''}{number(change)}{unit}"
        else:
            gap = ""
        found = vanity(f"{mid} {metric.name}")
        rows.append(
            Kpi(
                ref=Ref(mid, metric.name),
                metric=metric,
                baseline="" if metric.baseline is None else number(metric.baseline),
                target="" if metric.target is None else number(metric.target),
                gap=gap,
                vanity=f"{found[0]}: track {found[1]} instead" if found else None,
                steps=[v.number for v in steps if any(m.id == mid for m in v.metrics)],
            )
        )
    return rows


def _control(process: ProcessLike, point: ControlPointLike) -> Control:
    metric = process.metrics.get(point.metric)
    return Control(
        point=point,
        metric=Ref(point.metric, metric.name if metric else point.metric),
        unit=(metric.unit or "") if metric else "",
        threshold="" if point.threshold is None else number(point.threshold),
    )


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def _sipoc(process: ProcessLike, steps: list[StepView], flow: Flow[StepLike]) -> Sipoc:
    """SIPOC from the steps (the derivation is stated in the worksheet):
    suppliers are the owners of the start steps and the tools the steps use; inputs are the
    trigger and the start events; the process is the tasks and subprocesses in order;
    outputs are the declared outputs and the end events; customers are the customer at the
    hourglass stages served and the roles that receive work in a handoff."""
    starts = [v for v in steps if v.kind == "start"]
    ends = [v for v in steps if v.kind == "end"]
    suppliers = [v.owner.name for v in starts if v.owner]
    suppliers += [t.name for v in steps for t in v.tools]
    inputs = ([process.trigger] if process.trigger else []) + [v.name for v in starts]
    work = [v.name for v in steps if v.kind in ("task", "subprocess")]
    outputs = list(process.outputs) + [v.name for v in ends]
    customers = []
    if process.hourglass:
        customers.append(
            f"The customer at the {', '.join(process.hourglass)} stage"
            + ("s" if len(process.hourglass) > 1 else "")
        )
    customers += [h.receiver.name for h in _handoffs(flow, {v.id: v for v in steps})]
    return Sipoc(
        _unique(suppliers), _unique(inputs), _unique(work), _unique(outputs), _unique(customers)
    )

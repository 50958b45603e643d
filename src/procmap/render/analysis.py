"""Computed facts about one validated process, for the runbook, the worksheet and the index.

Owns: step numbers in reading order (a parallel block's strands one after the other,
then its join), what each step leads to (decisions as branches, loops, subprocess
links), the parallel blocks with their strands, the waits, roles and tools with the
steps that use them, handoffs (where the owner changes between work steps, counted once
across a parallel split or join), the critical path with its elapsed and hands-on time,
time sinks,
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
#: Steps whose owner only places them in a lane: a parallel split and a join are not work,
#: so their owner is not involved in them (the runbook's roles, handoffs).
_LANES = ("parallel", "join")


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


def spell_minutes(minutes: float | None) -> str:
    """A duration in words, for a wait or an elapsed time: 7 days, 28 days 1 hour,
    1 hour 30 minutes; whole minutes, largest units first."""
    if minutes is None:
        return ""
    total = round(minutes)
    if total == 0:
        return "0 minutes"
    parts = []
    for unit, size in (("day", 1440), ("hour", 60), ("minute", 1)):
        amount, total = divmod(total, size)
        if amount:
            parts.append(f"{amount} {unit}{'' if amount == 1 else 's'}")
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
    wait: str  # the time that passes before the step can start, in words ("7 days"), or ""
    wait_minutes: float | None
    targets: list[Target]
    exceptions: list[ExceptionCaseLike]
    link: str | None  # subprocesses: the rendered runbook of the process they stand for
    process_name: str | None  # subprocesses: the name of that process (its id when unknown)
    automation: str  # "automated", "automatable" or "manual"


@dataclass(frozen=True)
class StrandView:
    """One strand of a parallel block: its number in the block (1, 2, ... in the order
    the split's `next` names them) and its steps in reading order (a nested block's
    included), the first one first."""

    number: int
    steps: list[StepView]

    @property
    def first(self) -> StepView:
        return self.steps[0]


@dataclass(frozen=True)
class BlockView:
    """A parallel block: the split, its strands, and the join where they all meet."""

    split: StepView
    join: StepView | None
    strands: list[StrandView]


@dataclass(frozen=True)
class Place:
    """Where a step stands in the innermost parallel block around it."""

    block: BlockView
    strand: StrandView
    first: bool  # the strand starts with this step
    last: bool  # an arrow of this step leads to the block's join: the strand can end here


@dataclass(frozen=True)
class Wait:
    """A step that waits before it can start: the time that passes with nobody working
    (`wait:`), the steps whose arrows lead to it (loops left out: what the wait follows),
    and whether it is on the critical path (the wait adds to the elapsed time)."""

    step: StepView
    after: list[StepView]
    critical: bool


@dataclass(frozen=True)
class Handoff:
    """Work passes from one owner to another along an arrow (maybe through decisions,
    a parallel split or a join, which are not work and are passed through)."""

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
    longest_elapsed: str
    longest_waiting: str
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
    blocks: list[BlockView] = field(default_factory=list)
    splits: dict[str, BlockView] = field(default_factory=dict)
    joins: dict[str, BlockView] = field(default_factory=dict)
    places: dict[str, Place] = field(default_factory=dict)
    waits: list[Wait] = field(default_factory=list)
    wait_of: dict[str, Wait] = field(default_factory=dict)


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
    order = reading_order(flow)
    steps = [views[sid] for sid in order]
    blocks = _blocks(flow, views)
    critical = flow.critical_path()
    path, minutes = critical.path, critical.elapsed
    waits = _waits(flow, views, steps, set(path))
    timed = [v for v in steps if v.minutes]
    sinks = sorted(timed, key=lambda v: (-(v.minutes or 0.0), v.number))[:TIME_SINKS]
    return Analysis(
        process=process,
        steps=steps,
        by_id=views,
        owner=_ref(process.roles, process.owner) if process.owner else None,
        roles=_involvement(
            process.roles, steps, lambda v: [v.owner] if v.owner and v.kind not in _LANES else []
        ),
        tools=_involvement(process.tools, steps, lambda v: v.tools),
        handoffs=_handoffs(flow, views),
        longest_path=[views[sid] for sid in path],
        longest_minutes=minutes,
        longest_duration=format_minutes(minutes) if path else "",
        longest_hands_on_minutes=critical.hands_on,
        longest_hands_on=format_minutes(critical.hands_on) if path else "",
        longest_elapsed=spell_minutes(minutes) if path else "",
        longest_waiting=spell_minutes(sum(views[sid].wait_minutes or 0.0 for sid in path) or None),
        total_duration=format_minutes(sum(v.minutes or 0.0 for v in steps)),
        time_sinks=sinks,
        automation_candidates=[v for v in steps if v.automation == "automatable"],
        critical_without_metric=[v for v in steps if v.step.critical and not v.metrics],
        kpis=_kpis(process, steps),
        control=[
            _control(process, point) for point in (process.dmaic.control if process.dmaic else [])
        ],
        sipoc=_sipoc(process, steps),
        review=_review(process),
        general_exceptions=general,
        loops=[
            (views[s], views[t])
            for s, t in sorted(
                flow.back_edges, key=lambda e: (views[e[0]].number, views[e[1]].number)
            )
        ],
        blocks=blocks,
        splits={b.split.id: b for b in blocks},
        joins={b.join.id: b for b in blocks if b.join is not None},
        places=_places(flow, blocks),
        waits=waits,
        wait_of={w.step.id: w for w in waits},
    )


def _waits(
    flow: Flow[StepLike], views: dict[str, StepView], steps: list[StepView], path: set[str]
) -> list[Wait]:
    """The steps with a wait, in step order."""
    return [
        Wait(
            view,
            sorted(
                (
                    views[p]
                    for p in dict.fromkeys(flow.pred[view.id])
                    if (p, view.id) not in flow.back_edges
                ),
                key=lambda v: v.number,
            ),
            view.id in path,
        )
        for view in steps
        if view.wait_minutes
    ]


def reading_order(flow: Flow[StepLike]) -> list[str]:
    """The order the documents number steps in: `Flow.order` (depth first from each
    start, `next` before branches, the ends last), except that a parallel block's join
    waits until every step of its strands is read, so each strand reads whole, one after
    the other, and the join and what follows it come after the last strand."""
    waiting = {b.join: b.steps for b in flow.blocks.values() if b.join is not None}
    seen: list[str] = []
    ends: list[str] = []
    marked: set[str] = set()
    for start in flow.starts:
        stack = [start]
        while stack:
            sid = stack.pop()
            if sid in marked or not waiting.get(sid, frozenset()) <= marked:
                continue
            marked.add(sid)
            (ends if flow.steps[sid].kind == "end" else seen).append(sid)
            stack.extend(reversed([t for t in flow.succ[sid] if t not in marked]))
    seen.extend(ends)
    seen.extend(sid for sid in flow.order if sid not in marked)
    return seen


def _blocks(flow: Flow[StepLike], views: dict[str, StepView]) -> list[BlockView]:
    """The parallel blocks in reading order of their splits, each strand's steps in
    reading order."""
    found = []
    for split, block in flow.blocks.items():
        strands = [
            StrandView(
                i + 1,
                sorted(
                    (views[sid] for sid in strand.steps | {strand.head} if sid in views),
                    key=lambda v: v.number,
                ),
            )
            for i, strand in enumerate(block.strands)
            if strand.head != block.join
        ]
        join = views[block.join] if block.join is not None else None
        found.append(BlockView(views[split], join, strands))
    return sorted(found, key=lambda b: b.split.number)


def _places(flow: Flow[StepLike], blocks: list[BlockView]) -> dict[str, Place]:
    """Each step inside a strand: its innermost block and strand (an inner block's
    steps are in the outer strand too; the inner one, read later, wins)."""
    places: dict[str, Place] = {}
    for block in sorted(blocks, key=lambda b: (-_size(b), b.split.number)):
        for strand in block.strands:
            for view in strand.steps:
                leads = block.join is not None and any(t.id == block.join.id for t in view.targets)
                places[view.id] = Place(block, strand, view is strand.first, leads)
    return places


def _size(block: BlockView) -> int:
    return sum(len(strand.steps) for strand in block.strands)


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
    order = reading_order(flow)
    numbers = {sid: i + 1 for i, sid in enumerate(order)}
    metric_names = {mid: m.name for mid, m in process.metrics.items()}
    views: dict[str, StepView] = {}
    for sid in order:
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
            wait=spell_minutes(step.wait_minutes) if step.wait_minutes else "",
            wait_minutes=step.wait_minutes,
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
    """Owner changes between work steps along arrows. Steps that are not work are
    passed through, whatever their owner: decisions (collecting the branch answers that
    lead from the giver to the receiver), parallel splits and joins. Each pair of steps
    counts once; across a split, the strands that start with one role get the work in
    one handoff (from the same giver), and across a join, the strands that end with one
    role pass it on in one handoff (to the same receiver): the first in step order
    stands for them."""
    found: list[Handoff] = []
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    for source in sorted(views, key=lambda sid: views[sid].number):
        giver = views[source].owner
        if giver is None or views[source].kind in _PASSED:
            continue
        stack: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
            (t, (label,) if label else (), ()) for label, t in reversed(_flows(flow, source))
        ]
        visited: set[str] = set()
        while stack:
            sid, answers, crossed = stack.pop()
            if sid in visited:
                continue
            visited.add(sid)
            view = views[sid]
            if view.owner is None or view.kind in _PASSED:
                through = (*crossed, sid) if view.kind in _LANES else crossed
                stack.extend(
                    (t, (*answers, label) if label else answers, through)
                    for label, t in reversed(_flows(flow, sid))
                )
                continue
            receiver = view.owner
            key = _handoff_key(flow, source, giver, sid, receiver, crossed)
            if receiver.id != giver.id and key not in seen:
                seen.add(key)
                found.append(Handoff(views[source], view, giver, receiver, answers))
    return found


#: Steps that are not work, passed through by a handoff even when they have an owner
#: (a split's or a join's owner places it in a lane).
_PASSED = ("decision", *_LANES)


def _handoff_key(
    flow: Flow[StepLike],
    source: str,
    giver: Ref,
    target: str,
    receiver: Ref,
    crossed: tuple[str, ...],
) -> tuple[str, str, tuple[str, ...]]:
    """What makes a handoff one: its two steps; across a join, the giver's role in place
    of its step, across a split, the receiver's role in place of its step."""
    kinds = {flow.steps[sid].kind for sid in crossed}
    return (
        f"role:{giver.id}" if "join" in kinds else source,
        f"role:{receiver.id}" if "parallel" in kinds else target,
        crossed,
    )


def _flows(flow: Flow[StepLike], sid: str) -> list[tuple[str | None, str]]:
    return [(label, t) for label, t in flow.steps[sid].targets() if t in flow.steps]


def _kpis(process: ProcessLike, steps: list[StepView]) -> list[Kpi]:
    from ..lint import vanity

    rows = []
    for mid, metric in process.metrics.items():
        unit = f" {metric.unit}" if metric.unit else ""
        if metric.baseline is not None and metric.target is not None:
            change = metric.target - metric.baseline
            # A rate's gap is in percentage points: 20 % to 24 % is "+4 pts", not "+20 %".
            if (metric.unit or "").strip() == "%":
                unit = " pt" if abs(change) == 1 else " pts"
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


def _sipoc(process: ProcessLike, steps: list[StepView]) -> Sipoc:
    """SIPOC from the steps (the derivation is stated in the worksheet):
    suppliers are the owners of the start steps and the tools the steps use; inputs are the
    start events, not the trigger again (the worksheet shows it just above);
    the process is the tasks and subprocesses in order; outputs are the declared outputs
    and the end events; customers are the customer at the hourglass stages served (the
    roles of the process hand work to each other inside it: they are not its customers)."""
    starts = [v for v in steps if v.kind == "start"]
    ends = [v for v in steps if v.kind == "end"]
    suppliers = [v.owner.name for v in starts if v.owner]
    suppliers += [t.name for v in steps for t in v.tools]
    inputs = [v.name for v in starts] or ([process.trigger] if process.trigger else [])
    work = [v.name for v in steps if v.kind in ("task", "subprocess")]
    outputs = list(process.outputs) + [v.name for v in ends]
    customers = []
    if process.hourglass:
        customers.append(
            f"The customer at the {', '.join(process.hourglass)} stage"
            + ("s" if len(process.hourglass) > 1 else "")
        )
    return Sipoc(
        _unique(suppliers), _unique(inputs), _unique(work), _unique(outputs), _unique(customers)
    )

"""The checks that run on a schema-valid process: flow graph, references and practice.

Owns: one generator per rule code, registered with `@check(code)`; each yields problems
with a position in the file and a message in the author's terms. Rules never print and
never raise. Their codes, names, severities and rationales live in `registry`; the
severity a user configured is applied later, in `linter`.

Must not know: YAML parsing, pydantic errors, configuration or output formats.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING

from ..format import RULES, SHARES_TOLERANCE, Document, Flow, Problem, suggest

if TYPE_CHECKING:
    from ..format import ProcessLike, StepLike

Loc = tuple[str | int, ...]


class Context:
    """What a check sees: the validated process, its document (for positions), its flow."""

    def __init__(self, doc: Document, process: ProcessLike) -> None:
        self.doc = doc
        self.process = process
        self.hints_left = 50

    @cached_property
    def flow(self) -> Flow[StepLike]:
        return Flow(self.process)

    @cached_property
    def step_index(self) -> dict[str, int]:
        index: dict[str, int] = {}
        for i, step in enumerate(self.process.steps):
            index.setdefault(step.id, i)
        return index

    def problem(self, code: str, loc: Loc, message: str, *, key: bool = False) -> Problem:
        line, column = self.doc.position(loc, key=key)
        return Problem(self.doc.path, line, column, code, RULES[code].severity, message)

    def did_you_mean(self, word: str, choices: list[str]) -> str:
        """ "; did you mean 'x'?" for the first few misspellings of a file (each costs a scan
        of `choices`, and a hostile file could hold thousands)."""
        self.hints_left -= 1
        hint = suggest(word, choices) if self.hints_left >= 0 else None
        return f"; did you mean {hint!r}?" if hint else ""

    def step_loc(self, step_id: str) -> Loc:
        return ("steps", self.step_index[step_id])

    @staticmethod
    def next_flows(index: int, step: StepLike) -> list[tuple[Loc, str]]:
        """The ids `next` names, each with where it is written (a parallel split's list
        item by item)."""
        if isinstance(step.next, list):
            return [(("steps", index, "next", k), t) for k, t in enumerate(step.next)]
        return [(("steps", index, "next"), step.next)] if step.next is not None else []


Check = Callable[[Context], Iterator[Problem]]
CHECKS: dict[str, Check] = {}


def check(code: str) -> Callable[[Check], Check]:
    def register(func: Check) -> Check:
        assert code in RULES, code
        CHECKS[code] = func
        return func

    return register


# The checks that still tell the truth about a file whose schema errors were left out
# (`schema._recover`): each reports something that is there (an arrow's target, a
# duplicate id or label, a metric's name), never something missing, so a left-out value
# cannot make it fire.
# (R007 reads step ids, which are intact: a step whose id was at fault leaves no process.
# G013 and G014 are not here: a left-out branch or share would make them fire.)
AFTER_REPAIR = frozenset({"G003", "G004", "G005", "P008", "R007"})
# And the checks that read one top-level section, unless that section lost something.
NEEDS_INTACT = {
    "R001": "roles",
    "R002": "tools",
    "R003": "metrics",
    "P003": "goal",
    "P004": "trigger",
    "P005": "outcome",
    "P006": "metrics",
    "P007": "metrics",
    "P009": "review",
    "P010": "metrics",
}


def after_repair(code: str, touched: set[str]) -> bool:
    """Whether check `code` may run on a process recovered by leaving out `touched`."""
    if code in NEEDS_INTACT:
        return "*" not in touched and NEEDS_INTACT[code] not in touched
    return code in AFTER_REPAIR


def run_checks(
    doc: Document, process: ProcessLike, enabled: Callable[[str], bool]
) -> list[Problem]:
    ctx = Context(doc, process)
    problems: list[Problem] = []
    for code, func in CHECKS.items():
        if enabled(code):
            problems.extend(func(ctx))
    return problems


# Flow graph ------------------------------------------------------------------------


#: S010's fields that belong to some kinds only: (field, kinds that may have it, message).
_KIND_FIELDS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "branches",
        ("decision", "end"),
        "step {id!r} is a {kind}; only a decision has branches"
        " (add `kind: decision`, or use `next`)",
    ),
    (
        "process",
        ("subprocess",),
        "step {id!r} names a process but is a {kind}; add `kind: subprocess`",
    ),
    (
        "shares",
        ("decision",),
        "step {id!r} is a {kind}; only a decision has shares of its branches",
    ),
    (
        "duration",
        ("start", "task", "decision", "end", "subprocess"),
        "{kind} {id!r} is no work, so it takes no time: put the time on the steps of its"
        " strands (a wait before it goes in `wait:`)",
    ),
    (
        "activity",
        ("start", "task", "decision", "end", "subprocess"),
        "{kind} {id!r} is no work and leaves no event in a log: name the activities on the"
        " steps of its strands",
    ),
    (
        "wait",
        ("task", "decision", "end", "subprocess", "parallel", "join"),
        "start {id!r} has a wait, but nothing comes before a start: put the wait on the step"
        " after it",
    ),
)


@check("S010")
def field_not_for_kind(ctx: Context) -> Iterator[Problem]:
    """Fields that only make sense on some kinds of step."""
    for i, step in enumerate(ctx.process.steps):
        for field, kinds, message in _KIND_FIELDS:
            if getattr(step, field) is not None and step.kind not in kinds:
                text = message.format(id=step.id, kind=step.kind)
                yield ctx.problem("S010", ("steps", i, field), text, key=True)
        if step.kind == "decision" and step.next is not None:
            yield ctx.problem(
                "S010",
                ("steps", i, "next"),
                f"decision {step.id!r} goes on through its branches, not `next`",
                key=True,
            )
        elif isinstance(step.next, list) and step.kind != "parallel":
            yield ctx.problem(
                "S010",
                ("steps", i, "next"),
                f"{step.kind} {step.id!r} lists several steps under `next`; only a"
                " `kind: parallel` split goes on to several strands (a choice is a decision)",
                key=True,
            )
        if step.kind == "subprocess" and step.process is None:
            yield ctx.problem(
                "S010",
                ("steps", i),
                f"subprocess {step.id!r} needs `process:`, the id of the process it stands for",
            )


@check("G001")
def no_start(ctx: Context) -> Iterator[Problem]:
    if not ctx.flow.starts:
        yield ctx.problem(
            "G001", ("steps",), "the process has no start step; mark the trigger with `kind: start`"
        )


@check("G002")
def no_end(ctx: Context) -> Iterator[Problem]:
    if not ctx.flow.ends:
        yield ctx.problem(
            "G002", ("steps",), "the process has no end step; mark the finish with `kind: end`"
        )


@check("G003")
def unknown_target(ctx: Context) -> Iterator[Problem]:
    ids = list(ctx.step_index)
    for i, step in enumerate(ctx.process.steps):
        for loc, target in ctx.next_flows(i, step):
            if target not in ctx.step_index:
                yield ctx.problem(
                    "G003",
                    loc,
                    f"next: no step has the id {target!r}{ctx.did_you_mean(target, ids)}",
                )
        for label, target in (step.branches or {}).items():
            if target not in ctx.step_index:
                yield ctx.problem(
                    "G003",
                    ("steps", i, "branches", label),
                    f"branch {label!r}: no step has the id {target!r}{ctx.did_you_mean(target, ids)}",
                )
    for i, case in enumerate(ctx.process.exceptions):
        if case.step is not None and case.step not in ctx.step_index:
            yield ctx.problem(
                "G003",
                ("exceptions", i, "step"),
                f"exception: no step has the id {case.step!r}{ctx.did_you_mean(case.step, ids)}",
            )


@check("G004")
def duplicate_step_id(ctx: Context) -> Iterator[Problem]:
    for i, step in enumerate(ctx.process.steps):
        first = ctx.step_index[step.id]
        if first != i:
            line, _ = ctx.doc.position(("steps", first))
            yield ctx.problem(
                "G004", ("steps", i, "id"), f"step id {step.id!r} is already used at line {line}"
            )


def _label_key(label: str) -> str:
    return " ".join(label.casefold().split())


@check("G005")
def duplicate_branch_label(ctx: Context) -> Iterator[Problem]:
    for i, step in enumerate(ctx.process.steps):
        seen: dict[str, str] = {}
        for label in step.branches or {}:
            norm = _label_key(label)
            if norm in seen:
                yield ctx.problem(
                    "G005",
                    ("steps", i, "branches", label),
                    f"branch label {label!r} reads the same as {seen[norm]!r}",
                    key=True,
                )
            else:
                seen[norm] = label


@check("G006")
def unreachable_step(ctx: Context) -> Iterator[Problem]:
    """Report each unreachable region once, at the step where it begins.

    One mistyped `next` cuts off every step after it; a line for each of them would bury
    the one mistake, so the steps only reachable through the first are named with it.
    """
    flow = ctx.flow
    if not flow.starts:
        return
    reached = flow.reachable(flow.starts)
    unreached = [s for s in flow.steps if s not in reached and flow.steps[s].kind != "start"]
    cut_off = set(unreached)
    # Where a region begins: nothing unreachable leads there. A region that is all loop
    # has no such step; its first step in the file stands for it.
    heads = [s for s in unreached if not any(p in cut_off for p in flow.pred[s])]
    covered: set[str] = set()
    for sid in heads + unreached:
        if sid in covered:
            continue
        after = [s for s in flow.reachable([sid]) if s in cut_off and s not in covered]
        covered.update(after)
        rest = [s for s in flow.order if s in after and s != sid]
        message = f"step {sid!r} cannot be reached from any start step"
        if rest:
            names = ", ".join(repr(s) for s in rest[:5])
            more = f" and {len(rest) - 5} more" if len(rest) > 5 else ""
            steps = "step" if len(rest) == 1 else f"{len(rest)} steps"
            message += f", nor can the {steps} it leads to: {names}{more}"
        yield ctx.problem("G006", ctx.step_loc(sid), message)


@check("G007")
def dead_end(ctx: Context) -> Iterator[Problem]:
    """Report where the flow enters a region it cannot leave, once per region.

    Regions explained by a step with no way on (G011, or an arrow to an unknown step,
    G003) are left to those rules.
    """
    flow = ctx.flow
    if not flow.starts or not flow.ends:
        return
    trapped = flow.reachable(flow.starts) - flow.reaching(flow.ends)
    if not trapped:
        return
    reported: set[str] = set()
    for sid in flow.order:
        if sid not in trapped or sid in reported:
            continue
        entry = flow.steps[sid].kind == "start" or any(p not in trapped for p in flow.pred[sid])
        if not entry:
            continue
        region = {s for s in flow.reachable([sid]) if s in trapped}
        reported |= region
        if any(not flow.succ[s] and flow.steps[s].kind != "end" for s in region):
            continue
        loop = ", ".join(repr(s) for s in flow.order if s in region)
        yield ctx.problem(
            "G007",
            ctx.step_loc(sid),
            f"no path from step {sid!r} reaches an end: the flow loops through {loop}"
            " without an exit",
        )


@check("G008")
def decision_branches(ctx: Context) -> Iterator[Problem]:
    for i, step in enumerate(ctx.process.steps):
        if step.kind == "decision" and len(step.branches or {}) < 2:
            count = len(step.branches or {})
            yield ctx.problem(
                "G008",
                ("steps", i),
                f"decision {step.id!r} has {count} branch{'es' if count != 1 else ''};"
                " a decision needs at least two",
            )


@check("G009")
def start_has_incoming(ctx: Context) -> Iterator[Problem]:
    starts = set(ctx.flow.starts)
    for i, step in enumerate(ctx.process.steps):
        for loc, target in ctx.next_flows(i, step):
            if target in starts:
                yield ctx.problem(
                    "G009",
                    loc,
                    f"step {step.id!r} leads back to start step {target!r};"
                    " a start has no incoming arrows",
                )
        for label, target in (step.branches or {}).items():
            if target in starts:
                yield ctx.problem(
                    "G009",
                    ("steps", i, "branches", label),
                    f"branch {label!r} of {step.id!r} leads to start step {target!r};"
                    " a start has no incoming arrows",
                )


@check("G010")
def end_has_outgoing(ctx: Context) -> Iterator[Problem]:
    for i, step in enumerate(ctx.process.steps):
        if step.kind == "end":
            for field in ("next", "branches"):
                if getattr(step, field) is not None:
                    yield ctx.problem(
                        "G010",
                        ("steps", i, field),
                        f"end step {step.id!r} has `{field}`; an end has no outgoing arrows",
                        key=True,
                    )


@check("G011")
def missing_next(ctx: Context) -> Iterator[Problem]:
    for i, step in enumerate(ctx.process.steps):
        if step.kind in ("end", "decision"):
            continue
        if not step.following() and not step.branches:
            yield ctx.problem(
                "G011",
                ("steps", i),
                f"{step.kind} {step.id!r} has no `next`; say which step follows,"
                " or make it `kind: end`",
            )


@check("G013")
def unknown_share_label(ctx: Context) -> Iterator[Problem]:
    for i, step in enumerate(ctx.process.steps):
        if step.kind != "decision" or step.shares is None:
            continue  # shares on another kind are S010's
        labels = list(step.branches or {})
        for label in step.shares:
            if label not in labels:
                yield ctx.problem(
                    "G013",
                    ("steps", i, "shares", label),
                    f"shares of {step.id!r}: {label!r} is not one of its branch labels"
                    f"{ctx.did_you_mean(label, labels)}",
                    key=True,
                )


@check("G014")
def shares_not_100(ctx: Context) -> Iterator[Problem]:
    for i, step in enumerate(ctx.process.steps):
        if step.kind != "decision" or step.shares is None:
            continue
        total = sum(step.shares.values())
        if abs(total - 100) > SHARES_TOLERANCE:
            yield ctx.problem(
                "G014",
                ("steps", i, "shares"),
                f"the shares of {step.id!r} add up to {total:g}, not 100",
                key=True,
            )


# References ------------------------------------------------------------------------


def _role_uses(process: ProcessLike) -> Iterator[tuple[Loc, str]]:
    if process.owner is not None:
        yield ("owner",), process.owner
    if process.review is not None and process.review.approver is not None:
        yield ("review", "approver"), process.review.approver
    for i, step in enumerate(process.steps):
        if step.owner is not None:
            yield ("steps", i, "owner"), step.owner


def _tool_uses(process: ProcessLike) -> Iterator[tuple[Loc, str]]:
    for i, step in enumerate(process.steps):
        for j, tool in enumerate(step.tools):
            yield ("steps", i, "tools", j), tool


def _metric_uses(process: ProcessLike) -> Iterator[tuple[Loc, str]]:
    """Where a metric is recorded (a step), watched (a control point) or computed from a
    log (its own `measure:`, which is a use too: such a metric is measured, not unused)."""
    for i, step in enumerate(process.steps):
        for j, metric in enumerate(step.metrics):
            yield ("steps", i, "metrics", j), metric
    if process.dmaic is not None:
        for i, point in enumerate(process.dmaic.control):
            yield ("dmaic", "control", i, "metric"), point.metric
    for mid, declared in process.metrics.items():
        if declared.measure is not None:
            yield ("metrics", mid, "measure"), mid


_REFERENCES = (
    ("R001", "R004", "role", "roles", _role_uses),
    ("R002", "R005", "tool", "tools", _tool_uses),
    ("R003", "R006", "metric", "metrics", _metric_uses),
)


def _unknown(code: str) -> Check:
    _, _, noun, section, uses = next(r for r in _REFERENCES if r[0] == code)

    def unknown(ctx: Context) -> Iterator[Problem]:
        declared = list(getattr(ctx.process, section))
        for loc, ref in uses(ctx.process):
            if ref not in declared:
                yield ctx.problem(
                    code,
                    loc,
                    f"{noun} {ref!r} is not declared under `{section}:`{ctx.did_you_mean(ref, declared)}",
                )

    return unknown


def _unused(code: str) -> Check:
    _, _, noun, section, uses = next(r for r in _REFERENCES if r[1] == code)

    def unused(ctx: Context) -> Iterator[Problem]:
        used = {ref for _, ref in uses(ctx.process)}
        for ref in getattr(ctx.process, section):
            if ref not in used:
                yield ctx.problem(
                    code, (section, ref, "[key]"), f"{noun} {ref!r} is declared but nothing uses it"
                )

    return unused


for _known, _spare, *_ in _REFERENCES:
    check(_known)(_unknown(_known))
    check(_spare)(_unused(_spare))


@check("R007")
def unknown_measure_step(ctx: Context) -> Iterator[Problem]:
    ids = list(ctx.step_index)
    for mid, metric in ctx.process.metrics.items():
        measure = metric.measure
        if measure is None:
            continue
        places: list[tuple[Loc, str]] = []
        for kind in ("rate", "time"):
            pair = getattr(measure, kind)
            if pair is not None:
                places.extend(
                    (("metrics", mid, "measure", kind, j), sid) for j, sid in enumerate(pair)
                )
        if measure.count is not None:
            places.append((("metrics", mid, "measure", "count"), measure.count))
        for loc, sid in places:
            if sid not in ctx.step_index:
                yield ctx.problem(
                    "R007",
                    loc,
                    f"metric {mid!r} measures step {sid!r}, but no step has that id"
                    f"{ctx.did_you_mean(sid, ids)}",
                )


# Practice --------------------------------------------------------------------------


@check("P001")
def critical_without_metric(ctx: Context) -> Iterator[Problem]:
    for i, step in enumerate(ctx.process.steps):
        if step.critical and not step.metrics:
            yield ctx.problem(
                "P001",
                ("steps", i),
                f"critical step {step.id!r} has no metric; track one so you can tell it works",
            )


@check("P002")
def task_without_owner(ctx: Context) -> Iterator[Problem]:
    """A task or subprocess needs someone who owns it; an automated one may name the tool
    that runs it instead (someone owns the tool, and the runbook names it)."""
    for i, step in enumerate(ctx.process.steps):
        if step.kind not in ("task", "subprocess") or step.owner is not None:
            continue
        if not step.automated:
            yield ctx.problem("P002", ("steps", i), f"{step.kind} {step.id!r} has no owner")
        elif not step.tools:
            yield ctx.problem(
                "P002",
                ("steps", i),
                f"automated {step.kind} {step.id!r} names neither an owner nor the tool that"
                " runs it",
            )


def _missing(code: str, field: str, question: str) -> Check:
    def missing(ctx: Context) -> Iterator[Problem]:
        if not (getattr(ctx.process, field) or "").strip():
            yield ctx.problem(code, ("id",), f"the process has no `{field}`: {question}", key=True)

    return missing


check("P003")(_missing("P003", "goal", "what result does it achieve?"))
check("P004")(_missing("P004", "trigger", "what event starts it?"))
check("P005")(_missing("P005", "outcome", "how do you know it is complete?"))


@check("P006")
def metric_without_baseline(ctx: Context) -> Iterator[Problem]:
    for mid, metric in ctx.process.metrics.items():
        if metric.baseline is None:
            yield ctx.problem(
                "P006",
                ("metrics", mid, "[key]"),
                f"metric {mid!r} has no baseline; measure before you change anything",
            )


@check("P007")
def metric_without_target(ctx: Context) -> Iterator[Problem]:
    for mid, metric in ctx.process.metrics.items():
        if metric.target is None:
            yield ctx.problem("P007", ("metrics", mid, "[key]"), f"metric {mid!r} has no target")


#: Vanity metrics and what to track instead (shared/DOMAIN.md, marketing operations).
VANITY: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"page ?views?|pageviews?"), "page views", "conversion rate"),
    (
        re.compile(r"video ?views?"),
        "video views",
        "video engagement (viewers who watch to the end)",
    ),
    (
        re.compile(r"open ?rates?|email ?opens?|opens? ?rates?"),
        "email open rate",
        "click-through rate",
    ),
    (re.compile(r"\blikes?\b"), "likes", "click-through rate or leads from the post"),
    (re.compile(r"followers?"), "followers", "leads, meetings booked or sign-ups from the channel"),
]


def vanity(text: str) -> tuple[str, str] | None:
    """(the vanity metric, what to track instead) when `text` names a vanity metric."""
    words = " ".join(re.split(r"[-_\s]+", text.lower()))
    for pattern, what, better in VANITY:
        if pattern.search(words):
            return what, better
    return None


@check("P008")
def vanity_metric(ctx: Context) -> Iterator[Problem]:
    for mid, metric in ctx.process.metrics.items():
        found = vanity(f"{mid} {metric.name}")
        if found:
            what, better = found
            name = " ".join(metric.name.split())  # a problem is one line, whatever the name
            yield ctx.problem(
                "P008",
                ("metrics", mid, "[key]"),
                f"metric {mid!r} ({name}) tracks {what}, a vanity metric; track {better} instead",
            )


@check("P009")
def no_review_cadence(ctx: Context) -> Iterator[Problem]:
    review = ctx.process.review
    if review is None:
        yield ctx.problem(
            "P009",
            ("id",),
            "the process has no `review:`; give it a cadence and an approver",
            key=True,
        )
    elif review.every is None:
        yield ctx.problem("P009", ("review",), "the review has no cadence; add `every:`", key=True)


@check("P010")
def target_behind_baseline(ctx: Context) -> Iterator[Problem]:
    for mid, m in ctx.process.metrics.items():
        if m.baseline is None or m.target is None:
            continue
        if (m.direction == "up" and m.target < m.baseline) or (
            m.direction == "down" and m.target > m.baseline
        ):
            better = "higher" if m.direction == "up" else "lower"
            yield ctx.problem(
                "P010",
                ("metrics", mid, "target"),
                f"metric {mid!r}: target {m.target:g} is behind baseline {m.baseline:g}"
                f" when {better} is better (direction: {m.direction})",
            )


# The parallel blocks' checks (G015-G020) register themselves on import.
from . import blocks as _blocks  # noqa: E402, F401

# The check of links in running text (S016) registers itself on import.
from . import links as _links  # noqa: E402, F401

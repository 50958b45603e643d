"""Comparing two versions of a process: what changed in meaning, as `Change` records.

Owns: comparing two validated `Process` models field by field into `Change` records (so
comments, key order, quoting, flow or block style and blank lines can never show up as
changes), and the kinds of change with their summary words (`KINDS`).

Must not know: files, git, output formats (that is `diff` and `diffreport`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from ..format import Dmaic, Metric, Process, Review, Scope, Step, renamed_steps

Value = str | int | float | bool | None
T = TypeVar("T", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Change:
    """One change of meaning. `old` is None for an addition, `new` None for a removal."""

    process: str
    kind: str
    what: str
    old: Value = None
    new: Value = None
    step: str | None = None

    @property
    def sign(self) -> str:
        """`+` added, `-` removed, `~` changed, `!` not compared (`process.unreadable`)."""
        if self.kind == "process.unreadable":
            return "!"
        if self.old is None:
            return "+"
        if self.new is None:
            return "-"
        return "~"


@dataclass
class FileDiff:
    """The changes of one process file; `changes` is empty when its meaning is the same."""

    path: str
    process: str
    name: str
    changes: list[Change] = field(default_factory=list)
    old_path: str | None = None


def _kinds() -> dict[str, tuple[str, str]]:
    """Every change kind with its summary words (one, many), in summary order."""
    table: dict[str, tuple[str, str]] = {}

    def add(kind: str, one: str, many: str | None = None) -> None:
        table[kind] = (one, many or one)

    def counted(prefix: str, noun: str, nouns: str) -> None:
        add(f"{prefix}.added", f"{noun} added", f"{nouns} added")
        add(f"{prefix}.removed", f"{noun} removed", f"{nouns} removed")

    add("process.added", "process added")
    add("process.removed", "process removed")
    add("process.moved", "file moved")
    add(
        "process.unreadable",
        "file not readable at the revision",
        "files not readable at the revision",
    )
    counted("step", "step", "steps")
    add("step.renamed", "step renamed", "steps renamed")
    add("step.id", "step id changed", "step ids changed")
    for name, one, many in [
        ("kind", "step kind changed", "step kinds changed"),
        ("description", "step description changed", "step descriptions changed"),
        ("owner", "owner changed", "owners changed"),
        ("duration", "duration changed", "durations changed"),
    ]:
        add(f"step.{name}", one, many)
    counted("step.tool", "step tool", "step tools")
    for flag in ("critical", "automated", "automatable"):
        add(f"step.{flag}", f"{flag} flag changed", f"{flag} flags changed")
    counted("step.checklist", "checklist item", "checklist items")
    counted("step.metric", "step metric", "step metrics")
    add("step.process", "subprocess changed", "subprocesses changed")
    counted("step.activity", "log activity", "log activities")
    add("step.share", "expected share changed", "expected shares changed")
    counted("flow", "arrow", "arrows")
    add("flow.retargeted", "arrow retargeted", "arrows retargeted")
    add("flow.relabelled", "branch relabelled", "branches relabelled")
    add("process.id", "process id changed")
    add("process.name", "process renamed")
    for name in ("goal", "description", "owner", "system", "trigger", "outcome"):
        add(f"process.{name}", f"process {name} changed")
    counted("process.stage", "hourglass stage", "hourglass stages")
    counted("process.output", "output", "outputs")
    add("process.runs", "run frequency changed")
    add("process.value", "value of a run changed")
    counted("process.feeds", "process fed", "processes fed")
    counted("scope.in", "scope item", "scope items")
    counted("scope.out", "out-of-scope item", "out-of-scope items")
    add("review.every", "review cadence changed")
    add("review.last", "review date changed")
    add("review.approver", "approver changed")
    counted("role", "role", "roles")
    add("role.renamed", "role renamed", "roles renamed")
    counted("tool", "tool", "tools")
    add("tool.renamed", "tool renamed", "tools renamed")
    counted("metric", "metric", "metrics")
    for name in ("name", "unit", "baseline", "target", "direction"):
        one = "metric renamed" if name == "name" else f"{name} changed"
        many = "metrics renamed" if name == "name" else f"{name}s changed"
        add(f"metric.{name}", one, many)
    add("metric.measure", "measure changed", "measures changed")
    counted("exception", "exception", "exceptions")
    add("exception.changed", "exception changed", "exceptions changed")
    counted("changelog", "changelog entry", "changelog entries")
    add("dmaic.problem", "problem statement changed")
    add("dmaic.goal", "improvement goal changed")
    counted("dmaic.root_cause", "root cause", "root causes")
    counted("dmaic.improvement", "improvement", "improvements")
    add("dmaic.improvement.status", "improvement status changed", "improvement statuses changed")
    counted("dmaic.control", "control point", "control points")
    add("dmaic.control.changed", "control point changed", "control points changed")
    return table


#: Change kind -> (summary words for one, for many); the order of the summary line.
KINDS: dict[str, tuple[str, str]] = _kinds()


# Comparing two processes ---------------------------------------------------------------


def plain_number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _norm(value: T) -> T:
    """Text with its whitespace collapsed: how a block scalar wraps lines is layout."""
    # A str T comes back a str, but mypy does not narrow a TypeVar by isinstance.
    return " ".join(value.split()) if isinstance(value, str) else value  # type: ignore[return-value]


def _items(old: Sequence[T], new: Sequence[T]) -> tuple[list[T], list[T]]:
    """(added, removed) between two lists treated as multisets, each in its own list's order."""

    def beyond(these: Sequence[T], those: Sequence[T]) -> list[T]:
        left = Counter(those)
        extra = []
        for item in these:
            if left[item] > 0:
                left[item] -= 1
            else:
                extra.append(item)
        return extra

    return beyond(new, old), beyond(old, new)


class _Changes:
    """Collects the changes of one process, in the order they are found."""

    def __init__(self, process: str) -> None:
        self.process = process
        self.found: list[Change] = []

    def add(
        self,
        kind: str,
        what: str,
        old: Value,
        new: Value,
        step: str | None = None,
        changed: bool | None = None,
    ) -> None:
        """Record a change when `changed` (default: when old and new differ)."""
        assert kind in KINDS, kind
        if changed is None:
            changed = _norm(old) != _norm(new) or type(old) is not type(new)
        if changed:
            self.found.append(Change(self.process, kind, what, old, new, step))

    def items(
        self,
        kind: str,
        old: Sequence[T],
        new: Sequence[T],
        added: str,
        removed: str,
        show_old: Callable[[T], str] = str,
        show_new: Callable[[T], str] = str,
        step: str | None = None,
    ) -> None:
        plus, minus = _items([_norm(x) for x in old], [_norm(x) for x in new])
        for item in plus:
            self.add(f"{kind}.added", added, None, show_new(item), step)
        for item in minus:
            self.add(f"{kind}.removed", removed, show_old(item), None, step)


def compare(old: Process, new: Process) -> list[Change]:
    """Every change of meaning from `old` to `new`: the steps in the new file's order, then
    removed steps, then the process-level fields in a fixed order."""
    found = _Changes(new.id)
    _steps(found, old, new)
    _process(found, old, new)
    return found.found


def _steps(found: _Changes, old: Process, new: Process) -> None:
    before = {s.id: s for s in reversed(old.steps)}
    after = {s.id: s for s in reversed(new.steps)}
    new_id = renamed_steps(before, after)
    old_id = {b: a for a, b in new_id.items()}

    def name(sid: str) -> str:
        step = after.get(sid) or before.get(sid)
        return step.name if step is not None else sid

    def then(step: Step) -> list[tuple[str | None, str]]:
        """An old step's arrows, in new ids: pointing at a renamed step is no change."""
        return [(label, new_id.get(target, target)) for label, target in step.targets()]

    for step in new.steps:
        if after[step.id] is not step:
            continue
        was = before.get(old_id.get(step.id, step.id))
        if was is None:
            found.add("step.added", f"{_kind_word(step)} added", None, step.name, step.id)
            _flows(found, step, [], step.targets(), name)
        else:
            found.add("step.id", f"id of {step.name}", was.id, step.id, step.id)
            _step(found, old, new, was, step, name, then(was))
    for step in old.steps:
        if step.id not in after and step.id not in new_id and before[step.id] is step:
            found.add("step.removed", f"{_kind_word(step)} removed", step.name, None, step.id)
            _flows(found, step, then(step), [], name)


def _kind_word(step: Step) -> str:
    return "step" if step.kind == "task" else step.kind


def _step(
    found: _Changes,
    old: Process,
    new: Process,
    a: Step,
    b: Step,
    name: Callable[[str], str],
    arrows: list[tuple[str | None, str]],
) -> None:
    """Changes of one step; `arrows` are `a`'s arrows with renamed steps' new ids."""
    _step_work(found, old, new, a, b)
    _step_references(found, old, new, a, b)
    old_shares, new_shares = a.shares or {}, b.shares or {}
    for branch in dict.fromkeys([*new_shares, *old_shares]):
        found.add(
            "step.share",
            f"expected share of {branch!r} at {b.name} (%)",
            plain_number(old_shares.get(branch)),
            plain_number(new_shares.get(branch)),
            b.id,
        )
    _flows(found, b, arrows, b.targets(), name)


def _step_work(found: _Changes, old: Process, new: Process, a: Step, b: Step) -> None:
    """The step as work: its name, kind and description, who does it, how long it takes,
    with which tools, and its flags."""
    sid, label = b.id, b.name
    found.add("step.renamed", "step renamed", a.name, b.name, sid)
    found.add("step.kind", f"kind of {label}", a.kind, b.kind, sid)
    found.add("step.description", f"description of {label}", a.description, b.description, sid)
    found.add(
        "step.owner",
        f"owner of {label}",
        old.role_name(a.owner),
        new.role_name(b.owner),
        sid,
        changed=a.owner != b.owner,
    )
    found.add(
        "step.duration",
        f"duration of {label}",
        a.duration,
        b.duration,
        sid,
        changed=a.minutes != b.minutes,
    )
    found.items(
        "step.tool",
        a.tools,
        b.tools,
        f"tool added to {label}",
        f"tool removed from {label}",
        lambda t: old.tools.get(t, t),
        lambda t: new.tools.get(t, t),
        sid,
    )
    for flag in ("critical", "automated", "automatable"):
        found.add(
            f"step.{flag}", f"{flag} flag of {label}", getattr(a, flag), getattr(b, flag), sid
        )


def _step_references(found: _Changes, old: Process, new: Process, a: Step, b: Step) -> None:
    """What the step points to: its checklist, its metrics, the subprocess it calls and
    the log activities that record it."""
    sid, label = b.id, b.name
    found.items(
        "step.checklist",
        a.checklist,
        b.checklist,
        f"checklist item added to {label}",
        f"checklist item removed from {label}",
        step=sid,
    )
    found.items(
        "step.metric",
        a.metrics,
        b.metrics,
        f"metric added to {label}",
        f"metric removed from {label}",
        lambda m: old.metrics[m].name if m in old.metrics else m,
        lambda m: new.metrics[m].name if m in new.metrics else m,
        sid,
    )
    found.add("step.process", f"subprocess of {label}", a.process, b.process, sid)
    found.items(
        "step.activity",
        a.activities(),
        b.activities(),
        f"log activity added to {label}",
        f"log activity removed from {label}",
        step=sid,
    )


def _flows(
    found: _Changes,
    source: Step,
    before: list[tuple[str | None, str]],
    after: list[tuple[str | None, str]],
    name: Callable[[str], str],
) -> None:
    """Arrows out of one step: retargeted and relabelled, then added, then removed; a
    parallel split's strands (several arrows without a label) added or removed."""
    sid, src = source.id, source.name
    strands = (
        [t for label, t in before if label is None],
        [t for label, t in after if label is None],
    )
    if max(len(strands[0]), len(strands[1])) > 1:
        for target in strands[1]:
            if target not in strands[0]:
                found.add("flow.added", f"strand added to {src}", None, name(target), sid)
        for target in strands[0]:
            if target not in strands[1]:
                found.add("flow.removed", f"strand removed from {src}", name(target), None, sid)
        before = [(label, t) for label, t in before if label is not None]
        after = [(label, t) for label, t in after if label is not None]
    was = dict(before)
    now = dict(after)
    gone = [(label, target) for label, target in before if label not in now]
    new_labels = [(label, target) for label, target in after if label not in was]
    relabelled: dict[str | None, str] = {}  # new label -> old label
    for old_label, target in gone:
        for new_label, new_target in new_labels:
            if (
                old_label is not None
                and new_label is not None
                and new_target == target
                and new_label not in relabelled
            ):
                relabelled[new_label] = old_label
                break
    for label, target in after:
        if label in was:
            what = f"next step after {src}" if label is None else f"branch '{label}' of {src}"
            found.add("flow.retargeted", what, name(was[label]), name(target), sid)
        elif label in relabelled:
            what = f"label of the branch from {src} to {name(target)}"
            found.add("flow.relabelled", what, relabelled[label], label, sid)
        else:
            what = (
                f"arrow added from {src}" if label is None else f"branch '{label}' added to {src}"
            )
            found.add("flow.added", what, None, name(target), sid)
    used = set(relabelled.values())
    for label, target in gone:
        if label is not None and label in used:
            continue
        what = (
            f"arrow removed from {src}" if label is None else f"branch '{label}' removed from {src}"
        )
        found.add("flow.removed", what, name(target), None, sid)


def _process(found: _Changes, old: Process, new: Process) -> None:
    found.add("process.id", "process id", old.id, new.id)
    found.add("process.name", "process name", old.name, new.name)
    found.add("process.goal", "goal", old.goal, new.goal)
    found.add("process.description", "description", old.description, new.description)
    found.add(
        "process.owner",
        "process owner",
        old.role_name(old.owner),
        new.role_name(new.owner),
        changed=old.owner != new.owner,
    )
    found.add("process.system", "system", old.system, new.system)
    found.items("process.stage", old.hourglass, new.hourglass, "stage added", "stage removed")
    found.add("process.trigger", "trigger", old.trigger, new.trigger)
    found.add("process.outcome", "outcome", old.outcome, new.outcome)
    a, b = old.scope or Scope(), new.scope or Scope()
    found.items("scope.in", a.in_, b.in_, "added to the scope", "removed from the scope")
    found.items("scope.out", a.out, b.out, "added to out of scope", "removed from out of scope")
    found.items("process.output", old.outputs, new.outputs, "output added", "output removed")
    a_runs, b_runs = old.runs_per_month, new.runs_per_month
    found.add(
        "process.runs",
        "runs",
        old.runs,
        new.runs,
        changed=(a_runs is None) != (b_runs is None)
        or (a_runs is not None and b_runs is not None and not math.isclose(a_runs, b_runs)),
    )
    found.add("process.value", "value of one run", plain_number(old.value), plain_number(new.value))
    found.items("process.feeds", old.feeds, new.feeds, "feeds added", "feeds removed")
    _review(found, old, new)
    _names(found, "role", old.roles, new.roles)
    _names(found, "tool", old.tools, new.tools)
    _metrics(found, old, new)
    _exceptions(found, old, new)
    found.items(
        "changelog",
        [_entry(e.date.isoformat(), e.change, e.by) for e in old.changelog],
        [_entry(e.date.isoformat(), e.change, e.by) for e in new.changelog],
        "changelog entry added",
        "changelog entry removed",
    )
    _dmaic(found, old, new)


def _entry(date: str, change: str, by: str | None) -> str:
    return f"{date}: {change}" + (f" ({by})" if by else "")


def _review(found: _Changes, old: Process, new: Process) -> None:
    a, b = old.review or Review(), new.review or Review()
    found.add("review.every", "review cadence", a.every, b.every)
    found.add(
        "review.last",
        "last review",
        a.last.isoformat() if a.last else None,
        b.last.isoformat() if b.last else None,
    )
    found.add(
        "review.approver",
        "approver",
        old.role_name(a.approver),
        new.role_name(b.approver),
        changed=a.approver != b.approver,
    )


def _names(found: _Changes, kind: str, old: dict[str, str], new: dict[str, str]) -> None:
    for key in sorted(new.keys() - old.keys()):
        found.add(f"{kind}.added", f"{kind} added", None, new[key])
    for key in sorted(old.keys() - new.keys()):
        found.add(f"{kind}.removed", f"{kind} removed", old[key], None)
    for key in sorted(old.keys() & new.keys()):
        found.add(f"{kind}.renamed", f"{kind} renamed", old[key], new[key])


def _metrics(found: _Changes, old: Process, new: Process) -> None:
    for key in sorted(new.metrics.keys() - old.metrics.keys()):
        found.add("metric.added", "metric added", None, new.metrics[key].name)
    for key in sorted(old.metrics.keys() - new.metrics.keys()):
        found.add("metric.removed", "metric removed", old.metrics[key].name, None)
    for key in sorted(old.metrics.keys() & new.metrics.keys()):
        a, b = old.metrics[key], new.metrics[key]
        label = b.name + (f" ({b.unit})" if b.unit else "")
        found.add("metric.name", "metric renamed", a.name, b.name)
        found.add("metric.unit", f"unit of {b.name}", a.unit, b.unit)
        found.add(
            "metric.baseline",
            f"baseline of {label}",
            plain_number(a.baseline),
            plain_number(b.baseline),
        )
        found.add(
            "metric.target", f"target of {label}", plain_number(a.target), plain_number(b.target)
        )
        found.add("metric.direction", f"better direction of {b.name}", a.direction, b.direction)
        found.add("metric.measure", f"measure of {b.name}", _measure(a), _measure(b))


def _measure(metric: Metric) -> str | None:
    """A metric's `measure:` in words: `rate webinar -> consult`, `count onboard per month`."""
    measure = metric.measure
    if measure is None:
        return None
    if measure.kind == "count":
        return f"count {measure.count} per {measure.period}"
    first, then = measure.steps()
    tail = f" ({measure.statistic})" if measure.kind == "time" else ""
    return f"{measure.kind} {first} -> {then}{tail}"


def _exceptions(found: _Changes, old: Process, new: Process) -> None:
    def show(process: Process, when: str, then: str, step: str | None) -> str:
        where = process.step(step) if step else None
        at = f" (at {where.name if where else step})" if step else ""
        return f"{when}: {then}{at}"

    a = {_norm(e.when): e for e in reversed(old.exceptions)}
    b = {_norm(e.when): e for e in reversed(new.exceptions)}
    for e in new.exceptions:
        if b[_norm(e.when)] is not e:
            continue
        was = a.get(_norm(e.when))
        if was is None:
            found.add("exception.added", "exception added", None, show(new, e.when, e.then, e.step))
        elif (_norm(was.then), was.step) != (_norm(e.then), e.step):
            found.add(
                "exception.changed",
                f"what to do when {e.when}",
                show(old, "", was.then, was.step).removeprefix(": "),
                show(new, "", e.then, e.step).removeprefix(": "),
            )
    for e in old.exceptions:
        if _norm(e.when) not in b and a[_norm(e.when)] is e:
            found.add(
                "exception.removed", "exception removed", show(old, e.when, e.then, e.step), None
            )


def _dmaic(found: _Changes, old: Process, new: Process) -> None:
    a, b = old.dmaic or Dmaic(), new.dmaic or Dmaic()
    found.add("dmaic.problem", "problem statement", a.problem, b.problem)
    found.add("dmaic.goal", "improvement goal", a.goal, b.goal)
    found.items(
        "dmaic.root_cause", a.root_causes, b.root_causes, "root cause added", "root cause removed"
    )
    was = {_norm(i.change): i.status for i in reversed(a.improvements)}
    now = {_norm(i.change): i.status for i in reversed(b.improvements)}
    for change in dict.fromkeys(_norm(i.change) for i in b.improvements):
        if change not in was:
            found.add(
                "dmaic.improvement.added", "improvement added", None, f"{change} ({now[change]})"
            )
        else:
            found.add(
                "dmaic.improvement.status",
                f"status of improvement '{change}'",
                was[change],
                now[change],
            )
    for change in dict.fromkeys(_norm(i.change) for i in a.improvements):
        if change not in now:
            found.add(
                "dmaic.improvement.removed",
                "improvement removed",
                f"{change} ({was[change]})",
                None,
            )

    def metric(process: Process, mid: str) -> str:
        return process.metrics[mid].name if mid in process.metrics else mid

    def plan(every: str, threshold: float | None, reaction: str) -> str:
        at = f", threshold {plain_number(threshold)}" if threshold is not None else ""
        return f"check {every}{at}: {reaction}"

    ca = {c.metric: c for c in reversed(a.control)}
    cb = {c.metric: c for c in reversed(b.control)}
    for mid in dict.fromkeys(c.metric for c in b.control):
        c = cb[mid]
        if mid not in ca:
            found.add(
                "dmaic.control.added",
                f"control point added for {metric(new, mid)}",
                None,
                plan(c.every, c.threshold, c.reaction),
            )
        else:
            w = ca[mid]
            found.add(
                "dmaic.control.changed",
                f"control point for {metric(new, mid)}",
                plan(w.every, w.threshold, w.reaction),
                plan(c.every, c.threshold, c.reaction),
            )
    for mid in dict.fromkeys(c.metric for c in a.control):
        if mid not in cb:
            w = ca[mid]
            found.add(
                "dmaic.control.removed",
                f"control point removed for {metric(old, mid)}",
                plan(w.every, w.threshold, w.reaction),
                None,
            )

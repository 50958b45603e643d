"""A process tree as a first draft of a procmap process: the YAML text a person edits.

Owns: `draft_text`, which lays out a tree from `mine` as procmap steps (a start, one step
per activity with `activity:` set, a decision for each choice with the share of the
cases that took each branch, a decision after each loop body ("again?"), a parallel
split and join for each block of work side by side, an end), with the facts the log
gave about each activity (`ActivityFacts`: its owner, its median hands-on time, its
median wait when long) and a header comment saying where the draft came from and what
was left out (`DraftHeader`). Branch labels are the names of the steps they lead to.
Decision and gateway names are plain and marked for the author to reword; `goal`,
`trigger` and `outcome` are placeholders starting `TODO`.

Must not know: logs, DuckDB, options. The text it makes is valid procmap (the tree is
block-structured); its caller checks that before writing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..format import slugify, yaml_scalar
from .mine import Activity, Choice, Loop, Node, Parallel, Sequence, Skip

#: A step's id is the first words of its activity's name, this many at most.
ID_WORDS = 4
#: Words an id does not end with: "set-up-accounts-and" reads as "set-up-accounts".
_LINKING = frozenset({"a", "an", "and", "for", "in", "of", "on", "or", "the", "to", "with"})
#: A wait is written when the median time before an activity, nobody working, is at
#: least this long (minutes): a day. Shorter gaps are the queue of ordinary work.
LONG_WAIT = 1440.0


@dataclass(frozen=True)
class ActivityFacts:
    """What the log says about one activity: its most frequent resource (`owner`, a role
    id, and `role`, its name), its median hands-on minutes (with start times) and median
    minutes of waiting before it."""

    owner: str | None = None
    role: str | None = None
    minutes: float | None = None
    wait: float | None = None


@dataclass(frozen=True)
class DraftHeader:
    """Where a draft came from, for its header comment: the log, its size and span, the
    filter and what it left out."""

    log: str
    events: int
    cases: int
    first: str
    last: str
    kept_cases: int
    filter: str
    left_activities: list[tuple[str, int]] = field(default_factory=list)
    left_variants: int = 0
    left_variant_cases: int = 0
    lifecycle: str | None = None


@dataclass
class _Step:
    id: str
    name: str
    kind: str = "task"
    activity: str | None = None
    next: list[str] = field(default_factory=list)
    branches: dict[str, str] = field(default_factory=dict)
    shares: dict[str, float] = field(default_factory=dict)
    pending_shares: list[tuple[str, int]] = field(default_factory=list)
    #: Labels given in place of the target's name, by position in `pending_shares`.
    labels: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Exit:
    """A way out of a fragment still to be connected: `step`'s `next`, or a branch of
    decision `step` taken by `traces` traces."""

    step: str
    traces: int | None = None


@dataclass(frozen=True)
class _Fragment:
    entry: str | None  # None: nothing happens (a skip)
    exits: tuple[_Exit, ...]


class _Builder:
    def __init__(self, finals: frozenset[str] = frozenset()) -> None:
        self.steps: dict[str, _Step] = {}
        self.counter = 0
        self.finals = finals

    def add(self, step_id: str, name: str, kind: str, activity: str | None = None) -> str:
        words = step_id.split("-")[:ID_WORDS]
        while len(words) > 1 and words[-1] in _LINKING:
            words.pop()
        base = "-".join(words) or "step"
        unique, n = base, 1
        while unique in self.steps or unique in ("start", "end"):  # the plain ones
            n += 1
            unique = f"{base}-{n}"
        self.steps[unique] = _Step(unique, name, kind, activity)
        return unique

    def numbered(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{self.counter}"

    def connect(self, exits: tuple[_Exit, ...], target: str) -> None:
        for out in exits:
            step = self.steps[out.step]
            if out.traces is None:
                step.next.append(target)
            else:
                step.pending_shares.append((target, out.traces))
                if step.labels:
                    step.labels[len(step.pending_shares) - 1] = "no"

    def build(self, node: Node) -> _Fragment:
        if isinstance(node, Activity):
            if node.name in self.finals:  # a case ends with it: an end step
                return _Fragment(self.add(slugify(node.name), node.name, "end", node.name), ())
            sid = self.add(slugify(node.name), node.name, "task", node.name)
            return _Fragment(sid, (_Exit(sid),))
        if isinstance(node, Skip):
            return _Fragment(None, ())
        if isinstance(node, Sequence):
            return self._sequence(node.children)
        if isinstance(node, Choice):
            return self._choice(node)
        if isinstance(node, Parallel):
            return self._parallel(node)
        assert isinstance(node, Loop)
        return self._loop(node)

    def _sequence(self, children: tuple[Node, ...]) -> _Fragment:
        entry: str | None = None
        exits: tuple[_Exit, ...] = ()
        for child in children:
            part = self.build(child)
            if part.entry is None:
                continue
            if entry is None:
                entry = part.entry
            else:
                self.connect(exits, part.entry)
            exits = part.exits
        return _Fragment(entry, exits)

    def _choice(self, node: Choice) -> _Fragment:
        parts = [(self.build(child), child.traces) for child in node.children]
        names = [self.steps[p.entry].name for p, _ in parts if p.entry is not None]
        optional = len(names) == 1 and len(parts) == 2  # one step or nothing: yes or no
        sid = self.add(self.numbered("which"), _question(names, skip=optional), "decision")
        exits: list[_Exit] = []
        for part, traces in parts:
            if part.entry is None:
                exits.append(_Exit(sid, traces))
            else:
                self.steps[sid].pending_shares.append((part.entry, traces))
                exits.extend(part.exits)
        if optional:  # the step is taken first ("yes"); nothing, when connected, is "no"
            self.steps[sid].labels = {0: "yes"}
        return _Fragment(sid, tuple(exits))

    def _parallel(self, node: Parallel) -> _Fragment:
        parts = [p for p in (self.build(child) for child in node.children) if p.entry is not None]
        if len(parts) < 2:
            return parts[0] if parts else _Fragment(None, ())
        names = [self.steps[p.entry].name for p in parts if p.entry is not None]
        split = self.add(self.numbered("side-by-side"), _side_by_side(names), "parallel")
        join = self.add(self.numbered("all-done"), _all_done(names), "join")
        for part in parts:
            assert part.entry is not None
            self.steps[split].next.append(part.entry)
            self.connect(part.exits, join)
        return _Fragment(split, (_Exit(join),))

    def _loop(self, node: Loop) -> _Fragment:
        body = self.build(node.body)
        if body.entry is None:  # nothing in the body: the redo part is the loop
            return self.build(Loop(node.traces, node.redo, node.body, node.again))
        name = self.steps[body.entry].name
        sid = self.add(self.numbered("again"), f"{name} again?", "decision")
        self.connect(body.exits, sid)
        redo = self.build(node.redo)
        if redo.entry is None:
            self.steps[sid].pending_shares.append((body.entry, node.again))
        else:
            self.steps[sid].pending_shares.append((redo.entry, node.again))
            self.connect(redo.exits, body.entry)
        return _Fragment(body.entry, (_Exit(sid, node.traces),))


def _short(names: list[str], joiner: str) -> str:
    shown = names[:2] if len(names) <= 3 else [*names[:2], f"{len(names) - 2} more"]
    if len(names) == 3:
        shown = names
    return ", ".join(shown[:-1]) + f" {joiner} " + shown[-1] if len(shown) > 1 else shown[0]


def _question(names: list[str], *, skip: bool) -> str:
    if skip and len(names) == 1:
        return f"{names[0]}?"
    return f"Which next: {_short(names, 'or')}?"


def _side_by_side(names: list[str]) -> str:
    return f"{_short(names, 'and')}, side by side"


def _all_done(names: list[str]) -> str:
    return f"Done: {_short(names, 'and')}"


def draft_text(
    tree: Node,
    facts: dict[str, ActivityFacts],
    header: DraftHeader,
    process_id: str,
    name: str,
    first: str | None = None,
    finals: frozenset[str] = frozenset(),
) -> str:
    """The YAML text of the draft process `process_id` named `name`, mined as `tree`;
    `first`: the activity that opens every case, if any, which becomes the start (else
    a plain start); `finals`: the activities a case ends with, each an end (a plain end
    follows whatever else the tree ends with)."""
    builder = _Builder(finals)
    body = builder.build(tree)
    start = _Step("start", first or "Start", "start", first)
    builder.steps = {"start": start, **builder.steps}
    if body.entry is None or body.exits:
        builder.steps["end"] = _Step("end", "End", "end")
    start.next.append(body.entry or "end")
    builder.connect(body.exits, "end")
    _label(builder.steps)
    order = _reading_order(builder.steps)
    lines = _header(header)
    used = {s.activity for s in builder.steps.values() if s.activity is not None}
    lines += _top(process_id, name, {a: f for a, f in facts.items() if a in used})
    for sid in order:
        lines += _step_lines(builder.steps[sid], facts)
    return "\n".join(lines) + "\n"


def _label(steps: dict[str, _Step]) -> None:
    """Each decision's branches labelled with their target's name (made unique), their
    shares in percent of the traces at the decision, adding up to 100."""
    for step in steps.values():
        if not step.pending_shares:
            continue
        total = sum(n for _, n in step.pending_shares) or 1
        percents = _percents([n / total * 100 for _, n in step.pending_shares])
        for i, ((target, _), percent) in enumerate(zip(step.pending_shares, percents, strict=True)):
            label = step.labels.get(i) or steps[target].name
            k = 2
            while label in step.branches:
                label = f"{steps[target].name} ({k})"
                k += 1
            step.branches[label] = target
            step.shares[label] = percent


def _percents(values: list[float]) -> list[float]:
    """Whole percents that add up to exactly 100 (largest remainders first)."""
    floors = [int(v) for v in values]
    left = 100 - sum(floors)
    order = sorted(range(len(values)), key=lambda i: (-(values[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [float(f) for f in floors]


def _reading_order(steps: dict[str, _Step]) -> list[str]:
    """Depth first from the start, `next` before branches, a join after all its
    strands, the ends last (in the order they are reached)."""
    seen: list[str] = []
    ends: list[str] = []
    marked: set[str] = set()
    before: dict[str, list[str]] = {sid: [] for sid in steps}
    for step in steps.values():
        for target in [*step.next, *step.branches.values()]:
            before[target].append(step.id)
    stack = ["start"]
    while stack:
        sid = stack.pop()
        if sid in marked:
            continue
        if steps[sid].kind == "end":
            marked.add(sid)
            ends.append(sid)
            continue
        if steps[sid].kind == "join" and not all(p in marked for p in before[sid]):
            continue  # a join comes after every strand; the last strand's step pushes it
        marked.add(sid)
        seen.append(sid)
        step = steps[sid]
        targets = [*step.next, *step.branches.values()]
        stack.extend(reversed([t for t in targets if t not in marked]))
    seen.extend(sid for sid in steps if sid not in marked)
    return [*seen, *ends]


def _header(header: DraftHeader) -> list[str]:
    share = header.kept_cases / header.cases if header.cases else 0.0
    lines = [
        f"# Drafted by `procmap discover` from {header.log}: {header.events:,} events of"
        f" {header.cases:,} cases, {header.first} to {header.last}.",
        f"# Fits {header.kept_cases:,} of the {header.cases:,} cases ({share:.0%}): {header.filter}.",
    ]
    if header.lifecycle:
        lines.append(f"# Lifecycle: {header.lifecycle}.")
    if header.left_activities:
        left = ", ".join(f"{a} ({n:,} cases)" for a, n in header.left_activities[:10])
        more = (
            f" and {len(header.left_activities) - 10} more"
            if len(header.left_activities) > 10
            else ""
        )
        lines.append(f"# Left out, as rare: activities {left}{more}.")
    if header.left_variants:
        lines.append(
            f"# Left out, as rare: {header.left_variants:,} variants of"
            f" {header.left_variant_cases:,} cases (--all keeps everything)."
        )
    lines.append("# TODO: write the goal, the trigger and the outcome; reword each decision.")
    return [_comment(line) for line in lines]


def _comment(line: str) -> str:
    """One comment line, its text on one line whatever the log's names hold."""
    return " ".join(line.split())


def _top(process_id: str, name: str, facts: dict[str, ActivityFacts]) -> list[str]:
    lines = [
        "procmap: 1",
        f"id: {process_id}",
        f"name: {yaml_scalar(name)}",
        'goal: "TODO: what result does this process achieve?"',
        'trigger: "TODO: what event starts it?"',
        'outcome: "TODO: how do you know it is complete?"',
    ]
    roles = sorted({(f.owner, f.role) for f in facts.values() if f.owner and f.role})
    if roles:
        lines.append("roles:")
        lines += [f"  {owner}: {yaml_scalar(role)}" for owner, role in roles if owner and role]
    lines.append("steps:")
    return lines


def _step_lines(step: _Step, facts: dict[str, ActivityFacts]) -> list[str]:
    lines = [f"  - id: {step.id}"]
    if step.kind != "task":
        lines.append(f"    kind: {step.kind}")
    lines.append(f"    name: {yaml_scalar(step.name)}")
    fact = facts.get(step.activity or "") if step.activity is not None else None
    if fact is not None:
        if fact.owner:
            lines.append(f"    owner: {fact.owner}")
        if fact.wait is not None and fact.wait >= LONG_WAIT:
            lines.append(f"    wait: {duration(fact.wait)}")
        if fact.minutes:
            lines.append(f"    duration: {duration(fact.minutes)}")
    if step.activity is not None:
        lines.append(f"    activity: {yaml_scalar(step.activity)}")
    if len(step.next) == 1 and step.kind != "parallel":
        lines.append(f"    next: {step.next[0]}")
    elif step.next:
        lines.append(f"    next: [{', '.join(step.next)}]")
    if step.branches:
        lines.append("    branches:")
        lines += [f"      {yaml_scalar(label)}: {t}" for label, t in step.branches.items()]
        lines.append("    shares:")
        lines += [f"      {yaml_scalar(label)}: {p:g}" for label, p in step.shares.items()]
    return lines


def duration(minutes: float) -> str:
    """Minutes as a procmap duration, in the largest unit that keeps it a whole number
    or near it: 45m, 3h, 2d, 1w."""
    if minutes < 120:
        return f"{max(1, round(minutes))}m"
    if minutes < 2 * 1440:
        return f"{round(minutes / 60)}h"
    if minutes < 3 * 10080:
        return f"{round(minutes / 1440)}d"
    return f"{round(minutes / 10080)}w"

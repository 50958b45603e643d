"""The flow of a process as a directed graph of step ids.

Owns: edges from `next` and `branches` (only those whose target exists), reachability
forwards and backwards, the reading order used to number steps, the parallel blocks (each
split's strands and the join where they meet), the critical path (elapsed and hands-on
time, a block's slowest strand), and which steps of two versions are one step under a new id.
Must not know: files, positions or problems; rules and renderers ask it questions.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from .protocols import StepLike

#: The steps of a flow: the model's `Step`, the fast reader's, or any `StepLike` (a
#: `Flow` of the model's steps is a `Flow[StepLike]` too).
S_co = TypeVar("S_co", bound="StepLike", covariant=True)


class _Steps(Protocol[S_co]):
    """A process, as much of it as a flow reads: its steps (a `ProcessLike`)."""

    @property
    def steps(self) -> Sequence[S_co]: ...


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    label: str | None


class Flow(Generic[S_co]):
    """Steps by id (the first of duplicates wins) and the arrows between them; of the
    process's own step type (a `Flow` of the model's steps has the model's steps)."""

    def __init__(self, process: _Steps[S_co]) -> None:
        self.steps: dict[str, S_co] = {}
        for step in process.steps:
            self.steps.setdefault(step.id, step)
        self.edges: list[Edge] = []
        self.succ: dict[str, list[str]] = {sid: [] for sid in self.steps}
        self.pred: dict[str, list[str]] = {sid: [] for sid in self.steps}
        for sid, step in self.steps.items():
            for label, target in step.targets():
                if target in self.steps:
                    self.edges.append(Edge(sid, target, label))
                    self.succ[sid].append(target)
                    self.pred[target].append(sid)

    @cached_property
    def starts(self) -> list[str]:
        return [sid for sid, step in self.steps.items() if step.kind == "start"]

    @cached_property
    def ends(self) -> list[str]:
        return [sid for sid, step in self.steps.items() if step.kind == "end"]

    def reachable(self, sources: list[str]) -> set[str]:
        """Steps reachable from `sources` along arrows (the sources included)."""
        return _walk(sources, self.succ)

    def reaching(self, targets: list[str]) -> set[str]:
        """Steps from which some arrow path leads to `targets` (the targets included)."""
        return _walk(targets, self.pred)

    @cached_property
    def order(self) -> list[str]:
        """Reading order: depth-first from each start, `next` before branches in written
        order, so the main line reads straight down; the ends come last, in the order they
        are reached, so no "go to" jumps over an end; unreached steps follow in file order."""
        seen: list[str] = []
        ends: list[str] = []
        marked: set[str] = set()
        for start in self.starts:
            stack = [start]
            while stack:
                sid = stack.pop()
                if sid in marked:
                    continue
                marked.add(sid)
                (ends if self.steps[sid].kind == "end" else seen).append(sid)
                stack.extend(reversed([t for t in self.succ[sid] if t not in marked]))
        seen.extend(ends)
        seen.extend(sid for sid in self.steps if sid not in marked)
        return seen

    @cached_property
    def back_edges(self) -> set[tuple[str, str]]:
        """Arrows that close a loop, found by depth-first search in reading order."""
        state: dict[str, int] = {}
        back: set[tuple[str, str]] = set()
        for root in self.order:
            if root in state:
                continue
            stack: list[tuple[str, int]] = [(root, 0)]
            state[root] = 1
            while stack:
                sid, index = stack[-1]
                targets = self.succ[sid]
                if index < len(targets):
                    stack[-1] = (sid, index + 1)
                    target = targets[index]
                    if state.get(target) == 1:
                        back.add((sid, target))
                    elif target not in state:
                        state[target] = 1
                        stack.append((target, 0))
                else:
                    state[sid] = 2
                    stack.pop()
        return back

    @cached_property
    def blocks(self) -> dict[str, Block]:
        """Each parallel split's block, by the split's id: its strands and their join."""
        found: dict[str, Block] = {}
        for sid, step in self.steps.items():
            if step.kind == "parallel":
                self._block(sid, found, ())
        return found

    def _block(self, split: str, found: dict[str, Block], within: tuple[str, ...]) -> Block:
        """The block of `split`, its nested blocks found first (`within`: the splits whose
        strands are being walked, so a strand that loops back to one stops there)."""
        if split in found:
            return found[split]
        strands = tuple(self._strand(head, (*within, split), found) for head in self.succ[split])
        hit = [strand.joins for strand in strands]
        joins = set().union(*hit) if hit else set()
        join = next(iter(joins)) if len(joins) == 1 and all(hit) else None
        nested = {inner for strand in strands for inner in strand.nested}
        shared = sorted(inner for inner in nested if found[inner].join in joins)
        block = Block(split, join if not shared else None, strands, tuple(shared))
        found[split] = block
        return block

    def _strand(self, head: str, within: tuple[str, ...], found: dict[str, Block]) -> Strand:
        """The steps of one strand, from its first step up to the joins it reaches; a
        nested split is stepped over, from its own join on."""
        steps: set[str] = set()
        joins: set[str] = set()
        leaves: list[str] = []
        nested: list[str] = []
        queue = deque([head])
        while queue:
            sid = queue.popleft()
            if sid in steps or sid in joins:
                continue
            kind = self.steps[sid].kind
            if sid in within or kind == "end":
                leaves.append(sid)
                continue
            if kind == "join":
                joins.add(sid)
                continue
            steps.add(sid)
            if kind == "parallel":
                inner = self._block(sid, found, within)
                nested.append(sid)
                steps.update(*(strand.steps for strand in inner.strands))
                if inner.join is None:
                    continue
                steps.add(inner.join)
                queue.extend(self.succ[inner.join])
                continue
            queue.extend(self.succ[sid])
        return Strand(head, frozenset(steps), frozenset(joins), tuple(leaves), tuple(nested))

    def critical_path(self) -> CriticalPath:
        """The start-to-end path that takes longest on the calendar (each step's `wait`
        and `duration`), loops taken once: through a parallel block, its slowest strand.
        Its hands-on time adds the `duration` of every strand of the blocks it passes."""
        forward = {
            sid: [t for t in self.succ[sid] if (sid, t) not in self.back_edges]
            for sid in self.steps
        }
        closing = {b.join: b for b in self.blocks.values() if b.join is not None}
        best: dict[str, _Timed] = {}
        for sid in self._topological(forward):
            step = self.steps[sid]
            if step.kind == "start":
                best.setdefault(sid, _Timed(0.0, 0.0, (sid,)))
            if sid in closing and sid in best:
                best[sid] = self._joined(closing[sid], best, forward)
            if sid not in best:
                continue
            here = best[sid]
            for t in forward[sid]:
                target = self.steps[t]
                work, wait = target.minutes or 0.0, target.wait_minutes or 0.0
                candidate = _Timed(
                    here.elapsed + wait + work, here.hands_on + work, (*here.path, t)
                )
                if t not in best or candidate.elapsed > best[t].elapsed:
                    best[t] = candidate
        finished = [best[e] for e in self.ends if e in best]
        if not finished:
            return CriticalPath([], 0.0, 0.0)
        top = max(finished, key=lambda timed: timed.elapsed)
        return CriticalPath(list(top.path), top.elapsed, top.hands_on)

    def _joined(
        self, block: Block, best: dict[str, _Timed], forward: dict[str, list[str]]
    ) -> _Timed:
        """At a block's join: the slowest strand's time and path, and the hands-on time
        of every strand added (each strand's own slowest way through)."""
        join = block.join
        assert join is not None
        split = best.get(block.split)
        reached = best[join]
        if split is None:
            return reached
        ways: list[_Timed] = []
        for strand in block.strands:
            ends = [p for p in self.pred[join] if p in strand.steps and join in forward[p]]
            if strand.head == join:
                ends.append(block.split)
            timed = [best[p] for p in ends if p in best]
            if timed:
                ways.append(max(timed, key=lambda way: way.elapsed))
        if not ways:
            return reached
        slowest = max(ways, key=lambda way: way.elapsed)
        hands = split.hands_on + sum(way.hands_on - split.hands_on for way in ways)
        step = self.steps[join]
        wait = step.wait_minutes or 0.0
        return _Timed(slowest.elapsed + wait, hands, (*slowest.path, join))

    def _topological(self, forward: dict[str, list[str]]) -> list[str]:
        indegree = {sid: 0 for sid in self.steps}
        for targets in forward.values():
            for t in targets:
                indegree[t] += 1
        queue = deque(sid for sid in self.order if indegree[sid] == 0)
        topo: list[str] = []
        while queue:
            sid = queue.popleft()
            topo.append(sid)
            for t in forward[sid]:
                indegree[t] -= 1
                if indegree[t] == 0:
                    queue.append(t)
        return topo


@dataclass(frozen=True, slots=True)
class Strand:
    """One strand of a parallel split: its first step, its steps (a nested block's
    included), the joins it reaches, where it leaves the block instead (an end, or back
    to a split whose strand it is in), and the splits nested in it."""

    head: str
    steps: frozenset[str]
    joins: frozenset[str]
    leaves: tuple[str, ...]
    nested: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Block:
    """A parallel split, its strands (one per id of its `next`, in written order) and the
    join where they all meet: None when they do not meet at exactly one join, or when a
    split nested in a strand shares it (`shared`): the block is not well formed."""

    split: str
    join: str | None
    strands: tuple[Strand, ...]
    shared: tuple[str, ...] = ()

    @property
    def steps(self) -> frozenset[str]:
        """Every step inside the block, between the split and the join."""
        return frozenset().union(*(strand.steps for strand in self.strands))


@dataclass(frozen=True, slots=True)
class CriticalPath:
    """The path a case takes longest on (step ids), its elapsed minutes (waits and work),
    and its hands-on minutes (the work of every strand of the blocks on it)."""

    path: list[str]
    elapsed: float
    hands_on: float


@dataclass(frozen=True, slots=True)
class _Timed:
    elapsed: float
    hands_on: float
    path: tuple[str, ...]


def _walk(sources: list[str], links: dict[str, list[str]]) -> set[str]:
    seen = set(sources)
    queue = deque(sources)
    while queue:
        for nxt in links[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def renamed_steps(before: Mapping[str, StepLike], after: Mapping[str, StepLike]) -> dict[str, str]:
    """Between two versions of a process (steps by id): old id -> new id for the steps
    whose id changed and nothing else that identifies them, a removed and an added step
    of the same kind and name, each the only one of its name among the removed and the
    added steps. Comparisons (the diff, the map against a revision) match them up."""

    def by_name(steps: list[StepLike]) -> dict[tuple[str, str], list[StepLike]]:
        found: dict[tuple[str, str], list[StepLike]] = {}
        for step in steps:
            found.setdefault((step.kind, " ".join(step.name.split()).casefold()), []).append(step)
        return found

    gone = by_name([s for sid, s in before.items() if sid not in after])
    came = by_name([s for sid, s in after.items() if sid not in before])
    return {
        olds[0].id: came[key][0].id
        for key, olds in gone.items()
        if len(olds) == 1 and len(came.get(key, ())) == 1
    }

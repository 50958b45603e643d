"""The flow of a process as a directed graph of step ids.

Owns: edges from `next` and `branches` (only those whose target exists), reachability
forwards and backwards, the reading order used to number steps, the longest path, and
which steps of two versions are one step under a new id.
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

    def longest_path(self) -> tuple[list[str], float]:
        """The start-to-end path with the most expected minutes, loops taken once."""
        minutes = {sid: (step.minutes or 0.0) for sid, step in self.steps.items()}
        forward = {
            sid: [t for t in self.succ[sid] if (sid, t) not in self.back_edges]
            for sid in self.steps
        }
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
        best: dict[str, tuple[float, list[str]]] = {}
        for sid in topo:
            if self.steps[sid].kind == "start":
                best.setdefault(sid, (minutes[sid], [sid]))
            if sid not in best:
                continue
            total, path = best[sid]
            for t in forward[sid]:
                candidate = (total + minutes[t], [*path, t])
                if t not in best or candidate[0] > best[t][0]:
                    best[t] = candidate
        finished = [best[e] for e in self.ends if e in best]
        if not finished:
            return [], 0.0
        total, path = max(finished, key=lambda item: item[0])
        return path, total


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

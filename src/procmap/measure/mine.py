"""The process tree of an event log: the inductive miner, infrequent variant (IMf).

Owns: `mine`, which turns a log's traces (each a tuple of activities, with how many cases
follow it) into a block-structured process tree of `Activity`, `Skip`, `Sequence`,
`Choice`, `Parallel` and `Loop` nodes, each with the number of traces it was mined from.
It follows Leemans, Fahland and van der Aalst's inductive miner ("Discovering
block-structured process models from event logs containing infrequent behaviour", 2013):
on the directly-follows graph of the traces (whole, then, as IMf does, with the arrows
rarer than `noise` of their source's most frequent one left out) it looks for a cut, in
this order: exclusive choice
(the graph falls apart), sequence (groups each reached only forwards), parallel (groups
whose activities all follow one another both ways) and loop (a body with every start and
end activity, and redo parts entered from its ends and leading back to its starts); it
splits the traces by the cut and mines each part. Where no cut fits, a fall-through: an
activity once in every trace runs beside the rest; else every activity in a loop of
choices (the "flower"), which fits every trace. A tree is always block-structured, so
the draft made from it is a valid procmap flow: decisions, loops and parallel blocks
that nest.

Must not know: logs, files, DuckDB, YAML or the procmap format (`draft` turns a tree
into a process).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise

Trace = tuple[str, ...]
Log = Counter[Trace]

#: IMf's default noise threshold: an arrow of the directly-follows graph rarer than this
#: share of its source's most frequent arrow is left out when looking for a cut.
NOISE = 0.2
#: Deeper than this, a part is drawn as a flower: a guard against pathological logs.
MAX_DEPTH = 60


@dataclass(frozen=True)
class Node:
    """A node of the tree; `traces`: how many traces (cases, or occurrences inside a
    loop) it was mined from."""

    traces: int


@dataclass(frozen=True)
class Activity(Node):
    name: str


@dataclass(frozen=True)
class Skip(Node):
    """Nothing happens: the branch of a choice that some traces take without an event."""


@dataclass(frozen=True)
class Sequence(Node):
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Choice(Node):
    """One of the children, in order of how many traces take it."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Parallel(Node):
    """Every child, in any order or at the same time."""

    children: tuple[Node, ...]


@dataclass(frozen=True)
class Loop(Node):
    """`body`, then either out or `redo` and `body` again: `again` times in all."""

    body: Node
    redo: Node
    again: int = 0


@dataclass
class _Graph:
    """The directly-follows graph of a log: arrows with counts, start and end counts."""

    arrows: Counter[tuple[str, str]] = field(default_factory=Counter)
    starts: Counter[str] = field(default_factory=Counter)
    ends: Counter[str] = field(default_factory=Counter)
    activities: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, log: Log, noise: float) -> _Graph:
        graph = cls()
        for trace, n in log.items():
            if not trace:
                continue
            graph.starts[trace[0]] += n
            graph.ends[trace[-1]] += n
            for a in trace:
                graph.activities[a] += n
            for pair in pairwise(trace):
                graph.arrows[pair] += n
        if noise > 0:
            most: dict[str, int] = {}
            for (a, _), n in graph.arrows.items():
                most[a] = max(most.get(a, 0), n)
            graph.arrows = Counter(
                {(a, b): n for (a, b), n in graph.arrows.items() if n >= noise * most[a]}
            )
        return graph

    def follows(self, a: str, b: str) -> bool:
        return (a, b) in self.arrows


def mine(log: Log, noise: float = NOISE) -> Node:
    """The process tree of `log` (trace -> number of cases)."""
    return _mine(Counter({t: n for t, n in log.items() if n > 0}), noise, 0)


def _mine(log: Log, noise: float, depth: int) -> Node:
    total = sum(log.values())
    empty = log.get((), 0)
    if empty == total:
        return Skip(total)
    if empty:
        rest = Counter({t: n for t, n in log.items() if t})
        if empty < noise * total / 2:  # IMf: a few empty traces are noise
            return _mine(rest, noise, depth)
        return Choice(total, _by_traces([_mine(rest, noise, depth + 1), Skip(empty)]))
    alphabet = {a for trace in log for a in trace}
    if len(alphabet) == 1:
        return _one_activity(log, next(iter(alphabet)), total)
    if depth > MAX_DEPTH:
        return _flower(log, alphabet, total)
    # The cuts on the whole graph first, then (IMf) without its infrequent arrows.
    for graph in (_Graph.of(log, 0), _Graph.of(log, noise)):
        for cut in (_choice, _sequence, _parallel, _loop):
            found = cut(log, graph, alphabet, noise, depth)
            if found is not None:
                return found
    return _fall_through(log, alphabet, noise, depth, total)


def _one_activity(log: Log, a: str, total: int) -> Node:
    """A log of one activity: it once, or repeated (a loop of it)."""
    once = sum(n for t, n in log.items() if len(t) == 1)
    if once >= total * (1 - NOISE / 2):
        return Activity(total, a)
    occurrences = sum(len(t) * n for t, n in log.items())
    body = Activity(occurrences, a)
    return Loop(total, body, Skip(occurrences - total), again=occurrences - total)


def _by_traces(children: list[Node]) -> tuple[Node, ...]:
    """Children most taken first; ties in a stable order (skips last, then by name)."""
    return tuple(sorted(children, key=lambda c: (-c.traces, isinstance(c, Skip), _key(c))))


def _key(node: Node) -> str:
    if isinstance(node, Activity):
        return node.name
    if isinstance(node, Loop):
        return _key(node.body)
    children = getattr(node, "children", ())
    return min((_key(c) for c in children), default="")


# -- the cuts ------------------------------------------------------------------------------


def _components(nodes: set[str], linked: dict[str, set[str]]) -> list[set[str]]:
    """Connected components of an undirected graph, in a stable order."""
    seen: set[str] = set()
    found: list[set[str]] = []
    for start in sorted(nodes):
        if start in seen:
            continue
        part = {start}
        stack = [start]
        while stack:
            for b in linked.get(stack.pop(), ()):
                if b in nodes and b not in part:
                    part.add(b)
                    stack.append(b)
        seen |= part
        found.append(part)
    return found


def _choice(log: Log, graph: _Graph, alphabet: set[str], noise: float, depth: int) -> Node | None:
    linked: dict[str, set[str]] = {a: set() for a in alphabet}
    for a, b in graph.arrows:
        linked[a].add(b)
        linked[b].add(a)
    groups = _components(alphabet, linked)
    if len(groups) < 2:
        return None
    parts: list[Log] = [Counter() for _ in groups]
    for trace, n in log.items():
        # IMf: a trace goes to the group that holds most of its events, projected on it
        best = max(range(len(groups)), key=lambda i: (sum(a in groups[i] for a in trace), -i))
        parts[best][tuple(a for a in trace if a in groups[best])] += n
    children = [_mine(p, noise, depth + 1) for p in parts if p]
    if len(children) == 1:
        return children[0]
    return Choice(sum(log.values()), _by_traces(children))


def _reach(graph: _Graph, alphabet: set[str]) -> dict[str, set[str]]:
    succ: dict[str, set[str]] = {a: set() for a in alphabet}
    for a, b in graph.arrows:
        succ[a].add(b)
    reach: dict[str, set[str]] = {}
    for a in alphabet:
        seen: set[str] = set()
        stack = list(succ[a])
        while stack:
            b = stack.pop()
            if b not in seen:
                seen.add(b)
                stack.extend(succ[b])
        reach[a] = seen
    return reach


def _sequence(log: Log, graph: _Graph, alphabet: set[str], noise: float, depth: int) -> Node | None:
    reach = _reach(graph, alphabet)
    # Activities that reach each other belong together (a loop); so do those of which
    # neither reaches the other (they are alternatives or side by side).
    parent = {a: a for a in alphabet}

    def root(a: str) -> str:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    names = sorted(alphabet)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            both = b in reach[a] and a in reach[b]
            neither = b not in reach[a] and a not in reach[b]
            if both or neither:
                parent[root(a)] = root(b)
    groups: dict[str, set[str]] = {}
    for a in names:
        groups.setdefault(root(a), set()).add(a)
    if len(groups) < 2:
        return None
    # Order the groups: each reaches every later one.
    ordered = sorted(
        groups.values(),
        key=lambda g: (
            -sum(1 for other in groups.values() if other is not g and _reaches(reach, g, other))
        ),
    )
    for i, g in enumerate(ordered):
        for later in ordered[i + 1 :]:
            if not _reaches(reach, g, later) or _reaches(reach, later, g):
                return None
    parts: list[Log] = [Counter() for _ in ordered]
    for trace, n in log.items():
        for i, g in enumerate(ordered):
            parts[i][tuple(a for a in trace if a in g)] += n
    children = [_mine(p, noise, depth + 1) for p in parts]
    return Sequence(sum(log.values()), tuple(_flat(children, Sequence)))


def _reaches(reach: dict[str, set[str]], a: set[str], b: set[str]) -> bool:
    return any(y in reach[x] for x in a for y in b)


def _flat(children: list[Node], kind: type[Sequence] | type[Parallel]) -> list[Node]:
    """Children of the same kind as their parent merged into it: a sequence of
    sequences is one sequence."""
    flat: list[Node] = []
    for child in children:
        if isinstance(child, kind):
            flat.extend(child.children)
        else:
            flat.append(child)
    return flat


def _parallel(log: Log, graph: _Graph, alphabet: set[str], noise: float, depth: int) -> Node | None:
    # Two activities are apart unless each directly follows the other: those apart
    # belong to one group.
    linked: dict[str, set[str]] = {a: set() for a in alphabet}
    names = sorted(alphabet)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if not (graph.follows(a, b) and graph.follows(b, a)):
                linked[a].add(b)
                linked[b].add(a)
    groups = _components(alphabet, linked)
    if len(groups) < 2:
        return None
    if not all(g & set(graph.starts) and g & set(graph.ends) for g in groups):
        return None
    parts: list[Log] = [Counter() for _ in groups]
    for trace, n in log.items():
        for i, g in enumerate(groups):
            parts[i][tuple(a for a in trace if a in g)] += n
    children = [_mine(p, noise, depth + 1) for p in parts]
    total = sum(log.values())
    return Parallel(total, tuple(sorted(_flat(children, Parallel), key=_key)))


def _loop(log: Log, graph: _Graph, alphabet: set[str], noise: float, depth: int) -> Node | None:
    starts, ends = set(graph.starts), set(graph.ends)
    body = starts | ends
    rest = alphabet - body
    if not rest:
        return _self_loop(log, graph, alphabet, noise, depth)
    linked: dict[str, set[str]] = {a: set() for a in rest}
    for a, b in graph.arrows:
        if a in rest and b in rest:
            linked[a].add(b)
            linked[b].add(a)
    redo: set[str] = set()
    for group in _components(rest, linked):
        entered = {a for a, b in graph.arrows if b in group and a not in group}
        left = {b for a, b in graph.arrows if a in group and b not in group}
        if entered and entered <= ends and left and left <= starts:
            redo |= group
        else:
            body |= group
    if not redo:  # nothing between the rounds: a loop back from an end to a start
        return _self_loop(log, graph, alphabet, noise, depth)
    return _split_loop(log, body, redo, noise, depth)


def _self_loop(
    log: Log, graph: _Graph, alphabet: set[str], noise: float, depth: int
) -> Node | None:
    """A loop whose redo part is empty: an end activity directly followed by a start
    activity, which is not a sequence or a choice."""
    back = any(graph.follows(e, s) for e in graph.ends for s in graph.starts)
    return _split_loop(log, alphabet, set(), noise, depth) if back else None


def _split_loop(log: Log, body: set[str], redo: set[str], noise: float, depth: int) -> Node:
    """The traces cut into body and redo occurrences: a new body occurrence begins
    after a redo part, or (with no redo part) where a start activity follows an end
    activity."""
    bodies: Log = Counter()
    redos: Log = Counter()
    for trace, n in log.items():
        run: list[str] = []
        in_body = True
        for a in trace:
            here = a not in redo
            if here != in_body and run:
                (bodies if in_body else redos)[tuple(run)] += n
                run = []
            in_body = here
            run.append(a)
        if run:
            (bodies if in_body else redos)[tuple(run)] += n
    total = sum(log.values())
    again = sum(redos.values())
    if not redo:
        return _repeat(log, body, noise, depth, total)
    return Loop(total, _mine(bodies, noise, depth + 1), _mine(redos, noise, depth + 1), again)


def _repeat(log: Log, alphabet: set[str], noise: float, depth: int, total: int) -> Node:
    """A loop with nothing between its rounds: each trace cut where a start activity
    directly follows an end activity."""
    graph = _Graph.of(log, 0)
    starts, ends = set(graph.starts), set(graph.ends)
    rounds: Log = Counter()
    for trace, n in log.items():
        run: list[str] = []
        for a in trace:
            if run and run[-1] in ends and a in starts:
                rounds[tuple(run)] += n
                run = []
            run.append(a)
        rounds[tuple(run)] += n
    occurrences = sum(rounds.values())
    if occurrences == total:  # no round boundary found after all
        return _flower(log, alphabet, total)
    body = _mine(rounds, noise, depth + 1)
    return Loop(total, body, Skip(occurrences - total), again=occurrences - total)


def _fall_through(log: Log, alphabet: set[str], noise: float, depth: int, total: int) -> Node:
    """No cut fits: an activity once in every trace runs beside the rest; else the
    flower."""
    for a in sorted(alphabet):
        if all(t.count(a) == 1 for t in log):
            rest: Log = Counter()
            for trace, n in log.items():
                rest[tuple(x for x in trace if x != a)] += n
            other = _mine(rest, noise, depth + 1)
            return Parallel(total, tuple(sorted([Activity(total, a), other], key=_key)))
    return _flower(log, alphabet, total)


def _flower(log: Log, alphabet: set[str], total: int) -> Node:
    """Any of the activities, any number of times: fits every trace, says little."""
    counts: Counter[str] = Counter()
    for trace, n in log.items():
        for a in trace:
            counts[a] += n
    occurrences = sum(counts.values())
    choice = Choice(occurrences, _by_traces([Activity(counts[a], a) for a in sorted(alphabet)]))
    return Loop(total, choice, Skip(occurrences - total), again=occurrences - total)

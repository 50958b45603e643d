"""The cases against the map's paths: arrows and branches, conformance, rework, variants.

Owns the figures that follow the authored map through the steps that never occur in the
log (decisions, usually; "silent" steps): `silent_path`, which map arrows a log
transition counts on (`arrows`: the arrows and the decisions' branches, counted by
`tables.arrow_counts`; a case's first event is reached from a start, and its last one
goes on to an end, through silent steps, `start_path` and `end_path`), the transitions
that leave the map (`off_map`), whether each distinct variant fits the map
(`conformance`; an event of an activity that maps to no step is off the map), and the
variants and rework as the result lists them. In Python, from the distinct variants:
bounded by the map and by what `engine` lets Python hold.

Must not know: how the log is read, SQL beyond the `tables` it calls, how a result is shown.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .tables import EXAMPLES, CaseVariant, Mapped, arrow_counts, round6

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

    from ..format import Flow, StepLike
    from ..render import (
        ArrowFigures,
        Branch,
        Conformance,
        Deviation,
        OffMap,
        Rework,
        Variant,
    )

#: A transition that leaves the map: (from, to); from is None when the first step of a
#: case cannot be reached from a start.
_Wrong = tuple[str | None, str]


def silent_path(
    flow: Flow[StepLike], silent: set[str], a: str, b: str
) -> list[tuple[str, str]] | None:
    """The arrows of the shortest map path from a to b whose inner steps are all silent."""
    parent: dict[str, str] = {}
    queue = deque([a])
    seen = {a}
    while queue:
        node = queue.popleft()
        for nxt in flow.succ.get(node, []):
            if nxt == b:
                path = [(node, b)]
                while node != a:
                    path.append((parent[node], node))
                    node = parent[node]
                return list(reversed(path))
            if nxt in silent and nxt not in seen:
                seen.add(nxt)
                parent[nxt] = node
                queue.append(nxt)
    return None


def _shortest(paths: Iterable[list[tuple[str, str]] | None]) -> list[tuple[str, str]] | None:
    """The shortest of `paths` that exists, the first of those as short (None: none)."""
    found = [path for path in paths if path is not None]
    return min(found, key=len) if found else None


def start_path(flow: Flow[StepLike], silent: set[str], sid: str) -> list[tuple[str, str]] | None:
    """The arrows by which a case whose first event is at `sid` came from a start: none
    when `sid` is a start, else the shortest path from a silent start through silent
    steps (None when there is none: the case leaves the map at its first event)."""
    if sid in flow.starts:
        return []
    return _shortest(silent_path(flow, silent, s, sid) for s in flow.starts if s in silent)


def end_path(flow: Flow[StepLike], silent: set[str], sid: str) -> list[tuple[str, str]] | None:
    """The arrows by which a case whose last event is at `sid` goes on to an end: none
    when `sid` is an end, else the shortest path to a silent end through silent steps
    (the first end in map order of those as near; None when no end is reachable so)."""
    if sid in flow.ends:
        return []
    return _shortest(silent_path(flow, silent, sid, end) for end in flow.ends if end in silent)


def arrows(
    con: DuckDBPyConnection,
    e: Mapped,
    flow: Flow[StepLike],
    silent: set[str],
    pairs: Iterable[tuple[str, str]],
    bounds: tuple[dict[str, int], dict[str, int]],
) -> tuple[list[ArrowFigures], list[Branch]]:
    """The arrows of the map in map order, and the branches of its decisions. A log
    transition A->B (`pairs`, the directly-follows pairs) counts on every arrow of the
    shortest map path from A to B through silent steps, with the A->B time on each; the
    cases that begin at each step (`bounds`, first) count on their `start_path` and those
    that end at each (`bounds`, second) on their `end_path`, without a time. `share`
    (arrows leaving a decision only): count / transitions through the decision."""
    number = e.number
    used: list[tuple[int, int, str, str]] = []
    for f, g in pairs:
        for x, y in silent_path(flow, silent, f, g) or []:
            used.append((number[f], number[g], x, y))
    figures = arrow_counts(con, e, used)
    first, last = bounds
    for cases, path_of in ((first, start_path), (last, end_path)):
        for sid, k in cases.items():
            for x, y in path_of(flow, silent, sid) or []:
                count, p50 = figures.get((x, y), (0, None))
                figures[(x, y)] = (count + k, p50)
    through: dict[str, int] = {}
    for edge in flow.edges:
        through[edge.source] = (
            through.get(edge.source, 0) + figures.get((edge.source, edge.target), (0, None))[0]
        )
    listed: list[ArrowFigures] = []
    branches: list[Branch] = []
    by_order = {sid: i for i, sid in enumerate(flow.order)}
    for edge in sorted(flow.edges, key=lambda e: by_order[e.source]):
        count, p50 = figures.get((edge.source, edge.target), (0, None))
        step = flow.steps[edge.source]
        is_decision = step.kind == "decision"
        share = (
            round6(count / through[edge.source]) if is_decision and through[edge.source] else None
        )
        listed.append(
            {
                "from": edge.source,
                "to": edge.target,
                "label": edge.label,
                "count": count,
                "share": share,
                "p50": round6(p50),
            }
        )
        if is_decision and edge.label is not None:
            expected = (step.shares or {}).get(edge.label)
            branches.append(
                {
                    "decision": edge.source,
                    "label": edge.label,
                    "to": edge.target,
                    "count": count,
                    "share": share,
                    "expected": None if expected is None else float(expected),
                }
            )
    return listed, branches


def off_map(
    flow: Flow[StepLike],
    silent: set[str],
    pairs: Iterable[tuple[str, str, int]],
    first: dict[str, int],
) -> list[OffMap]:
    """Every transition of the log that leaves the map: each (from, to, count) of `pairs`
    (consecutive events, mapped or not) with no map path through silent steps, and the
    cases whose first event (`first`, cases by step) no start reaches (from None); most
    first, then by from and to."""
    listed: list[OffMap] = [
        {"from": f, "to": g, "count": k}
        for f, g, k in pairs
        if silent_path(flow, silent, f, g) is None
    ]
    listed += [
        {"from": None, "to": sid, "count": k}
        for sid, k in first.items()
        if start_path(flow, silent, sid) is None
    ]
    listed.sort(key=lambda d: (-d["count"], d["from"] or "", d["to"]))
    return listed


def _wrong(flow: Flow[StepLike], silent: set[str], seq: Sequence[str]) -> _Wrong | None:
    """The first transition of `seq` that leaves the map (None when it has none); an
    activity that maps to no step has no arrow into or out of it."""
    first = seq[0]
    if start_path(flow, silent, first) is None:
        return (None, first)
    for a, b in itertools.pairwise(seq):
        if silent_path(flow, silent, a, b) is None:
            return (a, b)
    return None


def _can_end(flow: Flow[StepLike], silent: set[str], sid: str) -> bool:
    """An end is reachable from `sid`: it is one, or one without events is passed
    silently (an end with events must be in the log)."""
    ends = set(flow.ends)
    if sid in ends:
        return True
    return any(silent_path(flow, silent, sid, end) for end in ends if end in silent)


def conformance(
    flow: Flow[StepLike],
    silent: set[str],
    variants: Sequence[CaseVariant],
    total: int,
    leaving: list[OffMap],
) -> Conformance:
    """A case fits when its steps are a path of the map from a start step to an end step,
    passing the silent steps; it is incomplete when it fits so far but stops where no end
    is reachable through them; else it deviates at its first transition that leaves the
    map (`leaving`: every transition that leaves it, `off_map`). Examples: up to
    `EXAMPLES` case ids in log order."""
    fitting = incomplete = 0
    deviations: dict[_Wrong, tuple[list[int], list[tuple[int, str]]]] = {}
    incomplete_ex: list[tuple[int, str]] = []
    for variant in variants:
        wrong = _wrong(flow, silent, variant.steps)
        examples = zip(variant.rows, variant.examples, strict=True)
        if wrong is not None:
            count, found = deviations.setdefault(wrong, ([0], []))
            count[0] += variant.cases
            found.extend(examples)
        elif _can_end(flow, silent, variant.steps[-1]):
            fitting += variant.cases
        else:
            incomplete += variant.cases
            incomplete_ex.extend(examples)
    listed: list[Deviation] = [
        {"from": f, "to": g, "count": k, "examples": [c for _, c in sorted(ex)[:EXAMPLES]]}
        for (f, g), ([k], ex) in deviations.items()
    ]
    listed.sort(key=lambda d: (-d["count"], d["from"] or "", d["to"]))
    return {
        "fitting": fitting,
        "deviating": total - fitting - incomplete,
        "incomplete": incomplete,
        "fitness": round6(fitting / total) if total else None,
        "deviations": listed,
        "off_map": leaving,
        "unobserved_steps": [sid for sid in flow.order if sid in silent],
        "incomplete_examples": [c for _, c in sorted(incomplete_ex)[:EXAMPLES]],
    }


def rework(variants: Sequence[CaseVariant], total: int, steps: Iterable[str]) -> Rework:
    """Cases in which a step (of `steps`, not an unmapped activity) occurs more than
    once, and their share of `total`."""
    on_map = set(steps)

    def again(seq: list[str]) -> bool:
        mapped = [sid for sid in seq if sid in on_map]
        return len(set(mapped)) < len(mapped)

    cases = sum(v.cases for v in variants if again(v.steps))
    return {"cases": cases, "rate": round6(cases / total) if total else None}


def variant_list(variants: Sequence[CaseVariant], total: int) -> list[Variant]:
    """The variants, most common first, then by steps."""
    listed: list[Variant] = [
        {"steps": v.steps, "cases": v.cases, "share": round6(v.cases / total)} for v in variants
    ]
    listed.sort(key=lambda item: (-item["cases"], item["steps"]))
    return listed

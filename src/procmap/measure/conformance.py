"""The cases against the map's paths: arrows and branches, conformance, rework, variants.

Owns the figures that follow the authored map through the steps that never occur in the
log (decisions, usually; "silent" steps): `silent_path`, which map arrows a log
transition counts on (`arrows`: the arrows and the decisions' branches, counted by
`tables.arrow_counts`), whether each distinct variant fits the map (`conformance`), and
the variants and rework as the result lists them. In Python, from the distinct variants:
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


def arrows(
    con: DuckDBPyConnection,
    e: Mapped,
    flow: Flow[StepLike],
    silent: set[str],
    pairs: Iterable[tuple[str, str]],
) -> tuple[list[ArrowFigures], list[Branch]]:
    """The arrows of the map in map order, and the branches of its decisions. A log
    transition A->B (`pairs`, the directly-follows pairs) counts on every arrow of the
    shortest map path from A to B through silent steps, with the A->B time on each.
    `share` (arrows leaving a decision only): count / transitions through the decision."""
    number = e.number
    used: list[tuple[int, int, str, str]] = []
    for f, g in pairs:
        for x, y in silent_path(flow, silent, f, g) or []:
            used.append((number[f], number[g], x, y))
    figures = arrow_counts(con, e, used)
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


def _wrong(flow: Flow[StepLike], silent: set[str], seq: Sequence[str]) -> _Wrong | None:
    """The first transition of `seq` that leaves the map (None when it has none)."""
    first = seq[0]
    if first not in flow.starts and not any(
        silent_path(flow, silent, s, first) for s in flow.starts if s in silent
    ):
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
    flow: Flow[StepLike], silent: set[str], variants: Sequence[CaseVariant], total: int
) -> Conformance:
    """A case fits when its steps are a path of the map from a start step to an end step,
    passing the silent steps; it is incomplete when it fits so far but stops where no end
    is reachable through them; else it deviates at its first transition that leaves the
    map. Examples: up to `EXAMPLES` case ids in log order."""
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
        "unobserved_steps": [sid for sid in flow.order if sid in silent],
        "incomplete_examples": [c for _, c in sorted(incomplete_ex)[:EXAMPLES]],
    }


def rework(variants: Sequence[CaseVariant], total: int) -> Rework:
    """Cases in which a step occurs more than once, and their share of `total`."""
    cases = sum(v.cases for v in variants if len(set(v.steps)) < len(v.steps))
    return {"cases": cases, "rate": round6(cases / total) if total else None}


def variant_list(variants: Sequence[CaseVariant], total: int) -> list[Variant]:
    """The variants, most common first, then by steps."""
    listed: list[Variant] = [
        {"steps": v.steps, "cases": v.cases, "share": round6(v.cases / total)} for v in variants
    ]
    listed.sort(key=lambda item: (-item["cases"], item["steps"]))
    return listed

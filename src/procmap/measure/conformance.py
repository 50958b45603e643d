"""The cases against the map's paths: arrows and branches, conformance, rework, variants.

Owns the figures that follow the authored map through the steps that never occur in the
log (decisions, usually; "silent" steps): `silent_path`, which map arrows a log
transition counts on (`arrows`: the arrows and the decisions' branches, counted by
`tables.arrow_counts`; a case's first event is reached from a start, and its last one
goes on to an end, through silent steps, `start_path` and `end_path`; a map with
parallel blocks counts them strand by strand from each variant's replay, `replay.Net`,
timed by `strands.link_times`), the transitions that leave the map (`off_map`; two
steps of different strands of a block follow each other without leaving it), whether
each distinct variant fits the map (`conformance`: replayed once on the map read as a
workflow net; an event of an activity that maps to no step is off the map), the silent
steps with a wait and the transitions that pass them (`passing`), and the variants and
rework as the result lists them. In Python, from the distinct variants: bounded by the
map and by what `engine` lets Python hold.

Must not know: how the log is read, SQL beyond the `tables` and `strands` it calls, how a
result is shown.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .replay import Link, Net, concurrent
from .strands import link_times, link_waits, wait_times
from .tables import EXAMPLES, Cases, CaseVariant, Mapped, arrow_counts, round6

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
        StepFigures,
        Variant,
        WaitFigures,
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
    variants: Sequence[CaseVariant] = (),
    pc: Cases | None = None,
) -> tuple[list[ArrowFigures], list[Branch]]:
    """The arrows of the map in map order, and the branches of its decisions. A log
    transition A->B (`pairs`, the directly-follows pairs) counts on every arrow of the
    shortest map path from A to B through silent steps, with the A->B time on each; the
    cases that begin at each step (`bounds`, first) count on their `start_path` and those
    that end at each (`bounds`, second) on their `end_path`, without a time. A map with
    parallel blocks counts strand by strand instead, from the `variants` replayed
    (`_replayed`; `pc`, table `pc`, gives the times). `share` (arrows leaving a
    decision only): count / transitions through the decision."""
    if flow.blocks and pc is not None:
        return _listed(flow, _replayed(con, e, pc, flow, silent, variants))
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
    return _listed(flow, figures)


def _listed(
    flow: Flow[StepLike], figures: dict[tuple[str, str], tuple[int, float | None]]
) -> tuple[list[ArrowFigures], list[Branch]]:
    """The arrows of the map in map order with their `figures` ((x, y) -> count, median
    seconds), and the branches of its decisions."""
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


def _replayed(
    con: DuckDBPyConnection,
    e: Mapped,
    pc: Cases,
    flow: Flow[StepLike],
    silent: set[str],
    variants: Sequence[CaseVariant],
) -> dict[tuple[str, str], tuple[int, float | None]]:
    """(x, y) -> (count, median seconds) of the arrows of a map with parallel blocks:
    each distinct variant replayed once (`replay.Net.links`), each event counting on the
    arrows by which it took its tokens, with the time from the event that put them there
    (a case's first event, from its start, and a silent end, without a time), weighted by
    the variant's cases. Past where a variant stops fitting, its transitions count as a
    map without blocks counts them (`silent_path`; none between two strands), and its
    first and last event on their `start_path` and `end_path`."""
    net = Net(flow, silent)
    apart = concurrent(flow)
    counts: dict[tuple[str, str], int] = {}
    timed: list[tuple[int, int, int, str, str]] = []
    for variant in variants:
        for j, k, taken in _variant_links(net, flow, silent, apart, variant.steps):
            for x, y in taken:
                counts[(x, y)] = counts.get((x, y), 0) + variant.cases
                if j >= 0 and k is not None:
                    timed.append((variant.rows[0], j + 1, k + 1, x, y))
    times = link_times(con, e, pc, timed)
    return {arrow: (count, times.get(arrow)) for arrow, count in counts.items()}


def _variant_links(
    net: Net,
    flow: Flow[StepLike],
    silent: set[str],
    apart: set[tuple[str, str]],
    steps: Sequence[str],
) -> list[Link]:
    """The links of one variant (`_replayed`)."""
    links, fired = net.links(steps)
    if net.classify(steps).fits:
        return links
    if fired == 0:
        links.append((-1, 0, tuple(start_path(flow, silent, steps[0]) or ())))
    for k in range(fired + 1, len(steps)):
        a, b = steps[k - 1], steps[k]
        if (a, b) not in apart:
            links.append((k - 1, k, tuple(silent_path(flow, silent, a, b) or ())))
    links.append((len(steps) - 1, None, tuple(end_path(flow, silent, steps[-1]) or ())))
    return links


def waits(
    con: DuckDBPyConnection,
    e: Mapped,
    pc: Cases,
    flow: Flow[StepLike],
    silent: set[str],
    variants: Sequence[CaseVariant],
    pairs: Iterable[tuple[str, str]],
    steps: Sequence[StepFigures],
) -> list[WaitFigures]:
    """Each step with a `wait:` and the waiting measured before it (`strands.wait_times`):
    on a map with parallel blocks, from each variant's replay (the event whose token the
    step took, into it or, a step without events, through it); else from the steps'
    waiting and, for a silent step, the transitions that pass it (`passing`)."""
    if not flow.blocks:
        return wait_times(con, e, flow, passing(flow, silent, pairs), steps)
    waiting = {sid for sid in flow.steps if flow.steps[sid].wait_minutes}
    net = Net(flow, silent)
    apart = concurrent(flow)
    timed: list[tuple[int, int, int, str, str]] = []
    for variant in variants:
        for j, k, taken in _variant_links(net, flow, silent, apart, variant.steps):
            if j < 0 or k is None or not taken:
                continue
            key = variant.rows[0]
            # the steps it passes, and the one it goes into (by its last arrow: a
            # strand that reached a join before the last one did not go on from it)
            passed = {x for x, _ in taken[1:]} | {taken[-1][1]}
            timed.extend((key, j + 1, k + 1, sid, "") for sid in sorted(passed & waiting))
    return wait_times(con, e, flow, {}, steps, link_waits(con, e, pc, timed))


def passing(
    flow: Flow[StepLike], silent: set[str], pairs: Iterable[tuple[str, str]]
) -> dict[str, list[tuple[str, str]]]:
    """Each silent step with a `wait:`, and the consecutive events (`pairs`, step ids)
    whose `silent_path` passes it: where the log shows its wait."""
    waiting = {sid for sid in silent if flow.steps[sid].wait_minutes}
    found: dict[str, list[tuple[str, str]]] = {}
    if not waiting:
        return found
    for f, g in pairs:
        for _, y in silent_path(flow, silent, f, g) or []:
            if y in waiting:
                found.setdefault(y, []).append((f, g))
    return found


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
    apart = concurrent(flow)
    listed: list[OffMap] = [
        {"from": f, "to": g, "count": k}
        for f, g, k in pairs
        if (f, g) not in apart and silent_path(flow, silent, f, g) is None
    ]
    listed += [
        {"from": None, "to": sid, "count": k}
        for sid, k in first.items()
        if start_path(flow, silent, sid) is None
    ]
    listed.sort(key=lambda d: (-d["count"], d["from"] or "", d["to"]))
    return listed


def conformance(
    flow: Flow[StepLike],
    silent: set[str],
    variants: Sequence[CaseVariant],
    total: int,
    leaving: list[OffMap],
) -> Conformance:
    """Each distinct variant replayed once on the map read as a workflow net (the token
    game, `replay.Net`: the silent steps fire without events, a split runs every strand,
    a join waits for each): a case fits when its events fire in order and leave no
    token, a valid interleaving of the strands, loops and decisions included; it is
    incomplete when they fire but some strand or the way to an end is left undone; else
    it deviates at its first event that cannot fire, from the event before it (`from`
    None: its first event; an activity that maps to no step never fires). `leaving`:
    every transition that leaves the map, `off_map`. Examples: up to `EXAMPLES` case
    ids in log order."""
    fitting = incomplete = 0
    deviations: dict[_Wrong, tuple[list[int], list[tuple[int, str]]]] = {}
    incomplete_ex: list[tuple[int, str]] = []
    net = Net(flow, silent)
    for variant in variants:
        verdict = net.classify(variant.steps)
        examples = zip(variant.rows, variant.examples, strict=True)
        if verdict.at is not None:
            at = verdict.at
            wrong = (variant.steps[at - 1] if at else None, variant.steps[at])
            count, found = deviations.setdefault(wrong, ([0], []))
            count[0] += variant.cases
            found.extend(examples)
        elif verdict.fits:
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

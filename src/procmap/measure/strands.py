"""The figures of parallel blocks and waits, computed on DuckDB's connection.

Owns the queries that read table `e` (`tables.Mapped`) and `pc` (`tables.Cases`) for what a
map with parallel blocks or waits adds: the time of each link the replay found between
two events of a case that need not be consecutive (`link_times`, table `lk`; and from
the first's timestamp to the second's start for the waits, `link_waits`, table `lw`),
each block's time from split to join (`block_times`), and the waiting time measured where
a step declares a `wait:` (`wait_times`). Durations in seconds.

Must not know: how the log was read, how the links were found (`replay`), how figures
are shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .tables import STATS, Cases, Mapped, stats

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

    from ..format import Flow, StepLike
    from ..render import BlockFigures, Stats, StepFigures, WaitFigures

#: A link to time: (the variant's first case id, the events' numbers in their case, from
#: and to, and an arrow it counts on).
TimedLink = tuple[str, int, int, str, str]


def link_times(
    con: DuckDBPyConnection, e: Mapped, pc: Cases, links: Sequence[TimedLink]
) -> dict[tuple[str, str], float | None]:
    """(x, y) -> median seconds, over every case of each link's variant, from the link's
    first event's timestamp to its second's, of the `links` on arrow x -> y (table `lk`;
    a case's variant is named by its first case in log order, as `tables.variants`
    lists it)."""
    if not links:
        return {}
    rows = con.execute(
        f"""SELECT lk.ax, lk.ay, quantile_cont((b.t - a.t) / 1000000.0, 0.5)
           FROM {_linked(con, e, pc, "lk", links)} GROUP BY lk.ax, lk.ay"""
    ).fetchall()
    return {(x, y): None if p50 is None else float(p50) for x, y, p50 in rows}


def link_waits(
    con: DuckDBPyConnection, e: Mapped, pc: Cases, links: Sequence[TimedLink]
) -> dict[str, tuple[int, Stats | None]]:
    """Step -> (count, {mean, p50, p90}) of the time, over every case of each link's
    variant, from the link's first event's timestamp to its second's start, of the
    `links` whose arrow (x, y) names the step as x (table `lw`; an overlap, a start before
    the first event's timestamp, left out, as in the steps' waiting)."""
    if not links:
        return {}
    rows = con.execute(
        f"""SELECT lw.ax, count(*), {STATS.format(x="(b.s - a.t)")}
           FROM {_linked(con, e, pc, "lw", links)} WHERE b.s >= a.t GROUP BY lw.ax"""
    ).fetchall()
    return {str(x): (int(k), stats(row)) for x, k, *row in rows}


def _linked(
    con: DuckDBPyConnection, e: Mapped, pc: Cases, name: str, links: Sequence[TimedLink]
) -> str:
    """SQL FROM: table `name` made of `links`, joined to every case of each link's
    variant (`cv`) and to the link's two events (`a`, `b`)."""
    columns = [list(column) for column in zip(*links, strict=True)]
    con.execute(
        f"""CREATE TABLE {name} AS SELECT unnest($1::VARCHAR[]) AS x,
                  unnest($2::UINTEGER[]) AS j, unnest($3::UINTEGER[]) AS k,
                  unnest($4::VARCHAR[]) AS ax, unnest($5::VARCHAR[]) AS ay""",
        columns,
    )
    return f"""{name} JOIN (SELECT c, CAST(first_value(c) OVER (PARTITION BY v ORDER BY r0)
                                        AS VARCHAR) AS x FROM {pc.name}) AS cv
               ON cv.x = {name}.x
               JOIN {e.name} AS a ON a.c = cv.c AND a.n = {name}.j
               JOIN {e.name} AS b ON b.c = cv.c AND b.n = {name}.k"""


def block_times(con: DuckDBPyConnection, e: Mapped, flow: Flow[StepLike]) -> list[BlockFigures]:
    """Each parallel block of the map, in map order of its split: the cases with an event
    of a step inside it, and the {mean, p50, p90} of each such case's time from the
    earliest start of those events to the latest timestamp (a case that passes the block
    twice, in a loop, counts once, from the first time to the last)."""
    listed: list[BlockFigures] = []
    by_order = {sid: i for i, sid in enumerate(flow.order)}
    for split in sorted(flow.blocks, key=lambda sid: by_order[sid]):
        block = flow.blocks[split]
        inside = sorted(e.number[sid] for sid in block.steps if sid in e.number)
        row = None
        cases = 0
        if inside:
            numbers = ", ".join(str(k) for k in inside)
            cases, *row = con.execute(
                f"""SELECT count(*), {STATS.format(x="x")} FROM (
                       SELECT max(t) - min(s) AS x FROM {e.name}
                       WHERE step IN ({numbers}) GROUP BY c)"""
            ).fetchone() or (0, None, None)
        listed.append(
            {
                "split": split,
                "join": block.join,
                "strands": len(block.strands),
                "cases": int(cases),
                "time": stats(row) if cases else None,
            }
        )
    return listed


def wait_times(
    con: DuckDBPyConnection,
    e: Mapped,
    flow: Flow[StepLike],
    paths: dict[str, list[tuple[str, str]]],
    steps: Sequence[StepFigures],
    replayed: dict[str, tuple[int, Stats | None]] | None = None,
) -> list[WaitFigures]:
    """Each step with a `wait:`, in map order: the declared wait in seconds and the
    waiting measured before it, from the previous event's timestamp to the start of the
    next event: a step the log has, its own waiting (`steps`, `tables.step_figures`); a
    step without events (a decision), the consecutive events (a, b) of `paths[step]`
    (the pairs whose way on the map passes it), counted and timed alike (an overlap left
    out). A map with parallel blocks gives `replayed` instead (`link_waits`): from the
    event whose token the step took, in its own strand, not the case's previous event,
    which may be another strand's."""
    waiting = {figures["id"]: figures for figures in steps}
    listed: list[WaitFigures] = []
    for sid in flow.order:
        minutes = flow.steps[sid].wait_minutes
        if not minutes:
            continue
        own = waiting.get(sid)
        if replayed is not None:
            count, measured = replayed.get(sid, (0, None))
        elif own is not None and own["events"]:
            count, measured = own["events"] - own["overlaps"], own["waiting"]
        else:
            count, measured = _pair_waits(con, e, paths.get(sid, []))
        listed.append(
            {
                "step": sid,
                "declared": float(minutes * 60),
                "count": count,
                "measured": measured,
            }
        )
    return listed


def _pair_waits(
    con: DuckDBPyConnection, e: Mapped, pairs: list[tuple[str, str]]
) -> tuple[int, Stats | None]:
    """The consecutive events (a, b) of `pairs` (step ids) counted, and the {mean, p50,
    p90} of b's start minus a's timestamp (those where b started after a finished)."""
    known = [(e.number[a], e.number[b]) for a, b in pairs if a in e.number and b in e.number]
    if not known:
        return 0, None
    match = " OR ".join(f"(a.step = {a} AND a.g = {b})" for a, b in sorted(set(known)))
    count, *row = con.execute(
        f"""SELECT count(*), {STATS.format(x="w")} FROM (
               SELECT b.s - a.t AS w FROM {e.name} AS a JOIN {e.name} AS b
               ON a.c = b.c AND b.n = a.n + 1
               WHERE ({match})
                 AND b.s >= a.t)"""
    ).fetchone() or (0, None, None)
    return int(count), stats(row) if count else None

"""The figures of parallel blocks and waits, computed on DuckDB's connection.

Owns the queries that read table `e` (`tables.Mapped`) and `pc` (`tables.Cases`) for what a
map with parallel blocks or waits adds: the time of each link the replay found between
two events of a case that need not be consecutive (`link_times`, tables `lk`, `lk_t`;
and from the first's timestamp to the second's start for the waits, `link_waits`, tables
`lw`, `lw_t`; each case named by its variant's first row, table `cv`),
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

#: A link to time: (the variant's first row, `tables.CaseVariant.rows[0]`, the events'
#: numbers in their case, from and to, and an arrow it counts on).
TimedLink = tuple[int, int, int, str, str]


def link_times(
    con: DuckDBPyConnection, e: Mapped, pc: Cases, links: Sequence[TimedLink]
) -> dict[tuple[str, str], float | None]:
    """(x, y) -> median seconds, over every case of each link's variant, from the link's
    first event's timestamp to its second's, of the `links` on arrow x -> y (table `lk`;
    a case's variant is named by the first row of its first case in log order, as
    `tables.variants` lists it)."""
    if not links:
        return {}
    name = _linked(con, e, pc, "lk", links)
    rows = con.execute(
        f"""SELECT l.ax, l.ay, quantile_cont(t.dt / 1000000.0, 0.5)
           FROM {name} AS l JOIN {name}_t AS t USING (x, j, k) GROUP BY l.ax, l.ay"""
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
    name = _linked(con, e, pc, "lw", links)
    rows = con.execute(
        f"""SELECT l.ax, count(*), {STATS.format(x="t.dw")}
           FROM {name} AS l JOIN {name}_t AS t USING (x, j, k) WHERE t.dw >= 0
           GROUP BY l.ax"""
    ).fetchall()
    return {str(x): (int(k), stats(row)) for x, k, *row in rows}


def _linked(
    con: DuckDBPyConnection, e: Mapped, pc: Cases, name: str, links: Sequence[TimedLink]
) -> str:
    """Table `name` made of `links`, and `name`_t: for each distinct link (variant,
    events) and each case of its variant (table `cv`, made once: each case with its
    variant's first row), `dt`, from the first event's timestamp to the second's, and
    `dw`, to the second's start, in microseconds. Returns `name`."""
    columns = [list(column) for column in zip(*links, strict=True)]
    con.execute(
        f"""CREATE TABLE {name} AS SELECT unnest($1::UBIGINT[]) AS x,
                  unnest($2::UINTEGER[]) AS j, unnest($3::UINTEGER[]) AS k,
                  unnest($4::VARCHAR[]) AS ax, unnest($5::VARCHAR[]) AS ay""",
        columns,
    )
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS cv AS
               SELECT c, min(r0) OVER (PARTITION BY v) AS x FROM {pc.name}"""
    )
    con.execute(
        f"""CREATE TABLE {name}_t AS SELECT p.x, p.j, p.k, b.t - a.t AS dt, b.s - a.t AS dw
           FROM (SELECT DISTINCT x, j, k FROM {name}) AS p JOIN cv ON cv.x = p.x
           JOIN {e.name} AS a ON a.c = cv.c AND a.n = p.j
           JOIN {e.name} AS b ON b.c = cv.c AND b.n = p.k"""
    )
    return name


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

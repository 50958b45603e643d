"""The figures computed on DuckDB's connection: one function per table, and the queries.

Owns the tables after `ev` (`logread.read_events`), each made by one function and named
by the handle it returns, which the functions that read it take: `e` (`Mapped`: the
readable events, with their case and step as numbers, an activity off the map numbered
after the steps, and the per-case window figures), `cn` (the case ids by number, made
with `e`), `pc` (`Cases`: one row per case), `vr` (`VariantTable`: one row per distinct
variant), and the small helper tables `m` (the numbered activities as text) and `uses`
(log transitions on map arrows). Every query
that reads them is here: skipped rows, activity counts, steps, directly-follows pairs
(and those with an unmapped activity), the steps cases begin and end at, arrow counts,
throughput and the metrics' figures. Durations come out in seconds, timestamps as ISO 8601 UTC with `Z`.

Must not know: how the log was read (it is given table `ev`), memory limits (`engine`
checks them between steps), how the figures are assembled or shown.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from .logread import Events

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

    from ..format import Flow, StepLike
    from ..render import DirectlyFollows, SkippedRows, Stats, StepFigures

#: Examples kept: skipped rows, and case ids of a deviation or of incomplete cases.
EXAMPLES = 5
#: The mean and [p50, p90], in seconds, of `x`, a duration in whole microseconds. The mean
#: of the integers is exact (DuckDB sums them in 128 bits), so it does not depend on the
#: order the threads add them in, as a mean of floats does in its last digit; both
#: percentiles come from one sort (twice as fast as two).
STATS = "avg({x}) / 1000000.0, quantile_cont({x} / 1000000.0, [0.5, 0.9])"


def round6(value: float | None) -> float | None:
    """A figure rounded to microseconds (None for none, or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), 6)


def iso(micros: int | None) -> str | None:
    """Microseconds since the epoch as ISO 8601 UTC with `Z` (None for none)."""
    if micros is None:
        return None
    moment = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=micros)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def stats(row: Sequence[Any] | None) -> Stats | None:
    """{mean, p50, p90} from a row of `STATS`: the mean and the list [p50, p90]."""
    if row is None or row[0] is None:
        return None
    return {"mean": round6(row[0]), "p50": round6(row[1][0]), "p90": round6(row[1][1])}


def one(con: DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> tuple[Any, ...]:
    """The one row of an aggregate query."""
    row = con.execute(sql, params).fetchone()
    assert row is not None, sql  # an aggregate without GROUP BY has a row
    return row


# -- from table ev ------------------------------------------------------------------------


def skipped_rows(con: DuckDBPyConnection, ev: Events) -> SkippedRows:
    """The rows of `ev` that lack a case, an activity or a readable timestamp: counted,
    the first `EXAMPLES` with their reason (`row` 1-based, the header not counted)."""
    bad = con.execute(
        f"""SELECT rowid + 1, CASE WHEN c IS NULL THEN 'missing case id'
                          WHEN {ev.missing_activity} THEN 'missing activity'
                          WHEN ts_text IS NULL OR trim(ts_text) = '' THEN 'missing timestamp'
                          ELSE 'unparseable timestamp ' || ts_text END
           FROM {ev.name} WHERE {ev.unreadable} ORDER BY rowid LIMIT {EXAMPLES}"""
    ).fetchall()
    (count,) = one(con, f"SELECT count(*) FROM {ev.name} WHERE {ev.unreadable}")
    return {
        "count": int(count),
        "examples": [{"row": int(r), "reason": reason} for r, reason in bad],
    }


def activity_counts(
    con: DuckDBPyConnection, ev: Events, size: int = 10_000
) -> Iterator[list[tuple[str, int]]]:
    """(activity, events) of the readable rows of `ev`, trimmed: `size` at a time when the
    activities are text, else in one chunk (the ENUM's values merged by their trimmed
    spelling)."""
    if ev.values is None:
        cursor = con.execute(
            f"SELECT trim(a), count(*) FROM {ev.name} WHERE {ev.readable} GROUP BY trim(a)"
        )
        while rows := cursor.fetchmany(size):
            yield [(str(a), int(n)) for a, n in rows]
        return
    merged: dict[str, int] = {}
    for value, k in con.execute(
        f"SELECT a, count(*) FROM {ev.name} WHERE {ev.readable} GROUP BY a"
    ).fetchall():
        name = ev.name_of[str(value)]
        assert name is not None
        merged[name] = merged.get(name, 0) + int(k)
    yield list(merged.items())


# -- table e -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mapped:
    """Table `e`: the readable events, each with its case `c` as a number (the row in
    the file of the case's first event: a number is half the memory of a case id, and
    `e` is the largest table; `names` gives the case ids), its step as a number `step`
    (`ids[step]` is the step id, `number` the reverse), `t`, `s`, its number in its case
    `n` (by timestamp, ties in file order), the previous event's timestamp `pt`, the next
    event's step `g` and the time to it `d` (microseconds): one window sort gives every
    per-case figure.

    The first `on_map` numbers are the steps; the numbers after them are activities that
    map to no step (`ids` names them: the listed unmapped activities by name, the rest
    together as `OTHER_UNMAPPED`). Their events stay in `e` so that the events before
    and after one are not joined into a transition that never happened."""

    ids: list[str]
    number: dict[str, int]
    on_map: int
    name: str = "e"
    names: str = "cn"

    @property
    def mapped(self) -> str:
        """SQL: the event's activity maps to a step."""
        return f"step < {self.on_map}"


#: The name of the unmapped activities beyond those listed, taken together.
OTHER_UNMAPPED = "(other unmapped activities)"


def mapped_events(
    con: DuckDBPyConnection,
    ev: Events,
    mapping: Mapping[str, str],
    ids: list[str],
    unmapped: Sequence[str] = (),
    others: bool = False,
) -> Mapped:
    """Table `e` from table `ev` (then dropped), `mapping` (activity -> step id, `ids`
    the step ids), the `unmapped` activities numbered each after the steps, and the
    other unmapped activities (`others`: there are some) as one more, `OTHER_UNMAPPED`;
    and table `cn` (`Mapped.names`), each case's number `r` and id `c`. Rows are
    numbered as UINTEGER: a log of more than 4,294,967,295 rows is refused (DuckDB's
    conversion error), long before it could be measured."""
    # an unmapped activity spelled as a step id (a step that lists other activities)
    # is named apart from the step
    names = [f"{a} (not on the map)" if a in ids else a for a in unmapped]
    names += [OTHER_UNMAPPED] if others else []
    e = Mapped([*ids, *names], {sid: i for i, sid in enumerate(ids)}, len(ids))
    numbers = {name: len(ids) + i for i, name in enumerate(unmapped)}
    numbers.update({a: e.number[sid] for a, sid in mapping.items()})
    other = len(ids) + len(unmapped) if others else None
    # the cases numbered first: the window sorts numbers, not case ids (a fifth faster)
    con.execute(
        f"""CREATE TABLE {e.names} AS SELECT (min(rowid) + 1)::UINTEGER AS r, c FROM {ev.name}
            WHERE {ev.readable} GROUP BY c"""
    )
    con.execute(
        f"""CREATE TABLE {e.name} AS SELECT c, k AS step, t, s,
                (row_number() OVER w)::UINTEGER AS n,
                lag(t) OVER w AS pt, lead(k) OVER w AS g, lead(t) OVER w - t AS d
           FROM ({_with_steps(con, ev, numbers, other, e.names)})
           WHERE k IS NOT NULL
           WINDOW w AS (PARTITION BY c ORDER BY t, r)"""
    )
    con.execute(f"DROP TABLE {ev.name}")
    return e


def _with_steps(
    con: DuckDBPyConnection,
    ev: Events,
    numbers: Mapping[str, int],
    other: int | None,
    names: str,
) -> str:
    """SQL for the readable rows of `ev` with their case's number `c` (from table
    `names`, `Mapped.names`), their row `r` and their number `k` (`numbers`, activity
    -> number, else `other`; null for a blank activity): from the ENUM code through a
    list of `ev.values`' numbers, or (activities as text) by a join with table `m` of
    the activities numbered."""
    if ev.values is None:
        con.execute("CREATE TABLE m (name VARCHAR, k USMALLINT)")
        if numbers:
            con.executemany("INSERT INTO m VALUES (?, ?)", list(numbers.items()))
        rest = "NULL" if other is None else str(other)
        return f"""SELECT cn.r AS c, CASE WHEN nullif(trim(ev.a), '') IS NULL THEN NULL
                                         ELSE coalesce(m.k, {rest}) END AS k,
                         ev.t, ev.s, ev.rowid + 1 AS r
                  FROM {ev.name} AS ev JOIN {names} AS cn ON cn.c = ev.c
                  LEFT JOIN m ON trim(ev.a) = m.name
                  WHERE ev.t IS NOT NULL"""
    # the number of each ENUM value (its code + 1 in DuckDB's 1-based lists)
    step_of_code = [
        None if name is None else numbers.get(name, other)
        for name in (ev.name_of[value] for value in ev.values)
    ]
    # A literal list, not a parameter: DuckDB before 2.0 fails on a list parameter here
    # ("ListStats::GetChildStats called on stats that is not a list").
    codes = (
        "[" + ", ".join("NULL" if k is None else str(k) for k in step_of_code) + "]::USMALLINT[]"
    )
    return f"""SELECT cn.r AS c, list_extract({codes}, enum_code(ev.a) + 1) AS k, ev.t, ev.s,
                      ev.rowid + 1 AS r
               FROM {ev.name} AS ev JOIN {names} AS cn ON cn.c = ev.c
               WHERE ev.a IS NOT NULL AND ev.t IS NOT NULL"""


def longest_case(con: DuckDBPyConnection, e: Mapped) -> int:
    """The events of the longest case in `e`."""
    (longest,) = one(con, f"SELECT coalesce(max(n), 0) FROM {e.name}")
    return int(longest)


def step_figures(
    con: DuckDBPyConnection, e: Mapped, flow: Flow[StepLike], cases_of: Mapping[str, int]
) -> list[StepFigures]:
    """Each step of the map in map order, with its cases (`cases_of`), events, and the
    processing and waiting times from `e`. A start before the previous event of its case
    finished is an overlap (the two ran at once): counted, and left out of the waiting
    times rather than counted as a negative wait."""
    query = f"""SELECT step, count(*), {STATS.format(x="p")}, {STATS.format(x="wt")},
                       count(*) FILTER (WHERE s < pt)
                FROM (SELECT step, t - s AS p, s, pt,
                             CASE WHEN s >= pt THEN s - pt END AS wt
                      FROM {e.name})
                GROUP BY step"""
    rows = {row[0]: tuple(row[1:]) for row in con.execute(query).fetchall()}
    result: list[StepFigures] = []
    for sid in flow.order:
        row = rows.get(e.number[sid])
        result.append(
            {
                "id": sid,
                "name": flow.steps[sid].name,
                "cases": cases_of.get(sid, 0),
                "events": int(row[0]) if row else 0,
                "processing": stats(row[1:3]) if row else None,
                "waiting": stats(row[3:5]) if row else None,
                "overlaps": int(row[5]) if row else 0,
            }
        )
    return result


def directly_follows(con: DuckDBPyConnection, e: Mapped) -> list[DirectlyFollows]:
    """Consecutive events of a case in `e`, both of mapped activities, as step ids, with
    the time from A's timestamp to B's; by count, then from, to."""
    ids = e.ids
    rows = sorted(
        (
            (ids[f], ids[g], int(k), mean, p50, p90)
            for f, g, k, mean, (p50, p90) in con.execute(
                f"SELECT step, g, count(*), {STATS.format(x='d')} FROM {e.name}"
                f" WHERE g < {e.on_map} AND {e.mapped} GROUP BY step, g"
            ).fetchall()
        ),
        key=lambda row: (-row[2], row[0], row[1]),
    )
    return [
        {
            "from": f,
            "to": g,
            "count": k,
            "mean": round6(mean),
            "p50": round6(p50),
            "p90": round6(p90),
        }
        for f, g, k, mean, p50, p90 in rows
    ]


def unmapped_pairs(con: DuckDBPyConnection, e: Mapped) -> list[tuple[str, str, int]]:
    """Consecutive events of a case in `e` of which one or both are of an unmapped
    activity: (from, to, count), as `e.ids` names them."""
    if len(e.ids) == e.on_map:
        return []
    rows = con.execute(
        f"""SELECT step, g, count(*) FROM {e.name}
           WHERE g IS NOT NULL AND (g >= {e.on_map} OR step >= {e.on_map}) GROUP BY step, g"""
    ).fetchall()
    return [(e.ids[f], e.ids[g], int(k)) for f, g, k in rows]


def case_bounds(con: DuckDBPyConnection, e: Mapped) -> tuple[dict[str, int], dict[str, int]]:
    """The cases that begin at each step or unmapped activity of `e`, and those that end
    at each, as `e.ids` names them."""
    rows = con.execute(
        f"""SELECT step, count(*) FILTER (WHERE n = 1), count(*) FILTER (WHERE g IS NULL)
           FROM {e.name} WHERE n = 1 OR g IS NULL GROUP BY step"""
    ).fetchall()
    first = {e.ids[k]: int(a) for k, a, _ in rows if a}
    last = {e.ids[k]: int(b) for k, _, b in rows if b}
    return first, last


def arrow_counts(
    con: DuckDBPyConnection, e: Mapped, used: list[tuple[int, int, str, str]]
) -> dict[tuple[str, str], tuple[int, float | None]]:
    """(x, y) -> (count, median seconds) of the transitions of `e` that count on the map
    arrow x -> y, through table `uses` made of `used`: (from step number, to step number,
    x, y), one row for each arrow a transition counts on."""
    con.execute("CREATE TABLE uses (f USMALLINT, g USMALLINT, x VARCHAR, y VARCHAR)")
    if used:
        con.executemany("INSERT INTO uses VALUES (?, ?, ?, ?)", used)
    return {
        (x, y): (int(k), p50)
        for x, y, k, p50 in con.execute(
            f"""SELECT u.x, u.y, count(*), quantile_cont(e.d / 1000000.0, 0.5)
               FROM {e.name} AS e JOIN uses u ON e.step = u.f AND e.g = u.g GROUP BY u.x, u.y"""
        ).fetchall()
    }


def time_between(
    con: DuckDBPyConnection, e: Mapped, src: str, dst: str, statistic: str
) -> float | None:
    """The `statistic` (mean, p50 or p90) of each case's seconds from its first `src`
    event to the first `dst` event after it (None when no case has both)."""
    func = {
        "mean": "avg(x) / 1000000.0",
        "p50": "quantile_cont(x / 1000000.0, 0.5)",
        "p90": "quantile_cont(x / 1000000.0, 0.9)",
    }
    (seconds,) = one(
        con,
        f"""WITH a AS (SELECT c, min(n) AS n FROM {e.name} WHERE step = ? GROUP BY c),
            b AS (SELECT e.c, min(e.n) AS n FROM {e.name} AS e JOIN a ON e.c = a.c AND e.n > a.n
                  WHERE e.step = ? GROUP BY e.c)
            SELECT {func[statistic]} FROM (
              SELECT tb.t - ta.t AS x FROM a JOIN b ON a.c = b.c
              JOIN {e.name} ta ON ta.c = a.c AND ta.n = a.n
              JOIN {e.name} tb ON tb.c = b.c AND tb.n = b.n)""",
        [e.number[src], e.number[dst]],
    )
    return None if seconds is None else float(seconds)


def step_events(con: DuckDBPyConnection, e: Mapped, sid: str) -> int:
    """The events of step `sid` in `e`."""
    (events,) = one(con, f"SELECT count(*) FROM {e.name} WHERE step = ?", [e.number[sid]])
    return int(events)


# -- tables pc and vr ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cases:
    """Table `pc`, one row per case of `e`: its first row `r0` (`e`'s `c`), its variant
    `v`, the first and last timestamp of a mapped event `t0`, `t1` (null when it has
    none). The variant is n * `base` + step of each event, sorted: the steps in order,
    and equal for two cases exactly when their steps are (n counts 1, 2, ... in each).
    `names`: table `cn` of the case ids (`Mapped.names`)."""

    base: int
    name: str = "pc"
    names: str = "cn"


def case_table(con: DuckDBPyConnection, e: Mapped, longest: int) -> Cases:
    """Table `pc` from `e`, whose longest case has `longest` events. Its variant codes are
    of the narrowest type that holds them (two bytes for cases under 256 events and maps
    under 256 steps): the lists are most of this table. A plain `list` can spill to disk;
    `string_agg(... ORDER BY n)` held every case in memory (out of memory on 10M events
    under a 88 MB limit)."""
    base, code_type = (
        (256, "USMALLINT")
        if longest < 256 and len(e.ids) <= 256
        else (65536, "UINTEGER" if longest < 65536 else "UBIGINT")
    )
    pc = Cases(base, names=e.names)
    con.execute(
        f"""CREATE TABLE {pc.name} AS SELECT c AS r0,
                list_sort(list((n::BIGINT * {base} + step)::{code_type})) AS v,
                min(t) FILTER ({e.mapped}) AS t0,
                max(t) FILTER ({e.mapped}) AS t1
           FROM {e.name} GROUP BY c"""
    )
    return pc


def totals(con: DuckDBPyConnection, e: Mapped, pc: Cases) -> tuple[int, int | None, int | None]:
    """The events of mapped activities in `e`, and the first and last timestamp of one
    (None for none)."""
    events, first, last = one(
        con,
        f"SELECT (SELECT count(*) FROM {e.name} WHERE {e.mapped}), min(t0), max(t1) FROM {pc.name}",
    )
    return int(events), first, last


def throughput(con: DuckDBPyConnection, pc: Cases) -> Stats | None:
    """The {mean, p50, p90} of each case's last event minus its first (None for none)."""
    return stats(
        one(con, f"SELECT {STATS.format(x='x')} FROM (SELECT t1 - t0 AS x FROM {pc.name})")
    )


class CaseVariant(NamedTuple):
    """A distinct variant: its `steps` (ids), the `cases` that follow it, and the first
    `EXAMPLES` of them in log order (`examples`, case ids; `rows`, their first row)."""

    steps: list[str]
    cases: int
    examples: list[str]
    rows: list[int]


@dataclass(frozen=True)
class VariantTable:
    """Table `vr`, one row per distinct variant of `pc`: the variant `v`, its cases `k`,
    and the first `EXAMPLES` case ids and first rows in log order."""

    cases: Cases
    name: str = "vr"


def variant_table(con: DuckDBPyConnection, pc: Cases) -> VariantTable:
    """Table `vr` from `pc`, the case ids of its examples from `pc.names` (joined to the
    examples only: twice as fast as to every case before they are grouped)."""
    vr = VariantTable(pc)
    con.execute(
        f"""CREATE TABLE {vr.name} AS
            WITH g AS (SELECT v, count(*) AS k, list(r0 ORDER BY r0)[1:{EXAMPLES}] AS rs
                       FROM {pc.name} GROUP BY v),
                 x AS (SELECT v, k, unnest(rs) AS r FROM g)
            SELECT x.v, max(x.k) AS k, list(cn.c ORDER BY cn.r), list(cn.r ORDER BY cn.r)
            FROM x JOIN {pc.names} AS cn ON cn.r = x.r GROUP BY x.v"""
    )
    return vr


def variant_steps(con: DuckDBPyConnection, vr: VariantTable) -> int:
    """The steps of every distinct variant, together: what Python holds to read them."""
    (held,) = one(con, f"SELECT coalesce(sum(len(v)), 0) FROM {vr.name}")
    return int(held)


def variants(con: DuckDBPyConnection, vr: VariantTable, e: Mapped) -> list[CaseVariant]:
    """Every distinct variant of `vr`, its steps as ids of `e`."""
    ids, base = e.ids, vr.cases.base
    return [
        CaseVariant([ids[int(x) % base] for x in v], int(k), list(ex), list(exr))
        for v, k, ex, exr in con.execute(f"SELECT * FROM {vr.name}").fetchall()
    ]

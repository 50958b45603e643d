"""Lifecycle transitions: table `ev` cut down to the activity instances, starts paired.

Owns: what an activity instance is when the log has a lifecycle column (`logread`'s
`Events.lifecycle`; XES `lifecycle:transition`), following the XES standard lifecycle
model, its values compared case-insensitively:

- an activity instance is a `complete` event (or an event whose transition is blank);
- a `start` of the same case and activity is paired with the next `complete`, first in
  first out (two overlapping instances of one activity: the first start with the first
  complete), and its timestamp becomes the instance's start `s` (as a start-timestamp
  column gives it; suspensions in between are counted in the processing time);
- an `ate_abort` or `pi_abort` ends the oldest open start of its case and activity as a
  `complete` would, without an instance; with `withdraw` they are the aborted
  instances, counted with example case ids;
- a `start` that no `complete` or abort follows is an unpaired start, counted with
  example case ids; every other transition (`schedule`, `assign`, `reassign`,
  `suspend`, `resume`, `autoskip`, `manualskip`, `unknown`, any other value) is no
  occurrence.

`instances` deletes from `ev` every readable row that is not an instance and sets the
instances' starts, so that every later step reads one row per activity instance; rows
that cannot be read (no case, activity or time) stay, for the skipped rows. Its counts
are the result's `lifecycle` (`Lifecycle`). Without a lifecycle column `ev` is left
alone: every event is an instance.

Must not know: the process, steps or figures (`tables`), how the log was read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import RefusedLogError
from .logread import Events, lit

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

    from ..render import CaseCount, Lifecycle, TransitionCount

#: Example case ids kept for the unpaired starts and the aborted instances.
EXAMPLES = 5
#: Transitions that end a started instance: the first completes it, the others abort it.
CLOSING = ("complete", "ate_abort", "pi_abort")
#: Transitions of an aborted (or withdrawn) instance.
ABORTED = ("ate_abort", "pi_abort", "withdraw")
#: The handling without a lifecycle column, with one but no `start`, and with starts.
HANDLING = ("none", "complete", "start-complete")


def no_lifecycle() -> Lifecycle:
    """The `lifecycle` of a log without a lifecycle column: every event is an instance."""
    return {
        "column": None,
        "handling": "none",
        "transitions": [],
        "instances": None,
        "paired_starts": 0,
        "without_start": 0,
        "unpaired_starts": {"count": 0, "examples": []},
        "aborted": {"count": 0, "examples": []},
    }


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{lit(v)}'" for v in values) + ")"


def instances(con: DuckDBPyConnection, shown: str, ev: Events) -> Lifecycle:
    """Table `ev` cut down to its activity instances, their starts paired (see the
    module); the counts. `RefusedLogError` when the lifecycle column has no `complete`
    event."""
    if ev.lifecycle is None:
        return no_lifecycle()
    counted = con.execute(
        f"""SELECT lc, count(*) AS k FROM {ev.name} WHERE {ev.readable}
            GROUP BY lc ORDER BY k DESC, lc NULLS FIRST"""
    ).fetchall()
    transitions: list[TransitionCount] = [{"transition": v, "events": int(k)} for v, k in counted]
    complete = sum(int(k) for v, k in counted if v in (None, "complete"))
    if counted and not complete:
        values = ", ".join(str(v) for v, _ in counted[:5])
        raise RefusedLogError(
            f"{shown}: column {ev.lifecycle!r} (lifecycle) has no 'complete' event (its values:"
            f" {values}); an activity instance is a complete event: name the lifecycle column"
            " with --lifecycle COLUMN, or read every event as one with --lifecycle none"
        )
    starts = sum(int(k) for v, k in counted if v == "start")
    paired, without, open_starts = _pair(con, ev) if starts else (0, 0, 0)
    unpaired: CaseCount = {"count": 0, "examples": []}
    if open_starts:
        unpaired = _cases(
            con,
            """SELECT lp.c, lp.r FROM lp JOIN (SELECT c, a, count(*) FILTER (WHERE g = 1) AS found
                                            FROM lp GROUP BY c, a) AS f USING (c, a)
               WHERE lp.g = 0 AND lp.k > f.found""",
        )
    aborted = _cases(
        con, f"SELECT c, rowid FROM {ev.name} WHERE {ev.readable} AND lc IN {_in(ABORTED)}"
    )
    # the instances only: complete (or blank) events; unreadable rows stay for skipped_rows
    con.execute(
        f"DELETE FROM {ev.name} WHERE {ev.readable} AND lc IS NOT NULL AND lc <> 'complete'"
    )
    con.execute("DROP TABLE IF EXISTS lp")
    con.execute("DROP TABLE IF EXISTS lpp")
    return {
        "column": ev.lifecycle,
        "handling": "start-complete" if starts else "complete",
        "transitions": transitions,
        "instances": complete,
        "paired_starts": paired,
        "without_start": without,
        "unpaired_starts": unpaired,
        "aborted": aborted,
    }


def _pair(con: DuckDBPyConnection, ev: Events) -> tuple[int, int, int]:
    """Pair each `start` of `ev` with the next closing transition (`CLOSING`) of its case
    and activity, first in first out, into table `lp`; set each paired complete's `s`.
    (paired completes, completes without a start, unpaired starts).

    In each case and activity, by time (ties in file order), a start adds one to the
    queue of open starts and a closing transition takes one off when the queue is not
    empty: with q the running sum of +1 and -1, the queue after an event is
    q - min(0, the least q so far), and a closing transition finds a start when q is at
    least min(0, the least q before it). The k-th closing transition that finds one
    takes the k-th start (first in, first out): k = the starts so far minus the queue.
    Group `g`: 0 a start, 1 a closing transition with a start, 2 one without; `k`: a
    start's number, or the number of the start a group-1 transition takes."""
    kinds = _in(("start", *CLOSING))
    by_time = "PARTITION BY c, a ORDER BY t, r"
    con.execute(
        f"""CREATE TABLE lp AS
            WITH x AS (
              SELECT rowid AS r, c, a, t, coalesce(lc, 'complete') AS lc FROM {ev.name}
              WHERE {ev.readable} AND coalesce(lc, 'complete') IN {kinds}),
            y AS (
              SELECT *, sum(CASE WHEN lc = 'start' THEN 1 ELSE -1 END)
                          OVER ({by_time} ROWS UNBOUNDED PRECEDING) AS q,
                        count(*) FILTER (WHERE lc = 'start')
                          OVER ({by_time} ROWS UNBOUNDED PRECEDING) AS ns
              FROM x),
            z AS (
              SELECT *, min(q) OVER ({by_time} ROWS UNBOUNDED PRECEDING) AS low,
                        coalesce(min(q) OVER ({by_time}
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
              FROM y)
            SELECT r, c, a, t, lc,
                   CASE WHEN lc = 'start' THEN 0
                        WHEN q >= least(before, 0) THEN 1 ELSE 2 END AS g,
                   CASE WHEN lc = 'start' THEN ns ELSE ns - (q - least(low, 0)) END AS k
            FROM z"""
    )
    con.execute(
        """CREATE TABLE lpp AS SELECT d.r, st.t FROM lp AS d JOIN lp AS st
                  ON d.c = st.c AND d.a = st.a AND d.k = st.k AND st.g = 0
                  WHERE d.g = 1 AND d.lc = 'complete'"""
    )
    con.execute(f"UPDATE {ev.name} SET s = lpp.t FROM lpp WHERE {ev.name}.rowid = lpp.r")
    paired, without, open_starts = con.execute(
        """SELECT count(*) FILTER (WHERE g = 1 AND lc = 'complete'),
                  count(*) FILTER (WHERE g = 2 AND lc = 'complete'),
                  count(*) FILTER (WHERE g = 0) - count(*) FILTER (WHERE g = 1) FROM lp"""
    ).fetchone() or (0, 0, 0)
    return int(paired), int(without), int(open_starts)


def _cases(con: DuckDBPyConnection, rows: str) -> CaseCount:
    """The rows of `rows` (SQL: a case and a row number), read once: counted, the first
    `EXAMPLES` distinct cases in log order."""
    con.execute(f"CREATE TABLE lx AS {rows}")
    try:
        (count,) = con.execute("SELECT count(*) FROM lx").fetchone() or (0,)
        examples = con.execute(
            f"SELECT c FROM lx AS x(c, r) GROUP BY c ORDER BY min(r) LIMIT {EXAMPLES}"
        ).fetchall()
    finally:
        con.execute("DROP TABLE lx")
    return {"count": int(count), "examples": [str(c) for (c,) in examples]}

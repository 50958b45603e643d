"""`procmap discover`: a first draft of a process map from an event log, and the log's summary.

Owns: `summarize_log` (a log before any map: its columns and the role each plays, its
activities with their events and cases, resources, span, cases, lifecycle transitions),
`discover_log` (the draft: the log read as `procmap measure` reads it, its variants, the
most common kept (`Filter`), the process tree mined from them (`mine`), laid out as
procmap YAML with each activity's owner, hands-on time and long waits (`draft`)), and
`against_map` (what a log shows that a map lacks, and what the map has that the log never
uses, from the map's measurement).

Must not know: options, exit statuses, how a summary is printed (`discoverreport`).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..format import slugify
from .draft import ActivityFacts, DraftHeader, draft_text
from .engine import LogRead, read_log, reading
from .mine import NOISE, Activity, Choice, Node, Sequence, mine
from .tables import iso, one

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..config import LogColumns
    from ..format import ProcessLike
    from ..render import Lifecycle, MeasureResult, SkippedRows

#: The default share of the cases the draft's variants cover (`--keep`).
KEEP = 0.8


@dataclass(frozen=True)
class Filter:
    """Which variants the draft keeps: the most common ones covering `keep` of the cases,
    or (`min_share`, a percent) each followed by at least that share of the cases; `every`
    keeps all."""

    keep: float | None = KEEP
    min_share: float | None = None
    every: bool = False

    def said(self) -> str:
        if self.every:
            return "every variant kept (--all)"
        if self.min_share is not None:
            return (
                f"the variants followed by at least {self.min_share:g}% of the cases (--min-share)"
            )
        return f"the most common variants, covering at least {self.keep or KEEP:.0%} of the cases (--keep)"

    def kept(self, variants: list[tuple[tuple[str, ...], int]]) -> int:
        """How many of `variants` (most common first) are kept."""
        total = sum(n for _, n in variants)
        if self.every or not total:
            return len(variants)
        if self.min_share is not None:
            return sum(1 for _, n in variants if n * 100 >= self.min_share * total)
        covered, count = 0, 0
        for _, n in variants:
            if covered >= (self.keep or KEEP) * total:
                break
            covered += n
            count += 1
        return count


@dataclass(frozen=True)
class ActivitySummary:
    activity: str
    events: int
    cases: int


@dataclass(frozen=True)
class LogSummary:
    """A log at a glance: `columns` (role -> the column read for it, None when absent),
    its activities (most events first), resources (role -> events), `span`, `cases`,
    `events` (activity instances), `variants`, `lifecycle` and `skipped` rows."""

    log: str
    columns: dict[str, str | None]
    activities: list[ActivitySummary]
    resources: list[tuple[str, int]]
    first: str | None
    last: str | None
    cases: int
    events: int
    variants: int
    lifecycle: Lifecycle
    skipped: SkippedRows
    start_times: bool


@dataclass(frozen=True)
class Discovery:
    """A draft: its YAML `text`, the process id and name, the `summary` of its log and
    how many `kept_cases` its variants cover."""

    text: str
    process_id: str
    name: str
    summary: LogSummary
    kept_cases: int
    steps: int = 0
    left_activities: list[tuple[str, int]] = field(default_factory=list)


def summarize_log(
    log: str | os.PathLike[str],
    *,
    columns: LogColumns | None = None,
    strict: bool = False,
    max_bad_rows: float | None = None,
    phase: Callable[[str], None] | None = None,
) -> LogSummary:
    """The summary of the log at `log`, read as `measure_log` reads it (same errors)."""
    run = reading(strict=strict, max_bad_rows=max_bad_rows, phase=phase)
    return read_log(log, columns=columns, run=run, use=lambda r: _read(r)[0], resource=True)


def discover_log(
    log: str | os.PathLike[str],
    *,
    columns: LogColumns | None = None,
    strict: bool = False,
    max_bad_rows: float | None = None,
    phase: Callable[[str], None] | None = None,
    keep: Filter | None = None,
    process_id: str | None = None,
    name: str | None = None,
    noise: float = NOISE,
) -> Discovery:
    """A draft process from the log at `log` (see the module), its id `process_id`
    (default: from the log's file name) and `name`."""
    run = reading(strict=strict, max_bad_rows=max_bad_rows, phase=phase)
    summary, variants, facts = read_log(log, columns=columns, run=run, use=_read, resource=True)
    chosen = keep or Filter()
    count = chosen.kept(variants)
    kept = variants[:count]
    left = variants[count:]
    used = {a for trace, _ in kept for a in trace}
    left_activities = [(a.activity, a.cases) for a in summary.activities if a.activity not in used]
    stem = Path(log).name.split(".")[0]
    pid = process_id or slugify(stem) or "discovered"
    title = name or f"{stem} (draft)"
    header = DraftHeader(
        log=Path(log).name,
        events=summary.events,
        cases=summary.cases,
        first=(summary.first or "?")[:10],
        last=(summary.last or "?")[:10],
        kept_cases=sum(n for _, n in kept),
        filter=chosen.said(),
        left_activities=left_activities,
        left_variants=len(left),
        left_variant_cases=sum(n for _, n in left),
        lifecycle=_lifecycle_said(summary.lifecycle),
    )
    first, finals = _ends(kept)
    text = draft_text(_tree(kept, first, finals, noise), facts, header, pid, title, first, finals)
    return Discovery(text, pid, title, summary, header.kept_cases, left_activities=left_activities)


def _tree(kept: Variants, first: str | None, finals: frozenset[str], noise: float) -> Node:
    """The tree of the kept variants: their opening activity left out (it is the start),
    and the activities they end with mined apart, as a last choice of ends (a process tree
    holds each activity once, so an end reached from two branches would otherwise make the
    miner fall through to a flower)."""
    trimmed: Counter[tuple[str, ...]] = Counter()
    ends: Counter[str] = Counter()
    for trace, n in kept:
        body = trace[1:] if first else trace
        if finals:
            ends[body[-1]] += n
            body = body[:-1]
        trimmed[body] += n
    tree = mine(trimmed, noise)
    if not ends:
        return tree
    total = sum(ends.values())
    last: Node = Activity(total, next(iter(ends)))
    if len(ends) > 1:
        last = Choice(
            total,
            tuple(Activity(n, a) for a, n in sorted(ends.items(), key=lambda x: (-x[1], x[0]))),
        )
    return Sequence(total, (tree, last))


def _ends(variants: Variants) -> tuple[str | None, frozenset[str]]:
    """The activity that opens every case, once (its trigger, drawn as the start), or
    None; and the activities cases end with, when every case ends with one of them and
    none occurs but as a case's last event (each drawn as an end), or none."""
    traces = [trace for trace, _ in variants]
    if not traces or any(not trace for trace in traces):
        return None, frozenset()
    openers = {trace[0] for trace in traces}
    first = next(iter(openers)) if len(openers) == 1 else None
    if first is not None and any(trace.count(first) != 1 for trace in traces):
        first = None
    lasts = {trace[-1] for trace in traces} - {first}
    final = all(
        trace[-1] in lasts and all(a not in lasts for a in trace[:-1]) and len(trace) > 1
        for trace in traces
    )
    return first, frozenset(lasts) if final else frozenset()


def _lifecycle_said(lifecycle: Lifecycle) -> str | None:
    if lifecycle["column"] is None:
        return None
    if lifecycle["handling"] == "start-complete":
        return (
            f"{lifecycle['instances']:,} activity instances, their start and complete events"
            f" paired (column {lifecycle['column']!r})"
        )
    return f"{lifecycle['instances']:,} complete events as activity instances (column {lifecycle['column']!r})"


Variants = list[tuple[tuple[str, ...], int]]


def _read(read: LogRead) -> tuple[LogSummary, Variants, dict[str, ActivityFacts]]:
    """The summary, the variants (most common first) and each activity's facts."""
    con, ev = read.con, read.events
    where = ev.readable
    act = "trim(a::VARCHAR)"
    has_r = read.columns.get("resource") is not None  # `ev` has `r` exactly then
    has_s = (
        one(con, f"SELECT count(*) FILTER (WHERE s IS NOT NULL) FROM {ev.name} WHERE {where}")[0]
        > 0
    )
    rows = con.execute(
        f"""SELECT {act} AS x, count(*) AS n, count(DISTINCT c) AS k FROM {ev.name}
            WHERE {where} GROUP BY x ORDER BY n DESC, x"""
    ).fetchall()
    activities = [ActivitySummary(str(x), int(n), int(k)) for x, n, k in rows]
    cases, events, first, last = one(
        con, f"SELECT count(DISTINCT c), count(*), min(t), max(t) FROM {ev.name} WHERE {where}"
    )
    traces = con.execute(
        f"""SELECT v, count(*) AS n FROM (
                SELECT c, list({act} ORDER BY t, rowid) AS v FROM {ev.name} WHERE {where}
                GROUP BY c)
            GROUP BY v ORDER BY n DESC, v"""
    ).fetchall()
    variants: Variants = [(tuple(str(a) for a in v), int(n)) for v, n in traces]
    resources = _resources(read, act, where) if has_r else []
    facts = _facts(read, act, where, has_r, has_s)
    summary = LogSummary(
        log=read.shown,
        columns=dict(read.columns),
        activities=activities,
        resources=resources,
        first=iso(first),
        last=iso(last),
        cases=int(cases),
        events=int(events),
        variants=len(variants),
        lifecycle=read.lifecycle,
        skipped=read.skipped,
        start_times=has_s,
    )
    return summary, variants, facts


def _resources(read: LogRead, act: str, where: str) -> list[tuple[str, int]]:
    rows = read.con.execute(
        f"""SELECT r, count(*) AS n FROM {read.events.name} WHERE {where} AND r IS NOT NULL
            GROUP BY r ORDER BY n DESC, r"""
    ).fetchall()
    return [(str(r), int(n)) for r, n in rows]


def _facts(
    read: LogRead, act: str, where: str, has_r: bool, has_s: bool
) -> dict[str, ActivityFacts]:
    """Each activity's most frequent resource, median hands-on minutes and median
    minutes of waiting before it (from the previous event's end to its start)."""
    con, name = read.con, read.events.name
    owners: dict[str, str] = {}
    if has_r:
        for x, r in con.execute(
            f"""SELECT x, arg_max(r, n) FROM (
                    SELECT {act} AS x, r, count(*) AS n FROM {name}
                    WHERE {where} AND r IS NOT NULL GROUP BY x, r ORDER BY x, n, r DESC)
                GROUP BY x"""
        ).fetchall():
            owners[str(x)] = str(r)
    times: dict[str, tuple[float | None, float | None]] = {}
    if has_s:
        for x, work, wait in con.execute(
            f"""SELECT x, median(work), median(wait) FILTER (WHERE wait >= 0) FROM (
                    SELECT {act} AS x, (t - s) / 60e6 AS work,
                           (s - lag(t) OVER (PARTITION BY c ORDER BY t, rowid)) / 60e6 AS wait
                    FROM {name} WHERE {where} AND s IS NOT NULL AND t >= s)
                GROUP BY x"""
        ).fetchall():
            times[str(x)] = (
                None if work is None else float(work),
                None if wait is None else float(wait),
            )
    facts: dict[str, ActivityFacts] = {}
    for x in set(owners) | set(times):
        owner = owners.get(x)
        work, wait = times.get(x, (None, None))
        role = slugify(owner) if owner else None
        facts[x] = ActivityFacts(role or None, owner if role else None, work, wait)
    return facts


@dataclass(frozen=True)
class Against:
    """What a log shows that a map lacks (`missing_activities`: activity, events;
    `missing_paths`: from, to, times), and what the map has that the log never uses
    (`unused_steps`, `unused_arrows`: from, to, label)."""

    process: str
    log: str
    cases: int
    fitness: float | None
    missing_activities: list[tuple[str, int]]
    missing_paths: list[tuple[str | None, str, int]]
    unused_steps: list[str]
    unused_arrows: list[tuple[str, str, str | None]]


def _is_work(process: ProcessLike, step_id: str) -> bool:
    """Whether a step should show in a log: a task or subprocess, or a step named with
    an `activity:` (a decision, a split or a join leaves no event)."""
    step = process.step(step_id)
    return step is not None and (step.kind in ("task", "subprocess") or bool(step.activity))


def against_map(process: ProcessLike, result: MeasureResult) -> Against:
    """The gaps between `process` and its measurement `result` on a log."""
    conformance = result["conformance"]
    return Against(
        process=process.id,
        log=result["log"],
        cases=result["cases"],
        fitness=conformance["fitness"],
        missing_activities=[(u["activity"], u["events"]) for u in result["unmapped_activities"]],
        missing_paths=[(o["from"], o["to"], o["count"]) for o in conformance["off_map"]],
        unused_steps=[sid for sid in conformance["unobserved_steps"] if _is_work(process, sid)],
        unused_arrows=[
            (a["from"], a["to"], a["label"]) for a in result["arrows"] if not a["count"]
        ],
    )

"""The measurement of a process from an event log (`procmap measure`): the run itself.

Owns: `measure_log`, its one DuckDB connection and the memory it may use (DuckDB's
`memory_limit` for every statement, tried again with more when DuckDB runs out; what
comes to Python bounded by the map (steps, arrows), the first `UNMAPPED_LISTED` unmapped
activities, or refused: the distinct variants, held whole), and the steps of a
measurement in order, each a function of another module: the log read into table `ev`
(`logread`, `xes`; each timestamp column in one format, its unreadable rows refused
beyond the share the caller allows), cut down to its activity instances when it has
lifecycle transitions (`lifecycle`), its activities mapped to steps (`activities`), the
tables and figures on the connection (`tables`), the figures along the map
(`conformance`) and the metrics (`kpis`), assembled into the result (`_result`). DuckDB is imported only when a
log is measured: `procmap validate` and the rest of procmap never load it.

The result is a `MeasureResult` (`procmap.render`'s `measureresult`, where every reader
of it can name it: the keys, their order and their meaning), exactly what `procmap
measure --format json` prints.

Must not know: options, exit statuses, how the result is printed (`report`).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ..config import LogColumns
from ..format import Flow
from . import tables
from .activities import Activities, map_activities
from .conformance import arrows, conformance, off_map, rework, variant_list, waits
from .errors import LogError, MemoryLimitError, NothingMapsError, RefusedLogError
from .kpis import control, metrics
from .lifecycle import instances
from .logread import (
    Events,
    Source,
    first_line,
    lit,
    loaded,
    read_events,
    resolve,
    timestamp_formats,
)
from .strands import block_times
from .tables import iso, one

_T = TypeVar("_T")

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

    from ..format import ProcessLike, StepLike
    from ..render import Lifecycle, MeasureResult, SkippedRows

#: DuckDB's buffer memory (its `memory_limit`), first try: `MEMORY_MB_FIXED` MB and
#: `MEMORY_MB_PER_THREAD` MB for each of its threads (each thread reading a CSV holds a
#: buffer of `logread.CSV_BUFFER_BYTES`), or half the log file's size when that is more,
#: up to 1 GB (exact percentiles hold every value of a group in memory: a big log needs
#: more). Sorts and tables beyond it spill to disk. 88 MB on 2 cores: `procmap measure`
#: of a 1M-event CSV (108 MB) peaks near 185 MB, some 95 MB of it Python, procmap's
#: imports and DuckDB itself. When an operator cannot spill and runs out, the whole
#: measurement runs again with the next limit (`MEMORY_LIMITS_AFTER`), so a small first
#: limit costs time, never a result; out of memory under the last one is
#: `MemoryLimitError`.
MEMORY_MB_FIXED, MEMORY_MB_PER_THREAD = 64, 12
#: Later tries, after DuckDB ran out of the memory of the one before. The last one
#: holds: a log that cannot be measured within it is refused (`MemoryLimitError`), never
#: measured with DuckDB's default (80% of the machine).
MEMORY_LIMITS_AFTER: tuple[str, ...] = ("1GB",)
#: The environment variable that caps every try (`512MB`, `2GB`, or a number of MB;
#: DuckDB's units, 1 GB = 1000 MB): the first try is the smaller of the cap and "auto",
#: the later ones are cut to it.
MEMORY_ENV = "PROCMAP_MEMORY_LIMIT"
#: Bytes of Python memory a step of a variant costs (the list DuckDB hands over, the
#: step ids, the conformance walk, the JSON): the distinct variants' steps, all together,
#: may take the memory limit in force, no more.
VARIANT_STEP_BYTES = 160


class _OutOfMemory(Exception):
    """A try that ran out of its memory limit, `mb` MB (None: no limit): DuckDB's
    OutOfMemoryException."""

    def __init__(self, mb: int | None, detail: str) -> None:
        super().__init__(detail)
        self.mb = mb


def measure_log(
    process: ProcessLike,
    log: str | os.PathLike[str],
    *,
    columns: LogColumns | None = None,
    strict: bool = False,
    source: str | os.PathLike[str] | None = None,
    max_bad_rows: float | None = None,
    phase: Callable[[str], None] | None = None,
) -> MeasureResult:
    """Measure the validated `process` against the event log at `log`, read with
    `columns` (default: each role's column found by name, each timestamp column's
    format found from its values, UTC; the result: `MeasureResult`). `source`, the
    process file, gives the control points' positions. Unreadable rows are skipped and
    listed in the result; `strict` refuses any (`RefusedLogError`), `max_bad_rows` more
    than that fraction of the rows (None: no limit). Raises `LogError` for an unusable
    log, `RefusedLogError` for one refused for what it holds (a timestamp column that
    reads as day-first and month-first dates alike, too many unreadable rows, with
    `strict` an unmapped activity), `NothingMapsError` (one) when no activity maps to a
    step, `MemoryLimitError` (one) for a log that cannot be measured within
    the memory limit (`MEMORY_LIMITS_AFTER`, capped by `MEMORY_ENV`). `phase`, when
    given, is told what the run does as it goes on, for a progress line ("reading the
    log", "measuring")."""
    run = _Run(strict, max_bad_rows, source, phase or _silent)

    def use(read: LogRead) -> MeasureResult:
        return _measure(read, process, run)

    return read_log(log, columns=columns, run=run, use=use)


def read_log(
    log: str | os.PathLike[str],
    *,
    columns: LogColumns | None = None,
    run: _Run,
    use: Callable[[LogRead], _T],
    resource: bool = False,
) -> _T:
    """Read the event log at `log` with `columns` into table `ev` and hand it to `use`
    (`LogRead`: the connection, the events cut down to their activity instances, the
    skipped rows, the lifecycle counts): what `procmap measure` and `procmap discover`
    share, with the same errors (see `measure_log`) and the same tries with more memory.
    With `resource`, `ev` keeps the resource column too, as `r`."""
    columns = columns or LogColumns()
    path = Path(log)
    shown = str(log)
    if not path.exists():
        raise LogError(f"{shown}: no such file")
    if not path.is_file():
        raise LogError(f"{shown}: not a regular file")
    limits = _limits()
    for i, limit in enumerate(limits):
        if i:
            run.phase("measuring again with more memory")
        try:
            return _read_file(path, shown, limit, columns, run, use, resource)
        except _OutOfMemory as error:
            if i + 1 == len(limits):
                within = f"within the memory limit of {error.mb} MB" if error.mb else "in memory"
                raise MemoryLimitError(
                    f"{shown}: cannot be measured {within} ({MEMORY_ENV} raises it): {error}"
                ) from None
        except MemoryError:
            raise MemoryLimitError(f"{shown}: cannot be measured: out of memory") from None
    raise AssertionError("unreachable")


def _cap_mb() -> int | None:
    """The cap on every try, from `MEMORY_ENV` (None when unset)."""
    text = os.environ.get(MEMORY_ENV, "").strip()
    if not text:
        return None
    mb = _mb(text)
    if mb is None or mb < 1:
        raise LogError(f"{MEMORY_ENV}: {text!r} is not a memory size like 512MB or 2GB")
    return mb


def _mb(text: str) -> int | None:
    """`512MB`, `2GB`, `2.5 GB` or `300` (MB) as whole MB; None when not a size."""
    found = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(MB|GB)?\s*", text, re.IGNORECASE)
    if found is None:
        return None
    scale = 1000 if (found[2] or "").upper() == "GB" else 1
    return int(float(found[1]) * scale)


def _limits() -> list[str | None]:
    """The memory limits tried in turn: "auto", then `MEMORY_LIMITS_AFTER`, each cut to
    the cap of `MEMORY_ENV` (and the cap itself last, when it is above them)."""
    cap = _cap_mb()
    later = list(MEMORY_LIMITS_AFTER)
    if cap is not None:
        later = [f"{min(cap, _mb(x) or cap)}MB" for x in later]
        if not later or _mb(later[-1]) != cap:
            later.append(f"{cap}MB")
    return ["auto", *dict.fromkeys(later)]


@dataclass(frozen=True)
class _Run:
    """How a measurement treats its log: `strict` (any unreadable row refused),
    `max_bad_rows` (the fraction of unreadable rows allowed; None: any), and the
    process file `source_file`; `phase`, told what the run does as it goes on."""

    strict: bool
    max_bad_rows: float | None
    source_file: str | os.PathLike[str] | None
    phase: Callable[[str], None]


def reading(
    *,
    strict: bool = False,
    max_bad_rows: float | None = None,
    phase: Callable[[str], None] | None = None,
) -> _Run:
    """How `read_log` treats a log's unreadable rows, as `measure_log` does."""
    return _Run(strict, max_bad_rows, None, phase or _silent)


@dataclass(frozen=True)
class LogRead:
    """A log read into table `ev` (`events`), on `con`: its `skipped` rows and its
    `lifecycle` counts, cut down to its activity instances; `shown`, the log as named;
    `columns`, the column read for each role (None: the log has none)."""

    con: DuckDBPyConnection
    shown: str
    events: Events
    skipped: SkippedRows
    lifecycle: Lifecycle
    columns: Mapping[str, str | None]


def _silent(_: str) -> None:
    """A `phase` that tells no one."""


def _read_file(
    path: Path,
    shown: str,
    limit: str | None,
    log_columns: LogColumns,
    run: _Run,
    use: Callable[[LogRead], _T],
    resource: bool,
) -> _T:
    """`read_log` with DuckDB's memory limited to `limit`; raises `_OutOfMemory` when
    that is too little, `LogError` for an unusable log."""
    import duckdb

    spill = tempfile.mkdtemp(prefix="procmap-measure-")
    con = duckdb.connect(":memory:")
    size = path.stat().st_size
    try:
        _configure(con, spill, limit, size)
        timezone = log_columns.timezone
        try:
            quoted = timezone.replace("'", "''")
            con.execute(f"SET TimeZone = '{quoted}'")
            con.execute("SELECT now()::TIMESTAMPTZ::VARCHAR").fetchone()
        except duckdb.Error:
            raise LogError(f"{shown}: unknown time zone {timezone!r} (--timezone)") from None
        run.phase("reading the log")
        with loaded(con, path, shown) as source:
            if source.size != size:  # an XES log: DuckDB reads the CSV it was turned into
                size = source.size
                _set_limit(con, limit, size)
            columns = resolve(con, shown, source, log_columns.roles())
            formats = timestamp_formats(con, shown, source, columns, log_columns.formats())
            if not resource:
                columns = {**columns, "resource": None}
            return use(_events(con, shown, source, columns, formats, run))
    except (duckdb.OutOfMemoryException, _OutOfMemory) as error:
        first = first_line(error, "out of memory")
        raise _OutOfMemory(_limit_mb(con, limit, size), first) from None
    except duckdb.Error as error:
        first = first_line(error, type(error).__name__)
        raise LogError(f"{shown}: cannot read: {first}") from None
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _configure(con: DuckDBPyConnection, spill: str, limit: str | None, size: int) -> None:
    """DuckDB's settings for a log that may not fit in memory: at most `limit` of buffers
    ("auto": `MEMORY_MB_FIXED` + `MEMORY_MB_PER_THREAD` for each of DuckDB's threads, or
    half the log's `size` in bytes when that is more, up to 1 GB;
    sorts and tables beyond it spill to `spill`, a private temporary folder), no
    insertion order kept where none is needed (it is switched on for the one read whose
    row order matters, table `ev`, `logread.read_events`)."""
    _set_limit(con, limit, size)
    con.execute(f"SET temp_directory = '{lit(spill)}'")
    con.execute("SET preserve_insertion_order = false")
    # DuckDB draws a progress bar on stdout for a slow statement: it would end up in
    # the report (in the JSON of `-f json`) on a slow or busy machine
    con.execute("SET enable_progress_bar = false")


def _set_limit(con: DuckDBPyConnection, limit: str | None, size: int) -> None:
    """DuckDB's memory limit for a log of `size` bytes (`_limit_mb`; none when None)."""
    mb = _limit_mb(con, limit, size)
    if mb is not None:
        con.execute(f"SET memory_limit = '{mb}MB'")


def _limit_mb(con: DuckDBPyConnection, limit: str | None, size: int) -> int | None:
    """The memory limit `limit` stands for, in MB ("auto": see `_configure`; its MB cut
    to the cap of `MEMORY_ENV`)."""
    if limit != "auto":
        return None if limit is None else _mb(limit)
    threads = int(one(con, "SELECT current_setting('threads')")[0])
    least = MEMORY_MB_FIXED + MEMORY_MB_PER_THREAD * threads
    auto = max(least, min(1024, size // 2 // 2**20))
    cap = _cap_mb()
    return auto if cap is None else min(auto, cap)


def _memory_bytes(con: DuckDBPyConnection) -> float | None:
    """DuckDB's memory limit in force, in bytes (None when it cannot be read)."""
    (setting,) = one(con, "SELECT current_setting('memory_limit')")
    found = re.fullmatch(r"([0-9.]+) ?([KMGT]i?B|bytes)", str(setting).strip())
    if found is None:
        return None
    unit = found[2].replace("i", "")
    return float(found[1]) * {"bytes": 1, "KB": 2**10, "MB": 2**20, "GB": 2**30, "TB": 2**40}[unit]


def _hold(con: DuckDBPyConnection, shown: str, steps: int, what: str) -> None:
    """Refuse (`MemoryLimitError`) variants of `steps` steps in all that Python could not
    hold within the last memory limit tried (`VARIANT_STEP_BYTES` each): no try with
    more memory for DuckDB would help."""
    last = _limits()[-1]
    if last == "auto":  # the only try: its limit is in force
        held = _memory_bytes(con)
        mb = None if held is None else round(held / 10**6)
    else:
        mb = _mb(last or "")
    if mb is not None and steps * VARIANT_STEP_BYTES > mb * 10**6:
        raise MemoryLimitError(
            f"{shown}: cannot be measured within the memory limit of {mb} MB ({MEMORY_ENV}"
            f" raises it): {what} {steps} steps"
        )


# -- the steps of a measurement ------------------------------------------------------------


@dataclass(frozen=True)
class _Read:
    """What reading the log found before the figures: the log as `shown`, its `skipped`
    rows, its `lifecycle` transitions and its `activities` against the map."""

    shown: str
    skipped: SkippedRows
    lifecycle: Lifecycle
    activities: Activities


def _events(
    con: DuckDBPyConnection,
    shown: str,
    source: Source,
    columns: Mapping[str, str | None],
    formats: Mapping[str, str],
    run: _Run,
) -> LogRead:
    """Table `ev`, one row per row of the log in file order (`logread.read_events`); the
    skipped rows (refused with `run.strict`, or beyond `run.max_bad_rows`), then `ev` cut
    down to the activity instances when the log has lifecycle transitions
    (`lifecycle.instances`)."""
    ev = read_events(con, shown, source, columns, formats)
    skipped = tables.skipped_rows(con, ev)
    if skipped["count"] and run.strict:
        first = skipped["examples"][0]
        raise RefusedLogError(
            f"{shown}: {skipped['count']} unreadable row(s) (--strict); row {first['row']}:"
            f" {first['reason']}"
        )
    if skipped["count"] and run.max_bad_rows is not None:
        _bad_rows(con, shown, ev, skipped, run.max_bad_rows)
    return LogRead(con, shown, ev, skipped, instances(con, shown, ev), columns)


def _measure(read: LogRead, process: ProcessLike, run: _Run) -> MeasureResult:
    """Every figure, in one read of the log (two when the sample missed an activity) and
    one sort of its events.

    1. the log read (`_events`: table `ev`, its skipped rows, its activity instances);
    2. the activities mapped to steps; refused: a log of which no activity maps, or
       (`run.strict`) one with an activity that maps to no step (`_check_unmapped`);
    3. table `e`, the readable events, an activity off the map numbered after the steps,
       with the per-case window figures (`tables.mapped_events`, which drops `ev`);
    4. table `pc`, one row per case, and `vr`, one row per distinct variant, which come
       to Python whole (`tables`), each within the memory limit or refused;
    5. the figures from `e`, `pc` and the variants (`_result`).
    """
    con, shown, ev = read.con, read.shown, read.events
    found = map_activities(process, tables.activity_counts(con, ev))
    if found is None:
        raise LogError(f"{shown}: no readable events (every row lacks a case, activity or time)")
    nothing = _check_unmapped(shown, process, found, run.strict)
    run.phase("measuring")
    flow = Flow(process)
    ids = list(flow.order) + sorted(set(found.mapping.values()) - set(flow.order))
    off = [] if nothing else [a for a, _ in found.listed]
    e = tables.mapped_events(con, ev, found.mapping, ids, off, bool(off and found.more[0]))
    longest = tables.longest_case(con, e)
    _hold(con, shown, longest, "a case of")  # before its variant is built
    pc = tables.case_table(con, e, longest)
    vr = tables.variant_table(con, pc)
    # the distinct variants come to Python whole: within the memory limit, or not at all
    _hold(con, shown, tables.variant_steps(con, vr), "distinct variants of")
    variants = tables.variants(con, vr, e)
    result = _result(
        con,
        process,
        flow,
        _Read(shown, read.skipped, read.lifecycle, found),
        e,
        pc,
        variants,
        run.source_file,
    )
    if nothing is not None:
        raise NothingMapsError(nothing, result)
    return result


def _check_unmapped(
    shown: str, process: ProcessLike, found: Activities, strict: bool
) -> str | None:
    """The one line refusing a log of which no activity maps to a step (None: some do;
    `NothingMapsError` is raised with it once its report of zeros is made); when `strict`,
    a `LogError` for any activity that maps to none."""
    some = ", ".join(f"{a!r} ({n} event{'' if n == 1 else 's'})" for a, n in found.listed[:3])
    kinds = len(found.listed) + found.more[0]
    if not found.mapping:
        return (
            f"{shown}: none of its {kinds} activit{'y' if kinds == 1 else 'ies'} maps to a step"
            f" of {process.id!r}"
            f" ({some}{', ...' if kinds > 3 else ''}): name them in the steps' `activity:`,"
            " or give the activity column with --activity"
        )
    if strict and kinds:
        events = sum(n for _, n in found.listed) + found.more[1]
        raise RefusedLogError(
            f"{shown}: {kinds} activit{'y' if kinds == 1 else 'ies'} of {events} event(s) map"
            f" to no step (--strict): {some}{', ...' if kinds > 3 else ''}; name them in the"
            " steps' `activity:`"
        )
    return None


def _bad_rows(
    con: DuckDBPyConnection, shown: str, ev: Events, skipped: SkippedRows, limit: float
) -> None:
    """Refuse (`RefusedLogError`) `skipped` rows that are more than `limit` (a fraction)
    of the rows of `ev`: one line with their share and the first ones' rows and
    reasons."""
    (rows,) = one(con, f"SELECT count(*) FROM {ev.name}")
    count = skipped["count"]
    if count <= limit * rows:
        return
    listed = "; ".join(f"row {x['row']}: {x['reason']}" for x in skipped["examples"])
    more = ", …" if count > len(skipped["examples"]) else ""
    raise RefusedLogError(
        f"{shown}: {count} of {rows} rows unreadable ({count / rows:.1%}, above the"
        f" {limit:.1%} allowed by --max-bad-rows): {listed}{more}; fix them, give the"
        " column's format (--timestamp-format), or --skip-bad-rows to measure without them"
    )


def _result(
    con: DuckDBPyConnection,
    process: ProcessLike,
    flow: Flow[StepLike],
    read: _Read,
    e: tables.Mapped,
    pc: tables.Cases,
    variants: list[tables.CaseVariant],
    source_file: str | os.PathLike[str] | None,
) -> MeasureResult:
    """The result from tables `e` and `pc` and the distinct `variants`, in its key order."""
    total_events, first, last = tables.totals(con, e, pc)
    total_cases = sum(v.cases for v in variants)
    cases_of: dict[str, int] = {}
    for variant in variants:
        for sid in set(variant.steps):
            cases_of[sid] = cases_of.get(sid, 0) + variant.cases
    silent = {sid for sid in flow.steps if sid not in cases_of}
    directly = tables.directly_follows(con, e)
    pairs = [(d["from"], d["to"]) for d in directly]
    bounds = tables.case_bounds(con, e)
    listed, branches = arrows(con, e, flow, silent, pairs, bounds, variants, pc)
    leaving = off_map(
        flow,
        silent,
        [(d["from"], d["to"], d["count"]) for d in directly] + tables.unmapped_pairs(con, e),
        bounds[0],
    )
    measured = metrics(con, e, process, variants, (first, last))
    found = read.activities
    steps = tables.step_figures(con, e, flow, cases_of)
    return {
        "process": process.id,
        "log": read.shown,
        "cases": int(total_cases),
        "events": int(total_events),
        "span": {"first": iso(first), "last": iso(last)},
        "unmapped_activities": [{"activity": a, "events": n} for a, n in found.listed],
        "unmapped_more": {"activities": found.more[0], "events": found.more[1]},
        "skipped_rows": read.skipped,
        "lifecycle": read.lifecycle,
        "steps": steps,
        "directly_follows": directly,
        "arrows": listed,
        "branches": branches,
        "throughput": tables.throughput(con, pc),
        "blocks": block_times(con, e, flow),
        "waits": waits(con, e, pc, flow, silent, variants, pairs, steps),
        "conformance": conformance(flow, silent, variants, total_cases, leaving),
        "rework": rework(variants, total_cases, e.ids[: e.on_map]),
        "variants": variant_list(variants, total_cases),
        "metrics": measured,
        "control": control(process, measured, source_file),
    }

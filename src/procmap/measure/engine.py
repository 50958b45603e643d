"""The real process from an event log, laid over the authored map (`procmap measure`).

Owns: reading a log (CSV, gzip CSV, Parquet, XES) into DuckDB, mapping activities to
steps, and every figure of the result, within a memory limit: DuckDB's for every
statement, and what comes to Python bounded by the map (steps, arrows), the first
`UNMAPPED_LISTED` unmapped activities, or refused (the distinct variants, held whole).
DuckDB is imported here only, when a log is measured: `procmap validate` and the rest
of procmap never load it.

Must not know: options, exit statuses, how the result is printed (`report`).

The result (`measure_log`) is a plain dict, exactly what `procmap measure --format json`
prints. Durations are in seconds (floats, rounded to microseconds), shares are fractions
0..1, percentiles interpolate linearly between closest ranks (numpy's default, DuckDB's
`quantile_cont`). Timestamps are ISO 8601 UTC with `Z`. Keys, in this order:

- `process` (id), `log` (the path as given), `cases`, `events` (mapped events, the ones
  counted in the figures);
- `span`: `{first, last}`, the first and last mapped event (null for none);
- `unmapped_activities`: `[{activity, events}]`, most events first, then by name, the
  first `UNMAPPED_LISTED` (20); `unmapped_more`: `{activities, events}`, the rest counted
  (0 and 0 when every unmapped activity is listed);
- `skipped_rows`: `{count, examples: [{row, reason}]}` (first 5; `row` is the 1-based
  data row, the header not counted; for XES, the event's number in the file);
- `steps`: `[{id, name, cases, events, processing, waiting}]` in map order; `processing`
  (start to timestamp) and `waiting` (previous event's timestamp to the start) are
  `{mean, p50, p90}` or null when the log has no start times for the step;
- `directly_follows`: `[{from, to, count, mean, p50, p90}]`: consecutive events of a
  case, as step ids, the time from A's timestamp to B's; by count, then from, to;
- `arrows`: `[{from, to, label, count, share, p50}]`: the arrows of the authored map in
  map order. A log transition A->B counts on every arrow of the shortest map path from A
  to B through steps that never occur in the log (decisions, usually): A->D->B counts on
  A->D and D->B, with the A->B time on both. `share` (arrows leaving a decision only):
  count / transitions through the decision; `p50`: median time of those transitions;
- `branches`: `[{decision, label, to, count, share, expected}]`: the arrows leaving each
  decision, `expected` the declared `shares` percent or null;
- `throughput`: `{mean, p50, p90}` of each case's last event minus its first;
- `conformance`: `{fitting, deviating, incomplete, fitness, deviations, unobserved_steps,
  incomplete_examples}`. A case fits when its steps are a path of the map from a start
  step to an end step, passing silently the steps that never occur in the log; it is
  incomplete when it fits so far but stops where no end is reachable through such steps;
  else it deviates at its first transition that leaves the map: `deviations` is
  `[{from, to, count, examples}]` (`from` null when the first step cannot be reached
  from a start; examples: up to 5 case ids in log order, the order of each case's first
  row), by count, then from, to; `incomplete_examples`: up to 5 case ids in log order;
- `rework`: `{cases, rate}`: cases in which a step occurs more than once;
- `variants`: `[{steps, cases, share}]`, most common first, then by steps;
- `metrics`: `[{id, name, unit, actual, baseline, target, direction, meets_target}]`
  (metrics with `measure`, in file order): `rate` in percent of the cases that reached
  FROM; `time` per case from the first FROM event to the first TO event after it
  (timestamps), its `stat`, in the metric's unit when it is m/min/h/d/w, else hours;
  `count`: events of the step per day/week/month (30.436875 days) over the log's span;
- `control`: `[{metric, threshold, actual, breached, line, column}]`: each
  `dmaic.control` entry of a measured metric; up: below the threshold is a breach, down:
  above it; line/column of the entry in the process file (null when not given).
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import itertools
import math
import os
import re
import shutil
import tempfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..format import Flow

#: Column names tried in order when no column is given (compared case-insensitively):
#: the XES names first, then common export names.
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "case": ("case:concept:name", "case_id", "case id", "caseid", "case"),
    "activity": ("concept:name", "activity", "activity_name", "activity name", "event"),
    "timestamp": (
        "time:timestamp",
        "timestamp",
        "time",
        "end_timestamp",
        "complete_timestamp",
        "end time",
        "datetime",
        "date",
    ),
    "start_timestamp": ("start_timestamp", "start_time", "start time", "start"),
    "resource": ("org:resource", "resource", "user"),
}
#: Timestamp formats tried after ISO 8601 (which DuckDB reads with or without an offset).
EXPORT_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
)
EXAMPLES = 5
#: The rows read first for the activity column's values (its ENUM); a value they miss
#: costs a second read of the log.
SAMPLE_ROWS = 100_000
_PERIOD_DAYS = {"day": 1.0, "week": 7.0, "month": 365.2425 / 12}
_UNIT_SECONDS = {"m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
#: DuckDB's buffer memory (its `memory_limit`), first try: `MEMORY_MB_FIXED` MB and
#: `MEMORY_MB_PER_THREAD` MB for each of its threads (each thread reading a CSV holds a
#: buffer of `CSV_BUFFER_BYTES`), or half the log file's size when that is more, up to
#: 1 GB (exact percentiles hold every value of a group in memory: a big log needs more).
#: Sorts and tables beyond it spill to disk. 88 MB on 2 cores: `procmap measure` of a
#: 1M-event CSV (108 MB) peaks near 185 MB, some 95 MB of it Python, procmap's imports
#: and DuckDB itself. When an operator cannot spill and runs out, the whole measurement
#: runs again with the next limit (`MEMORY_LIMITS_AFTER`), so a small first limit costs
#: time, never a result; out of memory under the last one is `MemoryLimitError`.
MEMORY_MB_FIXED, MEMORY_MB_PER_THREAD = 64, 12
#: The buffer of each thread reading a CSV (DuckDB's default is 32 MB).
CSV_BUFFER_BYTES = 8 * 2**20
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
#: Distinct activities an ENUM is made of; a log with more keeps them as text, mapped in
#: chunks, so that Python never holds every activity.
ENUM_VALUES = 10_000
#: Unmapped activities listed (most events first, then by name); the rest are counted
#: in `unmapped_more`.
UNMAPPED_LISTED = 20


class LogError(ValueError):
    """An unusable event log: one line naming the file and what is wrong."""


class MemoryLimitError(LogError):
    """A log that cannot be measured within the memory limit (`procmap measure` exits 1)."""


class _OutOfMemory(Exception):
    """A try that ran out of its memory limit, `mb` MB (None: no limit): DuckDB's
    OutOfMemoryException."""

    def __init__(self, mb: int | None, detail: str) -> None:
        super().__init__(detail)
        self.mb = mb


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _round(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), 6)


def _iso(micros: int | None) -> str | None:
    if micros is None:
        return None
    import datetime as dt

    moment = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=micros)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def _stats(row: tuple[Any, ...] | None) -> dict[str, float | None] | None:
    """{mean, p50, p90} from a row of `_STATS`: the mean and the list [p50, p90]."""
    if row is None or row[0] is None:
        return None
    return {"mean": _round(row[0]), "p50": _round(row[1][0]), "p90": _round(row[1][1])}


#: The mean and [p50, p90], in seconds, of `x`, a duration in whole microseconds. The mean
#: of the integers is exact (DuckDB sums them in 128 bits), so it does not depend on the
#: order the threads add them in, as a mean of floats does in its last digit; both
#: percentiles come from one sort (twice as fast as two).
_STATS = "avg({x}) / 1000000.0, quantile_cont({x} / 1000000.0, [0.5, 0.9])"


def measure_log(
    process: Any,
    log: str | os.PathLike[str],
    *,
    case: str | None = None,
    activity: str | None = None,
    timestamp: str | None = None,
    start_timestamp: str | None = None,
    resource: str | None = None,
    timezone: str = "UTC",
    strict: bool = False,
    source: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Measure the validated `process` against the event log at `log` (see the module
    docstring for the result). `source`, the process file, gives the control points'
    positions. Raises `LogError` for an unusable log, `MemoryLimitError` (one) for a log
    that cannot be measured within the memory limit (`MEMORY_LIMITS_AFTER`, capped by
    `MEMORY_ENV`)."""
    source_file = source

    path = Path(log)
    shown = str(log)
    if not path.exists():
        raise LogError(f"{shown}: no such file")
    if not path.is_file():
        raise LogError(f"{shown}: not a regular file")
    given = {
        "case": case,
        "activity": activity,
        "timestamp": timestamp,
        "start_timestamp": start_timestamp,
        "resource": resource,
    }
    limits = _limits()
    for i, limit in enumerate(limits):
        try:
            return _measure_file(process, path, shown, limit, timezone, given, strict, source_file)
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
    later: list[str | None] = list(MEMORY_LIMITS_AFTER)
    if cap is not None:
        later = [f"{min(cap, _mb(x) or cap)}MB" for x in later if x is not None]
        if not later or _mb(later[-1]) != cap:
            later.append(f"{cap}MB")
    return ["auto", *dict.fromkeys(later)]


def _measure_file(
    process: Any,
    path: Path,
    shown: str,
    limit: str | None,
    timezone: str,
    given: dict[str, str | None],
    strict: bool,
    source_file: str | os.PathLike[str] | None,
) -> dict[str, Any]:
    """`measure_log` with DuckDB's memory limited to `limit`; raises DuckDB's
    OutOfMemoryException when that is too little, `LogError` for an unusable log."""
    import duckdb

    spill = tempfile.mkdtemp(prefix="procmap-measure-")
    con = duckdb.connect(":memory:")
    try:
        _configure(con, spill, limit, path.stat().st_size)
        try:
            quoted = timezone.replace("'", "''")
            con.execute(f"SET TimeZone = '{quoted}'")
            con.execute("SELECT now()::TIMESTAMPTZ::VARCHAR").fetchone()
        except duckdb.Error:
            raise LogError(f"{shown}: unknown time zone {timezone!r} (--timezone)") from None
        with _loaded(con, path, shown) as source:
            columns = _resolve(con, shown, source, given)
            return _measure(con, process, shown, source, columns, strict, source_file)
    except (duckdb.OutOfMemoryException, _OutOfMemory) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else "out of memory"
        raise _OutOfMemory(_limit_mb(con, limit, path.stat().st_size), first) from None
    except duckdb.Error as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise LogError(f"{shown}: cannot read: {first}") from None
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _configure(con: Any, spill: str, limit: str | None, size: int) -> None:
    """DuckDB's settings for a log that may not fit in memory: at most `limit` of buffers
    ("auto": `MEMORY_MB_FIXED` + `MEMORY_MB_PER_THREAD` for each of DuckDB's threads, or
    half the log's `size` in bytes when that is more, up to 1 GB;
    sorts and tables beyond it spill to `spill`, a private temporary folder), no
    insertion order kept where none is needed (it is switched on for the one read whose
    row order matters, `_measure`'s table `ev`)."""
    mb = _limit_mb(con, limit, size)
    if mb is not None:
        con.execute(f"SET memory_limit = '{mb}MB'")
    con.execute(f"SET temp_directory = '{_lit(spill)}'")
    con.execute("SET preserve_insertion_order = false")
    # DuckDB draws a progress bar on stdout for a slow statement: it would end up in
    # the report (in the JSON of `-f json`) on a slow or busy machine
    con.execute("SET enable_progress_bar = false")


def _limit_mb(con: Any, limit: str | None, size: int) -> int | None:
    """The memory limit `limit` stands for, in MB ("auto": see `_configure`; its MB cut
    to the cap of `MEMORY_ENV`)."""
    if limit != "auto":
        return None if limit is None else _mb(limit)
    threads = int(con.execute("SELECT current_setting('threads')").fetchone()[0])
    least = MEMORY_MB_FIXED + MEMORY_MB_PER_THREAD * threads
    auto = max(least, min(1024, size // 2 // 2**20))
    cap = _cap_mb()
    return auto if cap is None else min(auto, cap)


def _memory_bytes(con: Any) -> float | None:
    """DuckDB's memory limit in force, in bytes (None when it cannot be read)."""
    (setting,) = con.execute("SELECT current_setting('memory_limit')").fetchone()
    found = re.fullmatch(r"([0-9.]+) ?([KMGT]i?B|bytes)", str(setting).strip())
    if found is None:
        return None
    unit = found[2].replace("i", "")
    return float(found[1]) * {"bytes": 1, "KB": 2**10, "MB": 2**20, "GB": 2**30, "TB": 2**40}[unit]


def _hold(con: Any, shown: str, steps: int, what: str) -> None:
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


# -- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """The log as a DuckDB relation: `sql`, every column VARCHAR, rows in file order when
    read with insertion order kept; its column `names`; `csv` when a bad row shows only as
    it is read."""

    sql: str
    names: tuple[str, ...]
    csv: bool


@contextlib.contextmanager
def _loaded(con: Any, path: Path, shown: str) -> Iterator[_Source]:
    """The log at `path` as a relation to read from (nothing is read yet but the first
    rows, to find the columns and the CSV dialect)."""
    import duckdb

    name = path.name.lower()
    temp: str | None = None
    try:
        if name.endswith((".xes", ".xes.gz")):
            temp = _xes_to_csv(path, shown)
            file = temp
        else:
            file = str(path)
        if path.stat().st_size == 0:
            raise LogError(f"{shown}: empty file, not an event log")
        if name.endswith(".parquet"):
            parquet = f"read_parquet('{_lit(file)}')"
            cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {parquet}").fetchall()]
            casts = ", ".join(f'CAST("{_q(c)}" AS VARCHAR) AS "{_q(c)}"' for c in cols)
            yield _Source(f"(SELECT {casts} FROM {parquet})", tuple(cols), csv=False)
        else:
            _check_text(path, shown)
            sql = (
                f"read_csv('{_lit(file)}', all_varchar = true, header = true,"
                f" auto_detect = true, buffer_size = {CSV_BUFFER_BYTES})"
            )
            try:  # DuckDB sniffs the dialect again on every read: find the columns once
                names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {sql}").fetchall()]
            except duckdb.OutOfMemoryException:
                raise
            except duckdb.Error as error:
                raise _not_csv(shown, error) from None
            yield _Source(sql, tuple(names), csv=True)
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _not_csv(shown: str, error: Exception) -> LogError:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return LogError(f"{shown}: not a CSV event log ({text})")


def _lit(text: str) -> str:
    """`text` inside a SQL string literal."""
    return text.replace("'", "''")


def _q(name: str) -> str:
    return name.replace('"', '""')


def _check_text(path: Path, shown: str) -> None:
    """Refuse a file that is not text (a NUL byte, or not UTF-8, in its first 64 KiB)."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            head = handle.read(65536)
    except (OSError, EOFError) as error:
        raise LogError(f"{shown}: cannot read: {error}") from None
    if not head.strip():
        raise LogError(f"{shown}: empty file, not an event log")
    if b"\x00" in head:
        raise LogError(f"{shown}: binary data, not a CSV event log")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # a character cut at the end of the sample is fine
            raise LogError(f"{shown}: not UTF-8 text, not a CSV event log") from None


def _resolve(
    con: Any, shown: str, source: _Source, given: dict[str, str | None]
) -> dict[str, str | None]:
    """The log's column for each role: the one given, else the first default present."""
    try:
        return _roles(shown, list(source.names), given)
    except LogError:
        # a log with no rows says so first, whatever its header
        if con.execute(f"SELECT count(*) FROM {source.sql}").fetchone()[0] == 0:
            raise LogError(f"{shown}: no events (a header and no rows)") from None
        raise


def _roles(shown: str, names: list[str], given: dict[str, str | None]) -> dict[str, str | None]:
    folded = {}
    for name in names:
        folded.setdefault(_norm(name.lstrip("\ufeff")), name)
    found: dict[str, str | None] = {}
    for role, wanted in given.items():
        flag = "--" + role.replace("_", "-")
        if wanted is not None:
            hit = wanted if wanted in names else folded.get(_norm(wanted))
            if hit is None:
                raise LogError(
                    f"{shown}: no column {wanted!r} ({flag}); columns: {', '.join(names)}"
                )
            found[role] = hit
            continue
        found[role] = next(
            (
                folded[c]
                for c in DEFAULT_COLUMNS[role]
                if c in folded and folded[c] not in found.values()
            ),
            None,
        )
        if found[role] is None and role in ("case", "activity", "timestamp"):
            raise LogError(
                f"{shown}: no {role.replace('_', ' ')} column (tried"
                f" {', '.join(DEFAULT_COLUMNS[role])}; give {flag}); columns: {', '.join(names)}"
            )
    return found


def _parse_sql(column: str) -> str:
    """SQL for the column as microseconds since the epoch (UTC), null when unparseable.

    The value trimmed (DuckDB's trim: spaces, Unicode ones too) as ISO 8601, else in each
    export format. ISO 8601 is tried first untrimmed, as it reads with ASCII spaces around
    it: the most common case then makes no trimmed copy (COALESCE tries the rest only
    where it is still null)."""
    raw = f'"{_q(column)}"'
    text = f"nullif(trim({raw}), '')"
    tries = [f"try_cast({raw} AS TIMESTAMPTZ)", f"try_cast({text} AS TIMESTAMPTZ)"]
    tries += [f"try_strptime({text}, '{f}')::TIMESTAMPTZ" for f in EXPORT_FORMATS]
    return f"epoch_us(coalesce({', '.join(tries)}))"


def _xes_to_csv(path: Path, shown: str) -> str:
    """The events of an XES file as a temporary CSV (trace attributes as `case:KEY`).

    Parsed with the standard library's incremental parser; a DOCTYPE (and with it any
    entity declaration) is refused before parsing. Streamed, in memory bounded by one
    trace's attributes and one event: each event is written as it ends (its values in
    the order their keys were first seen), and every element read is dropped from the
    tree; the header, known only at the end, goes first in a second, byte copy (rows
    written before a key was first seen get empty values for it)."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            head = handle.read(65536)
    except (OSError, EOFError) as error:
        raise LogError(f"{shown}: cannot read: {error}") from None
    if not head.strip():
        raise LogError(f"{shown}: empty file, not an event log")
    # the prolog (before the root element), comments taken out so that a `<` in one
    # does not end it early; a DOCTYPE can only be there
    bare = re.sub(rb"<!--.*?-->", b"", head, flags=re.DOTALL)
    root_at = re.search(rb"<(?![?!])", bare)
    prolog = bare[: root_at.start()] if root_at else bare
    if b"<!doctype" in prolog.lower():
        raise LogError(f"{shown}: XES with a DOCTYPE is refused (no DTDs or entities)")
    if root_at is None:
        raise LogError(f"{shown}: not XES: no root element in the first 64 KiB")
    fd, body = tempfile.mkstemp(prefix="procmap-xes-", suffix=".rows")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            keys, short = _xes_rows(path, opener, shown, csv.writer(out, lineterminator="\n"))
        return _with_header(body, keys, short)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(body)


def _xes_rows(path: Path, opener: Any, shown: str, writer: Any) -> tuple[list[str], bool]:
    """Write the rows of the XES at `path`; their keys in the order first seen, and
    whether a row was written before a key it lacks was seen."""
    import xml.etree.ElementTree as ET

    attributes = ("string", "date", "int", "float", "boolean", "id")
    keys: dict[str, int] = {}
    short = False
    trace: dict[str, str] = {}
    depth = 0
    event: dict[str, str] | None = None
    parents: list[Any] = []
    try:
        with opener(path, "rb") as handle:
            for kind, element in ET.iterparse(handle, events=("start", "end")):
                tag = element.tag.rsplit("}", 1)[-1]
                if kind == "start":
                    parents.append(element)
                    if tag == "trace":
                        trace = {}
                    elif tag == "event":
                        event = {}
                    elif tag in attributes:
                        depth += 1
                        key, value = element.get("key"), element.get("value")
                        if depth == 1 and key is not None and value is not None:
                            if event is not None:
                                event.setdefault(key, value)
                            else:
                                trace.setdefault("case:" + key, value)
                    continue
                parents.pop()
                if tag in attributes:
                    depth -= 1
                elif tag == "event" and event is not None:
                    row = {**trace, **event}
                    for key in row:
                        keys.setdefault(key, len(keys))
                    short = short or len(row) < len(keys)
                    values = [""] * len(keys)
                    for key, value in row.items():
                        values[keys[key]] = value
                    writer.writerow(values)
                    event = None
                if tag in ("event", "trace") and parents:
                    del parents[-1][:]  # the tree keeps nothing already read
    except ET.ParseError as error:
        raise LogError(f"{shown}: not XES: {error}") from None
    except (OSError, EOFError) as error:
        raise LogError(f"{shown}: cannot read: {error}") from None
    if not keys:
        raise LogError(f"{shown}: no events in the XES log")
    return list(keys), short


def _with_header(body: str, keys: list[str], short: bool) -> str:
    """A temporary CSV: the header of `keys`, then the rows of `body` (each padded to
    every key when some are `short`)."""
    fd, temp = tempfile.mkstemp(prefix="procmap-xes-", suffix=".csv")
    try:
        with (
            os.fdopen(fd, "w", encoding="utf-8", newline="") as out,
            open(body, encoding="utf-8", newline="") as rows,
        ):
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(keys)
            if short:
                pad = [""] * len(keys)
                for row in csv.reader(rows):
                    writer.writerow(row + pad[len(row) :])
            else:
                shutil.copyfileobj(rows, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return temp


# -- figures ---------------------------------------------------------------------------


def _step_of(process: Any, activities: list[str]) -> dict[str, str]:
    """activity -> step id: a step that declares it, else a step whose id or name equals
    it (case and runs of whitespace ignored)."""
    declared: dict[str, str] = {}
    named: dict[str, str] = {}
    for step in process.steps:
        for act in step.activities():
            declared.setdefault(act, step.id)
            declared.setdefault(_norm(act), step.id)
    for step in process.steps:
        if not step.activities():
            named.setdefault(_norm(step.id), step.id)
            named.setdefault(_norm(step.name), step.id)
    mapping = {}
    for act in activities:
        hit = declared.get(act) or declared.get(_norm(act)) or named.get(_norm(act))
        if hit is not None:
            mapping[act] = hit
    return mapping


def _events(
    con: Any, shown: str, source: _Source, columns: dict[str, str | None]
) -> tuple[list[str] | None, dict[str, str | None]]:
    """Table `ev` (see `_measure`); the activity column's values in ENUM order, untrimmed,
    and each one's activity (trimmed; None when blank). None and {} when the column holds
    more than `ENUM_VALUES` values: `ev`'s activity is then text, and Python never holds
    them all."""
    import duckdb

    act_col, ts_col, start_col = (
        columns["activity"],
        columns["timestamp"],
        columns["start_timestamp"],
    )
    assert act_col and ts_col
    act = f'"{_q(act_col)}"'
    start_sql = _parse_sql(start_col) if start_col else "NULL::BIGINT"
    try:
        sample = con.execute(
            f"SELECT DISTINCT {act} FROM (SELECT {act} FROM {source.sql} LIMIT {SAMPLE_ROWS})"
            f" LIMIT {ENUM_VALUES + 2}"
        ).fetchall()
        if not sample:
            raise LogError(f"{shown}: no events (a header and no rows)")
        values: list[str] | None = sorted(v for (v,) in sample if v is not None)
        if len(values) > ENUM_VALUES:
            values = None
        whole = False
        while True:
            if values is not None and not values and not whole:
                values, whole = _all_values(con, source, act), True
            if values:
                con.execute("CREATE TYPE activity AS ENUM (SELECT unnest(?::VARCHAR[]))", [values])
            con.execute("SET preserve_insertion_order = true")  # rowid: the row in the file
            try:
                con.execute(
                    f"""CREATE TABLE ev AS SELECT
                        nullif(trim("{_q(columns["case"] or "")}"), '') AS c,
                        {act}::{"activity" if values else "VARCHAR"} AS a,
                        {_parse_sql(ts_col)} AS t,
                        {start_sql} AS s,
                        CASE WHEN t IS NULL THEN "{_q(ts_col)}" END AS ts_text
                    FROM {source.sql}"""
                )
                break
            except duckdb.ConversionException:
                if whole or not values:
                    raise
                # a value the sample did not see: the ENUM from the whole column
                con.execute("DROP TABLE IF EXISTS ev")
                con.execute("DROP TYPE IF EXISTS activity")
                values, whole = _all_values(con, source, act), True
            finally:
                con.execute("SET preserve_insertion_order = false")
    except duckdb.Error as error:
        if source.csv and not isinstance(error, duckdb.OutOfMemoryException):
            raise _not_csv(shown, error) from None
        raise
    if values is None:
        return None, {}
    trimmed = con.execute(
        "SELECT v, nullif(trim(v), '') FROM unnest(?::VARCHAR[]) AS u(v)", [values]
    ).fetchall()
    return values, dict(trimmed)


def _all_values(con: Any, source: _Source, act: str) -> list[str] | None:
    """Every value of the activity column, sorted; None when there are more than
    `ENUM_VALUES` (only that many and one are fetched)."""
    rows = con.execute(
        f"SELECT DISTINCT {act} FROM {source.sql} WHERE {act} IS NOT NULL LIMIT {ENUM_VALUES + 1}"
    ).fetchall()
    if len(rows) > ENUM_VALUES:
        return None
    return sorted(v for (v,) in rows)


@dataclass
class _Activities:
    """The log's activities read against the map: `mapping` activity -> step id, the
    unmapped ones with their events, `listed` (the first `UNMAPPED_LISTED`, most events
    first, then by name) and the rest counted (`more`: activities, events)."""

    mapping: dict[str, str]
    listed: list[tuple[str, int]]
    more: tuple[int, int]


def _activities(process: Any, chunks: Iterator[list[tuple[str, int]]]) -> _Activities | None:
    """`_Activities` from (activity, events) in chunks, in memory bounded by a chunk and
    the activities that map; None when there are none."""
    mapping: dict[str, str] = {}
    unmapped: list[tuple[str, int]] = []
    more = [0, 0]
    seen = False

    def keep(items: list[tuple[str, int]]) -> list[tuple[str, int]]:
        items.sort(key=lambda item: (-item[1], item[0]))
        for _, events in items[UNMAPPED_LISTED:]:
            more[0] += 1
            more[1] += events
        return items[:UNMAPPED_LISTED]

    for chunk in chunks:
        seen = seen or bool(chunk)
        hits = _step_of(process, [a for a, _ in chunk])
        mapping.update(hits)
        unmapped += [(a, n) for a, n in chunk if a not in hits]
        if len(unmapped) > 50 * UNMAPPED_LISTED:
            unmapped = keep(unmapped)
    if not seen:
        return None
    listed = keep(unmapped)
    return _Activities(mapping, listed, (more[0], more[1]))


def _chunks(cursor: Any, size: int = 10_000) -> Iterator[list[tuple[str, int]]]:
    """The rows of `cursor`, (activity, events), `size` at a time."""
    while rows := cursor.fetchmany(size):
        yield [(str(a), int(n)) for a, n in rows]


def _measure(
    con: Any,
    process: Any,
    shown: str,
    source: _Source,
    columns: dict[str, str | None],
    strict: bool,
    source_file: str | os.PathLike[str] | None,
) -> dict[str, Any]:
    """Every figure, in one read of the log (two when the sample missed an activity) and
    one sort of its events.

    1. The activity column's values in the log's first rows (`SAMPLE_ROWS`), untrimmed;
    2. table `ev`, one row per row of the log in file order (`rowid`): the case, the
       activity as an ENUM of those values (a byte or two, not a string), the timestamp
       and start in microseconds, and the timestamp's text where it did not parse (for
       the skipped rows' reasons). A value the sample missed stops the read: the ENUM is
       then made from the whole column, and `ev` read again (`_events`);
    3. table `e`, the readable events of mapped activities, each with its step as a
       number (`ids` holds the step ids), its number in its case `n` (by timestamp, ties
       in file order), the previous event's timestamp `pt`, the next event's step `g`
       and the time to it `d` (microseconds): one window sort gives every per-case figure;
    4. table `pc`, one row per case: its variant, first row, first and last timestamp.
    """
    case_col, act_col, ts_col = columns["case"], columns["activity"], columns["timestamp"]
    assert case_col and act_col and ts_col
    raw, name_of = _events(con, shown, source, columns)
    # an activity is the value trimmed (DuckDB's trim); a blank one is missing
    if raw is None:
        missing_a = "nullif(trim(a), '') IS NULL"
    else:
        blank = [str(code) for code, value in enumerate(raw) if name_of[value] is None]
        missing_a = f"(a IS NULL OR enum_code(a) IN ({', '.join(blank)}))" if blank else "a IS NULL"
    bad = con.execute(
        f"""SELECT rowid + 1, CASE WHEN c IS NULL THEN 'missing case id'
                          WHEN {missing_a} THEN 'missing activity'
                          WHEN ts_text IS NULL OR trim(ts_text) = '' THEN 'missing timestamp'
                          ELSE 'unparseable timestamp ' || ts_text END
           FROM ev WHERE c IS NULL OR {missing_a} OR t IS NULL ORDER BY rowid LIMIT 5"""
    ).fetchall()
    skipped = con.execute(
        f"SELECT count(*) FROM ev WHERE c IS NULL OR {missing_a} OR t IS NULL"
    ).fetchone()[0]
    examples = [{"row": int(r), "reason": reason} for r, reason in bad]
    if skipped and strict:
        first = examples[0]
        raise LogError(
            f"{shown}: {skipped} unreadable row(s) (--strict); row {first['row']}:"
            f" {first['reason']}"
        )
    valid = f"c IS NOT NULL AND NOT {missing_a} AND t IS NOT NULL"
    if raw is None:
        cursor = con.execute(f"SELECT trim(a), count(*) FROM ev WHERE {valid} GROUP BY trim(a)")
        found = _activities(process, _chunks(cursor))
    else:
        merged: dict[str, int] = {}
        for value, k in con.execute(
            f"SELECT a, count(*) FROM ev WHERE {valid} GROUP BY a"
        ).fetchall():
            name = name_of[str(value)]
            assert name is not None
            merged[name] = merged.get(name, 0) + int(k)
        found = _activities(process, iter([list(merged.items())]))
    if found is None:
        raise LogError(f"{shown}: no readable events (every row lacks a case, activity or time)")
    mapping = found.mapping
    unmapped = [{"activity": a, "events": n} for a, n in found.listed]
    flow = Flow(process)
    ids = list(flow.order) + sorted({sid for sid in mapping.values()} - set(flow.order))
    number = {sid: i for i, sid in enumerate(ids)}
    con.execute(
        f"""CREATE TABLE e AS SELECT c, k AS step, t, s, r,
                row_number() OVER w AS n, lag(t) OVER w AS pt, lead(k) OVER w AS g,
                lead(t) OVER w - t AS d
           FROM ({_mapped_events(con, raw, name_of, mapping, number)})
           WHERE k IS NOT NULL
           WINDOW w AS (PARTITION BY c ORDER BY t, r)"""
        if mapping
        else "CREATE TABLE e AS SELECT NULL::VARCHAR AS c, 0::USMALLINT AS step, 0 AS t, 0 AS s,"
        " 0 AS r, 0 AS n, 0 AS pt, 0::USMALLINT AS g, 0.0 AS d WHERE false",
    )
    con.execute("DROP TABLE ev")
    # the variant: n * base + step of each event, sorted: the steps in order, and equal
    # for two cases exactly when their steps are (n counts 1, 2, ... in each). The
    # narrowest type that holds it (two bytes for cases under 256 events and maps under
    # 256 steps): the lists are most of this table. A plain `list` can spill to disk;
    # `string_agg(... ORDER BY n)` held every case in memory (out of memory on 10M events
    # under a 88 MB limit).
    (longest,) = con.execute("SELECT coalesce(max(n), 0) FROM e").fetchone()
    _hold(con, shown, longest, "a case of")  # before its variant is built
    base, code_type = (
        (256, "USMALLINT")
        if longest < 256 and len(ids) <= 256
        else (65536, "UINTEGER" if longest < 65536 else "UBIGINT")
    )
    con.execute(
        f"""CREATE TABLE pc AS SELECT c, list_sort(list((n * {base} + step)::{code_type})) AS v,
                min(r) AS r0, min(t) AS t0, max(t) AS t1
           FROM e GROUP BY c"""
    )
    total_events, first, last = con.execute(
        "SELECT (SELECT count(*) FROM e), min(t0), max(t1) FROM pc"
    ).fetchone()
    con.execute(
        f"""CREATE TABLE vr AS SELECT v, count(*) AS k, list(c ORDER BY r0)[1:{EXAMPLES}],
                   list(r0 ORDER BY r0)[1:{EXAMPLES}]
            FROM pc GROUP BY v"""
    )
    # the distinct variants come to Python whole: within the memory limit, or not at all
    (held,) = con.execute("SELECT coalesce(sum(len(v)), 0) FROM vr").fetchone()
    _hold(con, shown, held, "distinct variants of")
    variants_rows = con.execute("SELECT * FROM vr").fetchall()
    variants = [
        ([ids[int(x) % base] for x in v], int(k), list(ex), list(exr))
        for v, k, ex, exr in variants_rows
    ]
    total_cases = sum(k for _, k, _, _ in variants)
    cases_of: dict[str, int] = {}
    for seq, k, _, _ in variants:
        for sid in set(seq):
            cases_of[sid] = cases_of.get(sid, 0) + k
    silent = {sid for sid in flow.steps if sid not in cases_of}

    steps = _steps(con, flow, number, cases_of)
    df_rows = sorted(
        (
            (ids[f], ids[g], int(k), mean, p50, p90)
            for f, g, k, mean, (p50, p90) in con.execute(
                f"SELECT step, g, count(*), {_STATS.format(x='d')} FROM e WHERE g IS NOT NULL"
                " GROUP BY step, g"
            ).fetchall()
        ),
        key=lambda row: (-row[2], row[0], row[1]),
    )
    directly = [
        {
            "from": f,
            "to": g,
            "count": k,
            "mean": _round(mean),
            "p50": _round(p50),
            "p90": _round(p90),
        }
        for f, g, k, mean, p50, p90 in df_rows
    ]
    arrows, branches = _arrows(con, flow, silent, number, [(f, g) for f, g, *_ in df_rows])
    throughput = _stats(
        con.execute(f"SELECT {_STATS.format(x='x')} FROM (SELECT t1 - t0 AS x FROM pc)").fetchone()
    )
    conformance = _conformance(flow, silent, variants, total_cases)
    rework = sum(k for seq, k, _, _ in variants if len(set(seq)) < len(seq))
    variant_list = sorted(
        ({"steps": seq, "cases": k, "share": _round(k / total_cases)} for seq, k, _, _ in variants),
        key=lambda item: (-item["cases"], item["steps"]),
    )
    metrics = _metrics(con, process, number, variants, first, last)
    return {
        "process": process.id,
        "log": shown,
        "cases": int(total_cases),
        "events": int(total_events),
        "span": {"first": _iso(first), "last": _iso(last)},
        "unmapped_activities": unmapped,
        "unmapped_more": {"activities": found.more[0], "events": found.more[1]},
        "skipped_rows": {"count": int(skipped), "examples": examples},
        "steps": steps,
        "directly_follows": directly,
        "arrows": arrows,
        "branches": branches,
        "throughput": throughput,
        "conformance": conformance,
        "rework": {
            "cases": rework,
            "rate": _round(rework / total_cases) if total_cases else None,
        },
        "variants": variant_list,
        "metrics": metrics,
        "control": _control(process, metrics, source_file),
    }


def _mapped_events(
    con: Any,
    raw: list[str] | None,
    name_of: dict[str, str | None],
    mapping: dict[str, str],
    number: dict[str, int],
) -> str:
    """SQL for the readable rows of `ev` with their step number `k` (null: unmapped):
    from the ENUM code through a list of `raw`'s steps, or (activities as text) by a
    join with table `m` of the mapped activities."""
    if raw is None:
        con.execute("CREATE TABLE m (name VARCHAR, k USMALLINT)")
        con.executemany(
            "INSERT INTO m VALUES (?, ?)", [(a, number[sid]) for a, sid in mapping.items()]
        )
        return """SELECT ev.c, m.k, ev.t, ev.s, ev.rowid + 1 AS r
                  FROM ev JOIN m ON trim(ev.a) = m.name
                  WHERE ev.c IS NOT NULL AND ev.t IS NOT NULL"""
    # the step number of each ENUM value (its code + 1 in DuckDB's 1-based lists)
    step_of_code = [
        number[mapping[name]] if name in mapping else None
        for name in (name_of[value] for value in raw)
    ]
    # A literal list, not a parameter: DuckDB before 2.0 fails on a list parameter here
    # ("ListStats::GetChildStats called on stats that is not a list").
    codes = (
        "[" + ", ".join("NULL" if k is None else str(k) for k in step_of_code) + "]::USMALLINT[]"
    )
    return f"""SELECT c, list_extract({codes}, enum_code(a) + 1) AS k, t, s, rowid + 1 AS r
               FROM ev WHERE c IS NOT NULL AND a IS NOT NULL AND t IS NOT NULL"""


def _steps(
    con: Any, flow: Flow, number: dict[str, int], cases_of: dict[str, int]
) -> list[dict[str, Any]]:
    query = f"""SELECT step, count(*), {_STATS.format(x="p")}, {_STATS.format(x="wt")}
                FROM (SELECT step, t - s AS p, s - pt AS wt
                      FROM e)
                GROUP BY step"""
    rows = {row[0]: tuple(row[1:]) for row in con.execute(query).fetchall()}
    result = []
    for sid in flow.order:
        step = flow.steps[sid]
        row = rows.get(number[sid])
        result.append(
            {
                "id": sid,
                "name": step.name,
                "cases": cases_of.get(sid, 0),
                "events": int(row[0]) if row else 0,
                "processing": _stats(row[1:3]) if row else None,
                "waiting": _stats(row[3:5]) if row else None,
            }
        )
    return result


def _silent_path(flow: Flow, silent: set[str], a: str, b: str) -> list[tuple[str, str]] | None:
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


def _arrows(
    con: Any,
    flow: Flow,
    silent: set[str],
    number: dict[str, int],
    pairs: list[tuple[str, str]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    used: list[tuple[int, int, str, str]] = []
    for f, g in pairs:
        for x, y in _silent_path(flow, silent, f, g) or []:
            used.append((number[f], number[g], x, y))
    con.execute("CREATE TABLE uses (f USMALLINT, g USMALLINT, x VARCHAR, y VARCHAR)")
    if used:
        con.executemany("INSERT INTO uses VALUES (?, ?, ?, ?)", used)
    figures = {
        (x, y): (int(k), p50)
        for x, y, k, p50 in con.execute(
            """SELECT u.x, u.y, count(*), quantile_cont(e.d / 1000000.0, 0.5)
               FROM e JOIN uses u ON e.step = u.f AND e.g = u.g GROUP BY u.x, u.y"""
        ).fetchall()
    }
    through: dict[str, int] = {}
    for edge in flow.edges:
        through[edge.source] = (
            through.get(edge.source, 0) + figures.get((edge.source, edge.target), (0, None))[0]
        )
    arrows = []
    branches = []
    by_order = {sid: i for i, sid in enumerate(flow.order)}
    for edge in sorted(flow.edges, key=lambda e: by_order[e.source]):
        count, p50 = figures.get((edge.source, edge.target), (0, None))
        step = flow.steps[edge.source]
        is_decision = step.kind == "decision"
        share = (
            _round(count / through[edge.source]) if is_decision and through[edge.source] else None
        )
        arrows.append(
            {
                "from": edge.source,
                "to": edge.target,
                "label": edge.label,
                "count": count,
                "share": share,
                "p50": _round(p50),
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
    return arrows, branches


def _conformance(
    flow: Flow,
    silent: set[str],
    variants: list[tuple[list[str], int, list[Any], list[Any]]],
    total: int,
) -> dict[str, Any]:
    ends = set(flow.ends)
    fitting = incomplete = 0
    deviations: dict[tuple[str | None, str], list[Any]] = {}
    incomplete_ex: list[tuple[int, str]] = []

    def can_end(sid: str) -> bool:
        if sid in ends:
            return True
        # an end without events is passed silently; one with events must be in the log
        return any(_silent_path(flow, silent, sid, end) for end in ends if end in silent)

    for seq, count, examples, rows in variants:
        first = seq[0]
        wrong: tuple[str | None, str] | None = None
        if first not in flow.starts and not any(
            _silent_path(flow, silent, s, first) for s in flow.starts if s in silent
        ):
            wrong = (None, first)
        else:
            for a, b in itertools.pairwise(seq):
                if _silent_path(flow, silent, a, b) is None:
                    wrong = (a, b)
                    break
        if wrong is not None:
            entry = deviations.setdefault(wrong, [0, []])
            entry[0] += count
            entry[1].extend(zip(rows, examples, strict=True))
        elif can_end(seq[-1]):
            fitting += count
        else:
            incomplete += count
            incomplete_ex.extend(zip(rows, examples, strict=True))
    listed = [
        {
            "from": f,
            "to": g,
            "count": k,
            "examples": [c for _, c in sorted(ex)[:EXAMPLES]],
        }
        for (f, g), (k, ex) in deviations.items()
    ]
    listed.sort(key=lambda d: (-d["count"], d["from"] or "", d["to"]))
    return {
        "fitting": fitting,
        "deviating": total - fitting - incomplete,
        "incomplete": incomplete,
        "fitness": _round(fitting / total) if total else None,
        "deviations": listed,
        "unobserved_steps": [sid for sid in flow.order if sid in silent],
        "incomplete_examples": [c for _, c in sorted(incomplete_ex)[:EXAMPLES]],
    }


def _metrics(
    con: Any,
    process: Any,
    number: dict[str, int],
    variants: list[tuple[list[str], int, list[Any], list[Any]]],
    first: int | None,
    last: int | None,
) -> list[dict[str, Any]]:
    result = []
    for mid, metric in process.metrics.items():
        measure = metric.measure
        if measure is None:
            continue
        actual: float | None = None
        kind = measure.kind
        if kind == "rate":
            src, dst = measure.rate
            reached = later = 0
            for seq, k, _, _ in variants:
                if src in seq:
                    reached += k
                    if dst in seq[seq.index(src) + 1 :]:
                        later += k
            actual = 100.0 * later / reached if reached else None
        elif kind == "time":
            src, dst = measure.time
            func = {
                "mean": "avg(x) / 1000000.0",
                "p50": "quantile_cont(x / 1000000.0, 0.5)",
                "p90": "quantile_cont(x / 1000000.0, 0.9)",
            }
            row = con.execute(
                f"""WITH a AS (SELECT c, min(n) AS n FROM e WHERE step = ? GROUP BY c),
                    b AS (SELECT e.c, min(e.n) AS n FROM e JOIN a ON e.c = a.c AND e.n > a.n
                          WHERE e.step = ? GROUP BY e.c)
                    SELECT {func[measure.statistic]} FROM (
                      SELECT tb.t - ta.t AS x FROM a JOIN b ON a.c = b.c
                      JOIN e ta ON ta.c = a.c AND ta.n = a.n
                      JOIN e tb ON tb.c = b.c AND tb.n = b.n)""",
                [number[src], number[dst]],
            ).fetchone()
            seconds = row[0] if row else None
            if seconds is not None:
                unit = (metric.unit or "").strip().lower()
                actual = seconds / _UNIT_SECONDS.get(unit, 3600.0)
        else:
            (events,) = con.execute(
                "SELECT count(*) FROM e WHERE step = ?", [number[measure.count]]
            ).fetchone()
            if first is not None and last is not None and last > first:
                days = (last - first) / 86_400_000_000
                actual = events / (days / _PERIOD_DAYS[measure.period])
        meets: bool | None = None
        if actual is not None and metric.target is not None:
            target = float(metric.target)
            meets = actual >= target if metric.direction == "up" else actual <= target
        result.append(
            {
                "id": mid,
                "name": metric.name,
                "unit": metric.unit,
                "actual": _round(actual),
                "baseline": _figure(metric.baseline),
                "target": _figure(metric.target),
                "direction": metric.direction,
                "meets_target": meets,
            }
        )
    return result


def _figure(value: Any) -> float | None:
    return None if value is None else float(value)


def _control(
    process: Any, metrics: list[dict[str, Any]], source: str | os.PathLike[str] | None
) -> list[dict[str, Any]]:
    dmaic = process.dmaic
    if dmaic is None or not dmaic.control:
        return []
    by_id = {m["id"]: m for m in metrics}
    doc = None
    if source is not None:
        from ..format import load_file

        with contextlib.suppress(Exception):
            doc = load_file(source).document
    result = []
    for index, point in enumerate(dmaic.control):
        metric = by_id.get(point.metric)
        if metric is None:
            continue
        actual = metric["actual"]
        threshold = _figure(point.threshold)
        breached: bool | None = None
        if actual is not None and threshold is not None:
            breached = actual < threshold if metric["direction"] == "up" else actual > threshold
        line = column = None
        if doc is not None:
            line, column = doc.position(("dmaic", "control", index))
        result.append(
            {
                "metric": point.metric,
                "threshold": threshold,
                "actual": actual,
                "breached": breached,
                "line": line,
                "column": column,
            }
        )
    return result

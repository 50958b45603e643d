"""An event log read into DuckDB: the file as a relation, its columns, table `ev`.

Owns: opening a log (CSV, gzip CSV and Parquet read by DuckDB, a CSV's dialect sniffed
once and then given; XES converted first by `xes`), refusing what is not text, finding the
column of each role (`DEFAULT_COLUMNS`), the log's first rows read once (`head`: the
activities they hold, whether each timestamp column is ISO 8601 there), the format of
each timestamp column (`timestamp_formats`: one per column, ISO 8601 or one of
`TIMESTAMP_FORMATS`, chosen from the first rows, from the whole column when they fit
both day-first and month-first, refused when it does too), and table `ev`
(`read_events`): one row per row of the log, in file order, with the activity as an ENUM
of its values and, when the log has a lifecycle column, its transition lower-cased
(`lifecycle` then keeps only the activity instances).

Must not know: the process, steps or figures (`tables`), memory limits (`engine`).
"""

from __future__ import annotations

import contextlib
import gzip
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import LogError, RefusedLogError
from .xes import xes_to_csv

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

#: Column names tried in order when no column is given (compared case-insensitively):
#: the XES names first, then common export names (Disco's and 4TU's: `Case ID`, `Activity`,
#: `Complete Timestamp`, `Start Timestamp`, `Resource`).
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "case": ("case:concept:name", "case_id", "case id", "caseid", "case"),
    "activity": ("concept:name", "activity", "activity_name", "activity name", "event"),
    "timestamp": (
        "time:timestamp",
        "timestamp",
        "time",
        "end_timestamp",
        "complete_timestamp",
        "complete timestamp",
        "end time",
        "datetime",
        "date",
    ),
    "start_timestamp": ("start_timestamp", "start timestamp", "start_time", "start time", "start"),
    "resource": ("org:resource", "resource", "user"),
    "lifecycle": (
        "lifecycle:transition",
        "lifecycle_transition",
        "lifecycle transition",
        "lifecycle",
        "transition",
    ),
}
#: `--lifecycle none`: read no lifecycle column, even one found by name.
NO_LIFECYCLE = "none"
#: A timestamp column in ISO 8601, as DuckDB casts text to TIMESTAMPTZ: with or without
#: an offset (`Z`, `+01:00`), `T` or a space, seconds and their fractions optional.
ISO = "ISO 8601"
#: The times of day a date may carry in an export format (or none: a date alone).
_TIMES = ("%H:%M:%S.%f", "%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p", "")


def _dates(order: str) -> tuple[str, ...]:
    return tuple(
        order.replace("/", sep) + (f" {time}" if time else "") for sep in "/.-" for time in _TIMES
    )


#: Export formats with the day first (`31/01/2026 14:05`, `31.01.2026`, `31-01-2026`) and
#: with the month first (`01/31/2026 2:05 PM`), in strptime's spelling.
DAY_FIRST = _dates("%d/%m/%Y")
MONTH_FIRST = _dates("%m/%d/%Y")
#: Every format a timestamp column is chosen among, in order of preference on a tie.
TIMESTAMP_FORMATS = (
    ISO,
    *(f"%Y/%m/%d {t}".rstrip() for t in _TIMES),
    *DAY_FIRST,
    *MONTH_FIRST,
)
#: The rows read first for the activity column's values (its ENUM; a value they miss
#: costs a second read of the log) and to choose each timestamp column's format.
SAMPLE_ROWS = 100_000
#: The first values of a timestamp column not in ISO 8601 that every format is tried on:
#: only those that read one of them are counted over the first `SAMPLE_ROWS` rows.
HEAD_VALUES = 2_000
#: The buffer of each thread reading a CSV (DuckDB's default is 32 MB).
CSV_BUFFER_BYTES = 8 * 2**20
#: Distinct activities an ENUM is made of; a log with more keeps them as text, mapped in
#: chunks, so that Python never holds every activity.
ENUM_VALUES = 10_000
#: Activity values trimmed by DuckDB in one statement (below its vector size, 2,048).
TRIM_CHUNK = 2_000


def norm(text: str) -> str:
    """`text` compared loosely: runs of whitespace as one space, case folded."""
    return " ".join(text.split()).casefold()


def lit(text: str) -> str:
    """`text` inside a SQL string literal."""
    return text.replace("'", "''")


def quote(name: str) -> str:
    """`name` inside a double-quoted SQL identifier."""
    return name.replace('"', '""')


def first_line(error: Exception, default: str) -> str:
    """The first line of a DuckDB error's message (`default` when it has none)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else default


@dataclass(frozen=True)
class Source:
    """The log as a DuckDB relation: `sql`, every column VARCHAR, rows in file order when
    read with insertion order kept; its column `names`; `csv` when a bad row shows only as
    it is read; `size`, the bytes of the file DuckDB reads (an XES log's converted CSV),
    which its memory limit is sized by."""

    sql: str
    names: tuple[str, ...]
    csv: bool
    size: int = 0


@contextlib.contextmanager
def loaded(con: DuckDBPyConnection, path: Path, shown: str) -> Iterator[Source]:
    """The log at `path` as a relation to read from (nothing is read yet but the first
    rows, to find the columns and the CSV dialect)."""
    name = path.name.lower()
    temp: str | None = None
    try:
        if name.endswith((".xes", ".xes.gz")):
            temp = xes_to_csv(path, shown)
            file = temp
        else:
            file = str(path)
        if path.stat().st_size == 0:
            raise LogError(f"{shown}: empty file, not an event log")
        if name.endswith(".parquet"):
            source = _parquet(con, file)
        else:
            _check_text(path, shown)
            source = _csv(con, file, shown)
        yield replace(source, size=os.stat(file).st_size)
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _parquet(con: DuckDBPyConnection, file: str) -> Source:
    parquet = f"read_parquet('{lit(file)}')"
    cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {parquet}").fetchall()]
    casts = ", ".join(f'CAST("{quote(c)}" AS VARCHAR) AS "{quote(c)}"' for c in cols)
    return Source(f"(SELECT {casts} FROM {parquet})", tuple(cols), csv=False)


def _csv(con: DuckDBPyConnection, file: str, shown: str) -> Source:
    import duckdb

    found = _sniffed(con, file)
    if found is not None:
        return Source(*found, csv=True)
    sql = (
        f"read_csv('{lit(file)}', all_varchar = true, header = true,"
        f" auto_detect = true, buffer_size = {CSV_BUFFER_BYTES})"
    )
    try:
        names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {sql}").fetchall()]
    except duckdb.OutOfMemoryException:
        raise
    except duckdb.Error as error:
        raise not_csv(shown, error) from None
    return Source(sql, tuple(names), csv=True)


def _sniffed(con: DuckDBPyConnection, file: str) -> tuple[str, tuple[str, ...]] | None:
    """The CSV at `file` read with the dialect and columns DuckDB's sniffer finds, given
    explicitly (`sniff_csv`'s `Prompt`: DuckDB sniffs again on every `auto_detect` read,
    some 20 ms each), and its column names; None when that cannot be had as it was
    sniffed (DuckDB before 0.10 has no `sniff_csv`; a quote in the path or a column name,
    which the prompt leaves unescaped; a file the sniffer refuses): the caller then reads
    with `auto_detect`, as the sniffer would, and reports what fails."""
    import duckdb

    if "'" in file or "\\" in file:
        return None
    try:
        row = con.execute(
            f"SELECT Columns, Prompt FROM sniff_csv('{file}', all_varchar = true, header = true,"
            f" buffer_size = {CSV_BUFFER_BYTES})"
        ).fetchone()
        if row is None:
            return None
        names = tuple(str(column["name"]) for column in row[0])
        prompt = str(row[1])
        head = f"FROM read_csv('{file}', "
        if any("'" in n or "\\" in n for n in names) or not (
            prompt.startswith(head) and prompt.endswith(");") and "auto_detect=false" in prompt
        ):
            return None
        sql = prompt[len("FROM ") : -1]
        described = con.execute(f"DESCRIBE SELECT * FROM {sql}").fetchall()
    except (duckdb.OutOfMemoryException, duckdb.InterruptException):
        raise
    except duckdb.Error:
        return None
    if tuple(r[0] for r in described) != names:
        return None
    return sql, names


def not_csv(shown: str, error: Exception) -> LogError:
    """The `LogError` of a CSV DuckDB could not read."""
    return LogError(f"{shown}: not a CSV event log ({first_line(error, '')})")


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


def resolve(
    con: DuckDBPyConnection, shown: str, source: Source, given: Mapping[str, str | None]
) -> dict[str, str | None]:
    """The log's column for each role: the one given, else the first default present."""
    try:
        return roles(shown, list(source.names), given)
    except LogError:
        # a log with no rows says so first, whatever its header
        counted = con.execute(f"SELECT count(*) FROM {source.sql}").fetchone()
        if counted is not None and counted[0] == 0:
            raise LogError(f"{shown}: no events (a header and no rows)") from None
        raise


def roles(shown: str, names: list[str], given: Mapping[str, str | None]) -> dict[str, str | None]:
    """Each role's column among `names`: the one `given` (exactly, else loosely), else the
    first of `DEFAULT_COLUMNS` present and not taken (none for a lifecycle given as
    `NO_LIFECYCLE`); `LogError` for a given column that is missing, or no case, activity
    or timestamp column."""
    folded: dict[str, str] = {}
    for name in names:
        folded.setdefault(norm(name.lstrip("\ufeff")), name)
    found: dict[str, str | None] = {}
    for role, wanted in given.items():
        flag = "--" + role.replace("_", "-")
        if role == "lifecycle" and wanted is not None and norm(wanted) == NO_LIFECYCLE:
            found[role] = None  # --lifecycle none: every event is an activity instance
            continue
        if wanted is not None:
            hit = wanted if wanted in names else folded.get(norm(wanted))
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


def parse_sql(column: str, fmt: str = ISO) -> str:
    """SQL for the column as microseconds since the epoch (UTC), null when unparseable.

    The value in format `fmt` (strptime's spelling, naive times in the session's time
    zone), trimmed (DuckDB's trim: spaces, Unicode ones too); or as ISO 8601 (`ISO`),
    tried first untrimmed, as it reads with ASCII spaces around it: the most common case
    then makes no trimmed copy. A CASE, not COALESCE, tries the trimmed text only where
    the first try is null: DuckDB computed COALESCE's trim for every row (some 30 ms a
    column on 1M events)."""
    raw = f'"{quote(column)}"'
    text = f"nullif(trim({raw}), '')"
    if fmt == ISO:
        cast = f"try_cast({raw} AS TIMESTAMPTZ)"
        return (
            f"epoch_us(CASE WHEN {cast} IS NULL THEN try_cast({text} AS TIMESTAMPTZ)"
            f" ELSE {cast} END)"
        )
    return f"epoch_us(try_strptime({text}, '{lit(fmt)}')::TIMESTAMPTZ)"


@dataclass(frozen=True)
class Head:
    """What one read of the log's first rows (`SAMPLE_ROWS`) finds: how many `rows`; the
    activity column's `values` among them, sorted (None: more than `ENUM_VALUES`); and
    `iso`, for each timestamp role whose format is not given, whether every value of its
    column there is ISO 8601 (or blank)."""

    rows: int
    values: list[str] | None
    iso: dict[str, bool]


def head(
    con: DuckDBPyConnection,
    source: Source,
    columns: Mapping[str, str | None],
    given: Mapping[str, str | None],
) -> Head:
    """The `Head` of the log: `columns` maps each role to its column (`resolve`), `given`
    each timestamp role to its format, if given (those columns are not checked)."""
    act = columns["activity"]
    assert act is not None
    chosen = {
        role: column
        for role in ("timestamp", "start_timestamp")
        if (column := columns.get(role)) is not None and given.get(role) is None
    }
    values = "".join(
        f""", nullif(trim("{quote(column)}"), '') AS v{i}"""
        for i, column in enumerate(chosen.values())
    )
    checks = "".join(
        f", count(v{i}) = count(try_cast(v{i} AS TIMESTAMPTZ))" for i in range(len(chosen))
    )
    row = con.execute(
        f"""SELECT count(*), count(DISTINCT a),
                   CASE WHEN count(DISTINCT a) <= {ENUM_VALUES}
                        THEN list(DISTINCT a) FILTER (WHERE a IS NOT NULL) END{checks}
            FROM (SELECT "{quote(act)}" AS a{values} FROM {source.sql} LIMIT {SAMPLE_ROWS})"""
    ).fetchone()
    assert row is not None
    rows, distinct, sample = row[:3]
    found = None if distinct > ENUM_VALUES else sorted(sample or [])
    return Head(int(rows), found, dict(zip(chosen, (bool(x) for x in row[3:]), strict=True)))


def timestamp_formats(
    con: DuckDBPyConnection,
    shown: str,
    source: Source,
    columns: Mapping[str, str | None],
    given: Mapping[str, str | None],
    iso: Mapping[str, bool],
) -> dict[str, str]:
    """The format of each timestamp column (role `timestamp`, and `start_timestamp` when
    the log has one): the one `given` for its role (`ISO`, or strptime's spelling), else
    ISO 8601 when it reads every value of the column's first rows (`SAMPLE_ROWS`; `iso`,
    each role's `Head.iso`), else the one of `TIMESTAMP_FORMATS` that reads
    the most of those values (`_choose`), the first listed on a tie. When the best day-first and month-first formats
    read as many of them, they are counted over the whole column (one more read, for such
    logs only); a column they still tie on takes the order of the other timestamp
    column, else it is refused (`RefusedLogError`, naming the column, two values and the
    option that settles it)."""
    found: dict[str, str] = {}
    tied: dict[str, tuple[str, str]] = {}
    chosen: dict[str, str] = {}
    for role in ("timestamp", "start_timestamp"):
        column = columns.get(role)
        fmt = given.get(role)
        if column is not None and fmt is not None:
            found[role] = _given(con, shown, source, column, fmt, role)
        elif column is not None:
            chosen[role] = column
    for role, column in chosen.items():
        choice = ISO if iso[role] else _choose(con, source, column)
        if isinstance(choice, str):
            found[role] = choice
        else:
            tied[role] = choice
    for role, (day, month) in tied.items():
        orders = [f in DAY_FIRST for f in found.values() if f in DAY_FIRST or f in MONTH_FIRST]
        if not orders:
            raise _ambiguous(con, shown, source, columns[role] or "", role, (day, month))
        found[role] = day if orders[0] else month
    return found


def _flag(role: str) -> str:
    return "--" + role.replace("_", "-") + "-format"


def _given(
    con: DuckDBPyConnection, shown: str, source: Source, column: str, fmt: str, role: str
) -> str:
    """The format given for a column: `ISO` for its spellings, else checked to be one
    DuckDB's strptime reads (`LogError` otherwise)."""
    import duckdb

    if norm(fmt).replace(" ", "") in ("iso", "iso8601"):
        return ISO
    try:
        con.execute("SELECT try_strptime('2026-01-01', ?)", [fmt]).fetchone()
    except duckdb.Error as error:
        raise LogError(
            f"{shown}: {_flag(role)} {fmt!r} for column {column!r} is not a strptime format"
            f" ({first_line(error, 'unreadable')}); e.g. '%d/%m/%Y %H:%M'"
        ) from None
    return fmt


def _sample_sql(source: Source, column: str, limit: int | None) -> str:
    """The column's values, trimmed, the blank ones null; the first `limit` rows only."""
    cut = "" if limit is None else f" LIMIT {limit}"
    return f"""(SELECT nullif(trim("{quote(column)}"), '') AS v FROM {source.sql}{cut})"""


def _counts(
    con: DuckDBPyConnection, values: str, formats: tuple[str, ...] = TIMESTAMP_FORMATS
) -> dict[str, int]:
    """How many of `values` (SQL of a relation with column `v`) each format reads."""
    reads = [
        "count(try_cast(v AS TIMESTAMPTZ))" if f == ISO else f"count(try_strptime(v, '{lit(f)}'))"
        for f in formats
    ]
    row = con.execute(f"SELECT {', '.join(reads)} FROM {values}").fetchone()
    assert row is not None
    return {f: int(n) for f, n in zip(formats, row, strict=True)}


def _choose(con: DuckDBPyConnection, source: Source, column: str) -> str | tuple[str, str]:
    """The format of `column`, not all ISO 8601 (see `timestamp_formats`), or the
    day-first and the month-first format that read as many of its values, the whole
    column counted. The formats are counted over the first rows among those that read
    one of its first `HEAD_VALUES` values (43 formats over 100,000 values took 1.5 s)."""
    sample = _sample_sql(source, column, SAMPLE_ROWS)
    head = _counts(con, f"(SELECT v FROM {sample} WHERE v IS NOT NULL LIMIT {HEAD_VALUES})")
    kept = tuple(f for f in TIMESTAMP_FORMATS if head[f]) or (ISO,)
    counts = _counts(con, sample, kept)
    best = max(kept, key=lambda f: counts[f])  # the first of the best
    if counts[best] == 0 or (best not in DAY_FIRST and best not in MONTH_FIRST):
        return best
    rivals = [f for f in kept if f in (MONTH_FIRST if best in DAY_FIRST else DAY_FIRST)]
    rival = max(rivals, key=lambda f: counts[f], default=None)
    if rival is None or counts[rival] < counts[best]:
        return best
    pair = (best, rival) if best in DAY_FIRST else (rival, best)
    whole = _counts(con, _sample_sql(source, column, None), pair)
    if whole[pair[0]] == whole[pair[1]]:
        return pair
    return max(pair, key=lambda f: whole[f])


def _ambiguous(
    con: DuckDBPyConnection,
    shown: str,
    source: Source,
    column: str,
    role: str,
    pair: tuple[str, str],
) -> RefusedLogError:
    """The error of a column whose every value reads day-first and month-first alike:
    two of its values (ones the two read differently, where there are), and the option."""
    day, month = (lit(f) for f in pair)
    rows = con.execute(
        f"""SELECT DISTINCT v FROM {_sample_sql(source, column, SAMPLE_ROWS)}
            WHERE v IS NOT NULL
            ORDER BY try_strptime(v, '{day}') = try_strptime(v, '{month}'), v LIMIT 2"""
    ).fetchall()
    examples = ", ".join(repr(v) for (v,) in rows)
    flag = _flag(role)
    return RefusedLogError(
        f"{shown}: column {column!r} reads as day-first and as month-first dates alike"
        f" (e.g. {examples}); give {flag} '{pair[0]}' (day first) or {flag}"
        f" '{pair[1]}' (month first)"
    )


# -- table ev ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Events:
    """Table `ev` on the connection, one row per row of the log in file order (`rowid`):
    the case `c` (trimmed, null when blank), the activity `a`, the timestamp `t` and start
    `s` in microseconds, and the timestamp's text `ts_text` where it did not parse (for
    the skipped rows' reasons); when the log has a lifecycle column (`lifecycle`, its
    name), the transition `lc`, trimmed and lower-cased (null when blank); when the
    reader asked for the resource column and the log has one, the resource `r` (trimmed,
    null when blank).

    `values`: the activity column's values in ENUM order, untrimmed (`a` is an ENUM of
    them: a byte or two, not a string); None when the column holds more than
    `ENUM_VALUES` (`a` is then text, and Python never holds them all). `name_of`: each
    value's activity, trimmed (None when blank)."""

    values: list[str] | None
    name_of: dict[str, str | None]
    name: str = "ev"
    lifecycle: str | None = None

    @property
    def missing_activity(self) -> str:
        """SQL: the row's activity is missing (null, or blank once trimmed with DuckDB's
        trim)."""
        if self.values is None:
            return "nullif(trim(a), '') IS NULL"
        blank = [str(code) for code, value in enumerate(self.values) if self.name_of[value] is None]
        return f"(a IS NULL OR enum_code(a) IN ({', '.join(blank)}))" if blank else "a IS NULL"

    @property
    def unreadable(self) -> str:
        """SQL: the row lacks a case, an activity or a readable timestamp."""
        return f"c IS NULL OR {self.missing_activity} OR t IS NULL"

    @property
    def readable(self) -> str:
        """SQL: the row has a case, an activity and a readable timestamp."""
        return f"c IS NOT NULL AND NOT {self.missing_activity} AND t IS NOT NULL"


def read_events(
    con: DuckDBPyConnection,
    shown: str,
    source: Source,
    columns: Mapping[str, str | None],
    formats: Mapping[str, str] | None = None,
    first: Head | None = None,
) -> Events:
    """Table `ev` (`Events`), in one read of the log, or two when the first rows
    (`SAMPLE_ROWS`, read by `head`: `first`, or read here when not given) missed an
    activity: the ENUM is then made from the whole column. `columns` maps each role to
    its column; the case, activity and timestamp ones are given. `formats`: each
    timestamp role's format (`timestamp_formats`; ISO 8601 for a role it lacks)."""
    import duckdb

    act_col = columns["activity"]
    assert act_col and columns["timestamp"]
    act = f'"{quote(act_col)}"'
    try:
        first = first or head(con, source, columns, {})
        if not first.rows:
            raise LogError(f"{shown}: no events (a header and no rows)")
        values = first.values
        whole = False
        while True:
            if values is not None and not values and not whole:
                values, whole = all_values(con, source, act), True
            try:
                _create_ev(con, source, columns, values, formats or {})
                break
            except duckdb.ConversionException:
                if whole or not values:
                    raise
                # a value the sample did not see: the ENUM from the whole column
                con.execute("DROP TABLE IF EXISTS ev")
                con.execute("DROP TYPE IF EXISTS activity")
                values, whole = all_values(con, source, act), True
    except duckdb.Error as error:
        if source.csv and not isinstance(error, duckdb.OutOfMemoryException):
            raise not_csv(shown, error) from None
        raise
    lifecycle = columns.get("lifecycle")
    if values is None:
        return Events(None, {}, lifecycle=lifecycle)
    # In chunks of fewer than 2,048: DuckDB 0.9 gives only the first 2,048 rows (one
    # vector) of unnest over a list parameter, which left activities without a name.
    trimmed: list[tuple[str, str | None]] = []
    for at in range(0, len(values), TRIM_CHUNK):
        trimmed += con.execute(
            "SELECT v, nullif(trim(v), '') FROM unnest(?::VARCHAR[]) AS u(v)",
            [values[at : at + TRIM_CHUNK]],
        ).fetchall()
    return Events(values, dict(trimmed), lifecycle=lifecycle)


def _create_ev(
    con: DuckDBPyConnection,
    source: Source,
    columns: Mapping[str, str | None],
    values: list[str] | None,
    formats: Mapping[str, str],
) -> None:
    """Read the log into table `ev`, the activity as an ENUM of `values` (text when
    None or empty), each timestamp in its role's format; DuckDB's ConversionException for
    a value not among them."""
    act, ts_col, start_col = columns["activity"], columns["timestamp"], columns["start_timestamp"]
    assert act and ts_col
    start_fmt = formats.get("start_timestamp", ISO)
    start_sql = parse_sql(start_col, start_fmt) if start_col else "NULL::BIGINT"
    lc_col = columns.get("lifecycle")
    lc_sql = f''',\n lower(nullif(trim("{quote(lc_col)}"), '')) AS lc''' if lc_col else ""
    res_col = columns.get("resource")
    lc_sql += f''',\n nullif(trim("{quote(res_col)}"::VARCHAR), '') AS r''' if res_col else ""
    if values:
        con.execute("CREATE TYPE activity AS ENUM (SELECT unnest(?::VARCHAR[]))", [values])
    con.execute("SET preserve_insertion_order = true")  # rowid: the row in the file
    try:
        con.execute(
            f"""CREATE TABLE ev AS SELECT
                nullif(trim("{quote(columns["case"] or "")}"), '') AS c,
                "{quote(act)}"::{"activity" if values else "VARCHAR"} AS a,
                {parse_sql(ts_col, formats.get("timestamp", ISO))} AS t,
                {start_sql} AS s,
                CASE WHEN t IS NULL THEN "{quote(ts_col)}" END AS ts_text{lc_sql}
            FROM {source.sql}"""
        )
    finally:
        con.execute("SET preserve_insertion_order = false")


def all_values(con: DuckDBPyConnection, source: Source, act: str) -> list[str] | None:
    """Every value of the activity column, sorted; None when there are more than
    `ENUM_VALUES` (only that many and one are fetched)."""
    rows = con.execute(
        f"SELECT DISTINCT {act} FROM {source.sql} WHERE {act} IS NOT NULL LIMIT {ENUM_VALUES + 1}"
    ).fetchall()
    if len(rows) > ENUM_VALUES:
        return None
    return sorted(v for (v,) in rows)

"""The typer command `procmap discover`: a first draft of a map from an event log.

Owns: its signature (the log-column options and `--config` from `params`, defaults from
`options.DiscoverOptions`) and its run: the log's summary (`--summary`), a map against
the log (`--against`), or the draft written to `-o` (a file, or a folder named from
`--id`) or printed; its messages and exit statuses.

Must not know: how a log is read or a map mined (`procmap.measure`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import CliError, not_one_of
from .options import DiscoverOptions
from .params import (
    ActivityOpt,
    CaseOpt,
    ConfigOpt,
    LifecycleOpt,
    MaxBadRowsOpt,
    QuietOpt,
    ResourceOpt,
    SkipBadRowsOpt,
    StartTimestampFormatOpt,
    StartTimestampOpt,
    TimestampFormatOpt,
    TimestampOpt,
    TimezoneOpt,
)
from .root import usage_errors

if TYPE_CHECKING:
    from ..config import Config, LogColumns

_D = DiscoverOptions
FORMATS = ("text", "json")


def discover_command(
    case: CaseOpt = _D.case,
    activity: ActivityOpt = _D.activity,
    timestamp: TimestampOpt = _D.timestamp,
    start_timestamp: StartTimestampOpt = _D.start_timestamp,
    resource: ResourceOpt = _D.resource,
    lifecycle: LifecycleOpt = _D.lifecycle,
    timezone: TimezoneOpt = _D.timezone,
    timestamp_format: TimestampFormatOpt = _D.timestamp_format,
    start_timestamp_format: StartTimestampFormatOpt = _D.start_timestamp_format,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Unreadable rows (no case id, bad timestamp) are an error."),
    ] = _D.strict,
    skip_bad_rows: SkipBadRowsOpt = _D.skip_bad_rows,
    max_bad_rows: MaxBadRowsOpt = _D.max_bad_rows,
    log: Annotated[
        Path | None,
        typer.Argument(
            metavar="LOG",
            help="The event log: CSV, CSV.gz, Parquet, XES or XES.gz.",
            show_default=False,
        ),
    ] = _D.log,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="Write the draft to PATH (a .yaml file, or a folder: <id>.yaml in it)"
            " instead of stdout.",
        ),
    ] = _D.output,
    process_id: Annotated[
        str | None,
        typer.Option(
            "--id", metavar="ID", help="The draft's process id (default: from the log's name)."
        ),
    ] = _D.process_id,
    name: Annotated[
        str | None, typer.Option("--name", metavar="TEXT", help="The draft's process name.")
    ] = _D.name,
    keep: Annotated[
        float,
        typer.Option(
            "--keep",
            metavar="SHARE",
            help="Keep the most common variants covering this share of the cases (0 to 1; default: 0.8).",
        ),
    ] = _D.keep,
    min_share: Annotated[
        float | None,
        typer.Option(
            "--min-share",
            metavar="PERCENT",
            help="Keep each variant followed by at least this percent of the cases.",
        ),
    ] = _D.min_share,
    every: Annotated[
        bool, typer.Option("--all", help="Keep every variant, however rare.")
    ] = _D.every,
    summary: Annotated[
        bool,
        typer.Option(
            "--summary",
            help="Print the log's summary (columns, activities, resources, span) instead.",
        ),
    ] = _D.summary,
    against: Annotated[
        Path | None,
        typer.Option(
            "--against",
            metavar="PROCESS",
            help="Print what the log shows that this map lacks, and what the map has that"
            " the log never uses, instead.",
        ),
    ] = _D.against,
    report_format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="text (default) or json (--summary and --against).",
        ),
    ] = _D.report_format,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite the file of -o if it exists.")
    ] = _D.force,
    config_path: ConfigOpt = _D.config_path,
    quiet: QuietOpt = _D.quiet,
) -> None:
    """Draft a process map from an event log, as a YAML file to read, edit and measure.

    One step per activity kept, decisions with the shares the log shows, loops where work
    repeats, parallel blocks where activities happen in either order, owners from the
    resource column, hands-on times from start times and long waits; goal, trigger and
    outcome left as TODO. Rare variants are left out (--keep, --min-share; --all keeps
    them) and the header comment says what was. Columns and lifecycle are read as
    `procmap measure` reads them (and from [tool.procmap.logs] when the log is declared
    there). Exit status: 0 done, 1 the log is refused (as by measure) or -o exists
    (--force overwrites), 2 a log that cannot be read or a usage error.

    \f
    Long because: one parameter per option, as typer reads them.
    """
    # the parameters are exactly the dataclass's fields (tests/test_cli_fast.py holds them)
    options = DiscoverOptions(**locals())
    with usage_errors():
        status = run_discover(options)
    raise typer.Exit(status)


def run_discover(options: DiscoverOptions) -> int:
    """The summary, the comparison or the draft; the exit status (`CliError`: 2)."""
    from ..measure import LogError, RefusedLogError
    from .common import config
    from .measure import bad_row_limit

    if options.report_format not in FORMATS:
        raise CliError("--format: " + not_one_of(options.report_format, ["text", "json"]))
    if not 0 < options.keep <= 1:
        raise CliError(f"--keep: {options.keep:g} is not a share of the cases above 0, up to 1")
    if options.min_share is not None and not 0 <= options.min_share <= 100:
        raise CliError(f"--min-share: {options.min_share:g} is not a percent, 0 to 100")
    if options.log is None:
        raise CliError("give the LOG to discover from")
    loaded = config(options.config_path)
    columns, declared = _columns(options, loaded)
    limit = None if options.skip_bad_rows else bad_row_limit(options.max_bad_rows, declared)
    try:
        if options.against is not None:
            return _against(options, loaded, columns, limit)
        if options.summary:
            return _summary(options, columns, limit)
        return _draft(options, columns, limit)
    except RefusedLogError as error:
        sys.stderr.write(f"procmap: {error}\n")
        return 1
    except LogError as error:
        raise CliError(str(error)) from None


def _columns(options: DiscoverOptions, loaded: Config) -> tuple[LogColumns, float]:
    """The log's columns and its `max-bad-rows`: the entry of [tool.procmap.logs] that
    names this log (or the process of --id), the columns overridden by the options."""
    from ..config import MAX_BAD_ROWS, DeclaredLog

    assert options.log is not None
    wanted = options.log.resolve()
    found = DeclaredLog(str(options.log), max_bad_rows=MAX_BAD_ROWS)
    for pid, declared in loaded.logs.items():
        if Path(declared.path).resolve() == wanted or pid == options.process_id:
            found = declared
            break
    return found.columns.overridden(options), found.max_bad_rows


def _summary(options: DiscoverOptions, columns: LogColumns, limit: float | None) -> int:
    from ..measure import summarize_log, summary_json, summary_text

    assert options.log is not None
    found = summarize_log(options.log, columns=columns, strict=options.strict, max_bad_rows=limit)
    sys.stdout.write(
        summary_json(found) if options.report_format == "json" else summary_text(found)
    )
    return 0


def _against(
    options: DiscoverOptions, loaded: Config, columns: LogColumns, limit: float | None
) -> int:
    from ..measure import NothingMapsError, against_json, against_map, against_text, measure_log
    from .measure import validated

    assert options.log is not None and options.against is not None
    processes = validated(options.against, loaded)
    if processes is None:
        return 1
    ((path, process),) = processes.items()
    try:
        result = measure_log(
            process,
            options.log,
            columns=columns,
            strict=options.strict,
            max_bad_rows=limit,
            source=path,
        )
    except NothingMapsError as error:
        result = error.result
    gaps = against_map(process, result)
    sys.stdout.write(against_json(gaps) if options.report_format == "json" else against_text(gaps))
    return 0


def _draft(options: DiscoverOptions, columns: LogColumns, limit: float | None) -> int:
    from .._files import write_atomic
    from ..format import ID_PATTERN
    from ..measure import Filter, discover_log

    assert options.log is not None
    if options.process_id is not None and not _matches(ID_PATTERN, options.process_id):
        raise CliError(
            f"--id: {options.process_id!r} is not a process id (lowercase, digits, hyphens)"
        )
    keep = Filter(options.keep, options.min_share, options.every)
    target = options.output
    pid = options.process_id
    if target is not None and target.suffix in (".yaml", ".yml") and pid is None:
        pid = _slug(target.stem)
    found = discover_log(
        options.log,
        columns=columns,
        strict=options.strict,
        max_bad_rows=limit,
        keep=keep,
        process_id=pid,
        name=options.name,
    )
    _check(found.text)
    if target is None:
        sys.stdout.write(found.text)
        return 0
    if target.is_dir() or target.suffix not in (".yaml", ".yml"):
        target = target / f"{found.process_id}.yaml"
    if target.exists() and not options.force:
        sys.stderr.write(f"procmap: {target} exists; --force overwrites it\n")
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, found.text.encode("utf-8"))
    if not options.quiet:
        share = found.kept_cases / found.summary.cases if found.summary.cases else 0.0
        sys.stderr.write(
            f"Wrote {target}: a draft of {found.process_id!r} that fits {found.kept_cases:,} of"
            f" {found.summary.cases:,} cases ({share:.0%}); check it with procmap validate\n"
        )
    return 0


def _matches(pattern: str, text: str) -> bool:
    import re

    return re.match(pattern, text) is not None


def _slug(text: str) -> str | None:
    from ..format import slugify

    return slugify(text) or None


def _check(text: str) -> None:
    """The draft must be a valid process: a draft that is not is procmap's bug, said so."""
    from ..format import load_text, validate_document

    loaded = load_text("<draft>", text)
    problems = list(loaded.problems)
    if loaded.document is not None:
        problems += validate_document(loaded.document)[1]
    if problems:
        first = problems[0]
        raise AssertionError(f"the draft is not valid: {first.code} {first.message}")

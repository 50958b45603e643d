"""`procmap measure` without typer: the command's body, and a parser for its usual argv.

Building typer's parser costs some 0.17 s of a measurement's start-up, for a command that
CI runs on every build (`procmap measure --check`). `parse_argv` reads the usual command
lines (the process, the log and the documented options, through `common.parse_options`)
and declines everything else (help, a mistake, an unusual spelling), which then goes to
the typer app for its usual handling and messages. A test holds `OPTIONS` to the typer
command's options, and the two paths to the same call.

Must not import typer, nor pydantic for a plainly valid process file: validation keeps
the process as fastcheck's plain records (`validate_paths(..., plain=True)`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .common import CliError, config, default_paths, not_one_of, parse_options
from .options import MeasureOptions

if TYPE_CHECKING:
    from ..config import Config, DeclaredLog
    from ..format import ProcessLike
    from ..render import MeasureResult

#: Output formats of `--format` (the measure report's; a test keeps them equal).
FORMATS = ("text", "markdown", "json", "github")

#: option spelling -> (field of `MeasureOptions`, how its value is read). A test keeps it
#: equal to the typer command's options.
OPTIONS: dict[str, tuple[str, str]] = {
    "--case": ("case", "text"),
    "--activity": ("activity", "text"),
    "--timestamp": ("timestamp", "text"),
    "--start-timestamp": ("start_timestamp", "text"),
    "--resource": ("resource", "text"),
    "--lifecycle": ("lifecycle", "text"),
    "--timezone": ("timezone", "text"),
    "--timestamp-format": ("timestamp_format", "text"),
    "--start-timestamp-format": ("start_timestamp_format", "text"),
    "--strict": ("strict", "flag"),
    "--skip-bad-rows": ("skip_bad_rows", "flag"),
    "--max-bad-rows": ("max_bad_rows", "text"),
    "--check": ("check", "flag"),
    "--format": ("report_format", "choice"),
    "-f": ("report_format", "choice"),
    "--output": ("output", "path"),
    "-o": ("output", "path"),
    "--config": ("config_path", "path"),
    "--quiet": ("quiet", "flag"),
    "-q": ("quiet", "flag"),
}

#: A process file, its validated process and its log: what one measurement takes.
Job = tuple[str, "ProcessLike", "DeclaredLog"]


def parse_argv(argv: list[str]) -> MeasureOptions | None:
    """The options for `run_measure`, or None when typer should read `argv` instead."""
    parsed = parse_options(argv, OPTIONS, MeasureOptions(), {"report_format": FORMATS})
    if parsed is None:
        return None
    options, words = parsed
    if len(words) > 2:
        return None
    from dataclasses import replace

    paths = [Path(word) for word in words] + [None, None]
    return replace(options, process_file=paths[0], log=paths[1])


def run_measure(options: MeasureOptions) -> int:
    """Validate the process file(s), measure each against its log, print the report(s)
    and write the files of `-o`; the exit status: 1 for a log refused because its figures
    would be wrong (`RefusedLogError`), `CliError` (2) for a usage problem or a log that
    cannot be read."""
    from ..measure import (
        LogError,
        RefusedLogError,
        breached,
        format_report,
        measure_log,
        warning_lines,
    )
    from .progress import Status, shown

    if options.report_format not in FORMATS:
        raise CliError("--format: " + not_one_of(options.report_format, list(FORMATS)))
    if options.max_bad_rows is not None:  # a wrong value is a usage error before any log
        bad_row_limit(options.max_bad_rows, 0.0)
    loaded = config(options.config_path)
    processes = _processes(options.process_file, loaded)
    if processes is None:
        return 1
    jobs = _jobs(options, loaded, processes)
    results: list[tuple[str, MeasureResult]] = []
    for path, process, declared in jobs:
        columns = declared.columns.overridden(options)
        max_bad_rows = (
            None
            if options.skip_bad_rows
            else bad_row_limit(options.max_bad_rows, declared.max_bad_rows)
        )
        try:
            # a status line on a terminal after a second of work (not with --quiet)
            showing = shown(sys.stderr, options.quiet)
            with Status(sys.stderr, showing, f"{declared.path}: ") as status:
                measured = measure_log(
                    process,
                    declared.path,
                    columns=columns,
                    strict=options.strict,
                    source=path,
                    max_bad_rows=max_bad_rows,
                    phase=status.phase,
                )
        except RefusedLogError as error:  # the log, not the command line: exit 1
            sys.stderr.write(f"procmap: {error}\n")
            return 1
        except LogError as error:
            raise CliError(str(error)) from None
        for line in warning_lines(measured):
            sys.stderr.write(f"procmap: warning: {line}\n")
        _warn_skipped(measured)
        results.append((path, measured))
    report_format = options.report_format
    if report_format == "json" and options.process_file is None:
        sys.stdout.write(json.dumps([r for _, r in results], indent=2) + "\n")
    else:
        color = report_format == "text" and sys.stdout.isatty()
        for path, measured in results:
            sys.stdout.write(format_report(measured, report_format, color, path))
    if options.output is not None:
        _write(options.output, jobs, results, options.quiet)
    sys.stdout.flush()
    return 1 if options.check and any(breached(measured) for _, measured in results) else 0


def bad_row_limit(text: str | None, declared: float) -> float:
    """`--max-bad-rows` as a fraction (`config.bad_row_share`); when not given, the log's
    `max-bad-rows` in [tool.procmap.logs] (`declared`, 1 % when it has none)."""
    from ..config import bad_row_share

    if text is None:
        return declared
    try:
        return bad_row_share(text)
    except ValueError as error:
        raise CliError(f"--max-bad-rows: {error}") from None


def _warn_skipped(measured: MeasureResult) -> None:
    """One line on stderr for the rows the measurement skipped: how many, the first
    ones' row numbers and reasons."""
    skipped = measured["skipped_rows"]
    if not skipped["count"]:
        return
    listed = "; ".join(f"row {x['row']}: {x['reason']}" for x in skipped["examples"])
    more = ", …" if skipped["count"] > len(skipped["examples"]) else ""
    sys.stderr.write(
        f"procmap: warning: {measured['log']}: skipped {skipped['count']} unreadable"
        f" row(s): {listed}{more}\n"
    )


def validated(process_file: Path, loaded: Config) -> dict[str, ProcessLike] | None:
    """Process path -> the validated process of one file; None (the errors printed)
    when it is invalid; `CliError` when it is not a process file."""
    return _processes(process_file, loaded)


def _processes(process_file: Path | None, loaded: Config) -> dict[str, ProcessLike] | None:
    """Process path -> the validated process, for PROCESS or for the configured paths;
    None (the errors printed) when a file is invalid."""
    from ..lint import FORMATS as PRINTERS
    from ..lint import PathError, validate_paths

    if process_file is None:
        if not loaded.logs:
            raise CliError("no PROCESS given and no [tool.procmap.logs] configured")
        files = default_paths(loaded)
    else:
        if process_file.is_dir():
            raise CliError(f"{process_file}: a folder; give one process file")
        files = [str(process_file)]
    try:
        # plain records where the file is plainly valid: no pydantic (0.27 s of start-up)
        result = validate_paths(
            files, loaded, jobs=1 if process_file else None, keep=True, plain=True
        )
    except PathError as error:
        raise CliError(str(error)) from None
    if process_file is not None and not result.files:
        raise CliError(f"{process_file}: not a process file (.yaml or .yml)")
    if result.errors:
        sys.stderr.write(PRINTERS["text"](result.problems, False))
        sys.stderr.write("procmap: invalid process file(s); fix the errors above\n")
        return None
    return dict(result.processes)


def _jobs(options: MeasureOptions, loaded: Config, processes: dict[str, ProcessLike]) -> list[Job]:
    """What to measure: PROCESS against LOG (else its configured log), or every process
    with a configured log."""
    from ..config import MAX_BAD_ROWS, DeclaredLog, LogColumns

    if options.process_file is not None:
        ((path, process),) = processes.items()
        declared = loaded.logs.get(process.id)
        if options.log is not None:
            columns = declared.columns if declared else LogColumns()
            limit = declared.max_bad_rows if declared else MAX_BAD_ROWS
            declared = DeclaredLog(str(options.log), columns, limit)
        elif declared is None:
            raise CliError(
                f"{options.process_file}: no LOG given and none configured for {process.id!r}"
            )
        return [(path, process, declared)]
    by_id = {process.id: (path, process) for path, process in processes.items()}
    jobs = []
    for pid, declared in loaded.logs.items():
        if pid not in by_id:
            raise CliError(f"[tool.procmap.logs]: no process {pid!r} in the configured paths")
        jobs.append((by_id[pid][0], by_id[pid][1], declared))
    return jobs


def _write(
    output: Path, jobs: list[Job], results: list[tuple[str, MeasureResult]], quiet: bool
) -> None:
    """The files of `-o`: each measured map and Markdown report (a "Wrote" line for
    each, unless `quiet`)."""
    from ..measure import format_report, write_measured
    from ..render import DrawError

    for (_, process, _), (path, measured) in zip(jobs, results, strict=True):
        try:
            written = write_measured(
                process, measured, output, format_report(measured, "markdown", False, path)
            )
        except (DrawError, OSError) as error:
            raise CliError(f"{output}: {getattr(error, 'strerror', None) or error}") from None
        for file in written:
            if not quiet:
                sys.stderr.write(f"Wrote {file}\n")

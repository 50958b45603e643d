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
from typing import Any

from .common import CliError, config, default_paths, parse_options

#: Output formats of `--format` (the measure report's; a test keeps them equal).
FORMATS = ("text", "markdown", "json", "github")

#: option spelling -> (parameter, how its value is read). A test keeps it equal to the
#: typer command's options.
OPTIONS: dict[str, tuple[str, str]] = {
    "--case": ("case", "text"),
    "--activity": ("activity", "text"),
    "--timestamp": ("timestamp", "text"),
    "--start-timestamp": ("start_timestamp", "text"),
    "--resource": ("resource", "text"),
    "--timezone": ("timezone", "text"),
    "--strict": ("strict", "flag"),
    "--check": ("check", "flag"),
    "--format": ("report_format", "choice"),
    "-f": ("report_format", "choice"),
    "--output": ("output", "path"),
    "-o": ("output", "path"),
    "--config": ("config_path", "path"),
}


def defaults() -> dict[str, Any]:
    """The parameters of `run_measure` when no option is given."""
    return {
        "process_file": None,
        "log": None,
        "case": None,
        "activity": None,
        "timestamp": None,
        "start_timestamp": None,
        "resource": None,
        "timezone": None,
        "strict": False,
        "check": False,
        "report_format": "text",
        "output": None,
        "config_path": None,
    }


def parse_argv(argv: list[str]) -> dict[str, Any] | None:
    """The parameters for `run_measure`, or None when typer should read `argv` instead."""
    parsed = parse_options(argv, OPTIONS, defaults(), {"report_format": FORMATS})
    if parsed is None:
        return None
    params, words = parsed
    if len(words) > 2:
        return None
    for name, word in zip(("process_file", "log"), words, strict=False):
        params[name] = Path(word)
    return params


def run_measure(
    process_file: Path | None,
    log: Path | None,
    case: str | None = None,
    activity: str | None = None,
    timestamp: str | None = None,
    start_timestamp: str | None = None,
    resource: str | None = None,
    timezone: str | None = None,
    strict: bool = False,
    check: bool = False,
    report_format: str = "text",
    output: Path | None = None,
    config_path: Path | None = None,
) -> int:
    """Validate the process file(s), measure each against its log, print the report(s)
    and write the files of `-o`; the exit status (`CliError` for a usage problem or an
    unusable log)."""
    from ..config import DeclaredLog, LogColumns
    from ..lint import FORMATS as PRINTERS
    from ..lint import PathError, validate_paths
    from ..measure import LogError, MemoryLimitError, breached, format_report, measure_log

    if report_format not in FORMATS:
        raise CliError(f"--format: {report_format!r} is not one of {', '.join(FORMATS)}")
    loaded = config(config_path)
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
        return 1
    jobs: list[tuple[str, Any, DeclaredLog]] = []
    if process_file is not None:
        ((path, process),) = result.processes.items()
        declared = loaded.logs.get(process.id)
        if log is not None:
            declared = DeclaredLog(str(log), declared.columns if declared else LogColumns())
        elif declared is None:
            raise CliError(f"{process_file}: no LOG given and none configured for {process.id!r}")
        jobs.append((path, process, declared))
    else:
        by_id = {process.id: (path, process) for path, process in result.processes.items()}
        for pid, declared in loaded.logs.items():
            if pid not in by_id:
                raise CliError(f"[tool.procmap.logs]: no process {pid!r} in the configured paths")
            jobs.append((by_id[pid][0], by_id[pid][1], declared))
    given = {
        "case": case,
        "activity": activity,
        "timestamp": timestamp,
        "start_timestamp": start_timestamp,
        "resource": resource,
        "timezone": timezone,
    }
    results = []
    for path, process, declared in jobs:
        columns = declared.columns.overridden(given)
        try:
            measured = measure_log(
                process, declared.path, columns=columns, strict=strict, source=path
            )
        except MemoryLimitError as error:  # the log, not the command line: exit 1
            sys.stderr.write(f"procmap: {error}\n")
            return 1
        except LogError as error:
            raise CliError(str(error)) from None
        results.append((path, measured))
    if report_format == "json" and process_file is None:
        sys.stdout.write(json.dumps([r for _, r in results], indent=2) + "\n")
    else:
        color = report_format == "text" and sys.stdout.isatty()
        for path, measured in results:
            sys.stdout.write(format_report(measured, report_format, color, path))
    if output is not None:
        from ..measure import write_measured
        from ..render import DrawError

        for (_, process, _), (path, measured) in zip(jobs, results, strict=True):
            try:
                written = write_measured(
                    process, measured, output, format_report(measured, "markdown", False, path)
                )
            except (DrawError, OSError) as error:
                raise CliError(f"{output}: {getattr(error, 'strerror', None) or error}") from None
            for file in written:
                sys.stderr.write(f"Wrote {file}\n")
    sys.stdout.flush()
    return 1 if check and any(breached(measured) for _, measured in results) else 0

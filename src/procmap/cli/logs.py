"""The typer commands about event logs: `measure` (a process against its log) and
`simulate` (a synthetic log from a process's map).

Owns: their signatures (the log-column options and `--config` come from `params`,
defaults from `options`), and `simulate`'s run: its checks, messages and exit statuses.
`measure`'s body is the typer-free `run_measure` (module `measure`), which a usual
command line reaches without typer.

Must not know: how a log is read, measured or simulated (`procmap.measure`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .common import not_one_of
from .options import MeasureOptions, SimulateOptions
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
from .root import fail, load_config, usage_errors

if TYPE_CHECKING:
    from ..config import Config

_M = MeasureOptions
_S = SimulateOptions


def measure_command(
    case: CaseOpt = _M.case,
    activity: ActivityOpt = _M.activity,
    timestamp: TimestampOpt = _M.timestamp,
    start_timestamp: StartTimestampOpt = _M.start_timestamp,
    resource: ResourceOpt = _M.resource,
    lifecycle: LifecycleOpt = _M.lifecycle,
    timezone: TimezoneOpt = _M.timezone,
    timestamp_format: TimestampFormatOpt = _M.timestamp_format,
    start_timestamp_format: StartTimestampFormatOpt = _M.start_timestamp_format,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Unreadable rows (no case id, bad timestamp) and activities that map to no"
            " step are an error.",
        ),
    ] = _M.strict,
    skip_bad_rows: SkipBadRowsOpt = _M.skip_bad_rows,
    max_bad_rows: MaxBadRowsOpt = _M.max_bad_rows,
    process_file: Annotated[
        Path | None,
        typer.Argument(
            metavar="PROCESS",
            help="The process file to measure (default: every process with a configured log).",
            show_default=False,
        ),
    ] = _M.process_file,
    log: Annotated[
        Path | None,
        typer.Argument(
            metavar="LOG",
            help="The event log: CSV, CSV.gz, Parquet, XES or XES.gz (default: the"
            " process's log in [tool.procmap.logs]).",
            show_default=False,
        ),
    ] = _M.log,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when a control threshold is breached.")
    ] = _M.check,
    report_format: Annotated[
        str,
        typer.Option(
            "--format", "-f", metavar="FORMAT", help="text (default), markdown, json or github."
        ),
    ] = _M.report_format,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Also write DIR/<id>.measured.svg (the map as a heat map) and <id>.measure.md.",
        ),
    ] = _M.output,
    config_path: ConfigOpt = _M.config_path,
    quiet: QuietOpt = _M.quiet,
) -> None:
    """Measure a process from an event log: step and handoff times, branches, deviations, KPIs.

    Activities map to steps by their `activity:` or by the step's id or name. Columns
    default to the XES names, then common export names. With no PROCESS, measures every
    process that has a log in [tool.procmap.logs] (JSON: a list). Exit status: 0 measured
    (with --check: no control threshold breached), 1 a control threshold breached with
    --check, a process file is invalid, or the log is refused because its figures would be
    wrong: a timestamp column reads as day-first and month-first alike, more rows are
    unreadable than --max-bad-rows allows, no activity maps to a step, --strict with
    unreadable rows or unmapped activities, or it cannot be measured within the memory
    limit (PROCMAP_MEMORY_LIMIT); 2 a log that cannot be read (missing, empty, not a log,
    a column not found) or a usage error.

    """
    # the parameters are exactly the dataclass's fields (tests/test_cli_fast.py holds them)
    options = MeasureOptions(**locals())
    from .measure import run_measure

    with usage_errors():
        status = run_measure(options)
    raise typer.Exit(status)


def simulate_command(
    process_file: Annotated[
        Path, typer.Argument(metavar="PROCESS", help="The process file to simulate.")
    ],
    cases: Annotated[
        int,
        typer.Option(
            "--cases", "-n", metavar="N", help="Number of cases to simulate (default: 100)."
        ),
    ] = _S.cases,
    rate: Annotated[
        float,
        typer.Option(
            "--rate",
            metavar="NUMBER",
            help="Cases arriving per day, a Poisson process (default: 20).",
        ),
    ] = _S.rate,
    start: Annotated[
        str,
        typer.Option(
            "--start",
            metavar="DATETIME",
            help="When the first case arrives: ISO 8601, UTC unless an offset is given.",
        ),
    ] = _S.start,
    seed: Annotated[
        int, typer.Option("--seed", metavar="N", help="Seed of the random numbers (default: 1).")
    ] = _S.seed,
    distribution: Annotated[
        str,
        typer.Option(
            "--distribution",
            metavar="NAME",
            help="Step times: lognormal (mean = the step's duration, coefficient of"
            " variation 0.5), exponential (mean = the duration) or fixed (the duration).",
        ),
    ] = _S.distribution,
    handoff_wait: Annotated[
        str,
        typer.Option(
            "--handoff-wait",
            metavar="DURATION",
            help="Mean wait before a task whose owner differs from the previous task's"
            " (45m, 4h, 1d; drawn like the step times). Default 0: no waiting.",
        ),
    ] = _S.handoff_wait,
    lifecycle: Annotated[
        str,
        typer.Option(
            "--lifecycle",
            metavar="MODEL",
            help="Lifecycle transitions: none (the default: a row per event, with its start_timestamp),"
            " start-complete (a start and a complete row per event) or full (also a"
            " schedule before each task, and some instances aborted: ate_abort).",
        ),
    ] = _S.lifecycle,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write to FILE (atomically; gzip-compressed when it ends in .gz)"
            " instead of stdout.",
        ),
    ] = _S.output,
    log_format: Annotated[
        str,
        typer.Option("--format", "-f", metavar="FORMAT", help="csv (default) or xes (IEEE 1849)."),
    ] = _S.log_format,
    quiet: QuietOpt = _S.quiet,
) -> None:
    """Make a synthetic event log from the map of a process, in the format `procmap measure` reads.

    Cases arrive as a Poisson process at --rate per day; each walks the flow from its start
    step. A task or subprocess takes a random time around its duration (30m when it has
    none); a decision takes a branch by its declared shares, else equal shares, and emits
    no event; start and end steps are instant events. A case that has not ended after 1000
    steps stops there. With --handoff-wait, work waits before a task whose owner differs
    from the previous task's. Rows are sorted by time (ties: by case, then the case's order).
    Columns: case:concept:name, concept:name, time:timestamp, start_timestamp,
    org:resource; with --lifecycle, lifecycle:transition in place of start_timestamp
    (start and complete rows; with full, schedule and ate_abort too). The same inputs
    and --seed give the same bytes. With -o, ends with "Wrote N events of M cases to
    FILE"; over a second, a bar of the cases on a terminal (neither with --quiet).

    Exit status: 0 written, 1 the process file is invalid, 2 usage error.
    \f
    Long because: one parameter per option, as typer reads them.
    """
    # the parameters are SimulateOptions' fields, in order (tests/test_cli_fast.py)
    _simulate(SimulateOptions(**locals()))


def _simulate(given: SimulateOptions) -> None:
    """Write the simulated log (exit status 1 for an invalid process or out of memory)."""
    from ..measure import LOG_FORMATS, SimulationError, parse_start, save_simulated, write_simulated
    from .progress import Bar, shown

    config = load_config(None)
    output, log_format = given.output, given.log_format
    try:
        moment = parse_start(given.start)
        if log_format not in LOG_FORMATS:
            raise SimulationError("--format: " + not_one_of(log_format, ["csv", "xes"]))
        if given.cases < 1:
            raise SimulationError(f"--cases: must be at least 1, not {given.cases}")
        process = _process(given.process_file, config)
        settings = {
            "cases": given.cases,
            "rate": given.rate,
            "start": moment,
            "seed": given.seed,
            "distribution": given.distribution,
            "handoff_wait": _wait_minutes(given.handoff_wait),
            "lifecycle": given.lifecycle,
        }
        # a bar of the cases made on a terminal after a second (not over the log itself)
        bar = Bar(
            sys.stderr, shown(sys.stderr, given.quiet) and not _on_terminal(output), given.cases
        )
        # written as the cases are made: memory bounded by the cases in progress
        with bar:
            if output is None:
                write_simulated(process, sys.stdout, log_format, bar.advance, **settings)
                return
            written = save_simulated(process, output, log_format, bar.advance, **settings)
        if not given.quiet:  # after the bar is gone
            sys.stderr.write(
                f"Wrote {written.events} events of {written.cases} cases to {output}\n"
            )
    except SimulationError as error:
        raise fail(str(error)) from None
    except OSError as error:
        raise fail(f"{output}: cannot write: {error.strerror or error}") from None
    except MemoryError:
        where = f"; {output} not written" if output is not None else ""
        sys.stderr.write(f"procmap: simulate: out of memory{where}\n")
        raise typer.Exit(1) from None


def _on_terminal(output: Path | None) -> bool:
    """Whether the log goes to a terminal (no `-o`, stdout a terminal): no bar over it."""
    return output is None and sys.stdout.isatty()


def _process(process_file: Path, config: Config) -> Any:
    """The validated process of PROCESS (exit status 1 when it is invalid, 2 when it is
    not a process file)."""
    from ..lint import FORMATS, PathError, validate_paths

    if process_file.is_dir():
        raise fail(f"{process_file}: a folder; give one process file")
    try:
        result = validate_paths([str(process_file)], config, jobs=1, keep=True)
    except PathError as error:
        raise fail(str(error)) from None
    if not result.files:
        raise fail(f"{process_file}: not a process file (.yaml or .yml)")
    if result.errors or not result.processes:
        sys.stderr.write(FORMATS["text"](result.problems, False))
        sys.stderr.write(f"procmap: {process_file}: invalid; fix the errors above\n")
        raise typer.Exit(1)
    (process,) = result.processes.values()
    return process


def _wait_minutes(text: str) -> float:
    """--handoff-wait as minutes: a duration as a process file writes it, or 0."""
    from ..format import duration_minutes

    if text.strip() in ("0", "0m"):
        return 0.0
    try:
        return duration_minutes(text.strip())
    except ValueError:
        raise fail(f"--handoff-wait: {text!r} is not a duration like 45m, 4h or 1d") from None

"""The typer commands about a process's history: `diff` (what changed in meaning) and
`review` (when each process is due for review, or recording one).

Owns: their signatures (options shared with other commands come from `params`, defaults
from `options`), their output choices and exit statuses, and reading `--today`.

Must not know: how versions are compared or reviews computed and recorded (`procmap.git`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import default_paths
from .options import DiffOptions, DocumentFormat, ReviewOptions
from .params import ColorOpt, ConfigOpt, PathsArg, choice
from .root import fail, load_config

if TYPE_CHECKING:
    import datetime as dt

    from ..config import Config

_D = DiffOptions
_R = ReviewOptions


def diff(
    files: Annotated[
        list[str] | None,
        typer.Argument(
            help="OLD NEW: two process files. With --since: files or folders to compare"
            " (default: the configured paths, processes/).",
            metavar="OLD NEW | PATH",
            show_default=False,
        ),
    ] = _D.files,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", metavar="REV", help="Compare with the versions at this git revision."
        ),
    ] = _D.since,
    output_format: Annotated[
        DocumentFormat,
        typer.Option(
            "--format",
            "-f",
            help="text (default), markdown (a pull-request comment) or json.",
            **choice(DocumentFormat),
        ),
    ] = _D.output_format,
    config_path: ConfigOpt = _D.config_path,
    color: ColorOpt = _D.color,
) -> None:
    """Show what changed in meaning between two versions of a process, or since a git revision.

    Comments, key order, quoting and layout are not changes; a file that was invalid at REV
    is listed as not readable there, and counts as a change. Exit status: 0 no change of
    meaning, 1 changes, 2 trouble (missing or invalid file, bad revision, not a git repository).

    """
    _diff(
        DiffOptions(
            files=files,
            since=since,
            output_format=output_format,
            config_path=config_path,
            color=color,
        )
    )


def _diff(given: DiffOptions) -> None:
    """Compare, print the changes; exit status 1 when there are some."""
    from ..git import DIFF_FORMATS as FORMATS
    from ..git import DiffError, diff_files, diff_since, render_text
    from ..lint import text, use_color

    config = load_config(given.config_path)
    try:
        if given.since is None:
            if len(given.files or []) != 2:
                raise fail("give two files, OLD and NEW, or --since REV [PATH ...]")
            assert given.files is not None
            diffs = [diff_files(given.files[0], given.files[1], config)]
        else:
            diffs = diff_since(given.since, given.files or None, config)
    except DiffError as error:
        if error.problems:
            sys.stderr.write(text(error.problems, use_color(sys.stderr, given.color)))
        raise fail(str(error)) from None
    if given.output_format == DocumentFormat.text:
        from rich.console import Console

        colored = use_color(sys.stdout, given.color)
        console = Console(
            file=sys.stdout,
            force_terminal=colored,
            no_color=not colored,
            color_system="auto" if colored else None,
            highlight=False,
            soft_wrap=True,
        )
        render_text(diffs, console)
    else:
        sys.stdout.write(FORMATS[given.output_format.value](diffs, given.since))
    sys.stdout.flush()
    raise typer.Exit(1 if any(d.changes for d in diffs) else 0)


def _day(value: str | None, option: str) -> dt.date:
    """A YYYY-MM-DD option as a date (today when not given); exit 2 when it is not one."""
    import datetime as dt

    from ..format import DATE_YEARS

    if value is None:
        return dt.date.today()
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option}: {value!r} is not a date; write YYYY-MM-DD") from None
    if not DATE_YEARS[0] <= day.year <= DATE_YEARS[1]:
        low, high = DATE_YEARS
        raise fail(f"{option}: {value} is out of range; write a year from {low} to {high}")
    return day


def review_command(
    paths: PathsArg = _R.paths,
    today: Annotated[
        str | None,
        typer.Option(
            "--today",
            metavar="YYYY-MM-DD",
            help="The date to compute with (default: today), for reproducible runs.",
        ),
    ] = _R.today,
    check: Annotated[
        bool,
        typer.Option("--check", help="Exit 1 when any review is overdue (for a scheduled job)."),
    ] = _R.check,
    output_format: Annotated[
        DocumentFormat,
        typer.Option(
            "--format",
            "-f",
            help="text (default), markdown (a job summary or issue) or json.",
            **choice(DocumentFormat),
        ),
    ] = _R.output_format,
    done: Annotated[
        Path | None,
        typer.Option(
            "--done",
            metavar="FILE",
            help="Record a completed review of FILE: set review.last to the date and add a"
            " changelog entry, changing nothing else in the file.",
        ),
    ] = _R.done,
    note: Annotated[
        str | None,
        typer.Option(
            "--note",
            metavar="TEXT",
            help="With --done: the changelog text (default: 'Reviewed; no changes.').",
        ),
    ] = _R.note,
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="ROLE-OR-NAME", help="With --done: who reviewed it."),
    ] = _R.by,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="With --done: record a date before the last review (moving it backwards).",
        ),
    ] = _R.force,
    config_path: ConfigOpt = _R.config_path,
    color: ColorOpt = _R.color,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="With --done: no line saying it was recorded.")
    ] = _R.quiet,
) -> None:
    """List when each process is due for review, or record a review with --done.

    Due date = last review + cadence: weekly 7 days; monthly, quarterly and yearly in calendar months; Nd N days.

    Exit status: 0 fine, 1 invalid files (or, with --check, an overdue review; with --done, a file that cannot take the edit or be written, or a date before the last review without --force), 2 usage error.
    \f
    Long because: one parameter per option, as typer reads them.
    """
    options = ReviewOptions(
        paths=paths,
        today=today,
        check=check,
        output_format=output_format,
        done=done,
        note=note,
        by=by,
        force=force,
        config_path=config_path,
        color=color,
        quiet=quiet,
    )
    day = _day(today, "--today")
    config = load_config(config_path)
    if done is None:
        raise typer.Exit(_list_reviews(options, day, config))
    _record_review(options, done, day, config)


def _list_reviews(options: ReviewOptions, day: dt.date, config: Config) -> int:
    """The review table of the processes; the exit status."""
    from ..git import REVIEW_FORMATS as FORMATS
    from ..git import run_review
    from ..lint import PathError, text, use_color

    if options.note is not None or options.by is not None:
        raise fail("--note and --by go with --done FILE")
    if options.force:
        raise fail("--force goes with --done FILE")
    paths, color = options.paths, options.color
    try:
        rows, problems = run_review(
            paths or default_paths(config), day, config, explicit=bool(paths)
        )
    except PathError as error:
        raise fail(str(error)) from None
    if problems:
        sys.stderr.write(text(problems, use_color(sys.stderr, color)))
    colored = options.output_format == DocumentFormat.text and use_color(sys.stdout, color)
    skipped = len({p.path for p in problems})  # files with errors: not reviewed
    sys.stdout.write(FORMATS[options.output_format](rows, day, colored, skipped))
    sys.stdout.flush()
    failed = bool(problems) or (options.check and any(row.overdue for row in rows))
    return 1 if failed else 0


def _record_review(options: ReviewOptions, done: Path, day: dt.date, config: Config) -> None:
    """`--done FILE`: the review recorded in the file (exit status 1 when it cannot be)."""
    from ..git import DoneError, EarlierError, record_done, text_problem
    from ..lint import text, use_color

    if options.paths or options.check:
        raise fail("--done takes one FILE; give no other paths and no --check with it")
    if not done.is_file():
        raise fail(f"{done}: {'no such file' if not done.exists() else 'not a regular file'}")
    note, by = options.note, options.by
    for option, value in (("--note", note), ("--by", by)):
        wrong = None if value is None else text_problem(value)
        if wrong is not None:
            raise fail(f"{option}: {wrong}")
    try:
        result = record_done(str(done), day, note, by, config, force=options.force)
    except EarlierError as error:
        sys.stderr.write(f"procmap: {done}: {error}; give --force to record it anyway\n")
        raise typer.Exit(1) from None
    except DoneError as error:
        sys.stderr.write(f"procmap: {done}: {error}\n")
        raise typer.Exit(1) from None
    if result.problems:
        sys.stderr.write(text(result.problems, use_color(sys.stderr, options.color)))
        sys.stderr.write(f"procmap: {done}: fix the errors above, then record the review\n")
        raise typer.Exit(1)
    due = f"; next review due {result.due.isoformat()}" if result.due else ""
    if not options.quiet:
        sys.stdout.write(f"{done}: review recorded on {day.isoformat()}{due}.\n")

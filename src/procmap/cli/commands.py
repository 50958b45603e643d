"""The `procmap` commands as a typer app: arguments in, one library call, output and exit out.

Owns: options, defaults from the configuration, choosing the output format, and the exit
statuses (0 clean, 1 problems found, 2 usage, configuration or internal error). Library
errors become messages here and nowhere else. Each command imports what it needs when it
runs, so `procmap validate` does not pay for rendering or git. The entry point and the
typer-free paths of `procmap validate` and `procmap measure` are in `procmap.cli`
(`__init__`, `validate` and `measure`).
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .. import __version__
from .common import CliError, Terminated, split
from .common import config as load_config
from .common import default_paths as _default_paths

if TYPE_CHECKING:
    import datetime as dt

    from ..config import Config
    from ..render import Measurement

app = typer.Typer(
    name="procmap",
    help="Business processes as code: validate, render and review process maps kept in git.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _fail(message: str) -> typer.Exit:
    """A usage or configuration problem: the message on stderr, exit status 2."""
    sys.stderr.write(f"procmap: {message}\n")
    return typer.Exit(2)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"procmap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """procmap: document business processes as YAML, check them, and draw them."""


class OutputFormat(enum.StrEnum):
    text = "text"
    json = "json"
    github = "github"


def _config(
    config_path: Path | None, ignore: list[str] | None = None, warn: list[str] | None = None
) -> Config:
    try:
        return load_config(config_path, ignore, warn)
    except CliError as error:
        raise _fail(str(error)) from None


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Configuration file (default: the nearest procmap.toml or"
        " pyproject.toml with \\[tool.procmap]).",
    ),
]

# The options `procmap render` and `procmap serve` share.
DirectionOption = Annotated[
    str, typer.Option("--direction", "-d", help="LR (left to right) or TB (top to bottom).")
]
LanesOption = Annotated[bool, typer.Option("--lanes", help="One swimlane per role.")]
TemplatesOption = Annotated[
    Path | None,
    typer.Option(
        "--templates",
        help="Folder of templates that override the defaults (default: templates/"
        " beside the configuration, if it exists).",
    ),
]
NoMeasureOption = Annotated[
    bool,
    typer.Option(
        "--no-measure",
        help="Do not read the logs in \\[tool.procmap.logs]: worksheets without measured"
        " figures, no measured maps.",
    ),
]


def _templates(config: Config, given: Path | None) -> Path | None:
    """--templates, else a templates/ folder beside the configuration (kept inside the
    project: it comes with the repository), else none."""
    from ..config import ConfigError

    if given is not None:
        return given
    try:
        return config.templates()
    except ConfigError as error:
        raise _fail(str(error)) from None


@app.command()
def validate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Process files or folders (default: the configured paths, processes/)."
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="text, json or github (annotations).")
    ] = OutputFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore", help="Switch rules off: codes, prefixes or names, comma-separated."
        ),
    ] = None,
    warn: Annotated[
        list[str] | None, typer.Option("--warn", help="Report these rules as warnings only.")
    ] = None,
    config_path: ConfigOption = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Processes to use, at most the CPU count (default: auto).",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary line.")] = False,
    color: Annotated[
        bool | None, typer.Option("--color/--no-color", help="Force colour on or off.")
    ] = None,
) -> None:
    """Check process files and report every problem as path:line:column: CODE message.

    Exit status: 0 no errors (warnings allowed unless --strict), 1 errors, 2 usage error.
    """
    from .validate import run_validate

    try:
        status = run_validate(
            paths, output_format.value, strict, ignore, warn, config_path, jobs, quiet, color
        )
    except CliError as error:
        raise _fail(str(error)) from None
    raise typer.Exit(status)


class RulesFormat(enum.StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


@app.command()
def rules(
    selectors: Annotated[
        list[str] | None, typer.Argument(help="Codes, prefixes or names (default: all rules).")
    ] = None,
    output_format: Annotated[
        RulesFormat, typer.Option("--format", "-f", help="text, markdown (the docs page) or json.")
    ] = RulesFormat.text,
) -> None:
    """List the rules: code, name, default severity and why the rule exists."""
    from ..format import RULES, SelectorError, expand
    from ..lint import rules_json, rules_markdown, rules_text

    try:
        codes = [c for s in split(selectors) for c in expand(s)] if selectors else list(RULES)
    except SelectorError as error:
        raise _fail(str(error)) from None
    chosen = [RULES[c] for c in dict.fromkeys(codes)]
    render = {"text": rules_text, "markdown": rules_markdown, "json": rules_json}
    sys.stdout.write(render[output_format.value](chosen))


class DiffFormat(enum.StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


@app.command()
def diff(
    files: Annotated[
        list[str] | None,
        typer.Argument(
            help="OLD NEW: two process files. With --since: files or folders to compare"
            " (default: the configured paths, processes/).",
            metavar="OLD NEW | PATH",
            show_default=False,
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", metavar="REV", help="Compare with the versions at this git revision."
        ),
    ] = None,
    output_format: Annotated[
        DiffFormat,
        typer.Option("--format", "-f", help="text, markdown (a pull-request comment) or json."),
    ] = DiffFormat.text,
    config_path: ConfigOption = None,
    color: Annotated[
        bool | None, typer.Option("--color/--no-color", help="Force colour on or off.")
    ] = None,
) -> None:
    """Show what changed in meaning between two versions of a process, or since a git revision.

    Comments, key order, quoting and layout are not changes; a file that was invalid at REV
    is listed as not readable there, and counts as a change. Exit status: 0 no change of
    meaning, 1 changes, 2 trouble (missing or invalid file, bad revision, not a git repository).
    """
    from ..git import DIFF_FORMATS as FORMATS
    from ..git import DiffError, diff_files, diff_since, render_text
    from ..lint import text, use_color

    config = _config(config_path)
    try:
        if since is None:
            if len(files or []) != 2:
                raise _fail("give two files, OLD and NEW, or --since REV [PATH ...]")
            assert files is not None
            diffs = [diff_files(files[0], files[1], config)]
        else:
            diffs = diff_since(since, files or None, config)
    except DiffError as error:
        if error.problems:
            sys.stderr.write(text(error.problems, use_color(sys.stderr, color)))
        raise _fail(str(error)) from None
    if output_format is DiffFormat.text:
        from rich.console import Console

        colored = use_color(sys.stdout, color)
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
        sys.stdout.write(FORMATS[output_format.value](diffs, since))
    sys.stdout.flush()
    raise typer.Exit(1 if any(d.changes for d in diffs) else 0)


@app.command()
def render(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Process files or folders (default: the configured paths, processes/)."
        ),
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write into (default: out/).")
    ] = Path("out"),
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            help="svg, png, pdf, dot, mermaid, bpmn (BPMN 2.0 XML), runbook, dmaic, html;"
            " repeatable or comma-separated (default: svg,runbook,dmaic).",
        ),
    ] = None,
    direction: DirectionOption = "LR",
    lanes: LanesOption = False,
    templates: TemplatesOption = None,
    no_index: Annotated[bool, typer.Option("--no-index", help="Do not write index.md.")] = False,
    diff_rev: Annotated[
        str | None,
        typer.Option(
            "--diff",
            metavar="REV",
            help="Also draw <id>.diff.svg: the map against git revision REV.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite outputs that procmap did not write.")
    ] = False,
    config_path: ConfigOption = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Parallel drawings (default: one per CPU; at most the CPUs, whatever -j says).",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No summary lines and no progress bar.")
    ] = False,
    no_measure: NoMeasureOption = False,
) -> None:
    """Draw flow maps and write runbooks, DMAIC worksheets and an index for every valid process.

    Invalid files are reported as `procmap validate` reports them and are not rendered.
    A process with a log in \\[tool.procmap.logs] is measured: its worksheet gets the
    measured figures and <id>.measured.svg is drawn beside <id>.svg. Exit status: 0 all
    rendered, 1 a file was invalid, a log unusable or an output failed, 2 usage error.
    """
    from dataclasses import replace

    from ..lint import FORMATS, PathError, summary, validate_paths
    from ..render import (
        Options,
        RenderBusy,
        RenderError,
        check_options,
        parse_formats,
        terminal_progress,
    )
    from ..render import render as render_all

    config = _config(config_path)
    templates = _templates(config, templates)
    try:
        chosen = parse_formats(formats)
        makers = {}
        if "bpmn" in chosen:  # imported only when asked for: render's layer is below it
            from ..bpmn import to_bpmn

            makers["bpmn"] = to_bpmn
        options = Options(
            out_dir=out_dir,
            formats=chosen,
            direction=direction.upper(),
            lanes=lanes,
            templates=templates,
            force=force,
            jobs=jobs,
            index=not no_index,
            diff=diff_rev,
            makers=makers,
        )
        check_options(options)
        result = validate_paths(
            paths or _default_paths(config), config, jobs, keep=True, explicit=bool(paths)
        )
        sys.stdout.write(FORMATS["text"](result.problems, False))
        if not quiet:
            sys.stdout.write(summary(len(result.files), result.errors, result.warnings))
        sys.stdout.flush()
        invalid = len({p.path for p in result.problems if p.severity == "error"})
        if invalid and not result.processes:
            # Every file has errors: an index listing nothing would hide the outputs
            # that are kept for them; keep the last good index until they are fixed.
            options = replace(options, index=False)
        measured: dict[str, Measurement] = {}
        log_problems: list[str] = []
        if config.logs and not no_measure and {"svg", "dmaic", "html"} & set(options.formats):
            from ..measure import declared_measurements

            measured, log_problems = declared_measurements(
                result.processes,
                config.logs,
                root=config.root,
                draw_map=bool({"svg", "html"} & set(options.formats)),
            )
        for problem in log_problems:
            sys.stderr.write(f"procmap: {problem}\n")
        home = None
        if "html" in options.formats and options.index and result.processes:
            from ..portfolio import Settings, site_home

            home = site_home(result.processes, Settings.from_config(config.portfolio))

        def waiting() -> None:
            sys.stderr.write(f"procmap: waiting for another procmap render in {out_dir} ...\n")

        outcome = render_all(
            result.processes,
            options,
            None if quiet else terminal_progress(sys.stderr),
            measured,
            home,
            waiting=waiting,
        )
    except PathError as error:
        raise _fail(str(error)) from None
    except RenderBusy as error:  # not a usage error: the same command works later
        sys.stderr.write(f"procmap: {error}\n")
        raise typer.Exit(1) from None
    except RenderError as error:
        raise _fail(str(error)) from None
    except (KeyboardInterrupt, Terminated) as stop:  # typer would exit 130 silently
        sys.stdout.flush()
        how = "terminated" if isinstance(stop, Terminated) else "interrupted"
        sys.stderr.write(
            f"procmap: {how}; the outputs finished so far are kept, run again to finish\n"
        )
        raise typer.Exit(143 if isinstance(stop, Terminated) else 130) from None
    for line in (*outcome.warnings, *outcome.problems):  # warnings leave the status alone
        sys.stderr.write(f"procmap: {line}\n")
    if not quiet:
        counts = [outcome.written, outcome.unchanged, outcome.removed, outcome.problems]
        sys.stdout.write(_rendered(len(result.processes), invalid, out_dir, *map(len, counts)))
    raise typer.Exit(1 if result.errors or outcome.failed or log_problems else 0)


def _rendered(
    count: int, invalid: int, out_dir: Path, written: int, unchanged: int, removed: int, failed: int
) -> str:
    """The render summary: what was rendered, and the files left out for their errors.

    'Rendered 2 processes into out: 5 written, 2 unchanged. Not rendered: 1 file has
    errors.'; with no valid process, 'Nothing rendered: 2 files have errors.' (the index is
    not rewritten then); with no process file at all, 'No process to render into out: ...'
    (the index is rewritten: empty, as the processes are gone).
    """
    errors = f"{invalid} file{' has' if invalid == 1 else 's have'} errors"
    if count:
        head = f"Rendered {count} process{'es' if count != 1 else ''} into {out_dir}"
    elif invalid:
        if not (written or unchanged or removed or failed):
            return f"Nothing rendered: {errors}.\n"
        head = "Nothing rendered"
    else:
        head = f"No process to render into {out_dir}"
    tail = f" Not rendered: {errors}." if invalid else ""
    return (
        f"{head}: {written} written, {unchanged} unchanged"
        f"{f', {removed} removed' if removed else ''}"
        f"{f', {failed} failed' if failed else ''}.{tail}\n"
    )


class ReviewFormat(enum.StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def _day(value: str | None, option: str) -> dt.date:
    """A YYYY-MM-DD option as a date (today when not given); exit 2 when it is not one."""
    import datetime as dt

    from ..format import DATE_YEARS

    if value is None:
        return dt.date.today()
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{option}: {value!r} is not a date; write YYYY-MM-DD") from None
    if not DATE_YEARS[0] <= day.year <= DATE_YEARS[1]:
        low, high = DATE_YEARS
        raise _fail(f"{option}: {value} is out of range; write a year from {low} to {high}")
    return day


@app.command("review")
def review_command(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Process files or folders (default: the configured paths, processes/)."
        ),
    ] = None,
    today: Annotated[
        str | None,
        typer.Option(
            "--today",
            metavar="YYYY-MM-DD",
            help="The date to compute with (default: today), for reproducible runs.",
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Exit 1 when any review is overdue (for a scheduled job)."),
    ] = False,
    output_format: Annotated[
        ReviewFormat,
        typer.Option("--format", "-f", help="text, json or markdown (a job summary or issue)."),
    ] = ReviewFormat.text,
    done: Annotated[
        Path | None,
        typer.Option(
            "--done",
            metavar="FILE",
            help="Record a completed review of FILE: set review.last to the date and add a"
            " changelog entry, changing nothing else in the file.",
        ),
    ] = None,
    note: Annotated[
        str | None,
        typer.Option(
            "--note", help="With --done: the changelog text (default: 'Reviewed; no changes.')."
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", metavar="ROLE-OR-NAME", help="With --done: who reviewed it."),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="With --done: record a date before the last review (moving it backwards).",
        ),
    ] = False,
    config_path: ConfigOption = None,
    color: Annotated[
        bool | None, typer.Option("--color/--no-color", help="Force colour on or off.")
    ] = None,
) -> None:
    """List when each process is due for review, or record a review with --done.

    Due date = last review + cadence: weekly 7 days; monthly, quarterly and yearly in calendar months; Nd N days.

    Exit status: 0 fine, 1 invalid files (or, with --check, an overdue review; with --done, a file that cannot take the edit or be written, or a date before the last review without --force), 2 usage error.
    """
    from ..lint import text, use_color

    day = _day(today, "--today")
    config = _config(config_path)
    if done is None:
        if note is not None or by is not None:
            raise _fail("--note and --by go with --done FILE")
        if force:
            raise _fail("--force goes with --done FILE")
        from ..git import REVIEW_FORMATS as FORMATS
        from ..git import run_review
        from ..lint import PathError

        try:
            rows, problems = run_review(
                paths or _default_paths(config), day, config, explicit=bool(paths)
            )
        except PathError as error:
            raise _fail(str(error)) from None
        if problems:
            sys.stderr.write(text(problems, use_color(sys.stderr, color)))
        colored = output_format is ReviewFormat.text and use_color(sys.stdout, color)
        skipped = len({p.path for p in problems})  # files with errors: not reviewed
        sys.stdout.write(FORMATS[output_format.value](rows, day, colored, skipped))
        sys.stdout.flush()
        failed = bool(problems) or (check and any(row.overdue for row in rows))
        raise typer.Exit(1 if failed else 0)
    if paths or check:
        raise _fail("--done takes one FILE; give no other paths and no --check with it")
    if not done.is_file():
        raise _fail(f"{done}: {'no such file' if not done.exists() else 'not a regular file'}")
    from ..git import DoneError, EarlierError, record_done, text_problem

    for option, value in (("--note", note), ("--by", by)):
        wrong = None if value is None else text_problem(value)
        if wrong is not None:
            raise _fail(f"{option}: {wrong}")
    try:
        result = record_done(str(done), day, note, by, config, force=force)
    except EarlierError as error:
        sys.stderr.write(f"procmap: {done}: {error}; give --force to record it anyway\n")
        raise typer.Exit(1) from None
    except DoneError as error:
        sys.stderr.write(f"procmap: {done}: {error}\n")
        raise typer.Exit(1) from None
    if result.problems:
        sys.stderr.write(text(result.problems, use_color(sys.stderr, color)))
        sys.stderr.write(f"procmap: {done}: fix the errors above, then record the review\n")
        raise typer.Exit(1)
    due = f"; next review due {result.due.isoformat()}" if result.due else ""
    sys.stdout.write(f"{done}: review recorded on {day.isoformat()}{due}.\n")


@app.command("schema")
def schema_command(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout."),
    ] = None,
) -> None:
    """Print the JSON Schema of the process format, for editors (VS Code YAML) and tools."""
    from ..format import schema_text

    content = schema_text()
    if output is None:
        sys.stdout.write(content)
        return
    try:
        output.write_text(content, encoding="utf-8")
    except OSError as error:
        raise _fail(f"{output}: cannot write: {error.strerror or error}") from None
    sys.stderr.write(f"Wrote {output}\n")


@app.command("init")
def init_command(
    directory: Annotated[
        Path, typer.Argument(help="Folder of the new process repository (default: .).")
    ] = Path("."),
    starter: Annotated[
        str | None,
        typer.Option(
            "--from", metavar="STARTER", help="The starter process (default: webinar-funnel)."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files that exist already.")
    ] = False,
) -> None:
    """Set up a process repository: a starter process, procmap.toml, pre-commit, CI workflows, editor schema and a README.

    Exit status: 0 done, 1 files exist (nothing is written), 2 bad starter.
    """
    from ..scaffold import (
        DEFAULT_STARTER,
        ExistsError,
        ScaffoldError,
        init_repository,
        install_requirement,
    )

    install = install_requirement()
    try:
        written = init_repository(directory, starter or DEFAULT_STARTER, force, install)
    except ExistsError as error:
        sys.stderr.write(f"procmap: {error}\n")
        raise typer.Exit(1) from None
    except ScaffoldError as error:
        raise _fail(str(error)) from None
    sys.stdout.write(f"Created {len(written)} files in {directory}:\n")
    sys.stdout.write("".join(f"  {path.relative_to(directory).as_posix()}\n" for path in written))
    sys.stdout.write("Next: edit the process in processes/, then run `procmap validate`.\n")
    if not install:
        sys.stderr.write(
            "procmap: note: this procmap was installed from a local folder or file, which"
            " GitHub Actions cannot reach; set PROCMAP_INSTALL in .github/workflows/procmap.yml"
            " and procmap-review.yml to a pip requirement it can install procmap from\n"
        )


@app.command("new")
def new_command(
    process_id: Annotated[
        str | None,
        typer.Argument(metavar="ID", help="Id of the new process; the file is DIR/ID.yaml."),
    ] = None,
    starter: Annotated[
        str | None,
        typer.Option(
            "--from", metavar="STARTER", help="Starter to copy (default: webinar-funnel)."
        ),
    ] = None,
    folder: Annotated[
        Path, typer.Option("--dir", metavar="DIR", help="Folder to create the file in.")
    ] = Path("processes"),
    name: Annotated[
        str | None, typer.Option("--name", help="Name of the process (default: the starter's).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    list_starters: Annotated[
        bool, typer.Option("--list", help="List the starters, one a line, and exit.")
    ] = False,
) -> None:
    """Create a process file from a built-in starter (see --list).

    Exit status: 0 created, 1 the file exists, 2 bad id or starter.
    """
    from ..scaffold import DEFAULT_STARTER, ExistsError, ScaffoldError, new_process, starters

    if list_starters:
        known = starters()
        width = max(len(sid) for sid in known)
        for sid, found in known.items():
            mark = " (default)" if sid == DEFAULT_STARTER else ""
            sys.stdout.write(f"{sid:<{width}}  {found.name}{mark}: {found.goal}\n")
        return
    if process_id is None:
        raise _fail("give the id of the new process, like `procmap new lead-handoff`")
    chosen = starter or DEFAULT_STARTER
    try:
        path = new_process(process_id, chosen, folder, name, force)
    except ExistsError as error:
        sys.stderr.write(f"procmap: {error}\n")
        raise typer.Exit(1) from None
    except ScaffoldError as error:
        raise _fail(str(error)) from None
    sys.stdout.write(f"Created {path.as_posix()} from the {chosen} starter.\n")


@app.command("portfolio")
def portfolio_command(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Process files or folders (default: the configured paths, processes/)."
        ),
    ] = None,
    report_format: Annotated[
        str,
        typer.Option("--format", "-f", metavar="FORMAT", help="text (tables), markdown or json."),
    ] = "text",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Also write DIR/portfolio.svg (the system map) and DIR/portfolio.md.",
        ),
    ] = None,
    config_path: ConfigOption = None,
    color: Annotated[
        bool | None, typer.Option("--color/--no-color", help="Force colour on or off.")
    ] = None,
) -> None:
    """All processes at a glance: where to start improving, hours per role, RACI, hourglass coverage, gaps.

    Ranks the processes by how often they run (`runs:`), what they produce (`value:`),
    their critical steps, the return of reaching their KPI targets and the effort they
    take, with the weights of \\[tool.procmap.portfolio]. Files with errors are reported
    as `procmap validate` reports them (on stderr) and left out. Exit status: 0 done, 1 a
    file has errors (the others are still analysed), 2 usage or configuration error.
    """
    from ..lint import FORMATS, PathError, use_color, validate_paths
    from ..portfolio import REPORT_FORMATS, Settings, analyse, format_portfolio

    if report_format not in REPORT_FORMATS:
        raise _fail(f"--format: {report_format!r} is not one of {', '.join(REPORT_FORMATS)}")
    config = _config(config_path)
    try:
        result = validate_paths(
            paths or _default_paths(config), config, keep=True, explicit=bool(paths)
        )
    except PathError as error:
        raise _fail(str(error)) from None
    errors = [p for p in result.problems if p.severity == "error"]
    if errors:
        sys.stderr.write(FORMATS["text"](errors, use_color(sys.stderr, color)))
        invalid = len({p.path for p in errors})
        files = (
            f"{invalid} file has errors; it is"
            if invalid == 1
            else f"{invalid} files have errors; they are"
        )
        sys.stderr.write(f"procmap: {files} left out of the portfolio\n")
    portfolio = analyse(result.processes, Settings.from_config(config.portfolio))
    colored = report_format == "text" and use_color(sys.stdout, color)
    sys.stdout.write(format_portfolio(portfolio, report_format, colored))
    sys.stdout.flush()
    if output is not None:
        from ..portfolio import write_outputs
        from ..render import DrawError

        try:
            written = write_outputs(portfolio, output)
        except (DrawError, OSError) as error:
            raise _fail(f"{output}: {getattr(error, 'strerror', None) or error}") from None
        for file in written:
            sys.stderr.write(f"Wrote {file}\n")
    raise typer.Exit(1 if errors else 0)


class ImportFormat(enum.StrEnum):
    text = "text"
    json = "json"
    github = "github"


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(metavar="FILE.bpmn", help="A BPMN 2.0 file.")],
    out_dir: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="Folder to write <id>.yaml into (default: processes/)."
        ),
    ] = Path("processes"),
    process: Annotated[
        str | None,
        typer.Option(
            "--process",
            metavar="ID",
            help="Import only this process of the file (its BPMN id, procmap id or name).",
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Refuse on any loss: write nothing if there is a warning."),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite existing process files.")
    ] = False,
    output_format: Annotated[
        ImportFormat,
        typer.Option("--format", "-f", help="How problems are printed: text, json or github."),
    ] = ImportFormat.text,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary line.")] = False,
) -> None:
    """Turn a BPMN 2.0 file (Camunda, bpmn.io, Signavio, ...) into procmap process files.

    What procmap's format cannot say is reported as FILE:LINE:COL: I0xx and replaced by
    the closest thing. Exit status: 0 imported (warnings allowed unless --strict), 1 nothing
    sensible to make, a loss with --strict, or a file that exists; 2 usage error.
    """
    from ..bpmn import ImportWriteError, import_bpmn, write_imported
    from ..lint import FORMATS

    if not file.exists():
        raise _fail(f"{file}: no such file")
    if file.is_dir():
        raise _fail(f"{file}: is a folder; give a .bpmn file")

    def exists(process_id: str) -> bool:
        return any((out_dir / f"{process_id}{suffix}").is_file() for suffix in (".yaml", ".yml"))

    result = import_bpmn(str(file), process, exists=exists)
    printed = FORMATS[output_format.value](result.problems, False)
    sys.stdout.write(printed)
    if result.errors or not result.processes:
        if not result.errors:  # else the problems printed say why
            sys.stderr.write(f"procmap: {file}: no process to import\n")
        raise typer.Exit(1)
    if strict and result.warnings:
        sys.stderr.write(
            f"procmap: {file}: {result.warnings} loss{'es' * (result.warnings != 1)}"
            " of meaning; nothing written (--strict)\n"
        )
        raise typer.Exit(1)
    try:
        written = write_imported(result, str(out_dir), force)
    except ImportWriteError as error:
        sys.stderr.write(f"procmap: {error}\n")
        raise typer.Exit(1) from None
    if not quiet and output_format is not ImportFormat.json:
        for path in written:
            sys.stdout.write(f"Wrote {Path(path).as_posix()}\n")
        losses = (
            f", {result.warnings} warning{'s' * (result.warnings != 1)}" if result.warnings else ""
        )
        sys.stdout.write(
            f"Imported {len(written)} process{'es' * (len(written) != 1)} from {file}{losses}.\n"
        )


@app.command("simulate")
def simulate_command(
    process_file: Annotated[
        Path, typer.Argument(metavar="PROCESS", help="The process file to simulate.")
    ],
    cases: Annotated[int, typer.Option("--cases", "-n", help="Number of cases to simulate.")] = 100,
    rate: Annotated[
        float, typer.Option("--rate", help="Cases arriving per day (a Poisson process).")
    ] = 20.0,
    start: Annotated[
        str,
        typer.Option(
            "--start",
            metavar="DATETIME",
            help="When the first case arrives: ISO 8601, UTC unless an offset is given.",
        ),
    ] = "2026-01-05T09:00:00Z",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random numbers.")] = 1,
    distribution: Annotated[
        str,
        typer.Option(
            "--distribution",
            metavar="NAME",
            help="Step times: lognormal (mean = the step's duration, coefficient of"
            " variation 0.5), exponential (mean = the duration) or fixed (the duration).",
        ),
    ] = "lognormal",
    handoff_wait: Annotated[
        str,
        typer.Option(
            "--handoff-wait",
            metavar="DURATION",
            help="Mean wait before a task whose owner differs from the previous task's"
            " (45m, 4h, 1d; drawn like the step times). Default 0: no waiting.",
        ),
    ] = "0m",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write to FILE (atomically; gzip-compressed when it ends in .gz)"
            " instead of stdout.",
        ),
    ] = None,
    log_format: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT", help="csv or xes (IEEE 1849).")
    ] = "csv",
) -> None:
    """Make a synthetic event log from the map of a process, in the format `procmap measure` reads.

    Cases arrive as a Poisson process at --rate per day; each walks the flow from its start
    step. A task or subprocess takes a random time around its duration (30m when it has
    none); a decision takes a branch by its declared shares, else equal shares, and emits
    no event; start and end steps are instant events. A case that has not ended after 1000
    steps stops there. With --handoff-wait, work waits before a task whose owner differs
    from the previous task's. Rows are sorted by time (ties: by case, then the case's order).
    Columns: case:concept:name, concept:name, time:timestamp, start_timestamp,
    org:resource. The same inputs and --seed give the same bytes.

    Exit status: 0 written, 1 the process file is invalid, 2 usage error.
    """
    from ..lint import FORMATS, PathError, validate_paths
    from ..measure import LOG_FORMATS, SimulationError, parse_start, save_simulated, write_simulated

    config = _config(None)
    try:
        moment = parse_start(start)
        if log_format not in LOG_FORMATS:
            raise SimulationError(f"--format: {log_format!r} is not one of csv, xes")
        if cases < 1:
            raise SimulationError(f"--cases: must be at least 1, not {cases}")
        if process_file.is_dir():
            raise _fail(f"{process_file}: a folder; give one process file")
        result = validate_paths([str(process_file)], config, jobs=1, keep=True)
        if not result.files:
            raise _fail(f"{process_file}: not a process file (.yaml or .yml)")
        if result.errors or not result.processes:
            sys.stderr.write(FORMATS["text"](result.problems, False))
            sys.stderr.write(f"procmap: {process_file}: invalid; fix the errors above\n")
            raise typer.Exit(1)
        (process,) = result.processes.values()
        settings = {
            "cases": cases,
            "rate": rate,
            "start": moment,
            "seed": seed,
            "distribution": distribution,
            "handoff_wait": _wait_minutes(handoff_wait),
        }
        # written as the cases are made: memory bounded by the cases in progress
        if output is None:
            write_simulated(process, sys.stdout, log_format, **settings)
        else:
            save_simulated(process, output, log_format, **settings)
    except (PathError, SimulationError) as error:
        raise _fail(str(error)) from None
    except OSError as error:
        raise _fail(f"{output}: cannot write: {error.strerror or error}") from None
    except MemoryError:
        where = f"; {output} not written" if output is not None else ""
        sys.stderr.write(f"procmap: simulate: out of memory{where}\n")
        raise typer.Exit(1) from None


def _wait_minutes(text: str) -> float:
    """--handoff-wait as minutes: a duration as a process file writes it, or 0."""
    from ..format import duration_minutes

    if text.strip() in ("0", "0m"):
        return 0.0
    try:
        return duration_minutes(text.strip())
    except ValueError:
        raise _fail(f"--handoff-wait: {text!r} is not a duration like 45m, 4h or 1d") from None


@app.command("serve")
def serve_command(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Process files or folders (default: the configured paths, processes/)."
        ),
    ] = None,
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")] = 8000,
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on (default localhost only: 127.0.0.1)."),
    ] = "127.0.0.1",
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Keep the site in this folder (default: a temporary folder, removed at exit).",
        ),
    ] = None,
    direction: DirectionOption = "LR",
    lanes: LanesOption = False,
    templates: TemplatesOption = None,
    no_measure: NoMeasureOption = False,
    config_path: ConfigOption = None,
) -> None:
    """Preview the site on localhost, redrawn on every save.

    Serves the HTML site of `procmap render --format html` and watches the process files,
    the templates and the configuration: each save re-validates the file, redraws what
    changed and reloads the open page. A file with errors keeps its last good page, under
    a banner with the problems. Ctrl-C stops it. Exit status: 0 stopped, 2 usage error
    (a port in use, a bad folder).
    """
    import shutil
    import tempfile

    from ..render import Options, RenderError, check_options
    from ..serve import Preview, ServeError

    config = _config(config_path)
    templates = _templates(config, templates)
    chosen = paths or _default_paths(config)
    for given in chosen:
        if not Path(given).exists():
            raise _fail(f"{given}: no such file or folder")
    scratch = None
    if out_dir is None:
        scratch = Path(tempfile.mkdtemp(prefix="procmap-serve-"))
        out_dir = scratch
    options = Options(
        out_dir=out_dir,
        formats=("html",),
        direction=direction.upper(),
        lanes=lanes,
        templates=templates,
        index=True,
    )

    def say(line: str) -> None:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

    preview = Preview(chosen, config, options, measure=not no_measure, say=say)
    import signal

    # `kill` (SIGTERM) stops it as Ctrl-C does: the temporary folder goes too.
    signal.signal(signal.SIGTERM, lambda *_: preview.stop())
    try:
        check_options(options)
        url = preview.start(host, port)
        written = preview.build()
        sys.stderr.write(
            f"Serving {len(preview.processes)} processes at {url} ({len(written)} files"
            f" in {out_dir}); watching for changes, Ctrl-C to stop\n"
        )
        text = preview.problem_text()
        if text:
            sys.stderr.write(text)
        preview.watch()
    except (ServeError, RenderError) as error:
        raise _fail(str(error)) from None
    except KeyboardInterrupt:
        sys.stderr.write("procmap serve: stopped\n")
    finally:
        preview.stop()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


@app.command("measure")
def measure_command(
    process_file: Annotated[
        Path | None,
        typer.Argument(
            metavar="PROCESS",
            help="The process file to measure (default: every process with a configured log).",
            show_default=False,
        ),
    ] = None,
    log: Annotated[
        Path | None,
        typer.Argument(
            metavar="LOG",
            help="The event log: CSV, CSV.gz, Parquet, XES or XES.gz (default: the"
            " process's log in \\[tool.procmap.logs]).",
            show_default=False,
        ),
    ] = None,
    case: Annotated[
        str | None, typer.Option("--case", metavar="COLUMN", help="Column of the case id.")
    ] = None,
    activity: Annotated[
        str | None, typer.Option("--activity", metavar="COLUMN", help="Column of the activity.")
    ] = None,
    timestamp: Annotated[
        str | None,
        typer.Option(
            "--timestamp", metavar="COLUMN", help="Column of when it happened or finished."
        ),
    ] = None,
    start_timestamp: Annotated[
        str | None,
        typer.Option("--start-timestamp", metavar="COLUMN", help="Column of when it started."),
    ] = None,
    resource: Annotated[
        str | None, typer.Option("--resource", metavar="COLUMN", help="Column of who did it.")
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            metavar="ZONE",
            help="Time zone of timestamps without an offset (default UTC).",
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Unreadable rows (no case id, bad timestamp) are an error."),
    ] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when a control threshold is breached.")
    ] = False,
    report_format: Annotated[
        str,
        typer.Option("--format", "-f", metavar="FORMAT", help="text, markdown, json or github."),
    ] = "text",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Also write DIR/<id>.measured.svg (the map as a heat map) and <id>.measure.md.",
        ),
    ] = None,
    config_path: ConfigOption = None,
) -> None:
    """Measure a process from an event log: step and handoff times, branches, deviations, KPIs.

    Activities map to steps by their `activity:` or by the step's id or name. Columns
    default to the XES names, then common export names. With no PROCESS, measures every
    process that has a log in \\[tool.procmap.logs] (JSON: a list). Exit status: 0 measured
    (with --check: no control threshold breached), 1 a control threshold breached with
    --check, a process file is invalid or the log cannot be measured within the memory
    limit (PROCMAP_MEMORY_LIMIT), 2 unusable log or usage error.
    """
    from .measure import run_measure

    try:
        status = run_measure(
            process_file,
            log,
            case,
            activity,
            timestamp,
            start_timestamp,
            resource,
            timezone,
            strict,
            check,
            report_format,
            output,
            config_path,
        )
    except CliError as error:
        raise _fail(str(error)) from None
    raise typer.Exit(status)

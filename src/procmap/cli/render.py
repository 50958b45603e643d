"""`procmap render` without typer: the command's body, and a parser for its usual argv.

A re-render after an edit is run often (by hand, by a make rule, by CI) and has little to
do when little changed: building typer's parser would be a good share of its time.
`parse_argv` reads the usual command lines (paths and the documented options, through
`common.parse_options`) and declines everything else (help, a mistake, an unusual
spelling), which then goes to the typer app for its usual handling and messages. A test
holds `OPTIONS` to the typer command's options, and the two paths to the same call.

Owns: the render summary (`rendered`) and the exit statuses of a render. Must not import
typer; must not know how anything is drawn or written (`procmap.render`'s `render` does
it).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import CliError, Terminated, config, default_paths, parse_options, templates
from .options import RenderOptions

if TYPE_CHECKING:
    from ..config import Config
    from ..render import Home, Measurement, Options

#: option spelling -> (field of `RenderOptions`, how its value is read). A test keeps it
#: equal to the typer command's options.
OPTIONS: dict[str, tuple[str, str]] = {
    "--output": ("out_dir", "path"),
    "-o": ("out_dir", "path"),
    "--format": ("formats", "append"),
    "-f": ("formats", "append"),
    "--direction": ("direction", "text"),
    "-d": ("direction", "text"),
    "--lanes": ("lanes", "flag"),
    "--templates": ("templates", "path"),
    "--no-index": ("no_index", "flag"),
    "--diff": ("diff_rev", "text"),
    "--force": ("force", "flag"),
    "--config": ("config_path", "path"),
    "--jobs": ("jobs", "count"),
    "-j": ("jobs", "count"),
    "--quiet": ("quiet", "flag"),
    "-q": ("quiet", "flag"),
    "--no-measure": ("no_measure", "flag"),
}


def parse_argv(argv: list[str]) -> RenderOptions | None:
    """The options for `run_render`, or None when typer should read `argv` instead."""
    parsed = parse_options(argv, OPTIONS, RenderOptions(), {})
    if parsed is None:
        return None
    options, paths = parsed
    return replace(options, paths=paths or None)


def run_render(given: RenderOptions) -> int:
    """Validate, measure the declared logs, and render every valid process; the exit
    status (`CliError` for a usage problem)."""
    from ..lint import FORMATS, PathError, summary, validate_paths
    from ..render import RenderBusy, RenderError, check_options, terminal_progress
    from ..render import render as render_all

    quiet, out_dir = given.quiet, given.out_dir
    loaded = config(given.config_path)
    folder = templates(loaded, given.templates)
    try:
        options = _options(given, folder)
        check_options(options)
        paths = given.paths
        result = validate_paths(
            paths or default_paths(loaded), loaded, given.jobs, keep=True, explicit=bool(paths)
        )
        if paths:
            options = replace(options, left_out=_left_out(loaded, result.files))
        sys.stdout.write(FORMATS["text"](result.problems, False))
        if not quiet:
            sys.stdout.write(summary(len(result.files), result.errors, result.warnings))
        sys.stdout.flush()
        invalid = len({p.path for p in result.problems if p.severity == "error"})
        if invalid and not result.processes:
            # Every file has errors: an index listing nothing would hide the outputs
            # that are kept for them; keep the last good index until they are fixed.
            options = replace(options, index=False)
        measured, log_problems = _measured(given, loaded, result.processes, options)
        for problem in log_problems:
            sys.stderr.write(f"procmap: {problem}\n")
        home = _home(loaded, result.processes, options)

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
        raise CliError(str(error)) from None
    except RenderBusy as error:  # not a usage error: the same command works later
        sys.stderr.write(f"procmap: {error}\n")
        return 1
    except RenderError as error:
        raise CliError(str(error)) from None
    except (KeyboardInterrupt, Terminated) as stop:  # typer would exit 130 silently
        return _stopped(stop)
    for line in (*outcome.warnings, *outcome.problems):  # warnings leave the status alone
        sys.stderr.write(f"procmap: {line}\n")
    if not quiet:
        counts = [outcome.written, outcome.unchanged, outcome.removed, outcome.problems]
        sys.stdout.write(rendered(len(result.processes), invalid, out_dir, *map(len, counts)))
    return 1 if result.errors or outcome.failed or log_problems else 0


def _left_out(loaded: Config, files: Sequence[str]) -> tuple[str, ...]:
    """The process files of the configured paths that a run of `files` (named on the
    command line) leaves out: with any, the index is not rewritten (`Options.left_out`)."""
    from ..lint import PathError, discover

    try:
        configured = discover(default_paths(loaded), loaded)
    except PathError:  # the configured folder is not there: no catalog to keep whole
        return ()
    named = {os.path.realpath(path) for path in files}
    return tuple(path for path in configured if os.path.realpath(path) not in named)


def _options(given: RenderOptions, folder: Path | None) -> Options:
    """The render run's options (`RenderError` for an unknown format)."""
    from ..render import Options, parse_formats

    chosen = parse_formats(given.formats)
    makers = {}
    if "bpmn" in chosen:  # imported only when asked for: render's layer is below it
        from ..bpmn import to_bpmn

        makers["bpmn"] = to_bpmn
    return Options(
        out_dir=given.out_dir,
        formats=chosen,
        direction=given.direction.upper(),
        lanes=given.lanes,
        templates=folder,
        force=given.force,
        jobs=given.jobs,
        index=not given.no_index,
        diff=given.diff_rev,
        makers=makers,
    )


def _measured(
    given: RenderOptions, loaded: Config, processes: Mapping[str, Any], options: Options
) -> tuple[dict[str, Measurement], list[str]]:
    """The declared logs measured, when the outputs show figures; and the logs that could
    not be."""
    if not loaded.logs or given.no_measure or not {"svg", "dmaic", "html"} & set(options.formats):
        return {}, []
    from ..measure import declared_measurements

    return declared_measurements(
        processes,
        loaded.logs,
        root=loaded.root,
        draw_map=bool({"svg", "html"} & set(options.formats)),
    )


def _home(loaded: Config, processes: Mapping[str, Any], options: Options) -> Home | None:
    """The portfolio on the site's home page, for an html render with an index."""
    if "html" not in options.formats or not options.index or not processes:
        return None
    from ..portfolio import Settings, site_home

    return site_home(processes, Settings.from_config(loaded.portfolio))


def _stopped(stop: BaseException) -> int:
    """Ctrl-C or SIGTERM during a render: what is kept, and the exit status."""
    sys.stdout.flush()
    how = "terminated" if isinstance(stop, Terminated) else "interrupted"
    sys.stderr.write(f"procmap: {how}; the outputs finished so far are kept, run again to finish\n")
    return 143 if isinstance(stop, Terminated) else 130


def rendered(
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

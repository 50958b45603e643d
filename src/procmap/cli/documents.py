"""The typer commands that make documents: `render` (files) and `serve` (a live preview).

Owns: their signatures (options shared with other commands come from `params`, defaults
from `options`), and `serve`'s run: the temporary folder, the preview's start, watch and
stop. `render`'s body is the typer-free `run_render` (module `render`), which a usual
command line reaches without typer.

Must not know: how anything is drawn or written (`procmap.render`), how the preview
watches and rebuilds (`procmap.serve`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from .common import default_paths, templates
from .options import RenderOptions, ServeOptions
from .params import (
    ConfigOpt,
    DirectionOpt,
    DrawJobsOpt,
    LanesOpt,
    NoMeasureOpt,
    PathsArg,
    TemplatesOpt,
    complete_render_formats,
)
from .root import fail, load_config, usage_errors

_R = RenderOptions
_S = ServeOptions


def render(
    paths: PathsArg = _R.paths,
    out_dir: Annotated[
        Path,
        typer.Option("--output", "-o", metavar="DIR", help="Folder to write into (default: out/)."),
    ] = _R.out_dir,
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMATS",
            help="svg, png, pdf, dot, mermaid, bpmn (BPMN 2.0 XML), runbook, dmaic, html;"
            " repeatable or comma-separated (default: svg,runbook,dmaic).",
            autocompletion=complete_render_formats,
        ),
    ] = _R.formats,
    direction: DirectionOpt = _R.direction,
    lanes: LanesOpt = _R.lanes,
    templates: TemplatesOpt = _R.templates,
    no_index: Annotated[
        bool, typer.Option("--no-index", help="Do not write index.md.")
    ] = _R.no_index,
    diff_rev: Annotated[
        str | None,
        typer.Option(
            "--diff",
            metavar="REV",
            help="Also draw <id>.diff.svg: the map against git revision REV.",
        ),
    ] = _R.diff_rev,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite outputs that procmap did not write.")
    ] = _R.force,
    config_path: ConfigOpt = _R.config_path,
    jobs: DrawJobsOpt = _R.jobs,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No summary lines and no progress bar.")
    ] = _R.quiet,
    no_measure: NoMeasureOpt = _R.no_measure,
) -> None:
    """Draw flow maps and write runbooks, DMAIC worksheets and an index for every valid process.

    Invalid files are reported as `procmap validate` reports them and are not rendered.
    A process with a log in [tool.procmap.logs] is measured: its worksheet gets the
    measured figures and <id>.measured.svg is drawn beside <id>.svg. Exit status: 0 all
    rendered, 1 a file was invalid, a log unusable or an output failed, 2 usage error.

    """
    from .render import run_render

    options = RenderOptions(
        paths=paths or None,
        out_dir=out_dir,
        formats=formats,
        direction=direction,
        lanes=lanes,
        templates=templates,
        no_index=no_index,
        diff_rev=diff_rev,
        force=force,
        config_path=config_path,
        jobs=jobs,
        quiet=quiet,
        no_measure=no_measure,
    )
    with usage_errors():
        status = run_render(options)
    raise typer.Exit(status)


def serve_command(
    paths: PathsArg = _S.paths,
    port: Annotated[
        int, typer.Option("--port", "-p", metavar="N", help="Port to listen on (default: 8000).")
    ] = _S.port,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            metavar="HOST",
            help="Address to listen on (default localhost only: 127.0.0.1).",
        ),
    ] = _S.host,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Keep the site in this folder (default: a temporary folder, removed at exit).",
        ),
    ] = _S.out_dir,
    direction: DirectionOpt = _S.direction,
    lanes: LanesOpt = _S.lanes,
    templates: TemplatesOpt = _S.templates,
    no_measure: NoMeasureOpt = _S.no_measure,
    config_path: ConfigOpt = _S.config_path,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help='No "Rebuilt in" line after each save.'),
    ] = _S.quiet,
) -> None:
    """Preview the site on localhost, redrawn on every save.

    Serves the HTML site of `procmap render --format html` and watches the process files,
    the templates and the configuration: each save re-validates the file, redraws what
    changed and reloads the open page. A file with errors keeps its last good page, under
    a banner with the problems. Ctrl-C stops it. Exit status: 0 stopped, 2 usage error
    (a port in use, a bad folder).

    """
    _serve(
        ServeOptions(
            paths=paths,
            port=port,
            host=host,
            out_dir=out_dir,
            direction=direction,
            lanes=lanes,
            templates=templates,
            no_measure=no_measure,
            config_path=config_path,
            quiet=quiet,
        )
    )


def _serve(given: ServeOptions) -> None:
    """Serve the site until Ctrl-C or SIGTERM; the temporary folder removed after."""
    import shutil
    import signal
    import tempfile

    from ..render import Options, RenderError, check_options
    from ..serve import Preview, ServeError

    config = load_config(given.config_path)
    with usage_errors():
        folder = templates(config, given.templates)
    chosen = given.paths or default_paths(config)
    for path in chosen:
        if not Path(path).exists():
            raise fail(f"{path}: no such file or folder")
    scratch = None
    out_dir = given.out_dir
    if out_dir is None:
        scratch = Path(tempfile.mkdtemp(prefix="procmap-serve-"))
        out_dir = scratch
    options = Options(
        out_dir=out_dir,
        formats=("html",),
        direction=given.direction.upper(),
        lanes=given.lanes,
        templates=folder,
        index=True,
    )
    preview = Preview(
        chosen, config, options, measure=not given.no_measure, say=_quiet if given.quiet else _say
    )
    # `kill` (SIGTERM) stops it as Ctrl-C does: the temporary folder goes too.
    signal.signal(signal.SIGTERM, lambda *_: preview.stop())
    try:
        check_options(options)
        url = preview.start(given.host, given.port)
        written = preview.build()
        sys.stderr.write(
            f"Serving {len(preview.processes)} processes at {url} ({len(written)} files"
            f" in {out_dir}); watching for changes, Ctrl-C to stop\n"
        )
        sys.stderr.write(preview.problem_text())
        preview.watch()
    except (ServeError, RenderError) as error:
        raise fail(str(error)) from None
    except KeyboardInterrupt:
        sys.stderr.write("procmap serve: stopped\n")
    finally:
        preview.stop()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _say(line: str) -> None:
    """One line of the preview's news on stderr, at once."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _quiet(line: str) -> None:
    """`_say` for --quiet: failures and problems only, not the "Rebuilt in" news."""
    if not line.startswith("Rebuilt in "):
        _say(line)

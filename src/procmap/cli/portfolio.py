"""The typer command `portfolio`: every process at a glance.

Owns: its signature (options shared with other commands come from `params`), its output
choices and exit statuses.

Must not know: how the portfolio is analysed, ranked or drawn (`procmap.portfolio`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from .common import default_paths, not_one_of
from .options import PortfolioOptions
from .params import ColorOpt, ConfigOpt, PathsArg
from .root import fail, load_config

_P = PortfolioOptions


def portfolio_command(
    paths: PathsArg = _P.paths,
    report_format: Annotated[
        str,
        typer.Option(
            "--format", "-f", metavar="FORMAT", help="text (tables; default), markdown or json."
        ),
    ] = _P.report_format,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Also write DIR/portfolio.svg (the system map) and DIR/portfolio.md.",
        ),
    ] = _P.output,
    config_path: ConfigOpt = _P.config_path,
    color: ColorOpt = _P.color,
) -> None:
    """All processes at a glance: where to start improving, hours per role, RACI, hourglass coverage, gaps.

    Ranks the processes by how often they run (`runs:`), what they produce (`value:`),
    their critical steps, the return of reaching their KPI targets and the effort they
    take, with the weights of [tool.procmap.portfolio]. Files with errors are reported
    as `procmap validate` reports them (on stderr) and left out. Exit status: 0 done, 1 a
    file has errors (the others are still analysed), 2 usage or configuration error.

    """
    _portfolio(
        PortfolioOptions(
            paths=paths,
            report_format=report_format,
            output=output,
            config_path=config_path,
            color=color,
        )
    )


def _portfolio(given: PortfolioOptions) -> None:
    """Analyse the valid processes, print the portfolio and write the files of `-o`."""
    from ..lint import FORMATS, PathError, use_color, validate_paths
    from ..portfolio import REPORT_FORMATS, Settings, analyse, format_portfolio

    if given.report_format not in REPORT_FORMATS:
        raise fail("--format: " + not_one_of(given.report_format, list(REPORT_FORMATS)))
    config = load_config(given.config_path)
    try:
        result = validate_paths(
            given.paths or default_paths(config), config, keep=True, explicit=bool(given.paths)
        )
    except PathError as error:
        raise fail(str(error)) from None
    errors = [p for p in result.problems if p.severity == "error"]
    if errors:
        sys.stderr.write(FORMATS["text"](errors, use_color(sys.stderr, given.color)))
        invalid = len({p.path for p in errors})
        files = (
            f"{invalid} file has errors; it is"
            if invalid == 1
            else f"{invalid} files have errors; they are"
        )
        sys.stderr.write(f"procmap: {files} left out of the portfolio\n")
    portfolio = analyse(result.processes, Settings.from_config(config.portfolio))
    colored = given.report_format == "text" and use_color(sys.stdout, given.color)
    sys.stdout.write(format_portfolio(portfolio, given.report_format, colored))
    sys.stdout.flush()
    if given.output is not None:
        from ..portfolio import write_outputs
        from ..render import DrawError

        try:
            written = write_outputs(portfolio, given.output)
        except (DrawError, OSError) as error:
            raise fail(f"{given.output}: {getattr(error, 'strerror', None) or error}") from None
        for file in written:
            sys.stderr.write(f"Wrote {file}\n")
    raise typer.Exit(1 if errors else 0)

"""`procmap validate` without typer: the command's body, and a parser for its usual argv.

Validation runs on every commit, in pre-commit hooks, where start-up is most of the
time: typer builds its parser (and imports pydantic to do it) before a single file is
read. `parse_argv` reads the command lines that `procmap validate` is usually given
(paths and the documented options, spelt as `--name value`, `--name=value` or `-x value`,
read by `common.parse_options`) and declines everything else (help, a mistake, an
unusual spelling), which then goes to the typer app for its usual handling and messages.
A test holds `OPTIONS` to the typer command's options, and the two paths to the same call.

Must not import typer or pydantic.
"""

from __future__ import annotations

import sys
from dataclasses import replace

from .common import CliError, config, default_paths, parse_options
from .options import ProblemFormat, ValidateOptions

#: Output formats of `--format`.
FORMATS = tuple(ProblemFormat)

#: option spelling -> (field of `ValidateOptions`, how its value is read). A test keeps
#: it equal to the typer command's options.
OPTIONS: dict[str, tuple[str, str]] = {
    "--format": ("output_format", "choice"),
    "-f": ("output_format", "choice"),
    "--strict": ("strict", "flag"),
    "--ignore": ("ignore", "append"),
    "--warn": ("warn", "append"),
    "--config": ("config_path", "path"),
    "--jobs": ("jobs", "count"),
    "-j": ("jobs", "count"),
    "--quiet": ("quiet", "flag"),
    "-q": ("quiet", "flag"),
    "--color": ("color", "flag"),
    "--no-color": ("color", "off"),
}


def parse_argv(argv: list[str]) -> ValidateOptions | None:
    """The options for `run_validate`, or None when typer should read `argv` instead."""
    parsed = parse_options(argv, OPTIONS, ValidateOptions(), {"output_format": FORMATS})
    if parsed is None:
        return None
    options, paths = parsed
    return replace(options, paths=paths or None)


def run_validate(options: ValidateOptions) -> int:
    """Check the files, print the problems and the summary; the exit status."""
    from ..lint import FORMATS as PRINTERS
    from ..lint import PathError, summary, use_color, validate_paths

    paths, color = options.paths, options.color
    loaded = config(options.config_path, options.ignore, options.warn)
    try:
        result = validate_paths(
            paths or default_paths(loaded),
            loaded,
            options.jobs,
            neighbours=True,
            explicit=bool(paths),
        )
    except PathError as error:
        raise CliError(str(error)) from None
    out = sys.stdout
    text = options.output_format == "text"
    colored = text and use_color(out, color)
    out.write(PRINTERS[options.output_format](result.problems, colored))
    if not options.quiet:
        line = summary(
            len(result.files),
            result.errors,
            result.warnings,
            colored if text else use_color(sys.stderr, color),
        )
        (out if text else sys.stderr).write(line)
    out.flush()
    return 1 if result.failed(options.strict) else 0

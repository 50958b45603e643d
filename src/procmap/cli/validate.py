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
from pathlib import Path
from typing import Any

from .common import CliError, config, default_paths, parse_options

#: Output formats of `--format` (the typer command's choice; a test keeps them equal).
FORMATS = ("text", "json", "github")

#: option spelling -> (parameter, how its value is read). A test keeps it equal to the
#: typer command's options.
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


def defaults() -> dict[str, Any]:
    """The parameters of `run_validate` when no option is given."""
    return {
        "paths": None,
        "output_format": "text",
        "strict": False,
        "ignore": None,
        "warn": None,
        "config_path": None,
        "jobs": None,
        "quiet": False,
        "color": None,
    }


def parse_argv(argv: list[str]) -> dict[str, Any] | None:
    """The parameters for `run_validate`, or None when typer should read `argv` instead."""
    parsed = parse_options(argv, OPTIONS, defaults(), {"output_format": FORMATS})
    if parsed is None:
        return None
    params, paths = parsed
    params["paths"] = paths or None
    return params


def run_validate(
    paths: list[str] | None,
    output_format: str = "text",
    strict: bool = False,
    ignore: list[str] | None = None,
    warn: list[str] | None = None,
    config_path: Path | None = None,
    jobs: int | None = None,
    quiet: bool = False,
    color: bool | None = None,
) -> int:
    """Check the files, print the problems and the summary; the exit status."""
    from ..lint import FORMATS as PRINTERS
    from ..lint import PathError, summary, use_color, validate_paths

    loaded = config(config_path, ignore, warn)
    try:
        result = validate_paths(
            paths or default_paths(loaded), loaded, jobs, neighbours=True, explicit=bool(paths)
        )
    except PathError as error:
        raise CliError(str(error)) from None
    out = sys.stdout
    text = output_format == "text"
    colored = text and use_color(out, color)
    out.write(PRINTERS[output_format](result.problems, colored))
    if not quiet:
        line = summary(
            len(result.files),
            result.errors,
            result.warnings,
            colored if text else use_color(sys.stderr, color),
        )
        (out if text else sys.stderr).write(line)
    out.flush()
    return 1 if result.failed(strict) else 0

"""What every command shares and what needs no typer: configuration and default paths.

Owns: `CliError` (a usage or configuration problem: one line, exit status 2), loading the
configuration with the command line's --ignore/--warn applied, and the default paths.
Must not import typer: the typer-free path of `procmap validate` uses it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..lint import Config


class CliError(Exception):
    """A usage or configuration problem; the message is printed after `procmap: `."""


def split(values: list[str] | None) -> list[str]:
    """Comma-separated values of a repeatable option, flattened and stripped."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def config(
    config_path: Path | None, ignore: list[str] | None = None, warn: list[str] | None = None
) -> Config:
    """The project configuration, with --warn and --ignore applied on top."""
    from ..lint import ConfigError, load

    try:
        loaded = load(config_path)
        loaded.apply("warn", split(warn), "--warn: ")
        loaded.apply("ignore", split(ignore), "--ignore: ")
    except ConfigError as error:
        raise CliError(str(error)) from None
    return loaded


def default_paths(loaded: Config) -> list[str]:
    """The configured paths, relative to the current folder where that is possible."""
    paths = []
    for entry in loaded.paths:
        full = loaded.root / entry
        try:
            paths.append(os.path.relpath(full))
        except ValueError:
            paths.append(str(full))
    return paths

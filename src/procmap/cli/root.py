"""The typer app of `procmap` and what its commands share.

Owns: `app` (its name, help and settings), the root callback (`--version`), and the few
helpers every typer command uses: `fail` (a usage problem: the message, exit status 2),
`usage_errors` (a `CliError` from a typer-free body turned into that), and `load_config`.
The commands themselves are in `checking`, `documents`, `history`, `project`, `logs` and
`portfolio`; `commands` registers them in the order `procmap --help` lists them.

Must not know: any command.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .. import __version__
from .common import CliError
from .common import config as _load

if TYPE_CHECKING:
    from ..config import Config

app = typer.Typer(
    name="procmap",
    help="Business processes as code: validate, render and review process maps kept in git.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def fail(message: str) -> typer.Exit:
    """A usage or configuration problem: the message on stderr, exit status 2."""
    sys.stderr.write(f"procmap: {message}\n")
    return typer.Exit(2)


@contextlib.contextmanager
def usage_errors() -> Iterator[None]:
    """A `CliError` raised inside becomes `fail`'s message and exit status 2."""
    try:
        yield
    except CliError as error:
        raise fail(str(error)) from None


def load_config(
    config_path: Path | None, ignore: list[str] | None = None, warn: list[str] | None = None
) -> Config:
    """The configuration (`common.config`), a problem with it exit status 2."""
    with usage_errors():
        return _load(config_path, ignore, warn)


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

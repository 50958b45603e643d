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
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand

from .. import __version__
from .common import CliError
from .common import config as _load

if TYPE_CHECKING:
    from ..config import Config

#: Help is click's plain layout (rich's boxes re-wrap docstrings line by line, leaving
#: orphan words), as wide as the terminal up to 120 columns.
app = typer.Typer(
    name="procmap",
    help="Business processes as code: check, draw and review process maps in git.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
)


def _tidy(param: Any) -> None:
    """A parameter as its help shows it: its default said once, by its help text (click's
    "[default: x]" off), and an argument by its metavar. Duck-typed: typer 0.16+ builds
    its parameters on its own copy of click's classes."""
    param.show_default = False
    if getattr(param, "param_type_name", "") == "argument" and param.metavar is None:
        param.metavar = str(param.name or "arg").upper()


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block(out: list[str], column: int) -> int:
    """Where the wrapped text that a line indented to `column` continues starts in `out`:
    the lines above at that indent, and the line whose text starts at `column` (a
    definition's first line) above them."""
    start = len(out)
    while start > 0 and out[start - 1].strip() and _indent(out[start - 1]) == column:
        start -= 1
    above = out[start - 1] if start > 0 else ""
    if len(above) > column and above[column - 1] == " " and above[column] != " ":
        start -= 1
    return start


def _rewrap(lines: list[str], column: int) -> list[str] | None:
    """The text of `lines` from `column` on, wrapped narrower until no line of it has
    fewer than three words; None when that would take less than 3/5 of the width."""
    import textwrap

    words = " ".join(line[column:].strip() for line in lines).split(" ")
    widest = max(len(line) for line in lines) - column
    for width in range(widest, widest * 3 // 5, -1):
        wrapped = textwrap.wrap(
            " ".join(words), width, break_long_words=False, break_on_hyphens=False
        )
        if all(len(line.split()) >= 3 for line in wrapped):
            head = lines[0][:column]
            return [head + wrapped[0], *(" " * column + line for line in wrapped[1:])]
    return None


def _balanced(lines: list[str]) -> list[str]:
    """Wrapped help text with no orphan: text whose last line holds one or two words is
    wrapped again, narrower (`_rewrap`). The examples, last, are left as they are."""
    out: list[str] = []
    for number, line in enumerate(lines):
        if line.strip() == "Examples:":
            return out + lines[number:]
        out.append(line)
        column = _indent(line)
        option = column == 2 and line.lstrip().startswith("-")  # an option too long
        if not 0 < len(line.split()) <= 2 or column == 0 or option:
            continue
        start = _block(out[:-1], column)
        if start == len(out) - 1:
            continue
        rewrapped = _rewrap(out[start:], column)
        if rewrapped is not None:
            out[start:] = rewrapped
    return out


class Command(TyperCommand):
    """A procmap command whose help reads cleanly at any width from 80 columns: plain
    placeholders (`FILE`, `N`, never `<list[str]>` or `<bool>`), each default said once,
    and examples kept line by line (a `\\b` paragraph in the docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            _tidy(param)

    def get_help(self, ctx: Any) -> str:
        """The help page, its wrapped lines balanced (`_balanced`)."""
        return "\n".join(_balanced(super().get_help(ctx).split("\n")))

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        """The usage line's words: an argument as FILE when required, [FILE] when not,
        with ... when it takes several (typer 0.16+ would write {FILE})."""
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name != "argument":
                pieces.extend(param.get_usage_pieces(ctx))
                continue
            name = str(param.metavar) if param.required else f"[{param.metavar}]"
            pieces.append(name + ("..." if param.nargs != 1 else ""))
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """The arguments, then the options, each a definition list: an argument is named
        by its metavar alone (typer would add its Python type)."""
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((str(param.metavar), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows, col_max=32)


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
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """procmap: document business processes as YAML, check them, and draw them."""

"""Printing problems: text for people, JSON for programs, GitHub Actions annotations.

Owns: the output formats of `procmap validate` (a registry, `FORMATS`, that also drives
the `--format` choice), colour (only on a terminal, never with NO_COLOR) and the summary
line. Must not know: how problems are found.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import TextIO

from ..format import Problem

_RED, _YELLOW, _BOLD, _DIM, _RESET = "\033[31m", "\033[33m", "\033[1m", "\033[2m", "\033[0m"


def use_color(stream: TextIO, requested: bool | None = None) -> bool:
    """Colour when asked, else only on a terminal and never when NO_COLOR is set."""
    if os.environ.get("NO_COLOR"):
        return False
    if requested is not None:
        return requested
    return hasattr(stream, "isatty") and stream.isatty() and os.environ.get("TERM") != "dumb"


def text(problems: list[Problem], color: bool = False) -> str:
    """`path:line:column: CODE message`, one line a problem; warnings say so."""
    lines = []
    for p in problems:
        where = f"{p.path}:{p.line}:{p.column}:"
        message = p.message if p.severity == "error" else f"warning: {p.message}"
        if color:
            tint = _RED if p.severity == "error" else _YELLOW
            lines.append(f"{_BOLD}{where}{_RESET} {tint}{_BOLD}{p.code}{_RESET} {message}")
        else:
            lines.append(f"{where} {p.code} {message}")
    return "".join(line + "\n" for line in lines)


def as_json(problems: list[Problem], color: bool = False) -> str:
    return json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False) + "\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(problems: list[Problem], color: bool = False) -> str:
    """Workflow commands that GitHub Actions shows as annotations on the pull request."""
    lines = []
    for p in problems:
        props = ",".join(
            [
                f"file={_escape_property(p.path)}",
                f"line={p.line}",
                f"col={p.column}",
                f"title={_escape_property(p.code)}",
            ]
        )
        lines.append(f"::{p.severity} {props}::{_escape_data(f'{p.code} {p.message}')}")
    return "".join(line + "\n" for line in lines)


FORMATS: dict[str, Callable[[list[Problem], bool], str]] = {
    "text": text,
    "json": as_json,
    "github": github,
}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(files: int, errors: int, warnings: int, color: bool = False) -> str:
    """One line: how many files, errors and warnings."""
    checked = f"Checked {_plural(files, 'file')}"
    if not errors and not warnings:
        line = f"{checked}: no problems."
        return f"{_BOLD}{line}{_RESET}\n" if color else line + "\n"
    parts = []
    if errors:
        parts.append(
            f"{_RED}{_plural(errors, 'error')}{_RESET}" if color else _plural(errors, "error")
        )
    if warnings:
        word = _plural(warnings, "warning")
        parts.append(f"{_YELLOW}{word}{_RESET}" if color else word)
    return f"{checked}: {', '.join(parts)}.\n"


def write(stream: TextIO, content: str) -> None:
    stream.write(content)
    stream.flush()


def stdout() -> TextIO:
    return sys.stdout

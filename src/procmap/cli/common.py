"""What every command shares and what needs no typer: configuration, default paths, and
the reading of a usual command line.

Owns: `CliError` (a usage or configuration problem: one line, exit status 2), `Terminated`
(SIGTERM as an exception), loading the configuration with the command line's
--ignore/--warn applied, the default paths, the templates folder, and `parse_options`, the
reader the typer-free paths (`validate`, `measure`, `render`) share.
Must not import typer: the typer-free paths use it.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Sequence

    from _typeshed import DataclassInstance

    from ..config import Config

Options = TypeVar("Options", bound="DataclassInstance")


class CliError(Exception):
    """A usage or configuration problem; the message is printed after `procmap: `."""


def not_one_of(value: str, choices: Sequence[str]) -> str:
    """The message for a value that is none of `choices`, with the closest one suggested:
    "'jsn' is not one of text, markdown, json; did you mean 'json'?"."""
    from ..format import suggest

    close = suggest(value, list(choices))
    tail = f"; did you mean {close!r}?" if close else ""
    return f"{value!r} is not one of {', '.join(choices)}{tail}"


class Terminated(BaseException):
    """SIGTERM, raised in the main thread by `main`'s handler: a clean stop as Ctrl-C is
    (the running work is stopped, what is finished is kept), then exit status 143.

    Not a KeyboardInterrupt, which typer turns into exit status 130 on its own.
    """


def split(values: list[str] | None) -> list[str]:
    """Comma-separated values of a repeatable option, flattened and stripped."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def config(
    config_path: Path | None, ignore: list[str] | None = None, warn: list[str] | None = None
) -> Config:
    """The project configuration, with --warn and --ignore applied on top."""
    from ..config import ConfigError, load

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


def templates(loaded: Config, given: Path | None) -> Path | None:
    """--templates, else a templates/ folder beside the configuration (kept inside the
    project: it comes with the repository), else none."""
    from ..config import ConfigError

    if given is not None:
        return given
    try:
        return loaded.templates()
    except ConfigError as error:
        raise CliError(str(error)) from None


def parse_options(
    argv: list[str],
    options: dict[str, tuple[str, str]],
    defaults: Options,
    choices: dict[str, tuple[str, ...]],
) -> tuple[Options, list[str]] | None:
    """`defaults` (a command's options dataclass) with the options of `argv` applied, and
    the other words (arguments) in order; None when `argv` holds anything else (help, a
    mistake, an unusual spelling), which the typer app then reads for its usual handling
    and messages.

    `options` maps each spelling (`--name value`, `--name=value`, `-x value`) to its
    parameter and how its value is read: `flag` (True), `off` (False), `append` (to a
    list), `path`, `text`, `count` (a whole number, at least 1) or `choice` (one of
    `choices[parameter]`). After `--`, every word is an argument.
    """
    params: dict[str, Any] = {}
    words: list[str] = []
    index = 0
    only_words = False
    while index < len(argv):
        word = argv[index]
        index += 1
        if only_words or not word.startswith("-") or word == "-":
            words.append(word)
            continue
        if word == "--":
            only_words = True
            continue
        name, equals, value = word.partition("=")
        if name not in options or (equals and not name.startswith("--")):
            return None
        param, kind = options[name]
        if kind in ("flag", "off"):
            if equals:
                return None
            params[param] = kind == "flag"
            continue
        if not equals:
            if index >= len(argv):
                return None
            value = argv[index]
            index += 1
        if kind == "choice":  # the choice itself: an enum's member, where they are
            chosen = [choice for choice in choices[param] if choice == value]
            if not chosen:
                return None
            params[param] = chosen[0]
        elif kind == "append":
            params[param] = [*(params.get(param, getattr(defaults, param)) or []), value]
        elif kind == "path":
            params[param] = Path(value)
        elif kind == "text":
            params[param] = value
        else:  # count: a whole number, at least 1
            if not value.isdigit() or int(value) < 1:
                return None
            params[param] = int(value)
    return replace(defaults, **params), words

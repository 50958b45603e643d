"""The typer declarations of the options and arguments that several commands share, each
declared once as an `Annotated` alias (as sqlite-utils reuses its option decorators).

Owns: the spelling, help text and value checks of the process paths argument, `--config`,
`--color/--no-color`, `--jobs`, `--quiet` of the log commands, the log-column, timestamp-format and bad-row options of
`procmap measure`, and the options `procmap render` and `procmap serve` share. An option only one command has is
declared in that command's signature; every option's default is its command's dataclass
field in `options`.

Must not know: what a command does with an option.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from .common import not_one_of

Choice = TypeVar("Choice", bound=enum.Enum)


def at_least_one(value: int | None) -> int | None:
    """The check of a count option (`--jobs`): a whole number, at least 1."""
    if value is not None and value < 1:
        raise typer.BadParameter(f"{value} is not at least 1")
    return value


PathsArg = Annotated[
    list[str] | None,
    typer.Argument(help="Process files or folders (default: the configured paths, processes/)."),
]

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help="Configuration file (default: the nearest procmap.toml or"
        " pyproject.toml with [tool.procmap]).",
    ),
]

ColorOpt = Annotated[
    bool | None, typer.Option("--color/--no-color", help="Force colour on or off.")
]

#: --jobs of `procmap validate` (processes checking files).
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        metavar="N",
        callback=at_least_one,
        help="Processes to use, at most the CPU count (default: auto).",
    ),
]

#: --jobs of `procmap render` (drawings made at once).
DrawJobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        metavar="N",
        callback=at_least_one,
        help="Parallel drawings (default: one per CPU; at most the CPUs, whatever -j says).",
    ),
]

#: --quiet of `procmap measure` and `procmap simulate`.
QuietOpt = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help='No progress on stderr and no "Wrote" lines (warnings and errors still).',
    ),
]

# The log-column options of `procmap measure` (`procmap.config`'s `LogColumns`).
CaseOpt = Annotated[
    str | None, typer.Option("--case", metavar="COLUMN", help="Column of the case id.")
]
ActivityOpt = Annotated[
    str | None, typer.Option("--activity", metavar="COLUMN", help="Column of the activity.")
]
TimestampOpt = Annotated[
    str | None,
    typer.Option("--timestamp", metavar="COLUMN", help="Column of when it happened or finished."),
]
StartTimestampOpt = Annotated[
    str | None,
    typer.Option("--start-timestamp", metavar="COLUMN", help="Column of when it started."),
]
ResourceOpt = Annotated[
    str | None, typer.Option("--resource", metavar="COLUMN", help="Column of who did it.")
]
LifecycleOpt = Annotated[
    str | None,
    typer.Option(
        "--lifecycle",
        metavar="COLUMN",
        help="Column of the lifecycle transition (start, complete, ...; default: found by"
        " name, such as lifecycle:transition): an activity instance is a complete event,"
        " its start paired with it. none: every event is an instance.",
    ),
]
TimezoneOpt = Annotated[
    str | None,
    typer.Option(
        "--timezone",
        metavar="ZONE",
        help="Time zone of timestamps without an offset (default UTC).",
    ),
]
TimestampFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--timestamp-format",
        metavar="FORMAT",
        help="Format of the timestamp column, strftime style ('%m/%d/%Y %H:%M') or ISO8601"
        " (default: chosen from the column's values).",
    ),
]
StartTimestampFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--start-timestamp-format",
        metavar="FORMAT",
        help="Format of the start timestamp column (default: chosen from its values).",
    ),
]
# How many unreadable rows `procmap measure` allows (run options, not the log's).
SkipBadRowsOpt = Annotated[
    bool,
    typer.Option("--skip-bad-rows", help="Measure without the unreadable rows, however many."),
]
MaxBadRowsOpt = Annotated[
    str | None,
    typer.Option(
        "--max-bad-rows",
        metavar="PERCENT",
        help="Unreadable rows allowed, as a percent of the rows (1%, 0.5%), before exit 1"
        " (default: the log's max-bad-rows in [tool.procmap.logs], else 1%).",
        show_default=False,
    ),
]

# The options `procmap render` and `procmap serve` share.
DirectionOpt = Annotated[
    str,
    typer.Option(
        "--direction",
        "-d",
        metavar="LR|TB",
        help="LR (left to right, the default) or TB (top to bottom).",
    ),
]
LanesOpt = Annotated[bool, typer.Option("--lanes", help="One swimlane per role.")]
TemplatesOpt = Annotated[
    Path | None,
    typer.Option(
        "--templates",
        metavar="DIR",
        help="Folder of templates that override the defaults (default: templates/"
        " beside the configuration, if it exists).",
    ),
]
NoMeasureOpt = Annotated[
    bool,
    typer.Option(
        "--no-measure",
        help="Do not read the logs in [tool.procmap.logs]: worksheets without measured"
        " figures, no measured maps.",
    ),
]


def complete_starters(incomplete: str) -> list[str]:
    """Shell completion of `--from`: the built-in starters' ids."""
    from ..scaffold import starters

    return [sid for sid in starters() if sid.startswith(incomplete)]


def completer(values: list[str], comma: bool = False) -> Callable[[str], list[str]]:
    """Shell completion of an option's values; with `comma`, of the value after the last
    comma of a comma-separated list (`-f svg,ru` completes to `svg,runbook`)."""

    def complete(incomplete: str) -> list[str]:
        head, _, last = incomplete.rpartition(",") if comma else ("", "", incomplete)
        prefix = f"{head}," if head else ""
        return [prefix + value for value in values if value.startswith(last)]

    return complete


def choice(kind: type[Choice]) -> dict[str, Any]:
    """The typer.Option arguments of an enum's option: FORMAT as the metavar, a
    parser whose error suggests the closest value ("did you mean 'json'?"), and shell
    completion of the values."""
    values = [str(member.value) for member in kind]

    def parse(value: str | Choice) -> Choice:
        if isinstance(value, kind):
            return value
        try:
            return kind(value)
        except ValueError:
            raise typer.BadParameter(not_one_of(str(value), values)) from None

    return {
        "metavar": "FORMAT",
        "parser": parse,
        "autocompletion": completer(values),
    }


#: The formats of `procmap render`, as its help lists them (a test holds them to the
#: render run's table).
RENDER_FORMATS = ["svg", "png", "pdf", "dot", "mermaid", "bpmn", "runbook", "dmaic", "html"]

#: Shell completion of `render --format`: its formats, also after a comma.
complete_render_formats = completer(RENDER_FORMATS, comma=True)

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

from pathlib import Path
from typing import Annotated

import typer

PathsArg = Annotated[
    list[str] | None,
    typer.Argument(help="Process files or folders (default: the configured paths, processes/)."),
]

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Configuration file (default: the nearest procmap.toml or"
        " pyproject.toml with \\[tool.procmap]).",
    ),
]

ColorOpt = Annotated[
    bool | None, typer.Option("--color/--no-color", help="Force colour on or off.")
]

#: --jobs of `procmap validate` (processes checking files).
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs", "-j", min=1, help="Processes to use, at most the CPU count (default: auto)."
    ),
]

#: --jobs of `procmap render` (drawings made at once).
DrawJobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
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
    str,
    typer.Option(
        "--max-bad-rows",
        metavar="PERCENT",
        help="Unreadable rows allowed, as a percent of the rows (1%, 0.5%), before exit 1.",
    ),
]

# The options `procmap render` and `procmap serve` share.
DirectionOpt = Annotated[
    str, typer.Option("--direction", "-d", help="LR (left to right) or TB (top to bottom).")
]
LanesOpt = Annotated[bool, typer.Option("--lanes", help="One swimlane per role.")]
TemplatesOpt = Annotated[
    Path | None,
    typer.Option(
        "--templates",
        help="Folder of templates that override the defaults (default: templates/"
        " beside the configuration, if it exists).",
    ),
]
NoMeasureOpt = Annotated[
    bool,
    typer.Option(
        "--no-measure",
        help="Do not read the logs in \\[tool.procmap.logs]: worksheets without measured"
        " figures, no measured maps.",
    ),
]


def complete_starters(incomplete: str) -> list[str]:
    """Shell completion of `--from`: the built-in starters' ids."""
    from ..scaffold import starters

    return [sid for sid in starters() if sid.startswith(incomplete)]

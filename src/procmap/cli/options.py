"""What each command is given: one frozen dataclass of options per command with more than
a couple, and the choices of the `--format` options that are enums.

Owns: the options' names, types and defaults (a dataclass's defaults are the only ones:
the typer command takes its defaults from here, and the typer-free parsers of `validate`,
`measure` and `render` start from them), and the format enums, one per distinct set of
values. A test holds every typer command's parameters to its dataclass's fields (names
and defaults). How an option is spelt on the command line and its help text are
`params`'s (and the command's own, for an option only it has).

Must not import typer or pydantic: the typer-free paths use it. Must not know what the
commands do with the options.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path


class ProblemFormat(enum.StrEnum):
    """How problems are printed (`validate`, `import`)."""

    text = "text"
    json = "json"
    github = "github"


class DocumentFormat(enum.StrEnum):
    """A report for a person, a page, or a program (`rules`, `diff`, `review`)."""

    text = "text"
    markdown = "markdown"
    json = "json"


@dataclass(frozen=True)
class ValidateOptions:
    """`procmap validate`."""

    paths: list[str] | None = None
    output_format: ProblemFormat = ProblemFormat.text
    strict: bool = False
    ignore: list[str] | None = None
    warn: list[str] | None = None
    config_path: Path | None = None
    jobs: int | None = None
    quiet: bool = False
    color: bool | None = None


@dataclass(frozen=True)
class LogOptions:
    """The options that say how an event log is read, shared by `procmap measure` and
    `procmap discover` (their dataclasses' first fields): the log-column options, named
    as `procmap.config`'s `LogColumns` fields (None: not given), which they override
    field by field, and what unreadable rows do (`--max-bad-rows` None: the log's
    `max-bad-rows` in [tool.procmap.logs], else 1%)."""

    case: str | None = None
    activity: str | None = None
    timestamp: str | None = None
    start_timestamp: str | None = None
    resource: str | None = None
    lifecycle: str | None = None
    timezone: str | None = None
    timestamp_format: str | None = None
    start_timestamp_format: str | None = None
    strict: bool = False
    skip_bad_rows: bool = False
    max_bad_rows: str | None = None


@dataclass(frozen=True)
class MeasureOptions(LogOptions):
    """`procmap measure`: the log's options (`LogOptions`), then its own."""

    process_file: Path | None = None
    log: Path | None = None
    check: bool = False
    report_format: str = "text"
    output: Path | None = None
    config_path: Path | None = None
    quiet: bool = False


@dataclass(frozen=True)
class DiscoverOptions(LogOptions):
    """`procmap discover`: the log's options (`LogOptions`), then its own."""

    log: Path | None = None
    output: Path | None = None
    process_id: str | None = None
    name: str | None = None
    keep: float = 0.8
    min_share: float | None = None
    every: bool = False
    summary: bool = False
    against: Path | None = None
    report_format: str = "text"
    force: bool = False
    config_path: Path | None = None
    quiet: bool = False


@dataclass(frozen=True)
class RenderOptions:
    """`procmap render`."""

    paths: list[str] | None = None
    out_dir: Path = Path("out")
    formats: list[str] | None = None
    direction: str = "LR"
    lanes: bool = False
    templates: Path | None = None
    no_index: bool = False
    diff_rev: str | None = None
    force: bool = False
    config_path: Path | None = None
    jobs: int | None = None
    quiet: bool = False
    no_measure: bool = False


@dataclass(frozen=True)
class ServeOptions:
    """`procmap serve`."""

    paths: list[str] | None = None
    port: int = 8000
    host: str = "127.0.0.1"
    out_dir: Path | None = None
    direction: str = "LR"
    lanes: bool = False
    templates: Path | None = None
    no_measure: bool = False
    config_path: Path | None = None
    quiet: bool = False


@dataclass(frozen=True)
class ReviewOptions:
    """`procmap review`."""

    paths: list[str] | None = None
    today: str | None = None
    check: bool = False
    output_format: DocumentFormat = DocumentFormat.text
    done: Path | None = None
    note: str | None = None
    by: str | None = None
    force: bool = False
    config_path: Path | None = None
    color: bool | None = None
    quiet: bool = False


@dataclass(frozen=True)
class SimulateOptions:
    """`procmap simulate`."""

    process_file: Path
    cases: int = 100
    rate: float = 20.0
    start: str = "2026-01-05T09:00:00Z"
    seed: int = 1
    distribution: str = "lognormal"
    handoff_wait: str = "0m"
    lifecycle: str = "none"
    output: Path | None = None
    log_format: str = "csv"
    quiet: bool = False


@dataclass(frozen=True)
class DiffOptions:
    """`procmap diff`."""

    files: list[str] | None = None
    since: str | None = None
    output_format: DocumentFormat = DocumentFormat.text
    config_path: Path | None = None
    color: bool | None = None


@dataclass(frozen=True)
class NewOptions:
    """`procmap new`."""

    process_id: str | None = None
    starter: str | None = None
    folder: Path = Path("processes")
    name: str | None = None
    force: bool = False
    list_starters: bool = False
    quiet: bool = False


@dataclass(frozen=True)
class ImportOptions:
    """`procmap import`."""

    file: Path
    out_dir: Path = Path("processes")
    process: str | None = None
    strict: bool = False
    force: bool = False
    output_format: ProblemFormat = ProblemFormat.text
    quiet: bool = False


@dataclass(frozen=True)
class PortfolioOptions:
    """`procmap portfolio`."""

    paths: list[str] | None = None
    report_format: str = "text"
    output: Path | None = None
    config_path: Path | None = None
    color: bool | None = None

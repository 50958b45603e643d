"""Project configuration: `[tool.procmap]` in pyproject.toml, or a procmap.toml.

Owns: finding the configuration file (from a folder upwards), reading it, rejecting
unknown keys and unknown rules with a clear message, and answering one question for the
linter and every capability: what severity does this code have for this file (None when it is switched off).

Keys: `paths` (what `procmap validate` checks with no arguments, default `processes`),
`exclude` (glob patterns of files or folders to skip), `ignore`, `warn` and `error` (rule
selectors: a code like G003, a prefix like P or G01, a rule name, or ALL), and
`per-file-ignores` (glob pattern -> selectors), and `logs` (process id -> its event log for
`procmap measure`: a path, or a table with `path` and the column settings of `LOG_KEYS`,
read as a `DeclaredLog`: the path, relative to the configuration file, and its `LogColumns`), and `portfolio` (`PORTFOLIO_KEYS`: the
ranking weights, the currency, the working day and week), and `site` (`SITE_KEYS`: the
`title` of the HTML site, the business's name). The most specific selector wins; on a tie,
ignore beats error beats warn.

The configuration comes with the repository, so from anyone who can open a pull request:
every path in it (`paths`, each log's `path`, and the `templates/` folder beside it with
every file in it) stays inside the project: the git work tree the configuration file is
in, else the file's folder (`ci/procmap.toml` may name `../processes`). One that is
absolute, or that `..` or a symlink leads out of, is refused with a ConfigError naming
the file and the key (`procmap._paths.escapes`); paths typed on the command line are the
user's own and are not checked. Must not know: rules' logic, YAML or output.
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path, PurePosixPath
from typing import Any

from .._paths import escapes, project_root
from ..format import RULES, SelectorError, Severity, expand

KEYS = (
    "paths",
    "exclude",
    "ignore",
    "warn",
    "error",
    "per-file-ignores",
    "logs",
    "portfolio",
    "site",
)


@dataclass(frozen=True)
class LogColumns:
    """Where an event log keeps each role, the time zone of its timestamps without an
    offset and their formats: a `[tool.procmap.logs]` entry's settings, `procmap measure`'s options of the
    same names, and what the measure engine reads the log with.

    A column left None is the first of the XES names (`case:concept:name`,
    `concept:name`, `time:timestamp`, `org:resource`), then of common export names,
    that the log has (`procmap.measure`'s `DEFAULT_COLUMNS`); a column given must be in
    the log. The field order is the order the roles are resolved in. `lifecycle`: the
    column of each event's lifecycle transition (XES `lifecycle:transition`: `start`,
    `complete`, ...), when the log has one: an activity instance is then a `complete`
    event, the `start` before it paired with it; `none` reads no lifecycle column.

    `timestamp_format` and `start_timestamp_format`: the format of the timestamp and
    start columns, strptime style (`%m/%d/%Y %H:%M`) or `ISO8601`; None: chosen from
    the column's values, one format for the whole column.
    """

    case: str | None = None
    activity: str | None = None
    timestamp: str | None = None
    start_timestamp: str | None = None
    resource: str | None = None
    lifecycle: str | None = None
    timezone: str = "UTC"
    timestamp_format: str | None = None
    start_timestamp_format: str | None = None

    def roles(self) -> dict[str, str | None]:
        """Role -> the column given for it (None: found by name), in resolving order."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _SETTINGS}

    def formats(self) -> dict[str, str | None]:
        """Timestamp role -> the format given for its column (None: chosen from it)."""
        return {"timestamp": self.timestamp_format, "start_timestamp": self.start_timestamp_format}

    def overridden(self, given: object) -> LogColumns:
        """These columns with each one that `given` sets (an attribute of the same name,
        not None) taking its place: `procmap measure`'s options over the configured
        entry, field by field."""
        changes = {f.name: getattr(given, f.name) for f in fields(self)}
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


#: The fields of `LogColumns` that are not a column of a role.
_SETTINGS = ("timezone", "timestamp_format", "start_timestamp_format")


#: The share of a log's rows that may be unreadable before the log is refused: 1 %.
MAX_BAD_ROWS = 0.01


@dataclass(frozen=True)
class DeclaredLog:
    """A `[tool.procmap.logs]` entry: the log's path (absolute), its columns, and the
    share of unreadable rows it may have before it is refused (`max-bad-rows`)."""

    path: str
    columns: LogColumns = field(default_factory=LogColumns)
    max_bad_rows: float = MAX_BAD_ROWS


#: What a `[tool.procmap.logs]` entry may set besides `path`: the fields of `LogColumns`,
#: kebab-case (the options of `procmap measure`), and `max-bad-rows`.
LOG_KEYS = (*(f.name.replace("_", "-") for f in fields(LogColumns)), "max-bad-rows")


def bad_row_share(text: str) -> float:
    """`max-bad-rows` (`--max-bad-rows`) as a fraction: `1%`, `0.5%` or `2` (percent),
    0 to 100; ValueError for anything else."""
    number = text.strip().removesuffix("%").strip()
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"{text!r} is not a percent of the rows like 1% or 0.5%") from None
    if not 0 <= value <= 100:  # also NaN
        raise ValueError(f"{text!r} is not a percent of the rows like 1% or 0.5%")
    return value / 100


#: `[tool.procmap.portfolio]`: the weight of each ranking factor, the currency of `value:`,
#: and the working day and week that turn step durations into hours of work.
PORTFOLIO_KEYS = ("weights", "currency", "hours-per-day", "days-per-week")
PORTFOLIO_WEIGHTS = ("frequency", "value", "critical", "return", "effort")
#: `[tool.procmap.site]`: the HTML site's title, the business's name (in every page's
#: title and header, and the home page's heading).
SITE_KEYS = ("title",)
#: The longest site title: a name, not a sentence.
SITE_TITLE_CHARS = 80
_RANK = {"warn": 0, "error": 1, "ignore": 2}


class ConfigError(Exception):
    """The configuration cannot be used; the message says where and why."""


def _specificity(selector: str) -> int:
    text = selector.strip().upper()
    if text == "ALL":
        return 0
    if text in RULES:
        return 4
    if any(r.name == selector.strip().lower() for r in RULES.values()):
        return 4
    return len(text)


@dataclass
class Config:
    root: Path = field(default_factory=Path.cwd)
    source: Path | None = None
    paths: list[str] = field(default_factory=lambda: ["processes"])
    exclude: list[str] = field(default_factory=list)
    settings: dict[str, tuple[tuple[int, int], str]] = field(default_factory=dict)
    per_file: list[tuple[str, set[str]]] = field(default_factory=list)
    #: process id -> its declared log
    logs: dict[str, DeclaredLog] = field(default_factory=dict)
    #: `[tool.procmap.portfolio]`, checked: keys with "_" for "-", weights as floats; and
    #: `site_title` from `[tool.procmap.site]`, since the site's home page is made by the
    #: portfolio from this table (`procmap.portfolio.Settings.from_config`).
    portfolio: dict[str, Any] = field(default_factory=dict)
    #: `[tool.procmap.site] title`, checked: one line of text, or None.
    site_title: str | None = None

    def apply(self, action: str, selectors: list[str], where: str = "") -> None:
        """Switch rules off (`ignore`) or set their severity (`warn`, `error`)."""
        for selector in selectors:
            try:
                codes = expand(selector)
            except SelectorError as error:
                raise ConfigError(f"{where}{error}") from None
            rank = (_specificity(selector), _RANK[action])
            for code in codes:
                if code not in self.settings or rank >= self.settings[code][0]:
                    self.settings[code] = (rank, action)

    def severity(self, code: str, path: str | None = None) -> Severity | None:
        """The severity of `code` in `path`, or None when the rule is off there."""
        if path is not None and self.per_file:
            rel = self.relative(path)
            for pattern, codes in self.per_file:
                if code in codes and _match(rel, pattern):
                    return None
        setting = self.settings.get(code)
        if setting is None:
            return RULES[code].severity
        action = setting[1]
        return None if action == "ignore" else ("warning" if action == "warn" else "error")

    def enabled(self, code: str) -> bool:
        setting = self.settings.get(code)
        return setting is None or setting[1] != "ignore"

    def relative(self, path: str) -> str:
        try:
            return Path(path).resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return Path(path).as_posix()

    def excluded(self, path: str) -> bool:
        rel = self.relative(path)
        return any(_match(rel, pattern) for pattern in self.exclude)

    def templates(self) -> Path | None:
        """The `templates/` folder beside the configuration, or None when there is none.

        ConfigError when it, or anything in it, leads outside the project through a
        symlink (a template linked to a secret would be rendered into a published page),
        or when it cannot be read (the packaged templates would then win unseen)."""
        folder = self.root / "templates"
        if not folder.is_dir():
            return None
        where = f"{self.source or self.root}: "

        def unreadable(error: OSError) -> None:
            raise ConfigError(
                f"{where}`templates/`: cannot read {error.filename}: {error.strerror}"
            )

        entries = ["templates"]
        for top, folders, files in os.walk(folder, onerror=unreadable):
            for name in sorted(folders + files):
                entries.append(os.path.relpath(os.path.join(top, name), self.root))
        for entry in entries:
            _inside_project(self.root, entry, "templates", where, "or use --templates")
        return folder


def _match(rel: str, pattern: str) -> bool:
    """A glob on the path, or on one of its folders (`processes/archive` skips the folder)."""
    path = PurePosixPath(rel)
    if fnmatch.fnmatch(rel, pattern) or path.match(pattern):
        return True
    folder = pattern.rstrip("/")
    return any(fnmatch.fnmatch(str(parent), folder) for parent in path.parents[:-1])


def _inside_project(
    root: Path, entry: str, key: str, where: str, hint: str = "give others on the command line"
) -> None:
    """ConfigError when the configured path `entry` (relative to the configuration's
    folder `root`) leads out of the project."""
    reason = escapes(project_root(root), root, entry)
    if reason is not None:
        raise ConfigError(
            f"{where}`{key}` {entry!r}: {reason}; configured paths stay inside the project ({hint})"
        )


def _strings(value: Any, key: str, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise ConfigError(f"{where}`{key}` must be a list of strings")


def from_table(table: dict[str, Any], root: Path, source: Path | None) -> Config:
    where = f"{source}: " if source else ""
    config = Config(root=root, source=source)
    for key in table:
        if key not in KEYS:
            import difflib

            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(KEYS)})"
            raise ConfigError(f"{where}unknown setting {key!r}{hint}")
    if "paths" in table:
        config.paths = _strings(table["paths"], "paths", where)
        for entry in config.paths:
            _inside_project(root, entry, "paths", where)
    config.exclude = _strings(table.get("exclude", []), "exclude", where)
    for action in ("warn", "error", "ignore"):
        config.apply(action, _strings(table.get(action, []), action, where), where)
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ConfigError(f"{where}`per-file-ignores` must be a table of pattern = [rules]")
    for pattern, selectors in per_file.items():
        codes: set[str] = set()
        for selector in _strings(selectors, f"per-file-ignores.{pattern}", where):
            try:
                codes.update(expand(selector))
            except SelectorError as error:
                raise ConfigError(f"{where}{error}") from None
        config.per_file.append((pattern, codes))
    config.logs = _logs(table.get("logs", {}), root, where)
    config.portfolio = _portfolio(table.get("portfolio", {}), where)
    config.site_title = _site_title(table.get("site", {}), where)
    if config.site_title is not None:
        config.portfolio["site_title"] = config.site_title
    return config


def _site_title(table: Any, where: str) -> str | None:
    """`[tool.procmap.site] title`: the business's name, one line of visible text."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}`site` must be a table")
    for key in table:
        if key not in SITE_KEYS:
            raise ConfigError(f"{where}`site`: unknown key {key!r} (known: {', '.join(SITE_KEYS)})")
    if "title" not in table:
        return None
    title = table["title"]
    if (
        not isinstance(title, str)
        or not title.strip()
        or len(title) > SITE_TITLE_CHARS
        or any(ord(c) < 32 or c == "\x7f" for c in title)
    ):
        raise ConfigError(
            f"{where}`site.title` must be one line of text of at most {SITE_TITLE_CHARS}"
            ' characters, the business\'s name: title = "Northwind Studio"'
        )
    return " ".join(title.split())


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _portfolio(table: Any, where: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}`portfolio` must be a table")
    settings: dict[str, Any] = {}
    for key, value in table.items():
        if key not in PORTFOLIO_KEYS:
            raise ConfigError(
                f"{where}`portfolio`: unknown key {key!r} (known: {', '.join(PORTFOLIO_KEYS)})"
            )
        if key == "weights":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}`portfolio.weights` must be a table of factor = number")
            weights = {}
            for name, weight in value.items():
                if name not in PORTFOLIO_WEIGHTS:
                    raise ConfigError(
                        f"{where}`portfolio.weights`: unknown factor {name!r}"
                        f" (known: {', '.join(PORTFOLIO_WEIGHTS)})"
                    )
                if not _number(weight) or not 0 <= weight <= 1000:
                    raise ConfigError(
                        f"{where}`portfolio.weights.{name}` must be a number from 0 to 1000"
                    )
                weights[name] = float(weight)
            if not any({**dict.fromkeys(PORTFOLIO_WEIGHTS, 1.0), **weights}.values()):
                raise ConfigError(f"{where}`portfolio.weights`: give at least one factor a weight")
            settings["weights"] = weights
        elif key == "currency":
            if not isinstance(value, str) or len(value) > 10:
                raise ConfigError(f'{where}`portfolio.currency` must be text, like "€" or "USD"')
            settings["currency"] = value
        else:
            limit = 24 if key == "hours-per-day" else 7
            if not _number(value) or not 0 < value <= limit:
                raise ConfigError(
                    f"{where}`portfolio.{key}` must be a number above 0 and at most {limit}"
                )
            settings[key.replace("-", "_")] = float(value)
    return settings


def _logs(table: Any, root: Path, where: str) -> dict[str, DeclaredLog]:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}`logs` must be a table of process id = path or table")
    logs: dict[str, DeclaredLog] = {}
    for pid, entry in table.items():
        key = f"logs.{pid}" + ("" if isinstance(entry, str) else ".path")
        if isinstance(entry, str):
            entry = {"path": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise ConfigError(f"{where}`logs.{pid}` must be a path or a table with `path`")
        _inside_project(root, entry["path"], key, where)
        settings: dict[str, str] = {}
        limit = MAX_BAD_ROWS
        for key, value in entry.items():
            if key == "path":
                continue
            if key == "max-bad-rows" and isinstance(value, str | int | float):
                try:
                    limit = bad_row_share(str(value))
                except ValueError as error:
                    raise ConfigError(f"{where}`logs.{pid}.max-bad-rows`: {error}") from None
                continue
            if key not in LOG_KEYS:
                raise ConfigError(
                    f"{where}`logs.{pid}`: unknown key {key!r} (known: path, {', '.join(LOG_KEYS)})"
                )
            if not isinstance(value, str):
                raise ConfigError(f"{where}`logs.{pid}.{key}` must be a string")
            settings[key.replace("-", "_")] = value
        logs[str(pid)] = DeclaredLog(str(root / entry["path"]), LogColumns(**settings), limit)
    return logs


def read(path: Path) -> Config:
    """Read one configuration file (procmap.toml, or pyproject.toml's [tool.procmap])."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("procmap", {}) if isinstance(tool, dict) else {}
    else:
        table = data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.procmap] must be a table")
    return from_table(table, path.parent, path)


def find(start: Path | None = None) -> Path | None:
    """The nearest procmap.toml, or pyproject.toml with a [tool.procmap] table, upwards."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        own = candidate / "procmap.toml"
        if own.is_file():
            return own
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            try:
                text = pyproject.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if "[tool.procmap" in text:
                return pyproject
    return None


def load(path: Path | None = None, start: Path | None = None) -> Config:
    """The configuration at `path`, or the one found from `start`, or the defaults."""
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"{path}: configuration file not found")
        return read(path)
    found = find(start)
    if found is None:
        return Config(root=(start or Path.cwd()).resolve())
    return read(found)

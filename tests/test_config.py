"""Configuration: where it is found, what selects which rules, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from procmap.config.project import Config, ConfigError, find, from_table, load
from procmap.format.registry import RULES


def table(**settings: object) -> Config:
    return from_table(dict(settings), Path("/project"), None)


# Finding the file ------------------------------------------------------------------


def test_pyproject_tool_table_found_from_a_subfolder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.procmap]\nignore = ["P009"]\n')
    deep = tmp_path / "processes" / "sales"
    deep.mkdir(parents=True)
    assert find(deep) == tmp_path / "pyproject.toml"
    config = load(start=deep)
    assert config.root == tmp_path
    assert config.severity("P009") is None


def test_procmap_toml_found_and_preferred_in_the_same_folder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.procmap]\nignore = ["P009"]\n')
    (tmp_path / "procmap.toml").write_text('warn = ["G003"]\n')
    sub = tmp_path / "sub"
    sub.mkdir()
    config = load(start=sub)
    assert config.source == tmp_path / "procmap.toml"
    assert config.severity("G003") == "warning"
    assert config.severity("P009") == "warning"  # the pyproject table is not read


def test_pyproject_without_tool_table_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    (tmp_path / "procmap.toml").write_text('warn = ["G003"]\n')
    assert find(tmp_path / "sub") == tmp_path / "procmap.toml"
    assert load(start=tmp_path / "sub").severity("G003") == "warning"


def test_defaults_without_configuration() -> None:
    config = Config()
    assert config.paths == ["processes"]
    assert all(config.severity(code) == rule.severity for code, rule in RULES.items())


# Selecting rules -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "code", "expected"),
    [
        ({"ignore": ["G003"]}, "G003", None),
        ({"ignore": ["G003"]}, "G004", "error"),
        ({"ignore": ["P"]}, "P005", None),
        ({"ignore": ["G01"]}, "G010", None),
        ({"ignore": ["G01"]}, "G009", "error"),  # G01 is G010-G012
        ({"ignore": ["unknown-target"]}, "G003", None),
        ({"ignore": ["ALL"]}, "Y001", None),
        ({"ignore": ["all"]}, "X001", None),
        ({"warn": ["R"]}, "R001", "warning"),
        ({"error": ["P001"]}, "P001", "error"),
        ({"error": ["vanity-metric"]}, "P008", "error"),
        # the more specific selector wins, whatever the action
        ({"ignore": ["P"], "error": ["P001"]}, "P001", "error"),
        ({"ignore": ["P"], "error": ["P001"]}, "P002", None),
        ({"error": ["ALL"], "ignore": ["P009"]}, "P009", None),
        ({"error": ["ALL"], "ignore": ["P009"]}, "P008", "error"),
        ({"ignore": ["ALL"], "warn": ["G"]}, "G003", "warning"),
        ({"ignore": ["ALL"], "warn": ["G"]}, "S001", None),
        # on a tie, ignore beats error beats warn
        ({"warn": ["G003"], "error": ["G003"]}, "G003", "error"),
        ({"warn": ["G003"], "ignore": ["G003"]}, "G003", None),
        ({"error": ["G003"], "ignore": ["unknown-target"]}, "G003", None),
        # a single string works as well as a list
        ({"ignore": "P009"}, "P009", None),
    ],
)
def test_selectors(settings: dict, code: str, expected: str | None) -> None:
    assert table(**settings).severity(code) == expected


def test_enabled_follows_ignore() -> None:
    config = table(ignore=["G"], warn=["G006"])
    assert not config.enabled("G003")
    assert config.enabled("G006")
    assert config.enabled("S001")


def test_per_file_ignores() -> None:
    config = from_table(
        {"per-file-ignores": {"processes/drafts/*": ["P", "G006"], "*.yml": ["S001"]}},
        Path("/project"),
        None,
    )
    assert config.severity("P009", "/project/processes/drafts/new.yaml") is None
    assert config.severity("G006", "/project/processes/drafts/new.yaml") is None
    assert config.severity("G003", "/project/processes/drafts/new.yaml") == "error"
    assert config.severity("P009", "/project/processes/live.yaml") == "warning"
    assert config.severity("S001", "/project/processes/old.yml") is None
    assert config.severity("S001", "/project/processes/old.yaml") == "error"


def test_exclude(tmp_path: Path) -> None:
    config = from_table({"exclude": ["processes/archive/*", "*.draft.yaml"]}, tmp_path, None)
    assert config.excluded(str(tmp_path / "processes" / "archive" / "old.yaml"))
    assert config.excluded(str(tmp_path / "processes" / "new.draft.yaml"))
    assert not config.excluded(str(tmp_path / "processes" / "live.yaml"))


def test_exclude_applies_to_discovery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from procmap.lint.linter import discover

    (tmp_path / "processes" / "archive").mkdir(parents=True)
    for name in ("processes/a.yaml", "processes/b.yml", "processes/archive/old.yaml"):
        (tmp_path / name).write_text("procmap: 1\n")
    (tmp_path / "processes" / "notes.txt").write_text("not a process")
    monkeypatch.chdir(tmp_path)
    config = from_table({"exclude": ["processes/archive/*"]}, tmp_path, None)
    assert discover(["processes"], config) == ["processes/a.yaml", "processes/b.yml"]
    assert discover(["processes"], Config(root=tmp_path)) == [
        "processes/a.yaml",
        "processes/b.yml",
        "processes/archive/old.yaml",
    ]


# Errors ----------------------------------------------------------------------------


def test_unknown_key_with_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "procmap.toml"
    path.write_text('ignroe = ["P009"]\n')
    with pytest.raises(ConfigError) as error:
        load(path)
    assert str(error.value) == f"{path}: unknown setting 'ignroe'; did you mean 'ignore'?"


def test_unknown_key_without_suggestion_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown setting 'colour' \(known: paths, exclude"):
        table(colour=True)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"ignore": ["G03"]}, "unknown rule 'G03'"),
        ({"warn": ["unkown-target"]}, "did you mean 'unknown-target'?"),
        ({"per-file-ignores": {"*.yaml": ["Q"]}}, "unknown rule 'Q'"),
        ({"ignore": [3]}, "`ignore` must be a list of strings"),
        ({"paths": {"a": 1}}, "`paths` must be a list of strings"),
        ({"per-file-ignores": ["P"]}, "`per-file-ignores` must be a table"),
    ],
)
def test_bad_values(settings: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("?", r"\?")):
        table(**settings)


def test_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "procmap.toml"
    path.write_text("ignore = [P009\n")
    with pytest.raises(ConfigError) as error:
        load(path)
    message = str(error.value)
    assert message.startswith(f"{path}: invalid TOML: ")
    assert "line 1" in message


def test_tool_procmap_not_a_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool]\nprocmap = "strict"\n')
    with pytest.raises(ConfigError, match=r"\[tool.procmap\] must be a table"):
        load(path)


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load(tmp_path / "absent.toml")


def test_a_folder_pattern_covers_everything_inside(tmp_path: Path) -> None:
    config = from_table(
        {"exclude": ["processes/archive", "drafts/"], "per-file-ignores": {"processes/new": ["P"]}},
        tmp_path,
        None,
    )
    assert config.excluded(str(tmp_path / "processes" / "archive" / "old.yaml"))
    assert config.excluded(str(tmp_path / "processes" / "archive" / "2025" / "q1.yaml"))
    assert config.excluded(str(tmp_path / "drafts" / "idea.yaml"))
    assert not config.excluded(str(tmp_path / "processes" / "archive.yaml"))
    assert not config.excluded(str(tmp_path / "processes" / "live.yaml"))
    assert config.severity("P009", str(tmp_path / "processes" / "new" / "a.yaml")) is None
    assert config.severity("P009", str(tmp_path / "processes" / "a.yaml")) == "warning"

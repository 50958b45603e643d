"""The hostile corpus: every command over every hostile input, never an internal error.

An internal error ("procmap: internal error: ... This is a bug", exit 2) is procmap saying
it did not expect its input. Hostile input is the normal case in CI on pull requests from
forks, so this test runs each command a user can type over every malformed or hostile
file the suite owns, and fails on the first internal error or traceback, naming the
command and the file. A refusal (exit 1, or exit 2 for a usage error) is fine; a crash is
not.

The corpus:
- the invalid and valid cases of the rule corpus (`tests/cases/*/*/process.yaml`);
- the hostile process files beside this test (`tests/hostile/processes/`): dates at the
  ends of the calendar, empty and invisible names, control characters and terminal escapes,
  Cyrillic, CJK and combining characters, template syntax in text, numbers past a float,
  a 20,000-character name, a 400-step chain with loops;
- the hostile maps of the flow-map and render tests;
- hostile BPMN (entity bombs, external entities, not XML) for `import`;
- hostile event logs, made here, for `measure`;
- a hostile project configuration (paths outside the project, a log that is /etc/passwd).

See docs/security.md for what procmap trusts and what it does not.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import CASES, REPO, procmap

HERE = Path(__file__).resolve().parent

PROCESS_FILES = sorted(
    [
        *CASES.glob("*/*/process.yaml"),
        *(HERE / "hostile" / "processes").glob("*.yaml"),
        HERE / "flowmap" / "hostile.yaml",
        HERE / "render_fixtures" / "hostile.yaml",
    ]
)
BPMN_FILES = sorted(
    [*(HERE / "bpmn" / "hostile").glob("*.bpmn"), *(HERE / "bpmn" / "refused").glob("*.bpmn")]
)


def _label(path: Path) -> str:
    return path.parent.name if path.name == "process.yaml" else path.stem


def _commands(name: str) -> Iterator[tuple[str, ...]]:
    """Every command a user can type over one process file `name` (in the current folder)."""
    yield ("validate", name)
    yield ("validate", name, "--format", "json")
    yield ("validate", name, "--format", "github")
    yield ("render", name, "-o", "out", "-f", "svg,dot,mermaid,bpmn,runbook,dmaic,html", "-q")
    yield ("render", name, "-o", "out-lanes", "-f", "svg", "--lanes", "-d", "TB", "-q")
    yield ("portfolio", name)
    yield ("portfolio", name, "--format", "json", "-o", "portfolio")
    yield ("review", name)
    yield ("review", name, "--format", "json")
    yield ("review", "--done", name, "--today", "2026-12-07", "--note", "Checked.")
    yield ("review", name, "--today", "9999-12-31")
    yield ("diff", name, name)
    yield ("simulate", name, "--cases", "5", "-o", "log.csv")
    yield ("measure", name, "log.csv", "-f", "json")


def _assert_no_crash(command: tuple[str, ...], status: int, out: str, err: str) -> None:
    shown = "procmap " + " ".join(command)
    assert "internal error" not in err, f"{shown}: {err}"
    assert "Traceback" not in out + err, f"{shown}: {err}"
    assert status in (0, 1, 2), f"{shown}: exit {status}"


@pytest.mark.parametrize("source", PROCESS_FILES, ids=_label)
def test_every_command_over_a_hostile_process_file(
    source: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    name = f"{_label(source)}.yaml"
    shutil.copyfile(source, tmp_path / name)
    for command in _commands(name):
        _assert_no_crash(command, *procmap(capsys, *command))


def _hostile_logs(folder: Path) -> dict[str, Path]:
    """Event logs as a careless export or an attacker writes them."""
    logs = {
        "empty.csv": b"",
        "header-only.csv": b"case,activity,timestamp\n",
        "binary.csv": bytes(range(256)) * 64,
        "nul-bytes.csv": b"case,activity,timestamp\n1,\x00\x00,2024-01-01\n",
        "bad-dates.csv": b"case,activity,timestamp\n1,Request arrives,31/31/2024\n"
        b"1,Answer it,9999-99-99T99:99\n2,Answered,-1\n",
        "far-dates.csv": b"case,activity,timestamp\n1,Request arrives,0001-01-01\n"
        b"1,Answered,9999-12-31T23:59:59\n",
        "ragged.csv": b'case,activity,timestamp\n1,a\n2,b,2024-01-01,extra,extra\n"open',
        "long-field.csv": b"case,activity,timestamp\n1," + b"x" * 2_000_000 + b",2024-01-01\n",
        "wrong-columns.csv": b"a;b;c\n1;2;3\n",
        "not-gzip.csv.gz": b"this is not gzip",
        "truncated.csv.gz": gzip.compress(b"case,activity,timestamp\n" * 1000)[:40],
        "not-xml.xes": b"<log><trace><event>",
        "entity-bomb.xes": b'<?xml version="1.0"?><!DOCTYPE log [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<log><trace><event><string key="concept:name" value="&c;"/></event></trace></log>',
        "external-entity.xes": b'<?xml version="1.0"?><!DOCTYPE log [<!ENTITY x SYSTEM '
        b'"file:///etc/passwd">]><log><trace><string key="concept:name" value="1"/><event>'
        b'<string key="concept:name" value="&x;"/>'
        b'<date key="time:timestamp" value="2024-01-01T00:00:00"/></event></trace></log>',
        "not-parquet.parquet": b"PAR1 but not really",
    }
    paths = {}
    for name, data in logs.items():
        path = folder / name
        path.write_bytes(data)
        paths[name] = path
    return paths


def test_measure_over_hostile_logs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    process = tmp_path / "process.yaml"
    shutil.copyfile(HERE / "hostile" / "processes" / "cyrillic-cjk.yaml", process)
    for name in _hostile_logs(tmp_path):
        for extra in ((), ("--strict",), ("-f", "json"), ("-o", "measured")):
            command = ("measure", "process.yaml", name, *extra)
            status, out, err = procmap(capsys, *command)
            _assert_no_crash(command, status, out, err)
            assert "root:" not in out + err, "the log's entity read a file"


@pytest.mark.parametrize("source", BPMN_FILES, ids=lambda p: p.stem)
def test_import_over_hostile_bpmn(
    source: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    for extra in ((), ("--strict",), ("-f", "json"), ("-f", "github")):
        command = ("import", str(source), "-o", "imported", *extra)
        _assert_no_crash(command, *procmap(capsys, *command))


HOSTILE_CONFIG = """\
[tool.procmap]
paths = ["../..", "/etc", "processes"]
templates = "/"
ignore = ["NOT-A-RULE"]

[tool.procmap.logs]
hostile = "/etc/passwd"
"../escape" = "../../outside.csv"
"""


def test_every_command_under_a_hostile_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    (project / "processes").mkdir(parents=True)
    (project / "pyproject.toml").write_text(HOSTILE_CONFIG, encoding="utf-8")
    shutil.copyfile(REPO / "processes" / "webinar-funnel.yaml", project / "processes" / "w.yaml")
    monkeypatch.chdir(project)
    for command in (
        ("validate",),
        ("render", "-o", "out", "-q"),
        ("portfolio",),
        ("review",),
        ("diff", "--since", "HEAD"),
        ("measure", "processes/w.yaml", "/etc/passwd"),
        ("serve", "--help"),
    ):
        status, out, err = procmap(capsys, *command)
        _assert_no_crash(command, status, out, err)
        assert "root:x:0:0" not in out + err, f"procmap {' '.join(command)} printed /etc/passwd"

"""Printing never crashes (issue 15, item 7).

- A terminal whose encoding lacks a character (`PYTHONIOENCODING=cp1252` and a process
  named in Cyrillic or Japanese) gets a backslash escape, not UnicodeEncodeError.
- A path argument that is not UTF-8 (Python keeps the byte \\xff as a lone surrogate) is
  printed escaped too.
- A reader that closes procmap's output (`procmap validate | head -c1`) ends procmap
  quietly with status 1, never "internal error: BrokenPipeError".
Every run is a real subprocess.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CASES, REPO, clean_env

NAME = "Приём заказа 注文処理"


def _named(text: str, prefix: str) -> str:
    """The process file with every `name:` in Cyrillic and Japanese (steps included)."""
    return re.sub(r"(?m)^(\s*(?:- )?name:) (.*)$", rf"\1 {prefix} \2", text)


@pytest.fixture
def foreign(tmp_path: Path) -> Path:
    source = (REPO / "processes" / "lead-scoring.yaml").read_text(encoding="utf-8")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "заказ.yaml").write_text(_named(source, "Старое 古い"), "utf-8")
    (tmp_path / "заказ.yaml").write_text(_named(source, NAME), "utf-8")
    return tmp_path


def _run(cwd: Path, *args: str | bytes, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "procmap", *args],
        cwd=cwd,
        env=clean_env(**env),
        capture_output=True,
        timeout=120,
    )


def _no_crash(done: subprocess.CompletedProcess[bytes]) -> str:
    out = (done.stdout + done.stderr).decode("cp1252", "replace")
    assert done.returncode in (0, 1), out
    assert "internal error" not in out and "Traceback" not in out, out
    return out


@pytest.mark.parametrize(
    "command",
    [
        ["validate", "заказ.yaml"],
        ["validate", "-f", "json", "заказ.yaml"],
        ["review", "--today", "2026-01-01", "заказ.yaml"],
        ["portfolio", "заказ.yaml"],
        ["diff", "old/заказ.yaml", "заказ.yaml"],
        ["simulate", "заказ.yaml", "--cases", "3"],
    ],
    ids=["validate", "validate-json", "review", "portfolio", "diff", "simulate"],
)
def test_a_terminal_without_the_characters_gets_escapes(foreign: Path, command: list[str]) -> None:
    done = _run(foreign, *command, PYTHONIOENCODING="cp1252")
    out = _no_crash(done)
    if command[0] != "validate":  # validate prints no names when all is well
        assert "\\u041f\\u0440\\u0438" in out  # "При" as escapes


def test_a_problem_in_a_foreign_file_is_printed(foreign: Path) -> None:
    (foreign / "заказ.yaml").write_text("procmap: 1\nid: x\nname: Кот\nstray: 1\n", "utf-8")
    done = _run(foreign, "validate", "заказ.yaml", PYTHONIOENCODING="cp1252")
    out = _no_crash(done)
    assert done.returncode == 1
    assert "\\u0437\\u0430\\u043a\\u0430\\u0437.yaml:" in out  # the path, escaped


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file names must be UTF-8")
@pytest.mark.parametrize(
    "command",
    [["validate"], ["validate", "-f", "github"], ["review"], ["portfolio"], ["diff"]],
    ids=["validate", "validate-github", "review", "portfolio", "diff"],
)
def test_a_path_argument_that_is_not_utf8(tmp_path: Path, command: list[str]) -> None:
    """A file named with the byte \\xff: found, checked, and its name printed escaped;
    a missing one is a one-line usage error that names it."""
    name = b"a\xff.yaml"
    source = REPO / "processes" / "lead-scoring.yaml"  # diff compares valid files
    if command != ["diff"]:
        source = CASES / "invalid" / "g001-no-start" / "process.yaml"  # its path is printed
    shutil.copy(source, os.path.join(os.fsencode(tmp_path), name))
    paths = [name, name] if command == ["diff"] else [name]
    out = _no_crash(_run(tmp_path, *command, *paths))
    if command[0] == "validate":
        assert "a\\udcff.yaml" in out
    missing = _run(tmp_path, "validate", b"missing\xff")
    assert missing.returncode == 2
    assert missing.stderr == b"procmap: missing\\udcff: no such file or folder\n"


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file names must be UTF-8")
def test_documents_of_a_file_named_in_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    """The runbook, worksheet and page say which file they come from: a name that is not
    UTF-8 is written there with a backslash escape, never an internal error."""
    name = b"a\xff.yaml"
    shutil.copy(REPO / "processes" / "lead-scoring.yaml", os.path.join(os.fsencode(tmp_path), name))
    done = _run(tmp_path, "render", name, "-o", "out", "-f", "runbook,dmaic,html", "-q")
    _no_crash(done)
    assert done.returncode == 0
    runbook = (tmp_path / "out" / "lead-scoring.runbook.md").read_text(encoding="utf-8")
    assert "from `a\\xff.yaml`" in runbook


def _closed_output(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run procmap with its stdout a pipe whose reader has already gone."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            [sys.executable, "-m", "procmap", *args],
            cwd=cwd,
            env=clean_env(),
            stdout=write,
            stderr=subprocess.PIPE,
            timeout=120,
        )
    finally:
        os.close(write)


def test_a_closed_output_ends_quietly_every_time() -> None:
    """The typer-free path (validate) and a typer command (portfolio) alike."""
    for _ in range(10):
        done = _closed_output(REPO, "validate", "-f", "json", str(CASES / "invalid"))
        assert (done.returncode, done.stderr) == (1, b"")
    for _ in range(2):
        done = _closed_output(REPO, "portfolio", "processes")
        assert (done.returncode, done.stderr) == (1, b"")


@pytest.mark.skipif(shutil.which("head") is None, reason="needs head")
def test_validate_piped_to_head_never_reports_an_internal_error() -> None:
    """The issue's own command: `procmap validate big/ | head -c1`, ten times."""
    command = f"{sys.executable} -m procmap validate {CASES / 'invalid'} | head -c1"
    for _ in range(10):
        done = subprocess.run(
            ["sh", "-c", command], cwd=REPO, env=clean_env(), capture_output=True, timeout=120
        )
        assert len(done.stdout) == 1
        assert b"internal error" not in done.stderr and b"Traceback" not in done.stderr

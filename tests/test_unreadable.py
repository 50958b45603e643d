"""No false pass on what cannot be read (issue 15, item 3).

A folder procmap cannot read used to be skipped in silence: `procmap validate procs`
said "Checked 6 files", exit 0, with a seventh file unseen, and `procmap validate
procs/secret` said "Checked 0 files: no problems". Now an unreadable folder is Y013, an
unreadable file Y012, and a named path with no process file Y014: each an error with
the path, exit 1, for validate, render, portfolio and review alike.

Root reads everything, so each command runs in a subprocess without any capability
(`setpriv --bounding-set=-all`): permissions apply to it as to an ordinary user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, clean_env

SETPRIV = shutil.which("setpriv")


def _unprivileged(args: list[str]) -> list[str]:
    """`args` run with no capability: no root override of file permissions."""
    assert SETPRIV is not None
    return [SETPRIV, "--bounding-set=-all", "--inh-caps=-all", *args]


def _permissions_apply(tmp_path: Path) -> bool:
    """True when an unprivileged child is refused a file of mode 000."""
    if SETPRIV is None or os.name != "posix":
        return False
    probe = tmp_path / "probe"
    probe.write_text("x")
    probe.chmod(0)
    try:
        done = subprocess.run(
            _unprivileged([sys.executable, "-c", f"open({str(probe)!r}).read()"]),
            capture_output=True,
            timeout=60,
        )
    except OSError:
        return False
    finally:
        probe.unlink()
    return done.returncode != 0 and b"PermissionError" in done.stderr


@pytest.fixture
def procs(tmp_path: Path) -> Path:
    """procs/: the six example processes, and secret/ (mode 000) holding a seventh."""
    if not _permissions_apply(tmp_path):
        pytest.skip("cannot drop the privilege to read any file here (no setpriv, or not allowed)")
    folder = tmp_path / "procs"
    folder.mkdir()
    for path in sorted((REPO / "processes").glob("*.yaml")):
        shutil.copy(path, folder / path.name)
    secret = folder / "secret"
    secret.mkdir()
    text = (REPO / "processes" / "lead-scoring.yaml").read_text(encoding="utf-8")
    (secret / "hidden.yaml").write_text(text.replace("id: lead-scoring", "id: hidden"), "utf-8")
    secret.chmod(0)
    yield folder
    secret.chmod(0o755)


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _unprivileged([sys.executable, "-m", "procmap", *args]),
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _fails_naming(done: subprocess.CompletedProcess[str], code: str, path: str) -> None:
    both = done.stdout + done.stderr
    assert done.returncode == 1, both
    assert any(code in line and path in line for line in both.splitlines()), both
    assert "Traceback" not in both and "internal error" not in both


@pytest.mark.parametrize(
    "command",
    [
        ["validate"],
        ["render", "-o", "out", "-f", "runbook"],
        ["portfolio"],
        ["review", "--today", "2026-01-01"],
    ],
    ids=["validate", "render", "portfolio", "review"],
)
def test_an_unreadable_folder_fails_every_command(procs: Path, command: list[str]) -> None:
    done = _run(procs.parent, *command, "procs")
    _fails_naming(done, "Y013", "procs/secret")
    assert "cannot read folder: Permission denied" in done.stdout + done.stderr


@pytest.mark.parametrize(
    "command",
    [["validate"], ["render", "-o", "out", "-f", "runbook"], ["portfolio"], ["review"]],
    ids=["validate", "render", "portfolio", "review"],
)
def test_naming_the_unreadable_folder_is_no_pass(procs: Path, command: list[str]) -> None:
    """It used to say "Checked 0 files: no problems", exit 0."""
    _fails_naming(_run(procs.parent, *command, "procs/secret"), "Y013", "procs/secret")


def test_an_unreadable_file_fails(procs: Path) -> None:
    (procs / "lead-scoring.yaml").chmod(0)
    done = _run(procs.parent, "validate", "procs")
    _fails_naming(done, "Y012", "procs/lead-scoring.yaml")
    _fails_naming(done, "Y013", "procs/secret")


def test_a_file_inside_an_unsearchable_folder_is_unreadable_not_missing(procs: Path) -> None:
    """Not "no such file or folder" (exit 2): the file may well be there."""
    done = _run(procs.parent, "validate", "procs/secret/hidden.yaml")
    _fails_naming(done, "Y012", "procs/secret/hidden.yaml")


@pytest.mark.parametrize(
    "command",
    [["validate"], ["render", "-o", "out", "-f", "runbook"], ["portfolio"], ["review"]],
    ids=["validate", "render", "portfolio", "review"],
)
def test_a_named_folder_without_process_files_fails(tmp_path: Path, command: list[str]) -> None:
    """A path the user names that holds no process file checks nothing: Y014, exit 1.
    (Runs as root: nothing here is unreadable.)"""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("not a process\n")
    (tmp_path / "docs" / ".hidden.yaml").write_text("id: hidden\n")
    done = subprocess.run(
        [sys.executable, "-m", "procmap", *command, "docs"],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    _fails_naming(done, "Y014", "docs")


def test_the_configured_paths_may_be_empty(tmp_path: Path) -> None:
    """Without paths, the configured folder with no process yet is no error: a new
    project, or every process removed (render then empties its index)."""
    (tmp_path / "processes").mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "procmap", "validate"],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (done.returncode, done.stdout) == (0, "Checked 0 files: no problems.\n")

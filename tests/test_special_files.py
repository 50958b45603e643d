"""Paths that are not regular files (a FIFO, a folder where a file belongs): one clear
problem at once, never a hang. Each command runs in a subprocess with a timeout, because
before the fix `open()` of a FIFO blocked forever."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, clean_env

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")

EXAMPLE = REPO / "processes" / "lead-scoring.yaml"
FIFO_REASON = "not a regular file: it is a FIFO (named pipe)"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """procmap ARGS in `cwd`; a hang fails the test after 20 s instead of blocking it."""
    try:
        return subprocess.run(
            [sys.executable, "-m", "procmap", *args],
            cwd=cwd,
            env=clean_env(),
            capture_output=True,
            text=True,
            timeout=20,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"procmap {' '.join(args)} hung on a FIFO")


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


def test_validate_a_fifo_is_one_y012_problem(tmp_path, fifo):
    done = run("validate", fifo.name, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == f"pipe.yaml:1:1: Y012 cannot read file: {FIFO_REASON}"
    assert done.stderr == ""


def test_validate_a_folder_with_a_fifo_reports_it_and_checks_the_rest(tmp_path, fifo):
    shutil.copy(EXAMPLE, tmp_path / "lead-scoring.yaml")
    done = run("validate", ".", cwd=tmp_path)
    assert done.returncode == 1
    assert "Y012" in done.stdout and FIFO_REASON in done.stdout
    assert "lead-scoring.yaml" not in done.stdout  # checked, and clean
    assert "Checked 2 files" in done.stdout


def test_a_fifo_beside_a_file_with_an_unknown_subprocess_is_skipped(tmp_path, fifo):
    # G012 reads the `id:` of the sibling files; a FIFO sibling must not block it.
    shutil.copy(REPO / "processes" / "lead-handoff.yaml", tmp_path / "lead-handoff.yaml")
    done = run("validate", "lead-handoff.yaml", cwd=tmp_path)
    assert done.returncode == 1
    assert "G012" in done.stdout and "pipe.yaml" not in done.stdout


def test_diff_with_a_fifo_is_one_line_and_exit_2(tmp_path, fifo):
    shutil.copy(EXAMPLE, tmp_path / "a.yaml")
    done = run("diff", "a.yaml", fifo.name, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == f"procmap: pipe.yaml: {FIFO_REASON}; compare two process files\n"


def test_review_of_a_fifo_is_reported_and_exit_1(tmp_path, fifo):
    done = run("review", fifo.name, "--today", "2024-01-01", cwd=tmp_path)
    assert done.returncode == 1
    assert f"pipe.yaml:1:1: Y012 cannot read file: {FIFO_REASON}" in done.stderr


def test_review_done_of_a_fifo_is_a_usage_error(tmp_path, fifo):
    done = run("review", "--done", fifo.name, cwd=tmp_path)
    assert (done.returncode, done.stderr) == (2, "procmap: pipe.yaml: not a regular file\n")


def test_render_of_a_fifo_is_reported_and_exit_1(tmp_path, fifo):
    done = run("render", fifo.name, "-f", "runbook", "-o", "out", cwd=tmp_path)
    assert done.returncode == 1
    assert f"pipe.yaml:1:1: Y012 cannot read file: {FIFO_REASON}" in done.stdout
    assert "Traceback" not in done.stderr


def test_render_never_reads_or_replaces_an_output_that_is_a_fifo(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / "lead-scoring.yaml")
    (tmp_path / "out").mkdir()
    os.mkfifo(tmp_path / "out" / "lead-scoring.runbook.md")
    done = run("render", "lead-scoring.yaml", "-f", "runbook", "-o", "out", cwd=tmp_path)
    assert done.returncode == 1
    target = Path("out") / "lead-scoring.runbook.md"
    assert f"procmap: {target}: {FIFO_REASON}; not overwritten\n" in done.stderr
    assert (tmp_path / "out" / "lead-scoring.runbook.md").is_fifo()


def test_render_with_a_template_that_is_a_fifo_is_a_usage_error(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / "lead-scoring.yaml")
    (tmp_path / "templates").mkdir()
    os.mkfifo(tmp_path / "templates" / "runbook.md.j2")
    done = run("render", "lead-scoring.yaml", "-f", "runbook", "-o", "out", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and FIFO_REASON in done.stderr
    assert "cannot read the templates" in done.stderr


def test_validate_one_file_beside_a_fifo_does_not_hang_on_the_neighbour_ids(tmp_path, fifo):
    # `procmap validate FILE` reads the ids of the unchecked files beside it (X001).
    shutil.copy(EXAMPLE, tmp_path / "lead-scoring.yaml")
    done = run("validate", "lead-scoring.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr

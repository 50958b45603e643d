"""The test suite's own conventions: one golden fixture with one refresh switch, golden files
in tests/golden/ only, and no test module importing another.

The `Golden` fixture is exercised on a temporary folder (compare, refresh, prune); the
switch and the `golden` marker through pytest itself, in a subprocess.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GOLDEN, REPO, UPDATE_GOLDEN, Golden, clean_env

TESTS = REPO / "tests"
MODULES = sorted(TESTS.glob("*.py"))


def test_only_conftest_reads_the_refresh_switch():
    readers = [p.name for p in MODULES if UPDATE_GOLDEN in p.read_text(encoding="utf-8")]
    assert readers == ["conftest.py"]


def test_no_test_module_imports_another():
    imported = {
        (path.name, name)
        for path in MODULES
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        for name in (
            [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else []
        )
        if name.startswith("test_")
    }
    assert imported == set()


def test_golden_files_live_in_tests_golden_only():
    """Each golden area is a folder of files; no golden folder elsewhere under tests/."""
    assert all(area.is_dir() for area in GOLDEN.iterdir())
    elsewhere = [p for p in TESTS.rglob("golden") if p != GOLDEN and "__pycache__" not in p.parts]
    assert elsewhere == []


def test_compare_passes_on_equal_bytes_and_fails_with_a_diff(tmp_path: Path):
    (tmp_path / "area").mkdir()
    (tmp_path / "area" / "out.txt").write_bytes(b"one\ntwo\n")
    golden = Golden(False, [], tmp_path)
    golden("area/out.txt", "one\ntwo\n")
    with pytest.raises(pytest.fail.Exception, match=r"(?s)area/out.txt differs.*-two.*\+three"):
        golden("area/out.txt", b"one\nthree\n")
    with pytest.raises(AssertionError, match="missing: run `make golden`"):
        golden("area/none.txt", "x")
    assert (tmp_path / "area" / "out.txt").read_bytes() == b"one\ntwo\n"


def test_refresh_writes_only_what_changed_and_names_it(tmp_path: Path):
    (tmp_path / "area").mkdir()
    (tmp_path / "area" / "same.txt").write_bytes(b"same\n")
    written: list[str] = []
    golden = Golden(True, written, tmp_path)
    golden("area/same.txt", "same\n")
    golden("area/new.txt", "new\n")
    golden("other/made.bin", b"\x00\xff")
    assert written == ["area/new.txt", "other/made.bin"]
    assert (tmp_path / "other" / "made.bin").read_bytes() == b"\x00\xff"
    golden.prune("area", keep=["new.txt"])
    assert sorted(p.name for p in (tmp_path / "area").iterdir()) == ["new.txt"]
    assert written[-1] == "area/same.txt (removed)"


def test_prune_removes_nothing_when_comparing(tmp_path: Path):
    (tmp_path / "area").mkdir()
    (tmp_path / "area" / "kept.txt").write_text("kept")
    Golden(False, [], tmp_path).prune("area", keep=[])
    assert (tmp_path / "area" / "kept.txt").exists()


def _pytest(*args: str, switch: str | None = None) -> subprocess.CompletedProcess[str]:
    env = clean_env()
    env.pop(UPDATE_GOLDEN, None)
    if switch is not None:
        env[UPDATE_GOLDEN] = switch
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_switch_other_than_1_is_refused():
    done = _pytest("--co", "-q", "tests/test_suite_layout.py", switch="true")
    assert done.returncode == 4, done.stdout + done.stderr
    assert f"{UPDATE_GOLDEN}='true': set it to 1 to refresh" in done.stderr


def test_every_test_using_the_fixture_is_marked_golden():
    """`make golden` runs `-m golden`: it selects tests by the fixture, not by their names
    (test_modeler_files_import_as_expected has no "golden" in its name)."""
    done = _pytest("--co", "-q", "-m", "golden", "tests/test_bpmn_import.py")
    assert done.returncode == 0, done.stdout + done.stderr
    selected = [line for line in done.stdout.splitlines() if "::" in line]
    assert len(selected) == len(list((TESTS / "bpmn" / "import").glob("*.bpmn"))) > 0
    assert all("test_modeler_files_import_as_expected" in line for line in selected)

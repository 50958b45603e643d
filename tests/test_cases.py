"""The case corpus: every file in tests/cases gives exactly the problems it should.

`cases/invalid/<case>/` holds one or more process files and `expected.txt`, the exact
lines a user sees (`path:line:column: CODE message`, paths relative to the case folder,
warnings marked `warning:`), in order. `cases/valid/<case>/` holds files that must give no
problem at all, not even a warning. Two cases cannot live as files in git (a file over the
size limit, an unreadable file) and are built in a temporary folder instead.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import CASES
from procmap.config.project import Config
from procmap.format.loader import MAX_BYTES
from procmap.format.registry import RULES
from procmap.lint import report
from procmap.lint.linter import YAML_SUFFIXES, validate_paths

INVALID = sorted(p for p in (CASES / "invalid").iterdir() if p.is_dir())
VALID = sorted(p for p in (CASES / "valid").iterdir() if p.is_dir())
_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<code>[A-Z]\d{3}) ")


def run_case(folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The problems for every process file in `folder`, as the text reporter prints them."""
    monkeypatch.chdir(folder)
    files = sorted(name for name in os.listdir(".") if name.endswith(YAML_SUFFIXES))
    assert files, f"{folder} holds no process file"
    started = time.perf_counter()
    result = validate_paths(files, Config(root=folder), jobs=1)
    elapsed = time.perf_counter() - started
    # Bombs and deep nesting must be refused quickly, not after seconds of work.
    assert elapsed < 2.0, f"{folder.name} took {elapsed:.1f} s"
    return report.text(result.problems)


def expected_codes(folder: Path) -> set[str]:
    if not (folder / "expected.txt").exists():
        return set()
    text = (folder / "expected.txt").read_text(encoding="utf-8")
    return {m["code"] for line in text.splitlines() if (m := _LINE.match(line))}


@pytest.mark.parametrize("folder", INVALID, ids=[p.name for p in INVALID])
def test_invalid_case(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    actual = run_case(folder, monkeypatch)
    if not (folder / "expected.txt").exists():
        # New cases are reviewed by a person, never refreshed in bulk.
        pytest.fail(f"write {folder.name}/expected.txt after reading what it gives now:\n{actual}")
    expected = (folder / "expected.txt").read_text(encoding="utf-8")
    assert expected.strip(), "an invalid case must expect at least one problem"
    assert actual == expected


@pytest.mark.parametrize("folder", VALID, ids=[p.name for p in VALID])
def test_valid_case(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_case(folder, monkeypatch) == ""


def test_expected_files_are_well_formed() -> None:
    for folder in INVALID:
        if not (folder / "expected.txt").exists():
            continue  # reported by test_invalid_case
        names = set(os.listdir(folder))
        for line in (folder / "expected.txt").read_text(encoding="utf-8").splitlines():
            match = _LINE.match(line)
            assert match, f"{folder.name}: not a problem line: {line!r}"
            assert match["path"] in names, f"{folder.name}: {match['path']} is not in the case"
            assert match["code"] in RULES, f"{folder.name}: unknown code {match['code']}"


def test_case_name_matches_a_code_it_expects() -> None:
    """A case named y002-... really exercises Y002 (names stay honest when cases change)."""
    for folder in INVALID:
        named = {c.upper() for c in re.findall(r"[a-z]\d{3}", folder.name)}
        assert named, f"{folder.name}: start the case name with the code it covers"
        assert named <= expected_codes(folder), folder.name


# Cases built at test time --------------------------------------------------------------


def _too_large(folder: Path) -> None:
    body = "procmap: 1\nid: big\nname: Big\nsteps: []\n"
    (folder / "process.yaml").write_text(body + "#" * (MAX_BYTES + 1 - len(body)))


def _unreadable(folder: Path) -> None:
    # A dangling symlink: listed by the folder walk, but opening it fails (even as root).
    (folder / "process.yaml").symlink_to(folder / "moved-away.yaml")


def _no_process_file(folder: Path) -> None:
    (folder / "notes.txt").write_text("not a process\n")


BUILT = {
    "y011-file-too-large": (
        _too_large,
        "process.yaml:1:1: Y011 file is 1,000,001 bytes; the limit is 1,000,000\n",
    ),
    "y012-unreadable-file": (
        _unreadable,
        "process.yaml:1:1: Y012 cannot read file: No such file or directory\n",
    ),
    "y014-no-process-files": (
        _no_process_file,
        ".:1:1: Y014 no process files (*.yaml, *.yml) here\n",
    ),
}
#: Rules no case here can produce, and the test that does.
ELSEWHERE = {"Y013": "tests/test_unreadable.py: a folder root cannot read needs a run without root"}
# The BPMN import's codes come from `procmap import`, not from a process file: its golden
# files (tests/bpmn/import/) and tests/test_bpmn_import_codes.py produce each of them.
ELSEWHERE |= {code: "tests/test_bpmn_import_codes.py" for code in RULES if code.startswith("I")}


@pytest.mark.parametrize("name", sorted(BUILT))
def test_built_case(name: str, tmp_path: Path) -> None:
    build, expected = BUILT[name]
    build(tmp_path)
    result = validate_paths([str(tmp_path)], Config(root=tmp_path), explicit=True)
    problems = [replace(p, path=os.path.relpath(p.path, tmp_path)) for p in result.problems]
    assert report.text(problems) == expected


def test_every_rule_is_covered_by_a_case() -> None:
    covered = {code for folder in INVALID for code in expected_codes(folder)}
    covered |= {name[:4].upper() for name in BUILT} | set(ELSEWHERE)
    missing = sorted(set(RULES) - covered)
    assert not missing, f"no case produces {', '.join(missing)}"


def test_corpus_is_large_enough() -> None:
    assert len(INVALID) + len(BUILT) >= 40
    assert len(VALID) >= 5

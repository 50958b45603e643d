"""The declared dependency ranges are true, and the lock agrees with them.

`make test-oldest` proves the floors by running the suite at the lowest versions
pyproject.toml allows; these tests keep a floor from sliding back below a release known to
fail, and the hashed lock (requirements/dev.lock) from drifting out of the ranges.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
LOCK = ROOT / "requirements" / "dev.lock"

#: Releases that fail with procmap, found with `make test-oldest`; every floor must be above.
KNOWN_BROKEN = {
    # 0.12.x: every command fails, "procmap: internal error: RuntimeError: Type not yet
    # supported: list[str] | None" (typer learnt `list[str] | None` options in 0.13.0).
    # 0.13.0 to 0.15.3 allow any click, and with click 8.2 or newer (what a resolver
    # picks) `--help`, a usage error or shell completion crash: "TypeError:
    # TyperArgument.make_metavar() takes 1 positional argument but 2 were given". 0.15.4
    # caps click below 8.2; 0.16.0 supports it.
    "typer": Version("0.15.3"),
    # `ruff format --check` wants to re-wrap assert messages (the 2025 style came in 0.9)
    "ruff": Version("0.8.6"),
    # 0.8.1: "Scalar Function with name epoch_us does not exist" (procmap measure)
    "duckdb": Version("0.8.1"),
    # 0.7.0: a broken .bpmn file gives a traceback, not I001 (its parser raises the
    # ParseError of a private copy of ElementTree; 0.7.1 raises the standard one)
    "defusedxml": Version("0.7.0"),
}


def _declared() -> dict[str, Requirement]:
    lines = list(PROJECT["dependencies"])
    for extra in PROJECT["optional-dependencies"].values():
        lines += extra
    return {Requirement(line).name.lower(): Requirement(line) for line in lines}


def _floor(requirement: Requirement) -> Version:
    floors = [Version(s.version) for s in requirement.specifier if s.operator in (">=", "==")]
    assert floors, f"{requirement} declares no lower bound"
    return max(floors)


def _locked() -> dict[str, Version]:
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==([^ ;\\\n]+)", LOCK.read_text(), re.MULTILINE)
    return {name.lower(): Version(version) for name, version in pins}


@pytest.mark.parametrize("name", sorted(KNOWN_BROKEN))
def test_no_floor_admits_a_release_known_to_fail(name):
    floor = _floor(_declared()[name])
    assert floor > KNOWN_BROKEN[name], f"{name}>={floor} admits {KNOWN_BROKEN[name]}, which fails"


def test_every_dependency_has_a_floor_and_no_pin():
    for name, requirement in _declared().items():
        _floor(requirement)
        assert not any(s.operator == "==" for s in requirement.specifier), (
            f"{name} is pinned in pyproject.toml: pins belong in the lock, ranges here"
        )


def test_the_lock_pins_every_declared_dependency_within_its_range():
    locked = _locked()
    for name, requirement in _declared().items():
        assert name in locked, f"{name} is not in {LOCK.name}: run `make lock`"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{LOCK.name} pins {name}=={locked[name]}, outside {requirement}: run `make lock`"
        )


def test_every_locked_requirement_carries_a_hash():
    entries = re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text())
    pinned = [entry for entry in entries if re.match(r"[A-Za-z0-9_.-]+==", entry)]
    assert len(pinned) == len(_locked()) > len(_declared())
    for entry in pinned:
        assert "--hash=sha256:" in entry, entry.splitlines()[0]


def test_the_locked_build_backend_is_the_one_pyproject_builds_with():
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    declared = {Requirement(line).name: Requirement(line).specifier for line in build}
    listed = (ROOT / "requirements" / "build.in").read_text().splitlines()
    locked = {
        Requirement(line.split("#")[0]).name: Requirement(line.split("#")[0]).specifier
        for line in listed
        if line.split("#")[0].strip()
    }
    assert declared["hatchling"] == locked["hatchling"]
    assert declared["hatchling"].contains(_locked()["hatchling"])

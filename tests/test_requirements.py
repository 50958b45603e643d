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
ORACLE_LOCK = ROOT / "requirements" / "oracle.lock"
#: Extras locked apart from dev.lock: `oracle` (pm4py, AGPL-3.0) in oracle.lock only.
APART = {"oracle": ORACLE_LOCK}

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


def _declared(*, apart: bool = True) -> dict[str, Requirement]:
    """procmap's dependencies and its extras' (with `apart`: also those locked apart)."""
    lines = list(PROJECT["dependencies"])
    for name, extra in PROJECT["optional-dependencies"].items():
        if apart or name not in APART:
            lines += extra
    return {Requirement(line).name.lower(): Requirement(line) for line in lines}


def _floor(requirement: Requirement) -> Version:
    floors = [Version(s.version) for s in requirement.specifier if s.operator in (">=", "==")]
    assert floors, f"{requirement} declares no lower bound"
    return max(floors)


def _locked(lock: Path = LOCK) -> dict[str, Version]:
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==([^ ;\\\n]+)", lock.read_text(), re.MULTILINE)
    return {name.lower(): Version(version) for name, version in pins}


def _markers(lock: Path) -> dict[str, set[tuple[Version, str]]]:
    """name -> {(version, environment marker)}: a universal lock may pin two versions of one
    package for two ranges of Python."""
    found: dict[str, set[tuple[Version, str]]] = {}
    for name, version, marker in re.findall(
        r"^([A-Za-z0-9_.-]+)==([^ ;\\\n]+)(?: ; ([^\\\n]+?))? *\\?$", lock.read_text(), re.MULTILINE
    ):
        found.setdefault(name.lower(), set()).add((Version(version), marker.strip()))
    return found


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
    for name, requirement in _declared(apart=False).items():
        assert name in locked, f"{name} is not in {LOCK.name}: run `make lock`"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{LOCK.name} pins {name}=={locked[name]}, outside {requirement}: run `make lock`"
        )


def test_every_locked_requirement_carries_a_hash():
    entries = re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text())
    pinned = [entry for entry in entries if re.match(r"[A-Za-z0-9_.-]+==", entry)]
    assert len(pinned) == len(_locked()) > len(_declared(apart=False))
    for entry in pinned:
        assert "--hash=sha256:" in entry, entry.splitlines()[0]


@pytest.mark.parametrize("extra", sorted(APART))
def test_an_extra_locked_apart_is_pinned_with_hashes_within_its_range(extra):
    lock = APART[extra]
    locked = _locked(lock)
    for line in PROJECT["optional-dependencies"][extra]:
        requirement = Requirement(line)
        name = requirement.name.lower()
        assert name in locked, f"{name} is not in {lock.name}: run `make lock-oracle`"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{lock.name} pins {name}=={locked[name]}, outside {requirement}: run `make lock-oracle`"
        )
    entries = re.split(r"\n(?=[A-Za-z0-9])", lock.read_text())
    for entry in entries:
        if re.match(r"[A-Za-z0-9_.-]+==", entry):
            assert "--hash=sha256:" in entry, entry.splitlines()[0]


@pytest.mark.parametrize("extra", sorted(APART))
def test_an_extra_locked_apart_keeps_the_versions_of_the_dev_lock(extra):
    """.venv-oracle installs dev.lock and oracle.lock together: every package in both is
    pinned alike (oracle.lock is compiled with `-c dev.lock`), so the oracle tests run
    procmap on the very dependencies `make test` runs it on. After `make lock`, run
    `make lock-oracle`."""
    dev, apart = _markers(LOCK), _markers(APART[extra])
    shared = sorted(set(dev) & set(apart))
    assert "duckdb" in shared
    for name in shared:
        assert {v for v, _ in apart[name]} <= {v for v, _ in dev[name]}, (
            f"{APART[extra].name} pins {name} {sorted(apart[name])}, {LOCK.name}"
            f" {sorted(dev[name])}: run `make lock-oracle`"
        )


def test_procmap_never_imports_pm4py():
    """pm4py is AGPL-3.0: a test oracle and a benchmark peer, never a dependency."""
    assert "pm4py" not in {Requirement(line).name.lower() for line in PROJECT["dependencies"]}
    for path in sorted((ROOT / "src").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+pm4py", text, re.MULTILINE), path


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

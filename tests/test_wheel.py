"""The package works when installed from a built wheel, not only from the source tree.

Builds the wheel with pip, installs it with `--no-deps --target` into a temporary folder
(the dependencies come from the running environment), and runs `python -m procmap` from a
folder outside the repository with only that folder on PYTHONPATH ahead of site-packages.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, clean_env


def _pip(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding `source` (a copy of the repository) and `dist` (its wheel)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    # Build from a copy, so a build never writes into the working tree.
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(".venv", ".git", "out", "build", "dist", "*cache*", "tests"),
    )
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    built = _pip("wheel", ".", "--no-deps", *isolation, "-w", str(tmp / "dist"), cwd=source)
    assert built.returncode == 0, f"building the wheel failed:\n{built.stdout}\n{built.stderr}"
    return tmp


@pytest.fixture(scope="module")
def installed(built: Path) -> Path:
    """A folder holding procmap installed from a freshly built wheel."""
    (wheel,) = (built / "dist").glob("procmap-*.whl")
    target = built / "site"
    done = _pip("install", "--no-deps", "--no-index", "--target", str(target), str(wheel))
    assert done.returncode == 0, done.stderr
    return target


def _run(installed: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = clean_env(PYTHONPATH=str(installed), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, "-m", "procmap", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_wheel_holds_the_package_and_the_templates(installed: Path) -> None:
    package = installed / "procmap"
    assert (package / "__main__.py").is_file()
    assert (package / "cli" / "__init__.py").is_file()
    assert (package / "scaffold" / "starters" / "webinar-funnel.yaml").is_file()
    templates = sorted(p.name for p in (REPO / "templates").iterdir() if p.is_file())
    if templates:
        shipped = sorted(p.name for p in (package / "templates").iterdir() if p.is_file())
        assert shipped == templates


def test_installed_package_validates_the_examples(installed: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(REPO / "processes", project / "processes")
    where = subprocess.run(
        [sys.executable, "-c", "import procmap, os; print(os.path.dirname(procmap.__file__))"],
        cwd=project,
        env=clean_env(PYTHONPATH=str(installed)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert Path(where.stdout.strip()) == installed / "procmap", "the wheel was not the one used"
    done = _run(installed, "validate", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    count = len(list((project / "processes").glob("*.yaml")))
    assert f"Checked {count} files:" in done.stdout
    assert "error" not in done.stdout
    assert "Traceback" not in done.stderr


def test_wheel_declares_the_console_script(installed: Path) -> None:
    (dist_info,) = [p for p in installed.iterdir() if p.name.endswith(".dist-info")]
    entry_points = (dist_info / "entry_points.txt").read_text()
    assert "procmap = procmap.cli:main" in entry_points
    assert not (installed / "tests").exists()


LICENSE = (REPO / "LICENSE").read_text(encoding="utf-8")


def test_license_is_mit_for_procmap_contributors() -> None:
    assert LICENSE.startswith("MIT License\n\nCopyright (c) 2026 procmap contributors\n")


def test_wheel_holds_the_license(built: Path) -> None:
    (wheel,) = (built / "dist").glob("procmap-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
        assert len(names) == 1, archive.namelist()
        assert archive.read(names[0]).decode() == LICENSE
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        assert "License-File: LICENSE" in archive.read(metadata).decode()


def test_sdist_holds_the_license(built: Path, tmp_path: Path) -> None:
    pytest.importorskip("hatchling", reason="the sdist is built with the locked hatchling")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, hatchling.build as b; print(b.build_sdist(sys.argv[1]))",
            str(tmp_path),
        ],
        cwd=built / "source",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    with tarfile.open(tmp_path / done.stdout.strip()) as archive:
        member = archive.extractfile(f"{done.stdout.strip().removesuffix('.tar.gz')}/LICENSE")
        assert member is not None and member.read().decode() == LICENSE

"""procmap installs as a user installs it: the install line `procmap init` writes into the
workflows, run by the workflow's own install step with a real pip (issue 21).

The runner here reaches no git host, so git is told to fetch procmap's repository URL
from a local clone of this repository (`url.<clone>.insteadOf`), tagged as the release
the line names; pip then builds and installs exactly what the line says. `make
test-install` installs the same ways (pipx, uv tool, pip from git and from a wheel) into
throwaway venvs with their dependencies.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, clean_env
from procmap import __version__
from procmap.scaffold.create import REPOSITORY_URL, git_requirement, workflow_files

GIT = shutil.which("git")
BASH = shutil.which("bash")

pytestmark = pytest.mark.skipif(
    GIT is None or BASH is None or not (REPO / ".git").exists(),
    reason="needs git, bash and a git checkout of procmap",
)


def _git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    assert GIT is not None
    done = subprocess.run(
        [GIT, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout.strip()


def _clone(tmp_path: Path) -> tuple[Path, str]:
    """A clone of this repository's HEAD with the release tag the install line names."""
    clone = tmp_path / "procmap-clone"
    _git("clone", "--quiet", "--no-hardlinks", str(REPO), str(clone), cwd=tmp_path)
    env = clean_env(
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@t",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@t",
    )
    _git("tag", "-f", f"v{__version__}", cwd=clone, env=env)
    return clone, _git("rev-parse", "HEAD", cwd=clone)


def _fake_pip(tmp_path: Path, target: Path) -> Path:
    """A `pip` for the step to find first on PATH: the real pip, installing into `target`
    with no dependencies (the test's own environment has them) and no index."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "pip"
    script.write_text(
        "#!/bin/sh\n"
        '[ "$1" = install ] || exit 64\n'
        "shift\n"
        f'exec "{sys.executable}" -m pip --disable-pip-version-check install --quiet'
        f' --no-deps --no-build-isolation --no-index --target "{target}" "$@"\n'
    )
    script.chmod(0o755)
    return folder


def test_the_generated_workflow_s_install_step_installs_procmap(tmp_path: Path) -> None:
    # The step's pip builds procmap offline (--no-build-isolation, --no-index): it needs
    # the build backend in this environment, as `make test`'s lock has it; the oldest
    # and latest variants install procmap with an isolated build, without it.
    pytest.importorskip("hatchling", reason="builds offline: needs hatchling (make test has it)")
    clone, commit = _clone(tmp_path)
    workflow = yaml.safe_load(workflow_files()["procmap.yml"])
    requirement = workflow["env"]["PROCMAP_INSTALL"]
    assert requirement == git_requirement()
    (step,) = [
        s["run"] for s in workflow["jobs"]["validate"]["steps"] if "pip install" in s.get("run", "")
    ]
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text(f'[url "{clone.as_uri()}"]\n\tinsteadOf = {REPOSITORY_URL}.git\n')
    target = tmp_path / "site"
    env = clean_env(
        PATH=f"{_fake_pip(tmp_path, target)}{os.pathsep}{os.environ['PATH']}",
        PROCMAP_INSTALL=requirement,
        GIT_CONFIG_GLOBAL=str(gitconfig),
        GIT_CONFIG_NOSYSTEM="1",
    )
    assert BASH is not None
    done = subprocess.run(
        [BASH, "-e", "-c", step],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # pip recorded the line's source: procmap's repository at the release's commit
    (record,) = target.glob("procmap-*.dist-info/direct_url.json")
    origin = json.loads(record.read_text())
    assert origin["url"] == f"{REPOSITORY_URL}.git"
    assert origin["vcs_info"]["commit_id"] == commit
    assert origin["vcs_info"]["requested_revision"] == f"v{__version__}"
    # and the installed procmap runs, from outside the repository
    version = subprocess.run(
        [sys.executable, "-m", "procmap", "--version"],
        cwd=tmp_path,
        env=clean_env(PYTHONPATH=str(target), PYTHONDONTWRITEBYTECODE="1"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert version.stdout == f"procmap {__version__}\n", version.stderr
    # what procmap init writes when this procmap runs it: the same line again
    check = subprocess.run(
        [sys.executable, "-c", "from procmap.scaffold import install_requirement as r; print(r())"],
        cwd=tmp_path,
        env=clean_env(PYTHONPATH=str(target)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.stdout.strip() == f"procmap @ git+{REPOSITORY_URL}.git@{commit}"

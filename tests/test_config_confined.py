"""Paths in project configuration stay inside the project (issue 15, item 1), and a
templates folder that cannot be read is one line, not a silent fall-back (item 3)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import clean_env
from procmap.config.project import ConfigError, load

FIXTURES = Path(__file__).parent / "render_fixtures"
ESCAPES = [
    ("../outside", "goes outside the project with '..'"),
    ("processes/../../outside", "goes outside the project with '..'"),
    ("/etc", "an absolute path"),
    ("linked", "leads outside the project through a symlink"),
]


def _project(tmp_path: Path, table: str) -> Path:
    project = tmp_path / "project"
    (project / "processes").mkdir(parents=True)
    shutil.copy(FIXTURES / "bare.yaml", project / "processes" / "bare.yaml")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.yaml").write_text("procmap: 1\nid: secret\n")
    (project / "linked").symlink_to(tmp_path / "outside")
    (project / "pyproject.toml").write_text(f"[tool.procmap]\n{table}", encoding="utf-8")
    return project


@pytest.mark.parametrize(("entry", "reason"), ESCAPES)
def test_a_configured_path_leading_out_of_the_project_is_refused(
    tmp_path, run_procmap, entry, reason
):
    project = _project(tmp_path, f"paths = [{entry!r}]\n")
    config = project / "pyproject.toml"
    with pytest.raises(ConfigError) as raised:
        load(config)
    assert str(raised.value) == (
        f"{config}: `paths` {entry!r}: {reason}; configured paths stay inside the project"
        " (give others on the command line)"
    )
    for command in ("validate", "render"):
        done = run_procmap(command, cwd=project)
        assert done.returncode == 2, done.stdout
        assert done.stderr == f"procmap: {raised.value}\n"
        assert "secret" not in done.stdout
    # a path typed on the command line is the user's own
    config.write_text('[tool.procmap]\npaths = ["processes"]\n')
    done = run_procmap("validate", str(tmp_path / "outside"), cwd=project)
    assert "secret.yaml" in done.stdout


@pytest.mark.parametrize(("entry", "reason"), ESCAPES)
def test_a_configured_log_leading_out_of_the_project_is_refused(tmp_path, entry, reason):
    project = _project(tmp_path, f'[tool.procmap.logs]\nbare = {{path = "{entry}/log.csv"}}\n')
    with pytest.raises(ConfigError, match=f"`logs.bare.path` '{entry}/log.csv': {reason}"):
        load(project / "pyproject.toml")
    (project / "pyproject.toml").write_text(f'[tool.procmap.logs]\nbare = "{entry}/log.csv"\n')
    with pytest.raises(ConfigError, match=f"`logs.bare` '{entry}/log.csv': {reason}"):
        load(project / "pyproject.toml")


def test_paths_inside_the_project_pass_even_through_links_and_dots(tmp_path):
    project = _project(tmp_path, 'paths = ["processes/../processes", "inner", "."]\n')
    (project / "inner").symlink_to(project / "processes")
    (project / "logs").mkdir()
    assert load(project / "pyproject.toml").paths == ["processes/../processes", "inner", "."]


def test_the_project_is_the_git_work_tree_of_the_configuration(tmp_path):
    """`ci/procmap.toml` may name `../processes` in its repository, never beyond it."""
    project = _project(tmp_path, "")
    (project / "ci").mkdir()
    config = project / "ci" / "procmap.toml"
    config.write_text('paths = ["../processes"]\n')
    with pytest.raises(ConfigError, match=r"`paths` '\.\./processes': goes outside the project"):
        load(config)
    (project / ".git").mkdir()
    assert load(config).paths == ["../processes"]
    config.write_text('paths = ["../../outside"]\n')
    with pytest.raises(ConfigError, match=r"`paths` '\.\./\.\./outside': goes outside the project"):
        load(config)


@pytest.mark.parametrize("link", ["folder", "template", "included file"])
def test_a_templates_folder_leading_out_of_the_project_is_refused(tmp_path, run_procmap, link):
    project = _project(tmp_path, 'paths = ["processes"]\n')
    secret = tmp_path / "outside" / "secret.txt"
    secret.write_text("TOKEN=hunter2\n")
    if link == "folder":
        (project / "templates").symlink_to(tmp_path / "outside")
        name = "templates"
    else:
        (project / "templates").mkdir()
        name = "runbook.md.j2" if link == "template" else "notes.txt"
        (project / "templates" / name).symlink_to(secret)
        name = f"templates/{name}"
    done = run_procmap("render", "-o", "out", "-f", "runbook", cwd=project)
    assert done.returncode == 2
    assert done.stderr == (
        f"procmap: {project / 'pyproject.toml'}: `templates` {name!r}: leads outside the"
        " project through a symlink; configured paths stay inside the project (or use"
        " --templates)\n"
    )
    assert not (project / "out").exists()


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder another user can reach (pytest's tmp_path is root's own)."""
    folder = Path(tempfile.mkdtemp(prefix="procmap-unprivileged-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for top, folders, _ in os.walk(folder):
            for name in folders:
                os.chmod(os.path.join(top, name), 0o755)
        shutil.rmtree(folder)


def _as_nobody() -> list[str]:
    """The command prefix that drops to an unprivileged user (root reads anything)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot make a folder unreadable")
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.mark.parametrize("given", [False, True])
def test_an_unreadable_templates_folder_is_one_line_not_the_defaults(shared_tmp, given):
    prefix = _as_nobody()
    project = shared_tmp
    (project / "processes").mkdir()
    shutil.copy(FIXTURES / "bare.yaml", project / "processes" / "bare.yaml")
    (project / "procmap.toml").write_text('paths = ["processes"]\n')
    (project / "out").mkdir(mode=0o777)
    (project / "out").chmod(0o777)
    inner = project / "templates" / "runbook"
    inner.mkdir(parents=True)
    (inner / "steps.md.j2").write_text("mine\n")
    for path in (project, project / "processes", project / "templates"):
        path.chmod(0o755)
    for path in (project / "procmap.toml", project / "processes" / "bare.yaml"):
        path.chmod(0o644)
    inner.chmod(0)
    args = ["render", "-o", "out", "-f", "runbook", "-q"]
    if given:
        args += ["--templates", "templates"]
    done = subprocess.run(
        [*prefix, sys.executable, "-m", "procmap", *args],
        cwd=project,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    where = "--templates templates" if given else f"{project / 'procmap.toml'}: `templates/`"
    unreadable = "templates/runbook" if given else inner
    assert done.stderr == f"procmap: {where}: cannot read {unreadable}: Permission denied\n"
    assert not (project / "out" / "bare.runbook.md").exists()

"""`procmap init` and `procmap new`, the starters, the pre-commit hook and the workflows."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import cli_runner
from procmap.cli import app
from procmap.config.project import Config, load
from procmap.format.jsonschema import schema_text
from procmap.lint.linter import validate_paths
from procmap.scaffold.create import (
    DEFAULT_STARTER,
    REPO_FILES,
    fill_in,
    repository_files,
    starters,
    workflow_files,
)

ROOT = Path(__file__).parent.parent
STARTER_IDS = [
    "automation-readiness",
    "client-onboarding",
    "content-production",
    "lead-handoff",
    "seo-keyword-research",
    "webinar-funnel",
]


def run(*args: str):
    return cli_runner().invoke(app, list(args), catch_exceptions=False)


def test_the_six_starters():
    assert list(starters()) == STARTER_IDS
    assert DEFAULT_STARTER in STARTER_IDS


@pytest.mark.parametrize("starter", STARTER_IDS)
def test_new_from_every_starter_validates_with_no_warnings(tmp_path, starter):
    result = run("new", "our-process", "--from", starter, "--dir", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    path = tmp_path / "our-process.yaml"
    assert result.stdout == f"Created {path.as_posix()} from the {starter} starter.\n"
    report = validate_paths([str(path)], Config())
    assert report.problems == []
    process = validate_paths([str(path)], Config(), keep=True).processes[str(path)]
    assert process.id == "our-process"
    # everything a starter teaches: roles, tools, metrics with baseline and target,
    # review with a cadence and an approver, checklists on critical steps, exceptions
    assert process.roles and process.tools and process.metrics and process.exceptions
    assert process.review and process.review.every and process.review.approver
    assert all(m.baseline is not None and m.target is not None for m in process.metrics.values())
    critical = [s for s in process.steps if s.critical]
    assert critical and all(s.checklist and s.metrics for s in critical)
    assert process.goal and process.trigger and process.outcome


@pytest.mark.parametrize("starter", STARTER_IDS)
def test_new_changes_only_id_and_name(tmp_path, starter):
    run("new", "x-1", "--from", starter, "--dir", str(tmp_path), "--name", "Ours: the #1 way")
    original = starters()[starter].text.splitlines(keepends=True)
    created = (tmp_path / "x-1.yaml").read_text().splitlines(keepends=True)
    assert len(created) == len(original)
    changed = [(a, b) for a, b in zip(original, created, strict=True) if a != b]
    id_line, name_line = (line for line in original if line.startswith(("id:", "name:")))
    name = starters()[starter].name
    assert changed == [
        (id_line, id_line.replace(f"id: {starter}", "id: x-1", 1)),
        (name_line, name_line.replace(f"name: {name}", 'name: "Ours: the #1 way"', 1)),
    ]
    assert changed[0][1].startswith("id: x-1") and changed[1][1].startswith('name: "Ours')
    assert sum(line.lstrip().startswith("#") for line in created) >= 3  # comments survive


def test_fill_in_keeps_a_trailing_comment():
    text = "procmap: 1\nid: old   # the id\nname: Old\nsteps: []\n"
    assert (
        fill_in(text, "new-id", "New")
        == "procmap: 1\nid: new-id   # the id\nname: New\nsteps: []\n"
    )


@pytest.mark.parametrize("bad", ["Lead_Handoff", "lead--handoff", "lead-", "lead handoff", "é"])
def test_new_refuses_bad_ids(tmp_path, bad):
    result = run("new", bad, "--dir", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"procmap: {bad!r} is not a valid process id")
    assert list(tmp_path.iterdir()) == []


def test_new_refuses_an_existing_file_unless_forced(tmp_path):
    assert run("new", "ours", "--dir", str(tmp_path)).exit_code == 0
    (tmp_path / "ours.yaml").write_text("mine\n")
    result = run("new", "ours", "--dir", str(tmp_path))
    assert result.exit_code == 1
    assert "ours.yaml already exists; use --force to overwrite it" in result.stderr
    assert (tmp_path / "ours.yaml").read_text() == "mine\n"
    assert run("new", "ours", "--dir", str(tmp_path), "--force").exit_code == 0
    assert (tmp_path / "ours.yaml").read_text() != "mine\n"


def test_new_usage_errors(tmp_path):
    unknown = run("new", "ours", "--from", "webinar", "--dir", str(tmp_path))
    assert unknown.exit_code == 2
    assert "no starter called 'webinar'; did you mean 'webinar-funnel'?" in unknown.stderr
    assert run("new").exit_code == 2
    assert run("new", "ours", "--name", "  ", "--dir", str(tmp_path)).exit_code == 2


def test_new_list():
    result = run("new", "--list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == STARTER_IDS
    assert "webinar-funnel        Webinar lead funnel (default): Turn webinar" in result.stdout


def test_init_makes_a_repository_where_validate_passes(tmp_path, monkeypatch):
    target = tmp_path / "ops"
    result = run("init", str(target))
    assert result.exit_code == 0, result.stderr
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert files == sorted(
        [
            ".github/workflows/procmap-comment.yml",
            ".github/workflows/procmap-review.yml",
            ".github/workflows/procmap.yml",
            ".gitignore",
            ".pre-commit-config.yaml",
            ".vscode/settings.json",
            "README.md",
            "procmap.schema.json",
            "procmap.toml",
            f"processes/{DEFAULT_STARTER}.yaml",
        ]
    )
    monkeypatch.chdir(target)
    validate = run("validate", "--strict")
    assert validate.exit_code == 0, validate.stdout
    assert validate.stdout == "Checked 1 file: no problems.\n"
    assert load().source == target / "procmap.toml"  # the config parses
    assert (target / "procmap.schema.json").read_text() == schema_text()
    settings = json.loads((target / ".vscode" / "settings.json").read_text())
    assert settings["yaml.schemas"]["./procmap.schema.json"][0] == "processes/*.yaml"
    precommit = yaml.safe_load((target / ".pre-commit-config.yaml").read_text())
    assert [repo["repo"] for repo in precommit["repos"]] == ["local"]
    assert [hook["id"] for hook in precommit["repos"][0]["hooks"]] == ["procmap-validate"]
    assert f"processes/{DEFAULT_STARTER}.yaml" in (target / "README.md").read_text()
    # the scheduled review check runs (the starter has a cadence and no review yet)
    assert run("review", "--check").exit_code == 1


def test_init_in_an_existing_repository_writes_what_is_missing_and_lists_the_rest(tmp_path):
    # Issue 21: init used to refuse a folder with a README.md, and --force overwrote it.
    (tmp_path / "README.md").write_text("# Studio\n\nOur own words.\n")
    (tmp_path / "procmap.toml").write_text("# ours\n")
    result = run("init", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "README.md").read_text() == "# Studio\n\nOur own words.\n"
    assert (tmp_path / "procmap.toml").read_text() == "# ours\n"
    assert (tmp_path / ".github" / "workflows" / "procmap.yml").is_file()
    assert (tmp_path / "processes" / f"{DEFAULT_STARTER}.yaml").is_file()
    skipped = result.stdout.split("Skipped 2 that exist (--force overwrites all but README.md):\n")
    assert skipped[1].startswith("  procmap.toml\n  README.md\n")
    assert "  procmap.schema.json\n" in skipped[0]
    # the README section is printed to paste, not written
    assert "README.md exists, so it was left as it is" in result.stdout
    assert result.stdout.rstrip().endswith("`procmap schema --output procmap.schema.json`.")
    assert "\n## Our processes\n" in result.stdout and "\n### Commands\n" in result.stdout
    # a second run writes nothing and overwrites nothing
    again = run("init", str(tmp_path), "-q")
    assert again.exit_code == 0
    assert again.stdout.startswith("README.md exists")
    assert (tmp_path / "procmap.toml").read_text() == "# ours\n"
    # --force overwrites procmap's files, never the README
    assert run("init", str(tmp_path), "--force", "-q").exit_code == 0
    assert (tmp_path / "procmap.toml").read_text() != "# ours\n"
    assert (tmp_path / "README.md").read_text() == "# Studio\n\nOur own words.\n"


def test_init_adds_to_an_existing_readme_only_with_readme(tmp_path):
    (tmp_path / "README.md").write_text("# Studio\n\nOur own words.\n")
    result = run("init", str(tmp_path), "--readme")
    assert result.exit_code == 0, result.stderr
    assert "README.md exists" not in result.stdout
    assert "(README.md: a section on the processes added at its end)" in result.stdout
    text = (tmp_path / "README.md").read_text()
    assert text.startswith("# Studio\n\nOur own words.\n\n## Our processes\n")
    assert text.count("## Our processes") == 1
    # once only
    assert run("init", str(tmp_path), "--readme", "-q").exit_code == 0
    assert (tmp_path / "README.md").read_text() == text


def test_init_ignores_the_output_folder_once(tmp_path):
    assert run("init", str(tmp_path / "new"), "-q").exit_code == 0
    assert (tmp_path / "new" / ".gitignore").read_text() == "# procmap render's output\nout/\n"
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / ".gitignore").write_text(".venv")  # no final newline
    result = run("init", str(tmp_path / "old"))
    assert "Added out/ to .gitignore.\n" in result.stdout
    assert (tmp_path / "old" / ".gitignore").read_text() == (
        ".venv\n# procmap render's output\nout/\n"
    )
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / ".gitignore").write_text("/out\n")
    result = run("init", str(tmp_path / "mine"))
    assert "Added out/" not in result.stdout
    assert (tmp_path / "mine" / ".gitignore").read_text() == "/out\n"


def test_init_checks_pushes_to_the_repository_s_default_branch(tmp_path):
    git = shutil.which("git")
    assert git is not None
    subprocess.run([git, "init", "-q", "-b", "trunk", str(tmp_path)], check=True)
    assert run("init", str(tmp_path), "-q").exit_code == 0
    workflow = yaml.safe_load((tmp_path / ".github/workflows/procmap.yml").read_text())
    triggers = workflow[True]  # PyYAML reads the key `on` as True
    assert triggers["push"] == {"branches": ["trunk"]}
    assert "pull_request" in triggers
    # the steps that describe a pull request run on pull requests only
    steps = workflow["jobs"]["validate"]["steps"]
    guarded = [s for s in steps if "github.base_ref" in s.get("run", "") or "uses" in s]
    assert any("upload-artifact" in s.get("uses", "") for s in guarded)
    for step in guarded:
        if "checkout" in step.get("uses", "") or "setup-python" in step.get("uses", ""):
            continue
        assert "github.event_name == 'pull_request'" in step["if"], step
    assert "procmap diff --since trunk" in (tmp_path / "README.md").read_text()
    # not a git repository: main
    assert run("init", str(tmp_path / "plain"), "-q").exit_code == 0
    plain = yaml.safe_load((tmp_path / "plain/.github/workflows/procmap.yml").read_text())
    assert plain[True]["push"] == {"branches": ["main"]}


def test_init_with_another_starter(tmp_path):
    assert run("init", str(tmp_path), "--from", "lead-handoff").exit_code == 0
    assert (tmp_path / "processes" / "lead-handoff.yaml").is_file()
    assert run("init", str(tmp_path / "x"), "--from", "nope").exit_code == 2


def test_init_output_is_deterministic():
    assert repository_files() == repository_files()
    assert list(repository_files())[1:-1] == list(REPO_FILES)


#: docs/workflows/ also holds procmap's own workflows, which `procmap init` does not write.
PROJECT_WORKFLOWS = ["dependencies.yml", "release.yml"]


def test_docs_workflows_are_the_ones_init_writes():
    docs = ROOT / "docs" / "workflows"
    assert sorted(p.name for p in docs.iterdir()) == sorted([*workflow_files(), *PROJECT_WORKFLOWS])
    for name, text in workflow_files().items():
        assert (docs / name).read_text() == text, name


def test_workflows_run_the_documented_commands():
    files = workflow_files()
    pull = yaml.safe_load(files["procmap.yml"])
    runs = [step.get("run", "") for step in pull["jobs"]["validate"]["steps"]]
    assert "procmap validate --format github" in runs
    assert any(
        'procmap diff --since "origin/${{ github.base_ref }}" --format markdown' in r for r in runs
    )
    assert "pull_request" in pull[True]  # PyYAML reads the key `on` as true
    scheduled = yaml.safe_load(files["procmap-review.yml"])
    assert scheduled[True]["schedule"] == [{"cron": "0 6 * * 1"}]
    steps = scheduled["jobs"]["reviews"]["steps"]
    assert any("procmap review --check" in step.get("run", "") for step in steps)


HOOKS = ROOT / ".pre-commit-hooks.yaml"


def test_pre_commit_hooks_file():
    hooks = yaml.safe_load(HOOKS.read_text())
    assert [hook["id"] for hook in hooks] == ["procmap-validate"]
    hook = hooks[0]
    assert hook["language"] == "python" and hook["entry"] == "procmap validate"

    pattern = re.compile(hook["files"])
    assert pattern.search("processes/lead-handoff.yaml")
    assert pattern.search("processes/sales/lead-handoff.yml")
    assert not pattern.search("docs/workflows/procmap.yml")


@pytest.mark.parametrize(("case", "status"), [("good", 0), ("bad", 1)])
def test_pre_commit_hook_entry_runs_as_declared(tmp_path, case, status):
    """Run the hook's `entry` as pre-commit does: the command, then the changed files."""
    hook = yaml.safe_load(HOOKS.read_text())[0]
    command = shlex.split(hook["entry"])
    executable = shutil.which(command[0], path=os.path.dirname(sys.executable))
    assert executable is not None, "procmap is not installed next to this Python"
    folder = tmp_path / "processes"
    folder.mkdir()
    good = starters()[DEFAULT_STARTER].text
    (folder / "good.yaml").write_text(good)
    if case == "bad":
        (folder / "bad.yaml").write_text(good.replace("id: webinar-funnel", "id: Bad Id"))
    files = sorted(p.relative_to(tmp_path).as_posix() for p in folder.iterdir())
    done = subprocess.run(
        [executable, *command[1:], *files], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == status, done.stdout + done.stderr
    if case == "bad":
        assert "processes/bad.yaml:5:5: S004" in done.stdout


def test_the_starters_folder_validates_cleanly_as_a_whole():
    # the repository templates beside the starters must never look like process files
    report = validate_paths([str(ROOT / "src" / "procmap" / "scaffold" / "starters")], Config())
    assert len(report.files) == len(STARTER_IDS)
    assert report.problems == []


def _run_hook(tmp_path, changed: list[str]) -> subprocess.CompletedProcess[str]:
    """Run the hook as pre-commit does with `require_serial`: one call, the changed files."""
    hook = yaml.safe_load(HOOKS.read_text())[0]
    command = shlex.split(hook["entry"])
    executable = shutil.which(command[0], path=os.path.dirname(sys.executable))
    assert executable is not None, "procmap is not installed next to this Python"
    pattern = re.compile(hook["files"])
    files = [f for f in changed if pattern.search(f)]
    return subprocess.run(
        [executable, *command[1:], *files], cwd=tmp_path, capture_output=True, text=True
    )


def test_pre_commit_hook_is_serial_so_cross_file_checks_see_every_changed_file():
    hook = yaml.safe_load(HOOKS.read_text())[0]
    assert hook.get("require_serial") is True


@pytest.mark.parametrize("changed", ["p9", "p3"])
def test_pre_commit_hook_catches_a_reused_process_id_whichever_file_changed(tmp_path, changed):
    # processes/p9.yaml reuses the id of processes/p3.yaml; only one of them changed.
    folder = tmp_path / "processes" / "sales"
    folder.mkdir(parents=True)
    text = starters()[DEFAULT_STARTER].text
    (tmp_path / "processes" / "p3.yaml").write_text(text)
    (folder / "p9.yaml").write_text(text)
    path = "processes/p3.yaml" if changed == "p3" else "processes/sales/p9.yaml"
    other = "processes/sales/p9.yaml" if changed == "p3" else "processes/p3.yaml"
    done = _run_hook(tmp_path, [path])
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{path}:5:5: X001 process id 'webinar-funnel' is already used by {other}" in (
        done.stdout
    )


def test_pre_commit_hook_passes_when_the_unchanged_files_have_other_ids(tmp_path):
    folder = tmp_path / "processes"
    folder.mkdir()
    text = starters()[DEFAULT_STARTER].text
    (folder / "p3.yaml").write_text(text)
    (folder / "p9.yaml").write_text(text.replace("id: webinar-funnel", "id: webinar-two"))
    done = _run_hook(tmp_path, ["processes/p9.yaml"])
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_file_outside_the_configured_paths_is_not_a_duplicate_of_the_library(tmp_path):
    (tmp_path / "processes").mkdir()
    (tmp_path / "drafts").mkdir()
    text = starters()[DEFAULT_STARTER].text
    (tmp_path / "processes" / "p3.yaml").write_text(text)
    (tmp_path / "drafts" / "copy.yaml").write_text(text)
    hook = yaml.safe_load(HOOKS.read_text())[0]
    executable = shutil.which(shlex.split(hook["entry"])[0], path=os.path.dirname(sys.executable))
    done = subprocess.run(
        [executable, "validate", "drafts/copy.yaml"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


# What `procmap init` writes must work the day it is written: procmap is not on PyPI yet,
# and there is no https://github.com/procmap/procmap to take a pre-commit hook from.


def _init(tmp_path: Path, install: str) -> Path:
    from procmap.scaffold.create import init_repository

    init_repository(tmp_path, install=install)
    return tmp_path


def test_init_pre_commit_hook_is_local_and_runs_the_procmap_installed(tmp_path):
    target = _init(tmp_path, "")
    config = yaml.safe_load((target / ".pre-commit-config.yaml").read_text())
    assert "github.com" not in (target / ".pre-commit-config.yaml").read_text()
    (repo,) = config["repos"]
    assert repo == {"repo": "local", "hooks": repo["hooks"]}  # no `rev:` to fetch
    (hook,) = repo["hooks"]
    assert hook["language"] == "system" and hook["entry"] == "procmap validate"
    assert hook["pass_filenames"] is False  # cross-file checks (X001) see every file

    pattern = re.compile(hook["files"])
    assert pattern.search("processes/sales/lead-handoff.yml") and pattern.search("procmap.toml")
    assert not pattern.search("README.md")
    # run it as pre-commit does with pass_filenames: false: the entry alone, at the root
    command = shlex.split(hook["entry"])
    executable = shutil.which(command[0], path=os.path.dirname(sys.executable))
    assert executable is not None, "procmap is not installed next to this Python"
    clean = subprocess.run([executable, *command[1:]], cwd=target, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    copy = target / "processes" / "copy.yaml"
    copy.write_text((target / "processes" / f"{DEFAULT_STARTER}.yaml").read_text())
    twice = subprocess.run([executable, *command[1:]], cwd=target, capture_output=True, text=True)
    assert twice.returncode == 1 and "X001" in twice.stdout, twice.stdout


def _install_steps(workflow: dict) -> list[str]:
    return [
        step["run"]
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "pip install" in step.get("run", "")
    ]


@pytest.mark.parametrize("install", ["", "procmap @ git+https://example.org/procmap.git@abc123"])
def test_init_workflows_install_procmap_from_the_one_marked_line(tmp_path, install):
    target = _init(tmp_path, install)
    folder = target / ".github" / "workflows"
    uses_procmap = ["procmap.yml", "procmap-review.yml"]
    for name in uses_procmap:
        text = (folder / name).read_text()
        assert not re.search(r"pip install\s+[\"']?procmap\b", text), name  # not on PyPI
        workflow = yaml.safe_load(text)
        assert workflow["env"] == {"PROCMAP_INSTALL": install}
        assert _install_steps(workflow) and all(
            'pip install "$PROCMAP_INSTALL"' in run for run in _install_steps(workflow)
        )
    assert not re.search(r"pip install\s+procmap\b", (target / "README.md").read_text())
    comment = yaml.safe_load((folder / "procmap-comment.yml").read_text())
    assert _install_steps(comment) == []  # it runs nothing from procmap or the pull request


def _install_script(tmp_path: Path, install: str) -> subprocess.CompletedProcess[str]:
    """Run the workflow's install step with bash, `pip` replaced by one that echoes."""
    workflow = yaml.safe_load(workflow_files(install)["procmap.yml"])
    (script,) = _install_steps(workflow)
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "pip").write_text('#!/bin/sh\necho "pip $*"\n')
    (fake / "pip").chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"}
    env["PROCMAP_INSTALL"] = workflow["env"]["PROCMAP_INSTALL"]
    bash = shutil.which("bash")
    assert bash is not None
    return subprocess.run([bash, "-c", script], env=env, capture_output=True, text=True)


def test_workflow_install_step_installs_the_requirement(tmp_path):
    done = _install_script(tmp_path, "procmap @ https://example.org/procmap-0.1.0.tar.gz")
    assert done.returncode == 0
    assert done.stdout == "pip install procmap @ https://example.org/procmap-0.1.0.tar.gz\n"


def test_workflow_install_step_without_a_source_fails_saying_what_to_set(tmp_path):
    done = _install_script(tmp_path, "")
    assert done.returncode == 1
    assert done.stdout.startswith("::error::Set PROCMAP_INSTALL in this workflow")


@pytest.mark.parametrize(
    ("direct_url", "expected"),
    [
        (None, "procmap==0.1.0"),  # from an index
        (
            '{"url": "https://github.com/me/procmap.git", "vcs_info": {"vcs": "git",'
            ' "requested_revision": "main", "commit_id": "4f1c2e"}}',
            "procmap @ git+https://github.com/me/procmap.git@4f1c2e",
        ),
        (
            '{"url": "https://example.org/procmap-0.1.0.tar.gz",'
            ' "archive_info": {"hashes": {"sha256": "ab12"}}}',
            "procmap @ https://example.org/procmap-0.1.0.tar.gz#sha256=ab12",
        ),
        ('{"url": "file:///home/me/procmap", "dir_info": {"editable": true}}', ""),
        ('{"url": "file:///tmp/procmap-0.1.0-py3-none-any.whl", "archive_info": {}}', ""),
        ('{"url": "file:///home/me/procmap", "vcs_info": {"vcs": "git", "commit_id": "1"}}', ""),
        ("not json", ""),
        ("[]", ""),
    ],
)
def test_requirement_from_the_install_record(direct_url, expected):
    from procmap.scaffold.create import requirement_from

    assert requirement_from(direct_url, "0.1.0") == expected


def test_init_fills_the_install_line_even_for_a_local_procmap(tmp_path, monkeypatch):
    # Issue 21: a procmap installed from a local folder left PROCMAP_INSTALL empty.
    from procmap.scaffold.create import git_requirement, install_requirement

    monkeypatch.setattr("procmap.scaffold.create.requirement_from", lambda direct_url, version: "")
    assert install_requirement() == git_requirement()
    assert git_requirement("0.1.0") == (
        "procmap @ git+https://github.com/procmap/procmap.git@v0.1.0"
    )
    local = run("init", str(tmp_path / "a"), "-q")
    assert local.exit_code == 0 and local.stderr == ""
    workflow = yaml.safe_load((tmp_path / "a" / ".github/workflows/procmap.yml").read_text())
    assert workflow["env"]["PROCMAP_INSTALL"] == git_requirement()
    readme = (tmp_path / "a" / "README.md").read_text()
    assert f'pipx install "{git_requirement()}"' in readme
    monkeypatch.setattr("procmap.scaffold.install_requirement", lambda: "procmap==0.1.0")
    published = run("init", str(tmp_path / "b"), "-q")
    assert published.exit_code == 0 and published.stderr == ""
    workflow = yaml.safe_load((tmp_path / "b" / ".github/workflows/procmap.yml").read_text())
    assert workflow["env"]["PROCMAP_INSTALL"] == "procmap==0.1.0"


def test_pull_request_comment_is_posted_by_a_workflow_run_that_never_runs_pr_code():
    files = workflow_files()
    pull = yaml.safe_load(files["procmap.yml"])
    assert pull["permissions"] == {"contents": "read"}  # what a fork's pull request gets
    uploads = [
        s for s in pull["jobs"]["validate"]["steps"] if "upload-artifact" in s.get("uses", "")
    ]
    (upload,) = uploads
    assert "procmap-diff.md" in upload["with"]["path"]
    comment = yaml.safe_load(files["procmap-comment.yml"])
    assert comment[True] == {"workflow_run": {"workflows": [pull["name"]], "types": ["completed"]}}
    assert comment["permissions"]["pull-requests"] == "write"
    steps = [step for job in comment["jobs"].values() for step in job["steps"]]
    assert not any("checkout" in step.get("uses", "") for step in steps)
    (download,) = [s for s in steps if "download-artifact" in s.get("uses", "")]
    assert download["with"]["name"] == upload["with"]["name"]
    assert any("sticky-pull-request-comment" in step.get("uses", "") for step in steps)

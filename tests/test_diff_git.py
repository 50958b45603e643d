"""`procmap diff --since REV` and `diff.previous_process` against a real git repository.

Each test builds a repository in tmp_path: a first commit on `main` with four processes,
then a work tree where one file is modified (its name has spaces and accents, to pin
`core.quotepath=off` and NUL-separated listing), one added, one removed and one renamed
(moved to a subfolder, with a change of its own). Commands run from a subfolder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import procmap
from procmap.git.diff import DiffError, previous_process

HERE = Path(__file__).resolve().parent / "diff"
REPO = Path(__file__).resolve().parent.parent
WEBINAR = "processes/équipe webinar.yaml"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, **GIT_ENV, "GIT_CONFIG_GLOBAL": os.devnull}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def put(repo: Path, rel: str, source: Path, old: str = "", new: str = "") -> None:
    target = repo / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with a commit on main and the work tree changed since; cwd is docs/."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    put(root, WEBINAR, HERE / "webinar-old.yaml")
    put(root, "processes/handoff.yaml", HERE / "base.yaml")
    put(root, "processes/seo.yaml", REPO / "processes" / "seo-keyword-research.yaml")
    put(root, "processes/same.yaml", HERE / "base.yaml", "id: lead-handoff", "id: same")
    (root / "docs").mkdir()
    (root / "docs" / "notes.md").write_text("notes\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    put(root, WEBINAR, HERE / "webinar-new.yaml")
    (root / "processes" / "sub").mkdir()
    git(root, "mv", "processes/handoff.yaml", "processes/sub/handoff.yaml")
    put(root, "processes/sub/handoff.yaml", HERE / "cases" / "review.yaml")
    git(root, "rm", "-q", "processes/seo.yaml")
    put(root, "processes/added.yaml", HERE / "base.yaml", "id: lead-handoff", "id: added")
    monkeypatch.chdir(root / "docs")
    monkeypatch.delenv("NO_COLOR", raising=False)
    return root


def test_since_from_a_subfolder_text(repo: Path, capsys):
    status, out, err = procmap(capsys, "diff", "--since", "main", "--no-color")
    assert (status, err) == (1, "")
    assert out == (
        "Lead handoff (../processes/added.yaml)\n"
        "  + process added: Lead handoff\n"
        "\n"
        "SEO keyword research (../processes/seo.yaml)\n"
        "  - process removed: SEO keyword research\n"
        "\n"
        "Lead handoff (../processes/sub/handoff.yaml)\n"
        "  ~ file moved: ../processes/handoff.yaml -> ../processes/sub/handoff.yaml\n"
        "  ~ review cadence: monthly -> weekly\n"
        "  ~ last review: 2026-10-01 -> 2026-11-02\n"
        "  ~ approver: Founder -> Sales rep\n"
        "\n"
        "Webinar lead funnel (../processes/équipe webinar.yaml)\n"
        "  ~ branch 'yes' of Consultation booked?: Hold the consultation call"
        " -> Send a reminder | SMS or `email`\n"
        "  + step added: Send a reminder | SMS or `email`\n"
        "  + arrow added from Send a reminder | SMS or `email`: Hold the consultation call\n"
        "  ~ owner of Hold the consultation call: Sales rep -> Founder\n"
        "  + checklist item added to Hold the consultation call: Send the proposal within <24h\n"
        "  ~ last review: 2026-11-16 -> 2026-11-23\n"
        "  ~ target of Consultation booking rate (%): 10 -> 12\n"
        "  + changelog entry added: 2026-11-23: The founder takes the consultation calls;"
        " a reminder cuts no-shows. (Founder)\n"
        "\n"
        "14 changes in 4 of 5 processes.\n"
    )


def test_since_markdown_summary_lines(repo: Path, capsys):
    status, out, _ = procmap(capsys, "diff", "--since", "main", "../processes", "-f", "markdown")
    assert status == 1
    assert out.splitlines()[:7] == [
        "### Process changes since `main`",
        "",
        "- **Lead handoff** (`../processes/added.yaml`): 1 process added",
        "- **SEO keyword research** (`../processes/seo.yaml`): 1 process removed",
        "- **Lead handoff** (`../processes/sub/handoff.yaml`): 1 file moved,"
        " 1 review cadence changed, 1 review date changed, 1 approver changed",
        "- **Webinar lead funnel** (`../processes/équipe webinar.yaml`): 1 step added,"
        " 1 owner changed, 1 checklist item added, 1 arrow added, 1 arrow retargeted,"
        " 1 review date changed, 1 target changed, 1 changelog entry added",
        "",
    ]
    # added and removed processes have nothing more to show; the others get details
    assert out.count("<details>") == 2


def test_since_json_from_the_top(repo: Path, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    status, out, _ = procmap(capsys, "diff", "--since", "main", "-f", "json")
    assert status == 1
    rows = json.loads(out)
    assert [(r["path"], r["kind"]) for r in rows][:5] == [
        ("processes/added.yaml", "process.added"),
        ("processes/seo.yaml", "process.removed"),
        ("processes/sub/handoff.yaml", "process.moved"),
        ("processes/sub/handoff.yaml", "review.every"),
        ("processes/sub/handoff.yaml", "review.last"),
    ]
    assert rows[2]["old"] == "processes/handoff.yaml"


def test_since_one_removed_file_by_path(repo: Path, capsys):
    status, out, _ = procmap(capsys, "diff", "--since", "main", "../processes/seo.yaml")
    assert status == 1
    assert "  - process removed: SEO keyword research\n" in out
    assert "1 change in 1 process.\n" in out


def test_since_head_after_committing_is_no_change(repo: Path, capsys):
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "second")
    status, out, _ = procmap(capsys, "diff", "--since", "HEAD")
    assert (status, out) == (0, "No changes of meaning (4 processes compared).\n")
    status, out, _ = procmap(capsys, "diff", "--since", "HEAD~1", "-f", "json")
    assert status == 1
    assert json.loads(out)


def test_bad_revision_is_trouble(repo: Path, capsys):
    status, out, err = procmap(capsys, "diff", "--since", "no-such-branch")
    assert (status, out) == (2, "")
    assert err == "procmap: unknown revision 'no-such-branch': no such branch, tag or commit\n"


def test_option_like_revision_is_trouble(repo: Path, capsys):
    status, _, err = procmap(capsys, "diff", "--since=--output=x")
    assert status == 2
    assert err.startswith("procmap: unknown revision")


def test_not_a_repository_is_trouble(tmp_path: Path, capsys, monkeypatch):
    (tmp_path / "processes").mkdir()
    shutil.copy(HERE / "base.yaml", tmp_path / "processes" / "base.yaml")
    monkeypatch.chdir(tmp_path)
    status, out, err = procmap(capsys, "diff", "--since", "main")
    assert (status, out) == (2, "")
    assert err == f"procmap: {tmp_path.resolve()} is not inside a git repository\n"


def test_path_nowhere_is_trouble(repo: Path, capsys):
    status, _, err = procmap(capsys, "diff", "--since", "main", "../nowhere")
    assert (status, err) == (2, "procmap: ../nowhere: no such file or folder, here or at main\n")


def test_path_outside_the_repository_is_trouble(repo: Path, capsys, tmp_path: Path):
    status, _, err = procmap(capsys, "diff", "--since", "main", str(tmp_path))
    assert (status, err) == (2, f"procmap: {tmp_path}: outside the repository {repo.resolve()}\n")


def test_invalid_new_version_is_trouble(repo: Path, capsys):
    (repo / "processes" / "added.yaml").write_text("procmap: 1\nid: added\n")
    status, out, err = procmap(capsys, "diff", "--since", "main", "--no-color")
    assert (status, out) == (2, "")
    assert err.startswith("../processes/added.yaml:")
    assert err.endswith(
        "procmap: cannot compare: ../processes/added.yaml has errors; fix them first\n"
    )


def test_invalid_old_version_is_reported_at_the_revision(repo: Path, capsys):
    # Issue 15: one file invalid at REV used to block the whole comparison (exit 2).
    # Now the rest is compared and that file is reported, exit 1: its meaning changed
    # from "not a process" to whatever it is now (here: removed), never "no change".
    (repo / "processes" / "broken.yaml").write_text("procmap: 1\nid: broken\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "broken")
    (repo / "processes" / "broken.yaml").unlink()
    status, out, err = procmap(capsys, "diff", "--since", "HEAD", "--no-color")
    assert (status, err) == (1, "")
    assert out.startswith(
        "../processes/broken.yaml (../processes/broken.yaml)\n"
        "  ! could not be read at HEAD: line 1: S003 process is missing the required field"
    )


@pytest.fixture
def broken_at_main(repo: Path) -> Path:
    """main holds one invalid process file among valid ones; the work tree fixes it."""
    git(repo, "checkout", "-q", "-b", "work")
    git(repo, "stash", "-q", "--include-untracked")
    git(repo, "checkout", "-q", "main")
    put(repo, "processes/same.yaml", HERE / "base.yaml", "id: lead-handoff", "id: same")
    (repo / "processes" / "fixed.yaml").write_text("procmap: 1\nid: fixed\nname: [not text]\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "an invalid file on main")
    git(repo, "stash", "pop", "-q")
    put(repo, "processes/fixed.yaml", HERE / "base.yaml", "id: lead-handoff", "id: fixed")
    return repo


def test_one_file_invalid_at_the_revision_does_not_block_the_rest(broken_at_main, capsys):
    status, out, err = procmap(capsys, "diff", "--since", "main", "--no-color")
    assert (status, err) == (1, "")
    assert (
        "Lead handoff (../processes/fixed.yaml)\n"
        "  ! could not be read at main: line 3: S002 name: expected text, got a list\n"
    ) in out
    # the other files are compared as before
    assert "  ~ owner of Hold the consultation call: Sales rep -> Founder\n" in out
    assert "  - process removed: SEO keyword research\n" in out
    assert out.endswith("15 changes in 5 of 6 processes.\n")


def test_a_file_invalid_at_the_revision_in_markdown_and_json(broken_at_main, capsys):
    status, out, _ = procmap(capsys, "diff", "--since", "main", "-f", "markdown")
    assert status == 1
    assert (
        "- **Lead handoff** (`../processes/fixed.yaml`): 1 file not readable at the revision" in out
    )
    status, out, _ = procmap(capsys, "diff", "--since", "main", "-f", "json")
    rows = [row for row in json.loads(out) if row["kind"] == "process.unreadable"]
    assert rows == [
        {
            "kind": "process.unreadable",
            "new": None,
            "old": "line 3: S002 name: expected text, got a list",
            "path": "../processes/fixed.yaml",
            "process": "fixed",
            "step": None,
            "what": "could not be read at main",
        }
    ]


def test_only_a_file_invalid_at_the_revision_still_exits_1(broken_at_main, capsys):
    status, out, err = procmap(capsys, "diff", "--since", "main", "../processes/fixed.yaml")
    assert (status, err) == (1, "")
    assert out.endswith("1 change in 1 process.\n")


def test_previous_process(repo: Path):
    old = previous_process(f"../{WEBINAR}", "main")
    assert old is not None and old.step("consult").owner == "sales"
    assert previous_process("../processes/added.yaml", "main") is None
    moved = previous_process("../processes/sub/handoff.yaml", "main")
    assert moved is None  # the file did not exist at that path


def test_previous_process_errors(repo: Path, tmp_path: Path):
    with pytest.raises(DiffError, match="unknown revision 'nope'"):
        previous_process(f"../{WEBINAR}", "nope")
    (repo / "processes" / "broken.yaml").write_text("procmap: 1\nid: broken\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "broken")
    with pytest.raises(DiffError, match=r"^HEAD:processes/broken.yaml:1:1: .*not a valid process"):
        previous_process("../processes/broken.yaml", "HEAD")
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("x: 1\n")
    with pytest.raises(DiffError, match="not inside a git repository"):
        previous_process(str(outside), "main")


def test_configured_paths_and_excludes_apply_to_both_sides(repo: Path, capsys):
    (repo / "procmap.toml").write_text('paths = ["processes"]\nexclude = ["processes/seo.yaml"]\n')
    status, out, _ = procmap(capsys, "diff", "--since", "main", "-f", "json")
    assert status == 1
    paths = {row["path"] for row in json.loads(out)}
    assert paths == {
        "../processes/added.yaml",
        "../processes/sub/handoff.yaml",
        "../processes/équipe webinar.yaml",
    }

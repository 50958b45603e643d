"""The index of an output folder is the whole catalog or left alone (issue 21, item 4).

Rendering one file (`procmap render processes/onboarding.yaml -f svg`, the README's own
recipe with `--diff`) rewrote index.md as "1 process" while index.html kept 3. A run that
leaves out processes whose outputs are in the folder now leaves index.md and index.html
alone and says so; a stale index is said to be one, and rebuilt by the next full run.
"""

from __future__ import annotations

import re
from pathlib import Path

FIXTURES = Path(__file__).parent / "render_fixtures"
IDS = ("onboarding", "newsletter", "invoice-chase")


def _catalog(root: Path) -> Path:
    folder = root / "processes"
    folder.mkdir()
    text = (FIXTURES / "bare.yaml").read_text()
    for pid in IDS:
        named = text.replace("id: bare", f"id: {pid}").replace("Bare process", pid.title())
        (folder / f"{pid}.yaml").write_text(named)
    return folder


def _listed(page: str) -> list[str]:
    """The processes a catalog page links to, in order."""
    return sorted(set(re.findall(r"(onboarding|newsletter|invoice-chase)\.(?:html|svg)", page)))


def test_rendering_one_file_leaves_the_whole_catalog_alone_and_says_so(tmp_path, run_procmap):
    folder = _catalog(tmp_path)
    out = tmp_path / "out"
    full = run_procmap("render", "-o", str(out), "-f", "svg,runbook,html", cwd=tmp_path)
    assert full.returncode == 0, full.stderr
    index, home = (out / "index.md").read_bytes(), (out / "index.html").read_bytes()
    assert _listed(index.decode()) == _listed(home.decode()) == sorted(IDS)

    one = run_procmap(
        "render", "processes/onboarding.yaml", "-o", str(out), "-f", "svg", cwd=tmp_path
    )
    assert one.returncode == 0, one.stderr
    assert (out / "index.md").read_bytes() == index
    assert (out / "index.html").read_bytes() == home
    assert (
        f"procmap: {out / 'index.md'} and index.html not rewritten: this run renders 1 of the"
        " 3 processes there; they list all 3, up to date\n"
    ) in one.stderr

    # An edit rendered alone: the index is out of date now, and the line says so.
    edited = (folder / "onboarding.yaml").read_text().replace("Onboarding", "Client onboarding")
    (folder / "onboarding.yaml").write_text(edited)
    two = run_procmap(
        "render", "processes/onboarding.yaml", "-o", str(out), "-f", "svg", cwd=tmp_path
    )
    assert two.returncode == 0, two.stderr
    assert (out / "index.md").read_bytes() == index  # never half-updated
    assert "(not invoice-chase, newsletter); out of date until a render of them all" in two.stderr

    # The full run rebuilds both, and they agree.
    again = run_procmap("render", "-o", str(out), "-f", "svg,runbook,html", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "not rewritten" not in again.stderr
    new_index, new_home = (out / "index.md").read_text(), (out / "index.html").read_text()
    assert "Client onboarding" in new_index and "Client onboarding" in new_home
    assert _listed(new_index) == _listed(new_home) == sorted(IDS)


def test_an_index_without_the_site_says_the_site_is_behind(tmp_path, run_procmap):
    folder = _catalog(tmp_path)
    out = tmp_path / "out"
    assert run_procmap("render", "-o", str(out), "-f", "runbook,html", cwd=tmp_path).returncode == 0
    home = (out / "index.html").read_bytes()
    same = run_procmap("render", "-o", str(out), "-f", "runbook", cwd=tmp_path)
    assert "index.html" not in same.stderr  # the same processes: they agree
    (folder / "newsletter.yaml").unlink()
    fewer = run_procmap("render", "-o", str(out), "-f", "runbook", cwd=tmp_path)
    assert fewer.returncode == 0, fewer.stderr
    assert "newsletter" not in (out / "index.md").read_text()
    assert (out / "index.html").read_bytes() == home
    assert (
        f"procmap: {out / 'index.html'}: lists the processes of the last html render, not"
        " those of index.md now; `procmap render -f html` brings the site up to date\n"
    ) in fewer.stderr


def test_the_readme_recipe_with_diff_keeps_the_catalog(tmp_path, run_procmap):
    """The issue's own command: one file against a git revision, maps only."""
    import subprocess

    _catalog(tmp_path)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(tmp_path)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "processes"], check=True)
    out = tmp_path / "out"
    assert run_procmap("render", "-o", str(out), "-f", "svg,html", cwd=tmp_path).returncode == 0
    index, home = (out / "index.md").read_bytes(), (out / "index.html").read_bytes()
    done = run_procmap(
        "render",
        "processes/onboarding.yaml",
        "--diff",
        "main",
        "-f",
        "svg",
        "-o",
        str(out),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert (out / "onboarding.diff.svg").exists()
    assert (out / "index.md").read_bytes() == index and (out / "index.html").read_bytes() == home
    assert "not rewritten: this run renders 1 of the 3 processes there" in done.stderr


def test_a_first_render_of_one_file_writes_no_index_of_one(tmp_path, run_procmap):
    """Into an empty folder too: the configured set has three processes, so an index of
    the one named would be a false catalog; a full run writes it."""
    _catalog(tmp_path)
    out = tmp_path / "out"
    done = run_procmap(
        "render", "processes/onboarding.yaml", "-o", str(out), "-f", "runbook", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert (out / "onboarding.runbook.md").exists()
    assert not (out / "index.md").exists()
    assert "not rewritten: this run renders 1 of the 3 processes there" in done.stderr
    full = run_procmap("render", "-o", str(out), "-f", "runbook", cwd=tmp_path)
    assert full.returncode == 0, full.stderr
    assert _listed((out / "index.md").read_text()) == []  # runbook links, not html/svg
    assert "3 processes" in (out / "index.md").read_text()

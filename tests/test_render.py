"""The render run: outputs, golden documents, safe writes, refusals, skipping, exit statuses."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from procmap.lint.linter import validate_paths
from procmap.render import run as render_mod
from procmap.render.run import LOCK, MANIFEST, Options, RenderError, parse_formats, render

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "render_fixtures"
DOCS = ("runbook", "dmaic")


def _processes(*paths: Path | str):
    report = validate_paths([str(p) for p in paths], keep=True)
    return report.processes


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- golden documents ------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("golden")
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        outcome = render(_processes("processes"), Options(out_dir=out, formats=DOCS))
    finally:
        os.chdir(cwd)
    assert not outcome.problems
    return out


def test_golden_documents_of_the_bundled_examples(bundled, golden):
    produced = sorted(p.name for p in bundled.glob("*.md"))
    assert "index.md" in produced and len(produced) >= 5
    golden.prune("render", keep=produced)
    for name in produced:
        golden(f"render/{name}", (bundled / name).read_bytes())
    assert sorted(p.name for p in golden.path("render").glob("*.md")) == produced


def test_golden_documents_are_deterministic(bundled, tmp_path):
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        render(_processes("processes"), Options(out_dir=tmp_path, formats=DOCS, jobs=1))
    finally:
        os.chdir(cwd)
    for path in bundled.glob("*.md"):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


# --- outputs and formats ---------------------------------------------------------------


def test_parse_formats_repeatable_comma_separated_and_checked():
    assert parse_formats(None) == ("svg", "runbook", "dmaic")
    assert parse_formats(["dmaic,dot", "mermaid", "DOT"]) == ("dot", "mermaid", "dmaic")
    with pytest.raises(RenderError, match=r"unknown format 'svgg'.*did you mean 'svg'"):
        parse_formats(["svgg"])


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_every_format_is_written_and_subprocess_boxes_link_to_runbooks(tmp_path):
    processes = _processes(
        REPO / "processes" / "lead-handoff.yaml", REPO / "processes" / "lead-scoring.yaml"
    )
    formats = parse_formats(["svg,png,pdf,dot,mermaid,runbook,dmaic"])
    outcome = render(processes, Options(out_dir=tmp_path, formats=formats))
    assert not outcome.problems
    for pid in ("lead-handoff", "lead-scoring"):
        for suffix in (".svg", ".png", ".pdf", ".dot", ".mmd", ".runbook.md", ".dmaic.md"):
            assert (tmp_path / f"{pid}{suffix}").stat().st_size > 0
    assert (tmp_path / "lead-handoff.svg").read_bytes().lstrip().startswith((b"<?xml", b"<svg"))
    assert (tmp_path / "lead-handoff.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "lead-handoff.pdf").read_bytes().startswith(b"%PDF")
    assert b"lead-scoring.runbook.md" in (tmp_path / "lead-handoff.svg").read_bytes()
    assert "(lead-scoring.runbook.md)" in (tmp_path / "lead-handoff.runbook.md").read_text()
    # The map once (issue 21): with the mermaid format asked for, the Mermaid block GitHub
    # draws, and a link to the SVG in place of the image beside it.
    runbook = (tmp_path / "lead-handoff.runbook.md").read_text()
    assert "![Flow map of" not in runbook and "](lead-handoff.svg)" in runbook
    assert "```mermaid\n" in runbook
    assert not [n for n in _listing(tmp_path) if n.endswith(".tmp")]


def test_no_index_and_no_svg_link_when_not_rendered(tmp_path):
    processes = _processes(FIXTURES / "bare.yaml")
    render(processes, Options(out_dir=tmp_path, formats=("runbook",), index=False))
    assert _listing(tmp_path) == [MANIFEST, LOCK, "bare.runbook.md"]
    assert ".svg" not in (tmp_path / "bare.runbook.md").read_text()


def test_output_folder_that_is_a_file_is_a_usage_error(tmp_path):
    target = tmp_path / "out"
    target.write_text("x")
    with pytest.raises(RenderError, match="is a file"):
        render({}, Options(out_dir=target))


# --- writing safely --------------------------------------------------------------------


def test_a_failed_write_leaves_the_old_output_intact_and_no_temporary_file(tmp_path, monkeypatch):
    processes = _processes(FIXTURES / "bare.yaml")
    options = Options(out_dir=tmp_path, formats=("runbook", "dmaic"))
    render(processes, options)
    old = (tmp_path / "bare.runbook.md").read_bytes()
    before = _listing(tmp_path)
    real_replace = os.replace

    def failing_replace(src, dst):
        if str(dst).endswith("bare.runbook.md"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(render_mod.os, "replace", failing_replace)
    changed = Options(out_dir=tmp_path, formats=("runbook", "dmaic"), direction="TB")
    outcome = render(processes, changed)
    assert outcome.problems == [
        f"{tmp_path / 'bare.runbook.md'}: cannot write: No space left on device"
    ]
    assert (tmp_path / "bare.runbook.md").read_bytes() == old
    assert _listing(tmp_path) == before
    monkeypatch.undo()
    # the manifest still describes the old file, so the next run retries and succeeds
    again = render(processes, changed)
    assert again.problems == [] and "bare.runbook.md" in again.written


def test_a_failed_drawing_writes_nothing_and_is_reported(tmp_path, monkeypatch):
    from procmap.render import flowmap

    def broken(source, fmt="svg", *, timeout=30.0):
        raise flowmap.DrawError("Graphviz 'dot' took longer than 30 s and was stopped")

    monkeypatch.setattr(flowmap, "draw", broken)
    (tmp_path / "bare.svg").write_bytes(b"")  # an old file we did not write
    outcome = render(
        _processes(FIXTURES / "bare.yaml"), Options(out_dir=tmp_path, formats=("svg",), force=True)
    )
    assert outcome.problems == [
        f"{tmp_path / 'bare.svg'}: Graphviz 'dot' took longer than 30 s and was stopped"
    ]
    assert (tmp_path / "bare.svg").read_bytes() == b""
    assert not [n for n in _listing(tmp_path) if n.endswith(".tmp")]


def test_a_file_procmap_did_not_write_is_refused_unless_forced(tmp_path):
    processes = _processes(FIXTURES / "bare.yaml")
    (tmp_path / "bare.runbook.md").write_text("my own notes\n")
    outcome = render(processes, Options(out_dir=tmp_path, formats=("runbook",)))
    assert outcome.problems == [
        f"{tmp_path / 'bare.runbook.md'}: exists and was not written by procmap (or was edited"
        " since); not overwritten, use --force to replace it"
    ]
    assert (tmp_path / "bare.runbook.md").read_text() == "my own notes\n"
    assert "index.md" in outcome.written
    forced = render(processes, Options(out_dir=tmp_path, formats=("runbook",), force=True))
    assert forced.problems == [] and forced.written == ["bare.runbook.md"]
    assert (tmp_path / "bare.runbook.md").read_text().startswith("# Runbook: Bare process")
    # a hand edit after procmap wrote it is protected the same way
    (tmp_path / "bare.runbook.md").write_text("edited\n")
    assert render(processes, Options(out_dir=tmp_path, formats=("runbook",))).problems


def test_unchanged_outputs_are_skipped_and_changes_rewrite_only_what_they_touch(tmp_path):
    source = tmp_path / "bare.yaml"
    shutil.copy(FIXTURES / "bare.yaml", source)
    out = tmp_path / "out"
    options = Options(out_dir=out, formats=("runbook", "dmaic", "mermaid"))
    first = render(_processes(source), options)
    assert first.written == ["bare.dmaic.md", "bare.mmd", "bare.runbook.md", "index.md"]
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    second = render(_processes(source), options)
    assert second.written == [] and len(second.unchanged) == 4
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stamps
    # another template folder: the documents change, the Mermaid file does not
    user = tmp_path / "templates"
    user.mkdir()
    (user / "runbook.md.j2").write_text(
        '{% extends "runbook.base.md.j2" %}{% block footer %}{% endblock %}'
    )
    third = render(
        _processes(source), Options(out_dir=out, formats=options.formats, templates=user)
    )
    assert third.written == ["bare.dmaic.md", "bare.runbook.md", "index.md"]
    # a changed input re-renders that process
    source.write_text(source.read_text().replace("Do the work", "Do the real work"))
    fourth = render(
        _processes(source), Options(out_dir=out, formats=options.formats, templates=user)
    )
    assert fourth.written == ["bare.dmaic.md", "bare.mmd", "bare.runbook.md", "index.md"]
    # a deleted output is written again
    (out / "bare.mmd").unlink()
    fifth = render(
        _processes(source), Options(out_dir=out, formats=options.formats, templates=user)
    )
    assert fifth.written == ["bare.mmd"]


def test_outputs_of_a_process_that_is_gone_are_removed_and_only_those(tmp_path):
    """A deleted file, or a new id in a file, leaves no orphan map or runbook behind; an
    invalid or unnamed file keeps its outputs, and an orphan the user edited is kept."""
    folder = tmp_path / "processes"
    folder.mkdir()
    for name in ("one", "two", "three", "four"):
        text = (FIXTURES / "bare.yaml").read_text().replace("id: bare", f"id: {name}")
        (folder / f"{name}.yaml").write_text(text)
    out = tmp_path / "out"
    options = Options(out_dir=out, formats=("runbook", "mermaid"))
    first = render(_processes(folder), options)
    assert len(first.written) == 9 and first.removed == []

    (folder / "one.yaml").unlink()  # deleted
    renamed = (folder / "two.yaml").read_text().replace("id: two", "id: deux")
    (folder / "two.yaml").write_text(renamed)  # the same file, a new id
    (out / "three.mmd").write_text("edited by hand\n")  # the user's now
    (folder / "three.yaml").unlink()
    (folder / "four.yaml").write_text("procmap: 1\nid: four\n")  # invalid today
    second = render(_processes(folder), options)
    assert second.removed == [
        "one.mmd",
        "one.runbook.md",
        "three.runbook.md",
        "two.mmd",
        "two.runbook.md",
    ]
    # four.yaml is invalid today, so this run is not the whole catalog: the index is left
    # alone, with a line saying it is out of date (issue 21: an index is never written
    # from part of the processes).
    assert second.written == ["deux.mmd", "deux.runbook.md"]
    assert any("index.md not rewritten" in w and "(not four)" in w for w in second.warnings)
    assert _listing(out) == sorted(
        [
            MANIFEST,
            LOCK,
            "deux.mmd",
            "deux.runbook.md",
            "four.mmd",
            "four.runbook.md",
            "index.md",
            "three.mmd",
        ]
    )
    assert (out / "three.mmd").read_text() == "edited by hand\n"
    # forgotten, not protected forever: rendering nothing new keeps it, as any foreign file
    third = render(_processes(folder), options)
    assert third.removed == [] and third.written == []


def test_a_template_error_is_one_line_and_other_outputs_still_render(tmp_path):
    user = tmp_path / "templates"
    user.mkdir()
    (user / "dmaic.md.j2").write_text("{{ process.nmae }}\n")
    out = tmp_path / "out"
    outcome = render(
        _processes(FIXTURES / "bare.yaml"), Options(out_dir=out, formats=DOCS, templates=user)
    )
    (problem,) = outcome.problems
    assert problem.startswith(f"{out / 'bare.dmaic.md'}: {user / 'dmaic.md.j2'}:1: template error:")
    assert not (out / "bare.dmaic.md").exists()
    assert (out / "bare.runbook.md").exists()


# --- --diff ----------------------------------------------------------------------------


def _git(cwd: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@x",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@x",
    }
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


@pytest.mark.skipif(
    shutil.which("dot") is None or shutil.which("git") is None, reason="needs dot and git"
)
def test_diff_draws_against_a_git_revision(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    old = repo / "bare.yaml"
    shutil.copy(FIXTURES / "bare.yaml", old)
    _git(repo, "add", "bare.yaml")
    _git(repo, "commit", "-q", "-m", "first")
    old.write_text(old.read_text().replace("Do the work", "Do the new work"))
    shutil.copy(FIXTURES / "hostile.yaml", repo / "hostile.yaml")  # not in HEAD: all added
    out = tmp_path / "out"
    outcome = render(
        _processes(old, repo / "hostile.yaml"), Options(out_dir=out, formats=("dot",), diff="HEAD")
    )
    assert outcome.problems == []
    assert (out / "bare.diff.svg").read_bytes().lstrip().startswith((b"<?xml", b"<svg"))
    assert (out / "hostile.diff.svg").exists()
    with pytest.raises(RenderError, match="--diff nope"):
        render(_processes(old), Options(out_dir=out, formats=("dot",), diff="nope"))


# --- the command -----------------------------------------------------------------------


def test_cli_reports_invalid_files_like_validate_and_renders_the_valid_ones(tmp_path, run_procmap):
    folder = tmp_path / "processes"
    folder.mkdir()
    shutil.copy(FIXTURES / "bare.yaml", folder / "bare.yaml")
    (folder / "broken.yaml").write_text(
        "procmap: 1\nid: broken\nname: Broken\nsteps: []\nstray: 1\n"
    )
    out = tmp_path / "out"
    validate = run_procmap("validate", str(folder), cwd=tmp_path)
    done = run_procmap("render", str(folder), "-o", str(out), "-f", "runbook", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.startswith(validate.stdout)
    assert "broken.yaml:5:1:" in done.stdout
    assert done.stdout.endswith(
        f"Rendered 1 process into {out}: 2 written, 0 unchanged. Not rendered: 1 file has errors.\n"
    )
    assert _listing(out) == [MANIFEST, LOCK, "bare.runbook.md", "index.md"]
    quiet = run_procmap(
        "render", str(folder / "bare.yaml"), "-o", str(out), "-f", "runbook", "-q", cwd=tmp_path
    )
    assert quiet.returncode == 0
    # One file of the two configured: the index is left alone, and that is said even
    # with -q (issue 21: never a catalog of the files named, silently).
    assert quiet.stderr.count("\n") == 1 and "index.md not rewritten" in quiet.stderr
    assert "Checked" not in quiet.stdout and "Rendered" not in quiet.stdout  # problems only


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-f", "jpeg"],
            "procmap: unknown format 'jpeg': choose from svg, png, pdf, dot, mermaid, bpmn, runbook,"
            " dmaic, html\n",
        ),
        (["-o", "afile"], "procmap: afile: is a file, not a folder\n"),
        (["missing/"], "procmap: missing/: no such file or folder\n"),
        (["--direction", "up"], "procmap: unknown direction 'UP': choose LR or TB\n"),
    ],
)
def test_cli_usage_errors_exit_2_with_one_line(tmp_path, run_procmap, args, message):
    (tmp_path / "afile").write_text("x")
    shutil.copytree(FIXTURES, tmp_path / "processes")
    done = run_procmap("render", *args, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == message
    assert done.stdout == ""
    assert not (tmp_path / "out").exists()


def test_cli_template_error_exits_1_without_traceback(tmp_path, run_procmap):
    shutil.copytree(FIXTURES, tmp_path / "processes")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "runbook.md.j2").write_text("{% for %}\n")
    done = run_procmap("render", "-f", "runbook", "--templates", "mine", cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "mine/runbook.md.j2:1: template error:" in done.stderr


def test_no_progress_bar_outside_a_terminal(tmp_path):
    with open(tmp_path / "log", "w") as stream:
        assert render_mod.terminal_progress(stream) is None


class _Counter:
    def __init__(self, total: int) -> None:
        self.total, self.advanced, self.closed = total, 0, 0

    def advance(self) -> None:
        self.advanced += 1

    def close(self) -> None:
        self.closed += 1


def test_progress_is_told_about_every_output_and_closed(tmp_path):
    bars: list[_Counter] = []

    def start(total: int) -> _Counter:
        bars.append(_Counter(total))
        return bars[-1]

    processes = _processes(FIXTURES / "bare.yaml", FIXTURES / "hostile.yaml")
    render(processes, Options(out_dir=tmp_path, formats=DOCS), progress=start)
    (bar,) = bars
    assert (bar.total, bar.advanced, bar.closed) == (5, 5, 1)
    render(processes, Options(out_dir=tmp_path, formats=DOCS), progress=start)
    assert len(bars) == 1  # nothing to do: no bar at all


def test_progress_bar_only_on_a_terminal_and_for_long_runs(tmp_path):
    class Terminal:
        def isatty(self) -> bool:
            return True

        def write(self, text: str) -> int:
            return len(text)

        def flush(self) -> None:
            pass

    start = render_mod.terminal_progress(Terminal())
    if os.environ.get("CI"):
        assert start is None
        return
    assert start is not None
    assert start(render_mod.PROGRESS_THRESHOLD - 1) is None
    bar = start(render_mod.PROGRESS_THRESHOLD)
    assert bar is not None
    bar.advance()
    bar.close()


def test_a_drawing_is_redrawn_when_the_runbooks_it_links_to_appear(tmp_path, monkeypatch):
    from procmap.render import flowmap

    seen: list[str] = []
    monkeypatch.setattr(
        flowmap, "draw", lambda source, fmt="svg", **_: seen.append(source) or b"<svg/>"
    )
    processes = _processes(
        REPO / "processes" / "lead-handoff.yaml", REPO / "processes" / "lead-scoring.yaml"
    )
    render(processes, Options(out_dir=tmp_path, formats=("svg",), index=False))
    assert not any("lead-scoring.runbook.md" in s for s in seen)
    seen.clear()
    again = render(processes, Options(out_dir=tmp_path, formats=("svg", "runbook"), index=False))
    assert "lead-handoff.svg" in again.written and "lead-scoring.svg" in again.unchanged
    assert any("lead-scoring.runbook.md" in s for s in seen)
    runbook = (tmp_path / "lead-handoff.runbook.md").read_text()
    assert "[Lead scoring](lead-scoring.runbook.md)" in runbook


def test_cli_a_template_reaching_python_internals_fails_like_a_template_error(
    tmp_path, run_procmap
):
    shutil.copytree(FIXTURES, tmp_path / "processes")
    (tmp_path / "templates").mkdir()  # picked up beside the configuration, as in CI
    (tmp_path / "templates" / "runbook.md.j2").write_text(
        "# {{ process.name }}\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n"
    )
    done = run_procmap("render", "-f", "runbook", cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "<class" not in done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if "template error" in line]
    assert len(errors) == 2  # bare and hostile, one line each
    assert all("templates/runbook.md.j2:2: template error: " in line for line in errors)
    assert not list((tmp_path / "out").glob("*.runbook.md"))


def test_cli_render_of_only_invalid_files_renders_nothing_and_keeps_the_index(
    tmp_path, run_procmap
):
    folder = tmp_path / "processes"
    folder.mkdir()
    shutil.copy(FIXTURES / "bare.yaml", folder / "bare.yaml")
    out = tmp_path / "out"
    first = run_procmap("render", str(folder), "-o", str(out), "-f", "runbook", cwd=tmp_path)
    assert first.returncode == 0
    index = (out / "index.md").read_bytes()
    (folder / "bare.yaml").write_text("procmap: 1\nid: bare\nname: Bare\nsteps: []\nstray: 1\n")
    (folder / "other.yaml").write_text("procmap: 1\nid: other\n")
    done = run_procmap("render", str(folder), "-o", str(out), "-f", "runbook", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.endswith("\nNothing rendered: 2 files have errors.\n")
    assert "Rendered" not in done.stdout
    # the catalog of the last good run stays, with the outputs of the files now invalid
    assert (out / "index.md").read_bytes() == index
    assert _listing(out) == [MANIFEST, LOCK, "bare.runbook.md", "index.md"]
    # The configured folder with no process (all removed): the index is emptied, exit 0.
    # A folder named on the command line with no process file is an error since issue 15
    # (Y014: "0 files checked" for a named path was a false pass).
    empty = tmp_path / "empty"
    (empty / "processes").mkdir(parents=True)
    none = run_procmap("render", "-o", str(tmp_path / "o2"), cwd=empty)
    assert none.returncode == 0
    assert none.stdout.endswith(
        f"No process to render into {tmp_path / 'o2'}: 1 written, 0 unchanged.\n"
    )
    named = run_procmap("render", "processes", "-o", str(tmp_path / "o3"), cwd=empty)
    assert named.returncode == 1
    assert "processes:1:1: Y014 no process files (*.yaml, *.yml) here" in named.stdout


def test_cli_render_summary_counts_the_files_not_rendered(tmp_path, run_procmap):
    folder = tmp_path / "processes"
    folder.mkdir()
    shutil.copy(FIXTURES / "bare.yaml", folder / "bare.yaml")
    (folder / "broken.yaml").write_text("procmap: 1\nid: broken\n")
    out = tmp_path / "out"
    done = run_procmap("render", str(folder), "-o", str(out), "-f", "runbook", cwd=tmp_path)
    assert done.stdout.endswith(
        f"Rendered 1 process into {out}: 2 written, 0 unchanged. Not rendered: 1 file has errors.\n"
    )

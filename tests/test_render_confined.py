"""The render run under attack and contention: a crafted manifest, symlinks at output
paths, two runs into one folder, and `-j` far above the CPUs (issue 15, items 1, 4, 9)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import clean_env, procmap
from procmap.lint.linter import validate_paths
from procmap.render import run as render_mod
from procmap.render.run import LOCK, MANIFEST, Options, read_manifest, render

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "render_fixtures"


def _project(tmp_path: Path) -> Path:
    """A project with processes/bare.yaml, rendered once into out/ (cwd: the project)."""
    (tmp_path / "processes").mkdir()
    shutil.copy(FIXTURES / "bare.yaml", tmp_path / "processes" / "bare.yaml")
    outcome = render(
        validate_paths([str(tmp_path / "processes")], keep=True).processes,
        Options(out_dir=tmp_path / "out", formats=("runbook",)),
    )
    assert outcome.written and not outcome.problems
    return tmp_path


def _add_entry(out: Path, name: str, record: dict[str, str]) -> None:
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["outputs"][name] = record
    (out / MANIFEST).write_text(json.dumps(manifest))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- item 1: the crafted manifest --------------------------------------------------------


@pytest.mark.parametrize("kind", ["up", "absolute", "up-inside", "symlinked-folder"])
def test_a_crafted_manifest_deletes_nothing_outside_the_output_folder(tmp_path, run_procmap, kind):
    """An entry of a process that is gone, with the victim's true sha256: today's stale
    clean-up would delete it. It is ignored with a warning, and the run still passes."""
    project = _project(tmp_path)
    out = project / "out"
    victim = project / "victim"
    victim.write_text("precious\n")
    name = {"up": "../victim", "absolute": str(victim), "up-inside": "sub/../../victim"}.get(
        kind, "link/victim"
    )
    if kind == "up-inside":
        (out / "sub").mkdir()  # so the path resolves to the victim
    if kind == "symlinked-folder":
        (out / "link").symlink_to(project)
    record = {"source": "../processes/gone.yaml", "process": "gone", "output": _sha(victim)}
    _add_entry(out, name, record)
    done = run_procmap("render", "processes", "-o", "out", "-f", "runbook", cwd=project)
    assert done.returncode == 0, done.stderr
    assert victim.read_text() == "precious\n"
    assert f"procmap: {Path('out') / MANIFEST}: entry {name!r} ignored: its output" in done.stderr
    assert "removed" not in done.stdout
    # the ignored entry is purged, so the warning is given once
    assert name not in json.loads((out / MANIFEST).read_text())["outputs"]
    again = run_procmap("render", "processes", "-o", "out", "-f", "runbook", cwd=project)
    assert again.returncode == 0 and again.stderr == ""


def test_entries_of_the_manifest_are_checked_before_any_use(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "folder").mkdir()
    (out / "link.svg").symlink_to(tmp_path / "elsewhere.svg")
    good = {"source": "../../processes/a.yaml", "process": "a", "output": "0"}
    outputs = {
        "a.svg": good,
        "folder/a.svg": good,  # nested, plain: allowed
        "": good,
        "./a.svg": good,
        "a\0.svg": good,
        "link.svg": good,
        MANIFEST: good,
        LOCK: good,
        "b.svg": {**good, "source": "../processes/../../etc/passwd"},
        "c.svg": {**good, "source": "/etc/passwd"},
        "d.svg": {**good, "source": "../processes/./a.yaml"},
    }
    (out / MANIFEST).write_text(json.dumps({"outputs": outputs}))
    warnings: list[str] = []
    assert sorted(read_manifest(out, warnings)) == ["a.svg", "folder/a.svg"]
    assert len(warnings) == len(outputs) - 2
    assert all(w.startswith(f"{out / MANIFEST}: entry ") for w in warnings)
    assert f"{out / MANIFEST}: entry 'link.svg' ignored: its output passes through a symlink" in (
        warnings
    )
    assert (
        f"{out / MANIFEST}: entry 'c.svg' ignored: its source '/etc/passwd' is an absolute path"
        in (warnings)
    )


def test_a_symlinked_manifest_is_ignored_and_replaced_not_written_through(tmp_path):
    project = _project(tmp_path)
    out = project / "out"
    elsewhere = project / "elsewhere.json"
    (out / MANIFEST).rename(elsewhere)
    before = elsewhere.read_bytes()
    (out / MANIFEST).symlink_to(elsewhere)
    outcome = render(
        validate_paths([str(project / "processes")], keep=True).processes,
        Options(out_dir=out, formats=("runbook",)),
    )
    assert outcome.warnings == [f"{out / MANIFEST}: is a symbolic link; ignored"]
    assert not outcome.problems
    assert not (out / MANIFEST).is_symlink()
    assert elsewhere.read_bytes() == before


# --- item 9a: symlinks at output paths ---------------------------------------------------


@pytest.mark.parametrize("dangling", [True, False])
def test_a_symlink_at_an_output_path_is_refused_unless_forced(tmp_path, dangling):
    processes = validate_paths([str(FIXTURES / "bare.yaml")], keep=True).processes
    out = tmp_path / "out"
    out.mkdir()
    target = tmp_path / "target.md"
    if not dangling:
        target.write_text("the user's own file\n")
    (out / "bare.runbook.md").symlink_to(target)
    outcome = render(processes, Options(out_dir=out, formats=("runbook",)))
    missing = " to a missing file" if dangling else ""
    assert outcome.problems == [
        f"{out / 'bare.runbook.md'}: is a symbolic link{missing}, not an output procmap wrote;"
        " not overwritten, use --force to replace the link"
    ]
    assert (out / "bare.runbook.md").is_symlink()
    assert target.exists() is not dangling
    forced = render(processes, Options(out_dir=out, formats=("runbook",), force=True))
    assert forced.problems == [] and "bare.runbook.md" in forced.written
    assert not (out / "bare.runbook.md").is_symlink()
    # the link is replaced, never written through
    assert target.exists() is not dangling
    if not dangling:
        assert target.read_text() == "the user's own file\n"
    # even a link to exactly what procmap writes, vouched for by the manifest
    (out / "bare.runbook.md").rename(target)
    (out / "bare.runbook.md").symlink_to(target)
    again = render(processes, Options(out_dir=out, formats=("runbook",), force=True))
    assert again.written == ["bare.runbook.md"]
    assert not (out / "bare.runbook.md").is_symlink()


# --- item 9b: one run at a time in an output folder --------------------------------------


def _popen(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "procmap", *args],
        cwd=cwd,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_concurrent_renders_into_one_folder_keep_every_manifest_entry(tmp_path):
    shutil.copytree(REPO / "processes", tmp_path / "processes")
    first = _popen("render", "processes", "-o", "out", "-f", "svg,png", cwd=tmp_path)
    second = _popen("render", "processes", "-o", "out", "-f", "runbook,dmaic", cwd=tmp_path)
    results = [first.communicate(timeout=120), second.communicate(timeout=120)]
    assert (first.returncode, second.returncode) == (0, 0), results
    recorded = set(json.loads((tmp_path / "out" / MANIFEST).read_text())["outputs"])
    ids = [p.stem for p in (tmp_path / "processes").glob("*.yaml")]
    for suffix in (".svg", ".png", ".runbook.md", ".dmaic.md"):
        assert {i + suffix for i in ids} <= recorded, suffix
    third = subprocess.run(
        [sys.executable, "-m", "procmap", "render", "processes", "-o", "out"],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert third.returncode == 0 and "not written by procmap" not in third.stderr, third.stderr


def _hold(out: Path) -> int:
    out.mkdir(exist_ok=True)
    fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def test_a_render_waits_for_the_lock_and_says_so_once(tmp_path, capsys):
    _project(tmp_path)
    out = tmp_path / "out"
    fd = _hold(out)
    threading.Timer(0.6, os.close, [fd]).start()
    started = time.monotonic()
    status, _, err = procmap(capsys, "render", str(tmp_path / "processes"), "-o", str(out))
    assert status == 0, err
    assert time.monotonic() - started >= 0.5
    assert err.count(f"procmap: waiting for another procmap render in {out} ...\n") == 1


def test_a_render_gives_up_after_the_lock_timeout_with_one_line(tmp_path, capsys, monkeypatch):
    _project(tmp_path)
    out = tmp_path / "out"
    before = (out / MANIFEST).read_bytes()
    monkeypatch.setattr(render_mod, "LOCK_SECONDS", 0.3)
    fd = _hold(out)
    try:
        status, _, err = procmap(capsys, "render", str(tmp_path / "processes"), "-o", str(out))
    finally:
        os.close(fd)
    assert status == 1
    assert err.splitlines()[-1] == (
        f"procmap: {out}: another procmap render has held the folder for 0.3 s;"
        " nothing rendered, run again when it ends"
    )
    assert (out / MANIFEST).read_bytes() == before


def test_a_planted_lock_symlink_is_refused_and_nothing_is_created_through_it(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK).symlink_to(tmp_path / "created-outside")
    processes = validate_paths([str(FIXTURES / "bare.yaml")], keep=True).processes
    with pytest.raises(render_mod.RenderError, match="cannot lock the output folder: it is a"):
        render(processes, Options(out_dir=out, formats=("runbook",)))
    assert not (tmp_path / "created-outside").exists()


# --- item 4: workers capped at the CPUs --------------------------------------------------


def test_workers_never_exceed_the_cpus(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert render_mod._workers(100000) == 3
    assert render_mod._workers(None) == 3
    assert render_mod._workers(2) == 2
    assert render_mod._workers(1) == 1


DOT_SHIM = """#!/bin/sh
# Counts the `dot` processes running at once, then runs the real one.
touch "{running}/$$"
ls "{running}" | wc -l >> "{log}"
sleep 0.3
"{dot}" "$@"
status=$?
rm -f "{running}/$$"
exit $status
"""


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs CPU affinity (Linux)")
def test_a_render_with_jobs_far_above_the_cpus_runs_at_most_one_dot_per_cpu(tmp_path):
    real = shutil.which("dot")
    assert real is not None
    shutil.copytree(REPO / "processes", tmp_path / "processes")
    shims, running, log = tmp_path / "bin", tmp_path / "running", tmp_path / "dots.log"
    shims.mkdir()
    running.mkdir()
    (shims / "dot").write_text(DOT_SHIM.format(running=running, log=log, dot=real))
    (shims / "dot").chmod(0o755)
    cpu = min(os.sched_getaffinity(0))
    env = clean_env(PATH=f"{shims}{os.pathsep}{os.environ['PATH']}")
    args = ["render", "processes", "-o", "out", "-f", "svg,png", "-j", "100000"]
    done = subprocess.run(
        [sys.executable, "-m", "procmap", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        preexec_fn=lambda: os.sched_setaffinity(0, {cpu}),  # one CPU: one `dot` at a time
    )
    assert done.returncode == 0, done.stderr
    counts = [int(line) for line in log.read_text().split()]
    assert len(counts) == 2 * len(list((tmp_path / "processes").glob("*.yaml")))
    assert max(counts) == 1

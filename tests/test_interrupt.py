"""Interrupted renders: a run killed part-way (kill -9) or stopped with Ctrl-C costs only
the time. The next run needs no --force, the manifest always matches the folder, and
Ctrl-C stops promptly with one line and exit status 130."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, clean_env
from generate import bench_processes
from procmap.lint.linter import validate_paths
from procmap.render import run as render_mod
from procmap.render.run import LOCK, MANIFEST, Options, render

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
posix = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.name not in (MANIFEST, LOCK)}


def _assert_consistent(out: Path) -> None:
    """Every output the manifest vouches for is on disk with exactly the recorded bytes,
    and no temporary file is left."""
    records = json.loads((out / MANIFEST).read_text())["outputs"]
    for name, record in records.items():
        data = (out / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == record["output"], name
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


def _start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    # SIGINT back to its default in the child, whatever the test runner inherited, so
    # Python turns it into KeyboardInterrupt as it does in a terminal.
    return subprocess.Popen(
        [sys.executable, "-m", "procmap", *args],
        cwd=cwd,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _wait_for(out: Path, count: int, child: subprocess.Popen[str]) -> int:
    """Wait until `count` drawings are on disk; the number of files there then."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if out.is_dir() and len(list(out.glob("*.svg"))) >= count:
            return len(list(out.iterdir()))
        if child.poll() is not None:
            pytest.fail(f"render ended before it could be interrupted: {child.communicate()}")
        time.sleep(0.02)
    child.kill()
    pytest.fail("render wrote nothing in 120 s")


# --- recognising outputs a killed run did not record -----------------------------------


def test_outputs_a_run_did_not_record_are_adopted_when_their_bytes_are_ours(tmp_path):
    processes = validate_paths([str(REPO / "processes")], keep=True).processes
    out = tmp_path / "out"
    options = Options(out_dir=out, formats=("dot", "mermaid", "runbook", "dmaic"))
    first = render(processes, options)
    assert not first.problems
    written = _outputs(out)
    # a kill before the manifest was ever saved: every output is there, no record of it
    (out / MANIFEST).unlink()
    (out / "lead-scoring.runbook.md").write_text("my own notes\n")  # and one foreign file
    again = render(processes, options)
    target = out / "lead-scoring.runbook.md"
    assert again.problems == [
        f"{target}: exists and was not written by procmap (or was edited since);"
        " not overwritten, use --force to replace it"
    ]
    assert again.written == [] and len(again.unchanged) == len(written) - 1
    assert target.read_text() == "my own notes\n"
    assert _outputs(out) == {**written, "lead-scoring.runbook.md": b"my own notes\n"}
    _assert_consistent(out)
    # adopted for good: the next run skips them without making them again
    third = render(processes, options)
    assert len(third.unchanged) == len(written) - 1 and third.written == []


def test_the_manifest_is_saved_while_outputs_are_written(tmp_path, monkeypatch):
    processes = validate_paths([str(REPO / "processes")], keep=True).processes
    out = tmp_path / "out"
    seen: list[int] = []
    real = render_mod.write_manifest

    def spy(folder, manifest, mode):
        seen.append(len(manifest))
        real(folder, manifest, mode)

    monkeypatch.setattr(render_mod, "CHECKPOINT_SECONDS", 0.0)
    monkeypatch.setattr(render_mod, "write_manifest", spy)
    render(processes, Options(out_dir=out, formats=("dot", "runbook"), jobs=1))
    total = len(_outputs(out))
    assert seen == [*range(1, total + 1), total]  # after each output, then at the end


class _Crash(BaseException):
    """Stands for kill -9: nothing after it runs, not even `finally` blocks' writes."""


def test_a_run_that_dies_part_way_costs_nothing_but_the_time(tmp_path, monkeypatch):
    processes = validate_paths([str(REPO / "processes")], keep=True).processes
    formats = ("dot", "mermaid", "runbook", "dmaic")
    clean = tmp_path / "clean"
    render(processes, Options(out_dir=clean, formats=formats))
    out = tmp_path / "out"
    calls = [0]
    real_write = render_mod.write_atomic

    def dying_write(path, data, mode=0o644):
        if path.name == MANIFEST:  # a kill: the manifest is never written at the end
            raise _Crash
        calls[0] += 1
        if calls[0] == 9:
            raise _Crash
        real_write(path, data, mode)

    monkeypatch.setattr(render_mod, "write_atomic", dying_write)
    with pytest.raises(_Crash):
        render(processes, Options(out_dir=out, formats=formats, jobs=1))
    monkeypatch.undo()
    assert 0 < len(_outputs(out)) < len(_outputs(clean))
    again = render(processes, Options(out_dir=out, formats=formats))
    assert again.problems == []
    assert _outputs(out) == _outputs(clean)
    _assert_consistent(out)


@posix
@needs_dot
def test_kill_9_part_way_then_the_next_render_needs_no_force(tmp_path):
    bench_processes(tmp_path / "processes", 40)
    out = tmp_path / "out"
    child = _start(["render", "processes", "-o", "out"], tmp_path)
    _wait_for(out, 6, child)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    left = _outputs(out)
    # a file being written when the kill came stays as its temporary (.<name>.XXXX.tmp),
    # which the next run deletes; the finished ones must be right as they are
    partial = {name for name in left if name.startswith(".") and name.endswith(".tmp")}
    left = {name: data for name, data in left.items() if name not in partial}
    assert 0 < len(left) < 40 * 3
    done = subprocess.run(
        [sys.executable, "-m", "procmap", "render", "processes", "-o", "out", "-q"],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert len(_outputs(out)) == 40 * 3 + 1  # svg, runbook, dmaic each, and the index
    for name, data in left.items():
        assert (out / name).read_bytes() == data, name  # what it wrote was already right
    assert not any((out / name).exists() for name in partial)
    _assert_consistent(out)


# --- Ctrl-C ----------------------------------------------------------------------------


@posix
@needs_dot
def test_ctrl_c_stops_the_render_promptly_and_keeps_a_consistent_folder(tmp_path):
    bench_processes(tmp_path / "processes", 60)
    out = tmp_path / "out"
    total = 60 * 3 + 1
    child = _start(["render", "processes", "-o", "out"], tmp_path)
    _wait_for(out, 5, child)
    child.send_signal(signal.SIGINT)
    sent = time.monotonic()
    stdout, stderr = child.communicate(timeout=60)
    assert time.monotonic() - sent < 5
    assert child.returncode == 130
    assert stderr == (
        "procmap: interrupted; the outputs finished so far are kept, run again to finish\n"
    )
    assert "Rendered" not in stdout
    kept = _outputs(out)
    assert 0 < len(kept) < total // 2
    _assert_consistent(out)
    assert set(json.loads((out / MANIFEST).read_text())["outputs"]) == set(kept)
    done = subprocess.run(
        [sys.executable, "-m", "procmap", "render", "processes", "-o", "out"],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(
        f"Rendered 60 processes into out: {total - len(kept)} written, {len(kept)} unchanged.\n"
    )


def test_an_interruption_cancels_the_queued_drawings(tmp_path, monkeypatch):
    from procmap.render import flowmap

    bench_processes(tmp_path / "processes", 30, steps=8)
    processes = validate_paths([str(tmp_path / "processes")], keep=True).processes
    started: list[str] = []

    def draw(source, fmt="svg", **_):
        started.append(source)
        if len(started) == 4:
            raise KeyboardInterrupt
        time.sleep(0.02)
        return b"<svg/>"

    monkeypatch.setattr(flowmap, "draw", draw)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        render(processes, Options(out_dir=out, formats=("svg",), jobs=2))
    assert len(started) <= 6  # of 30: the queue was cancelled
    _assert_consistent(out)
    monkeypatch.undo()
    assert set(json.loads((out / MANIFEST).read_text())["outputs"]) == set(_outputs(out))

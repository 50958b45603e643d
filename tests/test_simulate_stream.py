"""`procmap simulate` streams (issue 15): rows are written as the cases are made, in
memory bounded by the cases in progress, with the same bytes as the whole log sorted at
once; a MemoryError is one line, exit 1, nothing written."""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, clean_env, procmap, run_with_peak
from procmap.lint import validate_paths
from procmap.measure import (
    render_log,
    save,
    save_simulated,
    simulate_cases,
    simulate_events,
    write_simulated,
)

#: Every bundled process, and the two with parallel blocks and waits (issue 18).
PROCESSES = [
    *sorted((REPO / "processes").glob("*.yaml")),
    REPO / "tests/cases/valid/invoice-chase-waits-and-escalation/invoice-chase.yaml",
    REPO / "tests/cases/valid/parallel-block-in-decision-loop-in-strand/client-setup.yaml",
]
SETTINGS = [
    {"cases": 300, "rate": 250.0, "seed": 1},
    {"cases": 400, "rate": 1e6, "distribution": "fixed"},  # ties everywhere
    {"cases": 120, "rate": 3.0, "handoff_wait": 240.0, "distribution": "exponential"},
]


def _process(path: Path) -> Any:
    (process,) = validate_paths([str(path)], None, jobs=1, keep=True).processes.values()
    return process


def _sorted_at_once(process: Any, settings: dict[str, Any]) -> list[Any]:
    """The log as it was made before streaming: every case's events in case order, then
    one stable sort by timestamp (ties: case order, then the case's own order)."""
    events = [event for case in simulate_cases(process, **settings) for event in case]
    return sorted(events, key=lambda event: event.timestamp)


@pytest.mark.parametrize("path", PROCESSES, ids=lambda p: p.stem)
@pytest.mark.parametrize("settings", SETTINGS, ids=["poisson", "ties", "handoffs"])
def test_the_stream_is_the_log_sorted_at_once(path, settings, tmp_path):
    process = _process(path)
    expected = _sorted_at_once(process, settings)
    assert list(simulate_events(process, **settings)) == expected
    for log_format in ("csv", "xes"):
        text = render_log(expected, log_format)
        out = io.StringIO(newline="")
        write_simulated(process, out, log_format, **settings)
        assert out.getvalue() == text, log_format
        for name in (f"log.{log_format}", f"log.{log_format}.gz"):
            target = tmp_path / name
            save_simulated(process, target, log_format, **settings)
            old = tmp_path / f"old-{name}"
            save(expected, old, log_format)
            data = target.read_bytes()
            assert data == old.read_bytes(), name
            if name.endswith(".gz"):
                assert data == gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def _peak_mb(args: list[str]) -> int:
    status, err, peak = run_with_peak(args, clean_env())
    assert status == 0, err
    return peak


def test_memory_does_not_grow_with_the_number_of_cases(tmp_path):
    """Before: every event was kept, sorted, then the whole text rendered, encoded and
    compressed in memory (1 GB and no byte written after 30 s for 100 million cases);
    now 20,000 cases peak within a few MB of 500."""
    process = str(REPO / "processes" / "content-production.yaml")
    small = _peak_mb(["simulate", process, "--cases", "500", "-o", str(tmp_path / "a.csv.gz")])
    large = _peak_mb(["simulate", process, "--cases", "20000", "-o", str(tmp_path / "b.csv.gz")])
    assert large < small + 20, (small, large)


def test_rows_reach_the_output_while_it_runs(tmp_path):
    """The temporary file beside the output grows while the simulation runs (the output
    itself appears whole, at the end); stdout gets rows at once."""
    process = str(REPO / "processes" / "content-production.yaml")
    child = subprocess.Popen(
        [sys.executable, "-m", "procmap", "simulate", process, "-n", "100000000"],
        cwd=REPO,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert child.stdout is not None
        first = child.stdout.readline()
        assert first.startswith(b"case:concept:name,concept:name,time:timestamp")
        assert child.stdout.readline().startswith(b"case-000000001,")
    finally:
        child.kill()
        child.wait()
    target = tmp_path / "big.csv"
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "procmap",
            "simulate",
            process,
            "-n",
            "100000000",
            "-o",
            str(target),
        ],
        cwd=REPO,
        env=clean_env(),
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 45
        written = 0
        while time.monotonic() < deadline and written < 100_000:
            temps = [p for p in tmp_path.iterdir() if p.name.startswith(".big.csv.")]
            written = max((p.stat().st_size for p in temps), default=0)
            time.sleep(0.2)
        assert written >= 100_000 and child.poll() is None
        assert not target.exists()
    finally:
        child.kill()
        child.wait()


def test_a_memory_error_is_one_line_and_exit_1(tmp_path, capsys, monkeypatch):
    from procmap.measure import simulate

    def exhausted(*args: Any) -> Any:
        raise MemoryError

    monkeypatch.setattr(simulate, "_walk_cases", exhausted)
    target = tmp_path / "log.csv"
    process = str(REPO / "processes" / "lead-handoff.yaml")
    status, out, err = procmap(capsys, "simulate", process, "-o", str(target))
    assert (status, out) == (1, "")
    assert err == f"procmap: simulate: out of memory; {target} not written\n"
    assert list(tmp_path.iterdir()) == []

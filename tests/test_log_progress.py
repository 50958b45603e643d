"""Progress and closing lines of the log commands (issue 17, item 7): `procmap simulate
-o FILE` ends with "Wrote N events of M cases to FILE"; `measure` and `simulate` show
progress on stderr after a second of work, only on a terminal and never with -q.

The terminal is a stand-in (a text stream whose `isatty` says yes) or a pseudo-terminal
for the whole command; the one-second delay is set to nothing where a test needs the
progress to show at once.
"""

from __future__ import annotations

import io
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import ClassVar

import pytest

from conftest import REPO, clean_env, procmap
from procmap.cli import progress

PROCESS = "processes/webinar-funnel.yaml"


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _wait_until(check, seconds: float = 5.0) -> None:
    end = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


# --- simulate's closing line ----------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "name"),
    [([], "log.csv"), (["--lifecycle", "start-complete", "-f", "xes"], "log.xes.gz")],
)
def test_simulate_ends_with_the_events_and_cases_it_wrote(capsys, tmp_path, options, name):
    import gzip

    out = tmp_path / name
    status, stdout, err = procmap(
        capsys, "simulate", str(REPO / PROCESS), "--cases", "25", "-o", str(out), *options
    )
    assert status == 0 and stdout == ""
    raw = out.read_bytes()
    text = (gzip.decompress(raw) if name.endswith(".gz") else raw).decode()
    if name.endswith(".csv"):
        events, cases = (
            text.count("\n") - 1,
            len({row.split(",")[0] for row in text.splitlines()[1:]}),
        )
    else:  # each start and complete transition is a row, an event of the log
        events, cases = text.count("<event>"), text.count("<trace>")
    assert cases == 25
    assert err == f"Wrote {events} events of 25 cases to {out}\n"


def test_simulate_quiet_writes_no_line(capsys, tmp_path):
    out = tmp_path / "log.csv"
    for quiet in ("-q", "--quiet"):
        status, _, err = procmap(capsys, "simulate", str(REPO / PROCESS), "-o", str(out), quiet)
        assert status == 0 and err == "" and out.stat().st_size > 0


def test_simulate_to_stdout_writes_only_the_log(capsys):
    status, stdout, err = procmap(capsys, "simulate", str(REPO / PROCESS), "--cases", "3")
    assert status == 0 and err == "" and stdout.startswith("case:concept:name,")


# --- when progress shows -----------------------------------------------------------------


def test_progress_shows_only_on_a_terminal_outside_ci_without_quiet(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert progress.shown(Terminal(), quiet=False)
    assert not progress.shown(Terminal(), quiet=True)
    assert not progress.shown(io.StringIO(), quiet=False)
    monkeypatch.setenv("CI", "true")
    assert not progress.shown(Terminal(), quiet=False)


def test_the_status_line_shows_the_phase_after_the_delay():
    terminal = Terminal()
    with progress.Status(terminal, True, "log.csv: ", delay=0) as status:
        status.phase("reading the log")
        _wait_until(lambda: "reading the log" in terminal.getvalue())
        status.phase("measuring")
        _wait_until(lambda: "log.csv: measuring" in terminal.getvalue())
    # quick work: nothing before the delay, and nothing after the block
    quick = Terminal()
    with progress.Status(quick, True, delay=0.5) as status:
        status.phase("measuring")
    time.sleep(0.6)
    assert quick.getvalue() == ""
    off = Terminal()
    with progress.Status(off, False, delay=0) as status:
        status.phase("measuring")
        time.sleep(0.1)
    assert off.getvalue() == ""


def test_the_bar_counts_the_cases_made():
    terminal = Terminal()
    with progress.Bar(terminal, True, 40, delay=0) as bar:
        _wait_until(lambda: "simulating cases" in terminal.getvalue())
        bar.advance(40)
        _wait_until(lambda: "40/40" in terminal.getvalue())


class _Spy:
    """A stand-in for `progress.Status` or `progress.Bar` that records what it is told."""

    made: ClassVar[list[_Spy]] = []

    def __init__(self, stream, enabled, *rest, **options) -> None:
        self.enabled = enabled
        self.told: list[object] = []
        _Spy.made.append(self)

    def __enter__(self) -> _Spy:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def phase(self, text: str) -> None:
        self.told.append(text)

    def advance(self, made: int) -> None:
        self.told.append(made)


@pytest.fixture
def spy(monkeypatch):
    _Spy.made = []
    monkeypatch.setattr(progress, "Status", _Spy)
    monkeypatch.setattr(progress, "Bar", _Spy)
    monkeypatch.delenv("CI", raising=False)
    return _Spy.made


@pytest.mark.parametrize("tty", [True, False])
@pytest.mark.parametrize("quiet", [[], ["-q"], ["--quiet"]])
def test_measure_reports_its_phases_when_shown(capsys, monkeypatch, spy, tty, quiet):
    monkeypatch.chdir(REPO)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: tty, raising=False)
    log = "examples/webinar-funnel.csv"
    status, _, err = procmap(capsys, "measure", PROCESS, log, "-f", "json", *quiet)
    assert status == 0 and err == ""
    (made,) = spy
    assert made.enabled is (tty and not quiet)
    assert made.told == ["reading the log", "measuring"]


@pytest.mark.parametrize("tty", [True, False])
def test_simulate_advances_its_bar_by_case_when_shown(capsys, monkeypatch, spy, tmp_path, tty):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: tty, raising=False)
    out = tmp_path / "log.csv"
    status, _, _ = procmap(capsys, "simulate", str(REPO / PROCESS), "-n", "7", "-o", str(out))
    assert status == 0
    (made,) = spy
    assert made.enabled is tty
    assert made.told == [1, 2, 3, 4, 5, 6, 7]


# --- the whole command on a pseudo-terminal ---------------------------------------------


def _on_pty(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run procmap with stderr on a pseudo-terminal: (exit status, what the terminal got)."""
    leader, follower = pty.openpty()
    env = clean_env()
    env.pop("CI", None)
    run = subprocess.Popen(
        [sys.executable, "-m", "procmap", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    got = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the follower closed
                break
            if not chunk:
                break
            got += chunk
        elif run.poll() is not None:
            break
    os.close(leader)
    return run.wait(), got.decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_quick_run_on_a_terminal_prints_no_progress(tmp_path):
    # under a second of work: the terminal gets the closing line only
    out = tmp_path / "log.csv"
    status, got = _on_pty(["simulate", PROCESS, "--cases", "5", "-o", str(out)], REPO)
    assert status == 0
    assert re.sub(r"\s+", " ", got).strip() == f"Wrote {_rows(out)} events of 5 cases to {out}"


def _rows(path: Path) -> int:
    return path.read_text().count("\n") - 1

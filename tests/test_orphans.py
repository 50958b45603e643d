"""No process procmap starts outlives it (issue 15, item 2).

`(procmap validate big/ -j 2 | cat)` with procmap killed by SIGTERM or SIGKILL must not
leave its pool workers holding the pipe (then `cat`, a CI step, never ends), and a killed
`procmap render` must not leave its Graphviz `dot`s running. Real signals on real child
processes; every wait polls with a generous limit, for a loaded 2-core machine.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import clean_env
from generate import bench_processes

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads child processes from Linux's /proc"
)
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")

#: Seconds allowed for anything that should be prompt (generous: a loaded machine).
LIMIT = 20.0


def _children(parent: int) -> dict[int, str]:
    """pid -> command name of the live children of `parent`."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
        if int(ppid) == parent and state != "Z":
            found[int(entry)] = name
    return found


def _alive(pid: int) -> bool:
    """True while `pid` runs (a zombie nobody reaped yet has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2 :].split()[0] != "Z"


def _start(args: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "procmap", *args],
        cwd=cwd,
        env=clean_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for_children(child: subprocess.Popen[bytes], name: str, count: int) -> list[int]:
    """The pids of `count` children called `name` of `child`, once they all run."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = [pid for pid, called in _children(child.pid).items() if called == name]
        if len(found) >= count:
            return found
        if child.poll() is not None:
            pytest.fail(f"procmap ended before it could be killed (status {child.returncode})")
        time.sleep(0.02)
    child.kill()
    pytest.fail(f"procmap started no {name!r} in 120 s")


def _reaches_eof(stream: object) -> bool:
    """True when the pipe is closed by every writer within LIMIT seconds."""
    done = threading.Event()

    def drain() -> None:
        while stream.read(65536):  # type: ignore[attr-defined]
            pass
        done.set()

    threading.Thread(target=drain, daemon=True).start()
    return done.wait(LIMIT)


def _all_gone(pids: list[int]) -> bool:
    deadline = time.monotonic() + LIMIT
    while time.monotonic() < deadline:
        if not any(_alive(pid) for pid in pids):
            return True
        time.sleep(0.05)
    return False


def _cleanup(pids: list[int]) -> None:
    for pid in pids:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_validate_workers_die_with_procmap(tmp_path: Path, sig: signal.Signals) -> None:
    """Killed while its 2 workers check files, procmap leaves none: its stdout pipe
    reaches EOF (a `cat` after it ends) and no worker runs on."""
    bench_processes(tmp_path / "big", 1500, 40)
    child = _start(["validate", "big", "-j", "2"], tmp_path)
    workers = _wait_for_children(child, "python", 2)
    try:
        child.send_signal(sig)
        assert _reaches_eof(child.stdout), "a worker still holds procmap's stdout"
        assert _all_gone(workers), f"workers still running: {workers}"
        assert child.wait(LIMIT) == (143 if sig == signal.SIGTERM else -signal.SIGKILL), (
            child.stderr.read() if child.stderr else b""  # what it said, when it failed
        )
        if sig == signal.SIGTERM:
            assert child.stderr is not None
            assert child.stderr.read() == b"procmap: terminated\n"
    finally:
        _cleanup(workers)
        child.kill()
        child.wait()


@needs_dot
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_render_dot_dies_with_procmap(tmp_path: Path, sig: signal.Signals) -> None:
    """A 500-step map takes Graphviz a minute or more; killed while it draws, procmap leaves
    no `dot` running (SIGTERM stops it as Ctrl-C does, exit 143)."""
    bench_processes(tmp_path / "slow", 1, 500)
    child = _start(["render", "slow", "-o", "out", "-f", "svg", "--quiet"], tmp_path)
    drawing = _wait_for_children(child, "dot", 1)
    try:
        child.send_signal(sig)
        assert _all_gone(drawing), f"dot still running: {drawing}"
        assert child.wait(LIMIT) == (143 if sig == signal.SIGTERM else -signal.SIGKILL), (
            child.stderr.read() if child.stderr else b""  # what it said, when it failed
        )
        assert _reaches_eof(child.stdout)
        if sig == signal.SIGTERM:  # the clean stop of Ctrl-C: the manifest matches the folder
            assert child.stderr is not None
            assert b"terminated; the outputs finished so far are kept" in child.stderr.read()
            assert (tmp_path / "out" / ".procmap-manifest.json").is_file()
    finally:
        _cleanup(drawing)
        child.kill()
        child.wait()

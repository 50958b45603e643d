"""Shared test fixtures: where the repository and the case corpus are, and running the CLI.

`run_procmap` runs `python -m procmap` in a subprocess (the real entry point, exit status
and streams included), with colour variables cleared so output does not depend on the
terminal the tests were started from.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"

Runner = Callable[..., subprocess.CompletedProcess[str]]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    env.pop("GITHUB_ACTIONS", None)
    env.update(extra)
    return env


def modules_after(*args: str) -> tuple[int, set[str]]:
    """Run `procmap ARGS...` through the console entry point in a fresh interpreter (in the
    repository, output discarded): its exit status and every module it imported."""
    code = (
        "import sys, io, contextlib\n"
        f"sys.argv = ['procmap', *{list(args)!r}]\n"
        "from procmap.cli import main\n"
        "status = 0\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        main()\n    except SystemExit as done:\n        status = done.code\n"
        "print(status, ' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=clean_env(), capture_output=True, text=True
    )
    status, *modules = done.stderr.split()
    assert status.lstrip("-").isdigit(), done.stderr
    return int(status), set(modules)


@pytest.fixture
def run_procmap() -> Runner:
    """Run `procmap ARGS...` as a user would; returns the completed process (text mode)."""

    def run(
        *args: str, cwd: Path | str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "procmap", *args],
            cwd=cwd,
            env=env if env is not None else clean_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )

    return run


def procmap(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the console entry point in this process with `args`: (exit status, stdout,
    stderr). Faster than `run_procmap`, and it sees monkeypatches; never a traceback."""
    from procmap import cli

    argv = sys.argv
    sys.argv = ["procmap", *args]
    try:
        cli.main()
        status = 0
    except SystemExit as done:
        status = done.code if isinstance(done.code, int) else (0 if done.code is None else 2)
    finally:
        sys.argv = argv
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def cli_runner():
    """typer's CliRunner with stdout and stderr kept apart on every supported click.

    click before 8.2 mixes stderr into the output unless told not to (8.2 removed the
    option; typer 0.16+ with its own copy of click keeps them apart always), and reads
    its stderr bytes without flushing the text stream over them.
    """
    import contextlib

    from typer.testing import CliRunner

    class _Flushing(CliRunner):
        @contextlib.contextmanager
        def isolation(self, *args, **kwargs):  # type: ignore[override]
            with super().isolation(*args, **kwargs) as streams:
                # invoke() reads the stderr bytes before leaving the isolation
                sys.stderr.reconfigure(write_through=True)  # type: ignore[union-attr]
                yield streams

    try:
        return _Flushing(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


_PEAK_WRAPPER = """\
import atexit, os, sys

def _report():
    with open("/proc/self/status", encoding="ascii") as status:
        peak = next(line for line in status if line.startswith("VmHWM:")).split()[1]
    with open(os.environ["PROCMAP_TEST_PEAK"], "w", encoding="ascii") as out:
        out.write(peak)

atexit.register(_report)
sys.argv = ["procmap", *sys.argv[1:]]
from procmap.cli import main
main()
"""


def run_with_peak(
    args: list[str], env: dict[str, str], timeout: float = 90
) -> tuple[int, str, int]:
    """Run `procmap ARGS` (in the repository, stdout discarded): its exit status, its
    stderr, and the peak resident memory of procmap itself in MB.

    The peak is the kernel's high-water mark of the new program (`VmHWM`, read as it
    exits), not `wait4`'s `ru_maxrss`: that one keeps the resident size the child had
    before `exec`, which is the test runner's own (hundreds of MB late in a long run),
    and would make a memory bound fail by who ran it rather than by what procmap did.
    """
    if not os.path.exists("/proc/self/status"):
        pytest.skip("needs /proc/self/status (Linux) to read procmap's peak memory")
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        report = os.path.join(folder, "peak")
        try:
            done = subprocess.run(
                [sys.executable, "-c", _PEAK_WRAPPER, *args],
                cwd=REPO,
                env={**env, "PROCMAP_TEST_PEAK": report},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"procmap {' '.join(args)} ran over {timeout} s")
        with open(report, encoding="ascii") as peak:
            kilobytes = int(peak.read())
    return done.returncode, done.stderr.decode("utf-8", "replace"), kilobytes // 1024

"""Shared test fixtures and helpers: where the repository and the case corpus are, running
the CLI, loading a valid process (`load`, `example`), and the golden files. Test modules
import shared helpers from here or from `generate` (generated process data), never from
one another.

`run_procmap` runs `python -m procmap` in a subprocess (the real entry point, exit status
and streams included), with colour variables cleared so output does not depend on the
terminal the tests were started from.

Golden files are outputs pinned byte for byte: they all live in tests/golden/<area>/ (one
folder per test module's subject) and only the `golden` fixture reads or writes them.
`golden("flowmap/webinar-funnel.dot", actual)` fails when `actual` (text is UTF-8 encoded)
differs from the stored bytes, with a diff. The one refresh switch is
PROCMAP_UPDATE_GOLDEN=1 (`make golden`, which runs every test that uses the fixture: they
are marked `golden`): each golden file is then written instead, only when it changed, and
the run's summary names the files it rewrote; read `git diff tests/golden` before
committing them. Any other value of the switch is refused, so that a misspelt refresh
cannot pass as a comparison.

Not golden, never refreshed by the switch: case corpora that keep each input beside the
expectation a person wrote for it (tests/cases/*/*/expected.txt,
tests/review/done/*.expected.yaml).
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from procmap.format.model import Process

REPO = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE_GOLDEN = "PROCMAP_UPDATE_GOLDEN"

Runner = Callable[..., subprocess.CompletedProcess[str]]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    env.pop("GITHUB_ACTIONS", None)
    env.update(extra)
    return env


def load(path: Path | str) -> Process:
    """The valid process in the file at `path` (the test fails if it is not valid)."""
    from procmap.format.loader import load_file
    from procmap.format.schema import validate_document

    result = load_file(str(path))
    assert result.document is not None, result.problems
    process, problems = validate_document(result.document)
    assert process is not None, problems
    return process


def example(name: str) -> Process:
    """The bundled example processes/NAME.yaml."""
    return load(REPO / "processes" / f"{name}.yaml")


def modules_after(*args: str) -> tuple[int, set[str]]:
    """Run `procmap ARGS...` through the console entry point in a fresh interpreter (in the
    repository, stdout discarded): its exit status and every module it imported."""
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
    # the last line: the command's own lines on stderr (a warning) come before it
    status, *modules = (done.stderr.strip().splitlines() or [""])[-1].split()
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


# Golden files -------------------------------------------------------------------------


class Golden:
    """Compares outputs with tests/golden/NAME, or writes them there when refreshing."""

    def __init__(self, update: bool, written: list[str], folder: Path = GOLDEN) -> None:
        self.update = update
        self.written = written
        self.folder = folder

    def path(self, name: str) -> Path:
        return self.folder / name

    def __call__(self, name: str, actual: bytes | str) -> None:
        made = actual.encode("utf-8") if isinstance(actual, str) else actual
        path = self.path(name)
        if self.update and (not path.exists() or path.read_bytes() != made):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(made)
            self.written.append(name)
        assert path.exists(), f"tests/golden/{name} is missing: run `make golden`"
        stored = path.read_bytes()
        if made != stored:
            pytest.fail(f"tests/golden/{name} differs:\n{_diff(stored, made)}")

    def prune(self, folder: str, keep: Iterable[str]) -> None:
        """When refreshing, remove the files of tests/golden/FOLDER not in `keep` (names):
        golden files of outputs no longer made."""
        if not self.update or not self.path(folder).is_dir():
            return
        for stale in sorted(set(p.name for p in self.path(folder).iterdir()) - set(keep)):
            self.path(folder).joinpath(stale).unlink()
            self.written.append(f"{folder}/{stale} (removed)")


def _diff(stored: bytes, made: bytes, most: int = 60) -> str:
    """A unified diff of the two contents, at most `most` lines."""
    lines = difflib.unified_diff(
        stored.decode("utf-8", "replace").splitlines(),
        made.decode("utf-8", "replace").splitlines(),
        "stored",
        "made now",
        lineterm="",
        n=1,
    )
    shown = list(lines)
    more = f"\n... {len(shown) - most} more lines" if len(shown) > most else ""
    return "\n".join(shown[:most]) + (more or ("" if shown else "(only line endings differ)"))


_WRITTEN = pytest.StashKey[list[str]]()


def _refreshing() -> bool:
    return os.environ.get(UPDATE_GOLDEN) == "1"


def pytest_configure(config: pytest.Config) -> None:
    switch = os.environ.get(UPDATE_GOLDEN, "")
    if switch not in ("", "0", "1"):
        raise pytest.UsageError(f"{UPDATE_GOLDEN}={switch!r}: set it to 1 to refresh, or unset it")
    config.addinivalue_line("markers", "golden: compares with a golden file (`make golden`)")
    config.stash[_WRITTEN] = []


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the `golden` fixture, so `-k golden` and `-m golden`
    select them all, whatever their names."""
    for item in items:
        if "golden" in getattr(item, "fixturenames", ()):
            item.add_marker("golden")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """Compare an output with its golden file: `golden("area/name", actual)`."""
    return Golden(_refreshing(), request.config.stash[_WRITTEN])


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """When refreshing, name the golden files the run rewrote or removed."""
    written = config.stash.get(_WRITTEN, [])
    if _refreshing():
        terminalreporter.write_sep("=", f"{UPDATE_GOLDEN}=1: {len(written)} golden files rewritten")
        for name in written:
            terminalreporter.write_line(f"tests/golden/{name}")
        if written:
            terminalreporter.write_line("read `git diff tests/golden` before committing them")

"""The render run: the plan, the pruning of the output folder and the parallel writing,
under the folder's lock, with the progress bar.

Owns: the order of a run (`render`: check the options, make and lock the folder, read the
manifest, `plan`, `prune`, `perform`), spreading the work over threads (the slow part,
`dot`, runs in subprocesses, so threads keep every core busy; never more threads than
CPUs), saving the manifest atomically every CHECKPOINT_SECONDS while outputs are written
and once at the end, and interruptions.

Interruptions cost only the time: an output the manifest does not vouch for is made again
and adopted when its bytes are exactly what procmap writes now (so a run killed with -9
never makes the next one refuse its outputs), and on Ctrl-C the queued work is cancelled,
running `dot` processes are killed, and the manifest is saved to match what is on disk
before the KeyboardInterrupt goes on.

The run's parts live beside it: the options and the outcome (`options`), the format table
(`formats`), the plan (`plan`) and its makers (`makers`), the manifest and its
confinement (`manifest`), atomic writes and the folder's lock (`folder`). Their public
names are importable from here too.

Must not know: validation (it gets validated processes), how a map is drawn (`flowmap`,
`mermaid`), what the documents say (`analysis`, `documents`, templates) or exit statuses.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed, wait
from pathlib import Path
from typing import Any, Protocol

from .._files import write_atomic
from ..format import Process
from .folder import LOCK, file_mode, folder_lock, remove_leftovers
from .formats import (
    DEFAULT_FORMATS,
    DIFF_SUFFIX,
    FORMATS,
    HOME,
    INDEX,
    PLUGGED,
    SUFFIXES,
    output_names,
)
from .makers import Makers, shown_name
from .manifest import (
    MANIFEST,
    file_sha,
    manifest_bytes,
    other_processes,
    read_manifest,
    sha256,
    stale_outputs,
)
from .options import (
    Home,
    Measurement,
    Options,
    Outcome,
    RenderBusy,
    RenderError,
    check_options,
    parse_formats,
)
from .plan import Job, Plan, index_kept, plan

__all__ = [
    "DEFAULT_FORMATS",
    "DIFF_SUFFIX",
    "FORMATS",
    "HOME",
    "INDEX",
    "LOCK",
    "MANIFEST",
    "PLUGGED",
    "SUFFIXES",
    "Home",
    "Measurement",
    "Options",
    "Outcome",
    "Progress",
    "RenderBusy",
    "RenderError",
    "check_options",
    "output_names",
    "parse_formats",
    "read_manifest",
    "render",
    "sha256",
    "shown_name",
    "stale_outputs",
    "terminal_progress",
    "write_manifest",
]

#: How long a run waits for another run's lock on its output folder (seconds).
LOCK_SECONDS = 60.0
#: Runs with at least this many outputs show a progress bar (on a terminal only).
PROGRESS_THRESHOLD = 24
#: While outputs are written, the manifest is saved at most this often (seconds), so a
#: run killed part-way leaves a manifest that knows nearly all it wrote.
CHECKPOINT_SECONDS = 0.5

#: What `_Writer.perform` returns for a job it did not finish because the run was
#: interrupted ...
_CANCELLED = "cancelled"
#: ... and for a file already there with exactly the bytes the job makes.
_ADOPTED = "adopted"


def write_manifest(out_dir: Path, manifest: dict[str, dict[str, Any]], mode: int) -> None:
    """Write the manifest atomically (a kill leaves the old one or the new one, whole)."""
    write_atomic(out_dir / MANIFEST, manifest_bytes(manifest), mode)


def _cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the platform has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _workers(jobs: int | None) -> int:
    """Threads for the run, and so `dot` processes at once: `jobs`, by default one per CPU
    (at most 16), and never more than the CPUs whatever `jobs` says (`-j 100000` would
    otherwise start 100000 threads and as many `dot`s as there are maps)."""
    cpus = _cpus()
    return max(1, min(jobs or min(cpus, 16), cpus))


def render(
    processes: dict[str, Process],
    options: Options,
    progress: Callable[[int], Progress | None] | None = None,
    measured: dict[str, Measurement] | None = None,
    home: Home | None = None,
    waiting: Callable[[], None] | None = None,
) -> Outcome:
    """Render every process in `processes` (input path -> validated process) into
    `options.out_dir`. `progress(total)` may return a Progress told about each output;
    `measured` (process id -> Measurement) fills the worksheets of measured processes and
    adds the outputs drawn from their logs; `home` puts the portfolio on the site's home
    page. The run holds the output folder's lock (LOCK) throughout; when another run holds
    it, `waiting()` is called once and the run waits, raising RenderBusy after
    LOCK_SECONDS."""
    check_options(options)
    out_dir = options.out_dir
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RenderError(f"{out_dir}: cannot create the folder: {error.strerror}") from None
    with folder_lock(out_dir, waiting, LOCK_SECONDS):
        return _render(processes, options, progress, measured, home)


def _render(
    processes: dict[str, Process],
    options: Options,
    progress: Callable[[int], Progress | None] | None,
    measured: dict[str, Measurement] | None,
    home: Home | None,
) -> Outcome:
    """The run itself, with the output folder made and locked: plan, prune, perform."""
    from .documents import TemplateProblem

    outcome = Outcome()
    manifest = read_manifest(options.out_dir, outcome.warnings)
    makers = Makers(processes, options, measured, home)
    makers.others = {
        **{Path(path).stem: (Path(path).name, "") for path in options.left_out},
        **other_processes(manifest, processes, options.out_dir),
    }
    try:
        planned = plan(makers, manifest)
    except (OSError, TemplateProblem) as error:
        raise RenderError(f"cannot read the templates: {error}") from None
    kept = index_kept(makers, manifest)
    if kept is not None:
        outcome.warnings.append(kept)
    outcome.unchanged.extend(planned.unchanged)
    outcome.problems.extend(planned.refused)
    mode = file_mode()
    prune(planned, manifest, processes, options.out_dir, outcome)
    perform(planned.todo, manifest, options, mode, progress, outcome)
    for found in (outcome.written, outcome.unchanged, outcome.removed, outcome.problems):
        found.sort()
    return outcome


def prune(
    planned: Plan,
    manifest: dict[str, dict[str, Any]],
    processes: dict[str, Process],
    out_dir: Path,
    outcome: Outcome,
) -> None:
    """Remove what this run leaves no place for: the temporary files a killed run left
    for this run's outputs, and the outputs of processes that are gone (only when their
    bytes are still those procmap wrote: an output edited since is the user's now, kept,
    and forgotten by the manifest)."""
    names = {job.name for job in planned.jobs}
    remove_leftovers(out_dir, names | {MANIFEST})
    for name in stale_outputs(manifest, processes, out_dir, names):
        record = manifest.pop(name)
        target = out_dir / name
        if file_sha(target) == record.get("output"):
            try:
                target.unlink()
            except OSError as error:
                manifest[name] = record
                outcome.problems.append(f"{target}: cannot remove: {error.strerror or error}")
                continue
            outcome.removed.append(name)


def perform(
    todo: list[Job],
    manifest: dict[str, dict[str, Any]],
    options: Options,
    mode: int,
    progress: Callable[[int], Progress | None] | None,
    outcome: Outcome,
) -> None:
    """Make and write the outputs of `todo`, in parallel, recording each in `manifest` and
    saving it now and then and at the end, even when interrupted; then note in `outcome`
    what was written, adopted or failed."""
    out_dir = options.out_dir
    bar = progress(len(todo)) if progress is not None and todo else None
    writer = _Writer(out_dir, manifest, mode)
    results: list[tuple[str, str | None]] = []
    try:
        workers = _workers(options.jobs)
        if len(todo) <= 1 or workers == 1:
            for job in todo:
                results.append(writer.perform(job))
                if bar:
                    bar.advance()
        else:
            _in_parallel(todo, writer.perform, workers, writer.cancelled, results, bar)
    finally:
        if bar:
            bar.close()
        if todo or outcome.removed or outcome.warnings:  # warnings: purge what was ignored
            try:
                write_manifest(out_dir, manifest, mode)
            except OSError as error:
                outcome.problems.append(
                    f"{out_dir / MANIFEST}: cannot write: {error.strerror or error};"
                    " the next run will check those outputs byte for byte"
                )
    for name, problem in results:
        if problem is None:
            outcome.written.append(name)
        elif problem == _ADOPTED:
            outcome.unchanged.append(name)
        elif problem != _CANCELLED:
            outcome.problems.append(problem)


class _Writer:
    """Makes one job's bytes and writes them, on any thread; records what it wrote."""

    def __init__(self, out_dir: Path, manifest: dict[str, dict[str, Any]], mode: int) -> None:
        self.out_dir, self.manifest, self.mode = out_dir, manifest, mode
        self.cancelled = threading.Event()
        self._lock = threading.Lock()
        self._saved = time.monotonic()

    def record(self, job: Job, data: bytes) -> None:
        """Note the output in the manifest, and save the manifest now and then: a run
        killed part-way (kill -9, a crash, a power cut) then leaves a manifest that vouches
        for what it wrote, and the bytes check in `perform` adopts the last few."""
        with self._lock:
            self.manifest[job.name] = {**job.key, "output": sha256(data)}
            if time.monotonic() - self._saved >= CHECKPOINT_SECONDS:
                with contextlib.suppress(OSError):  # the final save reports trouble
                    write_manifest(self.out_dir, self.manifest, self.mode)
                self._saved = time.monotonic()

    def perform(self, job: Job) -> tuple[str, str | None]:
        """(name, None) when written, or _ADOPTED, _CANCELLED or a one-line problem."""
        from ..git import GitError
        from .documents import TemplateProblem
        from .flowmap import DrawError

        if self.cancelled.is_set():
            return job.name, _CANCELLED
        target = self.out_dir / job.name
        try:
            data = job.make()
            if job.claim is not None:
                if sha256(data) != job.claim:
                    return job.name, (
                        f"{target}: exists and was not written by procmap (or was edited"
                        " since); not overwritten, use --force to replace it"
                    )
                self.record(job, data)
                return job.name, _ADOPTED
            write_atomic(target, data, self.mode)
        except (DrawError, TemplateProblem, GitError) as error:
            if self.cancelled.is_set():  # its `dot` was stopped by the interruption
                return job.name, _CANCELLED
            return job.name, f"{target}: {error}"
        except OSError as error:
            return job.name, f"{target}: cannot write: {error.strerror or error}"
        self.record(job, data)
        return job.name, None


def _in_parallel(
    todo: list[Job],
    perform: Callable[[Job], tuple[str, str | None]],
    workers: int,
    cancelled: threading.Event,
    results: list[tuple[str, str | None]],
    bar: Progress | None,
) -> None:
    """Run `perform` over `todo` on `workers` threads, appending to `results`.

    On Ctrl-C (KeyboardInterrupt in this, the main thread) or any other exception: the
    queued jobs are cancelled, the running `dot` processes killed, and the jobs already
    running are waited for (they finish at once, and what they completed is recorded),
    so the caller saves a manifest that matches the folder; then the exception goes on.
    """
    from .flowmap import stop_drawings

    pool = ThreadPoolExecutor(workers)
    futures = [pool.submit(perform, job) for job in todo]
    try:
        for future in as_completed(futures):
            results.append(future.result())
            if bar:
                bar.advance()
    except BaseException:
        cancelled.set()
        pool.shutdown(wait=False, cancel_futures=True)
        pending = [f for f in futures if not f.cancelled()]
        while not all(f.done() for f in pending):
            stop_drawings()  # again and again: a job may have started `dot` just now
            wait(pending, timeout=0.05)
        raise
    finally:
        pool.shutdown(wait=True)


class Progress(Protocol):
    """What the run reports to: one `advance()` per output done, `close()` at the end."""

    def advance(self) -> None: ...

    def close(self) -> None: ...


class _Bar:
    """A transient rich progress bar; gone from the terminal when the run ends."""

    def __init__(self, stream: Any, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
        from rich.progress import Progress as RichProgress

        self._bar = RichProgress(
            TextColumn("rendering"),
            BarColumn(),
            MofNCompleteColumn(),
            console=Console(file=stream),
            transient=True,
        )
        self._task = self._bar.add_task("render", total=total)
        self._bar.start()

    def advance(self) -> None:
        self._bar.advance(self._task)

    def close(self) -> None:
        self._bar.stop()


def terminal_progress(stream: Any) -> Callable[[int], Progress | None] | None:
    """A progress bar on `stream` for runs of PROGRESS_THRESHOLD outputs or more, only when
    `stream` is a terminal (never in pipes, files or CI)."""
    if not (hasattr(stream, "isatty") and stream.isatty()) or os.environ.get("CI"):
        return None
    return lambda total: _Bar(stream, total) if total >= PROGRESS_THRESHOLD else None

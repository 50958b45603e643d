"""The validation run: find files, check each one, then check across files.

Owns: file discovery (folders searched for *.yaml and *.yml; a folder that cannot be
read, or a named path with no process file, is a problem, never a silent pass), the
per-file pipeline (loader -> schema -> rules), the checks that need several files
(duplicate process ids, subprocess targets), applying the configured severities, and
spreading a large run over the machine's cores (never more workers than cores, and none
outliving the run). A file that cannot be read or parsed is a result, not an exception,
so every file is reported.

A process a worker keeps comes back as a `Kept`, read on first use, and the parent
collects no garbage while the workers run (their collections skip what they inherit).

Must not know: how problems are printed or what exit status they become (that is `cli`).
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import stat
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, cast, overload

from ..config import Config
from ..format import Checked, Problem, ProblemCounts

if TYPE_CHECKING:
    from ..format import Process, ProcessLike

#: The processes a run keeps: the model's (`Report[Process]`), or with `plain` either
#: reader's (`Report[ProcessLike]`).
P = TypeVar("P", bound="ProcessLike", covariant=True)

YAML_SUFFIXES = (".yaml", ".yml")
#: Below this many files a second process costs more than it saves.
PARALLEL_THRESHOLD = 48
#: From this many files on, pydantic validates every file: its import and model build
#: (about 0.15 s) cost less than the 0.4 ms per 40-step file that the pure-Python
#: fast reader (1.1 ms) takes more than pydantic-core (0.75 ms), measured on the bench's files.
FASTCHECK_LIMIT = 300
_ID_LINE = re.compile(r"""^id:[ \t]*["']?([A-Za-z0-9_.-]+)""", re.MULTILINE)


class PathError(Exception):
    """A path given on the command line does not exist."""


@dataclass
class FileReport:
    """Everything the run needs to know about one checked file."""

    path: str
    problems: list[Problem] = field(default_factory=list)
    process_id: str | None = None
    id_position: tuple[int, int] = (1, 1)
    #: Other processes it names (subprocess steps' `process`, `feeds`): id, line, column.
    subprocesses: list[tuple[str, int, int]] = field(default_factory=list)
    #: The validated process, kept only when asked for (`keep=True`) and error-free.
    process: ProcessLike | None = None


@dataclass
class Report(ProblemCounts, Generic[P]):
    """The outcome of a run: the files checked and every problem, in file order."""

    files: list[str]
    problems: list[Problem]
    processes: dict[str, P] = field(default_factory=dict)

    def failed(self, strict: bool = False) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)


def discover(paths: Iterable[str], config: Config) -> list[str]:
    """Files to check: files as given, folders searched (hidden folders skipped), in order."""
    return find_files(paths, config)[0]


def find_files(
    paths: Iterable[str], config: Config, explicit: bool = False
) -> tuple[list[str], list[Problem]]:
    """`discover`'s files, and the problems of the search: a folder that cannot be read
    (Y013: its files would be left out unseen, a false pass), and with `explicit` (paths
    the user named) a path under which no process file is found at all (Y014).

    Raises PathError for a path that does not exist. A path that cannot even be looked
    at (a folder on its way is not searchable) is checked as a file, which reports why
    it cannot be read (Y012).
    """
    found: list[str] = []
    problems: list[Problem] = []
    for given in paths:
        try:
            is_folder = stat.S_ISDIR(os.stat(given).st_mode)
        except (FileNotFoundError, NotADirectoryError):
            raise PathError(f"{given}: no such file or folder") from None
        except OSError:
            is_folder = False
        if not is_folder:
            found.append(given)
            continue
        before = (len(found), len(problems))
        _search(given, config, found, problems)
        if explicit and (len(found), len(problems)) == before:
            problems.append(
                Problem(given, 1, 1, "Y014", "error", "no process files (*.yaml, *.yml) here")
            )
    seen: set[str] = set()
    unique = []
    for path in found:
        key = os.path.realpath(path)  # one file, however it was spelt
        if key not in seen and not (config.exclude and config.excluded(path)):
            seen.add(key)
            unique.append(path)
    return unique, configured(problems, config)


def _search(top: str, config: Config, found: list[str], problems: list[Problem]) -> None:
    """Append the process files under the folder `top` to `found`, and a Y013 problem
    for each folder under it that cannot be read (unless the configuration excludes it)."""

    def unreadable(error: OSError) -> None:
        folder = error.filename if isinstance(error.filename, str) else top
        if config.exclude and config.excluded(os.path.join(folder, "x.yaml")):
            return
        reason = error.strerror or str(error)
        problems.append(Problem(folder, 1, 1, "Y013", "error", f"cannot read folder: {reason}"))

    for folder, dirs, files in os.walk(top, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.endswith(YAML_SUFFIXES) and not name.startswith("."):
                found.append(os.path.join(folder, name))


def check_file(
    path: str, config: Config, keep: bool = False, fast: bool = True, plain: bool = False
) -> FileReport:
    """Load, validate and check one file; configured severities applied.

    With `keep`, the report carries the validated process when the file has no errors.
    With `fast`, a plainly valid file is read without pydantic (see `check_files`); a kept
    one too when `plain` allows the kept process to be those plain records (`fastcheck`:
    the model's fields and methods, equal values, no pydantic).
    """
    from ..format import load_file

    report = FileReport(path)
    process = None
    process_ok = False
    loaded = load_file(path)
    problems = loaded.problems
    doc = loaded.document
    if doc is not None:
        from ..format import accept

        # A plainly valid file is read without pydantic (`fastcheck`); anything else, and
        # every file whose process is kept for rendering, goes through the model.
        records = accept(doc.data) if fast and (plain or not keep) and not problems else None
        checked: Checked[ProcessLike]
        if records is not None:
            checked = Checked(records, [])
        else:
            from ..format import check_document

            checked = check_document(doc)
        process = checked.process
        # A value the loader refused (a forbidden tag) is not reported again for its type.
        refused = {(p.line, p.column) for p in problems}
        problems.extend(p for p in checked.problems if (p.line, p.column) not in refused)
        raw_id = doc.data.get("id")
        if isinstance(raw_id, str):
            report.process_id = raw_id
            report.id_position = doc.position(("id",))
        if process is None:
            # Like a compiler after a syntax error: leave the faulty values out and run
            # the checks whose findings cannot come from the gap, so one run shows more.
            if checked.partial is not None:
                from .rules import after_repair, run_checks

                touched = checked.touched
                problems.extend(
                    run_checks(
                        doc,
                        checked.partial,
                        lambda code: config.enabled(code) and after_repair(code, touched),
                    )
                )
        elif not any(p.severity == "error" for p in problems):
            from .rules import run_checks

            problems.extend(run_checks(doc, process, config.enabled))
            process_ok = True
            for i, step in enumerate(process.steps):
                if step.kind == "subprocess" and step.process is not None:
                    line, col = doc.position(("steps", i, "process"))
                    report.subprocesses.append((step.process, line, col))
            for i, fed in enumerate(process.feeds):
                line, col = doc.position(("feeds", i))
                report.subprocesses.append((fed, line, col))
    report.problems = configured(problems, config)
    if keep and process_ok and not any(p.severity == "error" for p in report.problems):
        report.process = process
    return report


def configured(problems: list[Problem], config: Config) -> list[Problem]:
    """Problems with the severity the configuration gives them; switched-off ones dropped."""
    kept = []
    for problem in problems:
        severity = config.severity(problem.code, problem.path)
        if severity is None:
            continue
        if severity != problem.severity:
            problem = Problem(
                problem.path, problem.line, problem.column, problem.code, severity, problem.message
            )
        kept.append(problem)
    return kept


_WORKER: tuple[Config, bool, bool, bool] | None = None


def _init_worker(parent: int, config: Config, keep: bool, fast: bool, plain: bool) -> None:
    global _WORKER
    from .._children import die_with_parent

    die_with_parent(parent)  # even a SIGKILLed procmap leaves no worker holding its pipes
    gc.enable()  # the parent stops collecting while the pool runs, for itself only
    _WORKER = (config, keep, fast, plain)


def _check_in_worker(path: str) -> FileReport:
    assert _WORKER is not None
    report = check_file(path, *_WORKER)
    if report.process is not None:
        report.process = cast("Process", Kept(report.process))
    return report


class Kept:
    """A process a worker kept (`keep`), as the parent gets it: its id, its name and the
    processes it runs at hand, the rest pickled and read on first use.

    A render with nothing to make reads only those three (its plan), so the parent never
    unpickles, holds or frees the processes of a whole repository (0.1 s on 200 files of
    40 steps); any other attribute, method, comparison or hash reads the process once
    (thread-safe: outputs are made on several threads) and answers as the process does.
    """

    __slots__ = ("_called", "_pickled", "_process", "id", "name")
    _reading = threading.Lock()

    def __init__(self, process: ProcessLike) -> None:
        self.id: str = process.id
        self.name: str = process.name
        self._called: list[str] = process.called()
        import pickle  # only a run with pool workers keeps processes this way

        self._pickled = pickle.dumps(process, pickle.HIGHEST_PROTOCOL)
        self._process: ProcessLike | None = None

    def called(self) -> list[str]:
        return list(self._called)

    def _read(self) -> ProcessLike:
        with Kept._reading:
            if self._process is None:
                import pickle

                self._process = pickle.loads(self._pickled)
            process = self._process
        return process

    def __getattr__(self, name: str) -> Any:  # only for what the slots do not hold
        if name.startswith("_"):  # probes (`__html__`, `__deepcopy__`...), half-unpickled
            raise AttributeError(name)
        return getattr(self._read(), name)

    def __eq__(self, other: object) -> bool:
        return bool(self._read() == (other._read() if isinstance(other, Kept) else other))

    def __hash__(self) -> int:  # a model is hashable (frozen), a record is not
        return hash(self._read())

    def __repr__(self) -> str:
        return repr(self._read())

    def __getstate__(self) -> tuple[str, str, list[str], bytes]:
        return self.id, self.name, self._called, self._pickled

    def __setstate__(self, state: tuple[str, str, list[str], bytes]) -> None:
        self.id, self.name, self._called, self._pickled = state
        self._process = None


def cpu_count() -> int:
    """The cores this process may run on (its affinity where the platform tells it)."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, cpus or 1)


def _workers(jobs: int | None, count: int) -> int:
    """Worker processes: `jobs`, capped at the cores (more would only cost memory and
    start-up); by default one below PARALLEL_THRESHOLD files, else the cores up to 8."""
    if jobs is not None:
        return max(1, min(jobs, cpu_count()))
    if count < PARALLEL_THRESHOLD:
        return 1
    return min(cpu_count(), 8)


def check_files(
    files: list[str],
    config: Config,
    jobs: int | None = None,
    keep: bool = False,
    plain: bool = False,
) -> list[FileReport]:
    """Check files in order, in parallel when there are many; `keep` and `plain` as in
    `check_file`.

    A few files are read without pydantic when they are plainly valid (`fastcheck`):
    importing pydantic and building the models costs more than checking them. Past
    `FASTCHECK_LIMIT` files that cost is paid once and pydantic-core, faster per file than
    the pure-Python reader, validates them all.
    """
    fast = len(files) < FASTCHECK_LIMIT
    workers = min(_workers(jobs, len(files)), max(1, len(files)))
    if workers == 1:
        return [check_file(path, config, keep, fast, plain) for path in files]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # imported once here, shared by forked workers
    from ..format import check_document  # noqa: F401
    from . import rules  # noqa: F401

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunk = max(1, len(files) // (workers * 8))
    setup = (os.getpid(), config, keep, fast, plain)
    pool = ProcessPoolExecutor(workers, context, _init_worker, setup)
    # As the gc module's documentation advises for fork without exec: the workers'
    # collections skip the objects they inherit (frozen), and the parent, which only
    # unpickles the reports meanwhile, collects nothing until the pool is done.
    collecting = gc.isenabled()
    gc.disable()
    gc.freeze()
    try:
        reports = list(pool.map(_check_in_worker, files, chunksize=chunk))
    except BaseException:  # Ctrl-C, SIGTERM (see `procmap.cli`), a broken worker
        _kill_workers(pool)
        # the pool's cleanup after its workers were killed must not put an error of its
        # own in the place of the Ctrl-C or SIGTERM being handled (exit 130 or 143)
        with contextlib.suppress(Exception):
            pool.shutdown(wait=True, cancel_futures=True)
        raise
    else:
        pool.shutdown(wait=True)
        return reports
    finally:
        gc.unfreeze()
        if collecting:
            gc.enable()


def _kill_workers(pool: Any) -> None:
    """Kill the workers of a ProcessPoolExecutor at once, rather than wait for their chunks.

    `_processes` (pid -> Process) is private, but has been there since Python 3.2; the
    public `kill_workers` came only in 3.14.
    """
    kill = getattr(pool, "kill_workers", None)
    if kill is not None:
        kill()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(OSError, ValueError, AttributeError):  # gone, or not yet up
            process.kill()


def _id_line(path: str) -> str | None:
    """The process id of a file, read cheaply from its top-level `id:` line."""
    from .._files import read_regular

    try:
        head = read_regular(path, 200_000)  # never a FIFO: it would block
    except OSError:
        return None
    match = _ID_LINE.search(head.decode("utf-8", errors="replace"))
    return match.group(1) if match else None


def _sibling_ids(folders: set[str], checked: set[str]) -> dict[str, str]:
    """Process ids of the other process files in `folders`, from their `id:` lines."""
    ids: dict[str, str] = {}
    for folder in sorted(folders):
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            continue
        for name in names:
            path = os.path.join(folder, name)
            if not name.endswith(YAML_SUFFIXES) or os.path.normpath(path) in checked:
                continue
            found = _id_line(path)
            if found:
                ids.setdefault(found, path)
    return ids


def _unchecked_ids(reports: list[FileReport], config: Config) -> dict[str, str]:
    """Process ids of the process files that were not checked in this run.

    They sit beside the checked files (that folder only, not below it) or under the
    configured paths that hold a checked file. A pre-commit hook passes only the changed
    files, yet a changed file that takes the id of an unchanged one (or an unchanged file
    whose id a changed one already had) is still a duplicate. The scan never enters
    another repository (a folder with its own `.git`), an output or environment folder
    (`out`, `.venv`, `node_modules`...) or a folder the project's `.gitignore` names: a
    clone of someone else's processes is not a duplicate. Ids are read cheaply from the
    top-level `id:` line, as for G012.
    """
    checked = {os.path.realpath(r.path) for r in reports}
    beside = {os.path.dirname(r.path) or "." for r in reports}
    configured: set[str] = set()
    for entry in config.paths:
        full = os.path.realpath(config.root / entry)
        if os.path.isdir(full) and any(path.startswith(full + os.sep) for path in checked):
            configured.add(full)
    ignored = _ignored_names(config)
    ids: dict[str, str] = {}
    for root in sorted(configured | beside):
        for path in _process_files(root, ignored, recursive=root in configured):
            if os.path.realpath(path) in checked or (config.exclude and config.excluded(path)):
                continue
            found = _id_line(path)
            if found:
                ids.setdefault(found, _shown(path))
    return ids


#: Folders no process file of the project sits in: outputs, environments, caches.
_NOT_PROCESSES = frozenset({"out", "venv", "node_modules", "__pycache__", "site-packages"})


def _ignored_names(config: Config) -> list[str]:
    """The folder patterns of the project's `.gitignore` (plain lines, no negation)."""
    try:
        text = (config.root / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    lines = (line.strip() for line in text.splitlines())
    return [
        line.strip("/")
        for line in lines
        if line and not line.startswith(("#", "!")) and line.strip("/")
    ]


def _process_files(root: str, ignored: list[str], *, recursive: bool) -> list[str]:
    """The process files in `root` (and below, when `recursive`), sorted, pruning hidden,
    ignored and output folders and other repositories."""
    import fnmatch

    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        if not recursive:
            dirs[:] = []
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and d not in _NOT_PROCESSES
            and not any(fnmatch.fnmatch(d, pattern) for pattern in ignored)
            and not os.path.exists(os.path.join(folder, d, ".git"))
        )
        found.extend(
            os.path.join(folder, name)
            for name in sorted(files)
            if name.endswith(YAML_SUFFIXES) and not name.startswith(".")
        )
    return found


def _shown(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return path


def cross_file(
    reports: list[FileReport], config: Config, neighbours: bool = False
) -> list[Problem]:
    """Duplicate process ids (X001), and subprocess targets and `feeds` that exist nowhere (G012).

    With `neighbours`, ids are compared with the unchecked process files too.
    """
    problems: list[Problem] = []
    first: dict[str, FileReport] = {}
    others: dict[str, str] | None = None
    for report in reports:
        pid = report.process_id
        if pid is None:
            continue
        if pid in first:
            used_by: str | None = first[pid].path
        else:
            first[pid] = report
            if others is None:
                others = _unchecked_ids(reports, config) if neighbours else {}
            used_by = others.get(pid)
        if used_by is not None:
            line, col = report.id_position
            problems.append(
                Problem(
                    report.path,
                    line,
                    col,
                    "X001",
                    "error",
                    f"process id {pid!r} is already used by {used_by}",
                )
            )
    wanting = [r for r in reports if r.subprocesses]
    if wanting:
        known = {pid: r.path for pid, r in first.items()}
        unresolved = [r for r in wanting if any(ref not in known for ref, _, _ in r.subprocesses)]
        if unresolved:
            checked = {os.path.normpath(r.path) for r in reports}
            folders = {os.path.dirname(r.path) for r in unresolved}
            for pid, path in _sibling_ids(folders, checked).items():
                known.setdefault(pid, path)
        from ..format import suggest

        for report in wanting:
            for ref, line, col in report.subprocesses:
                if ref not in known:
                    hint = suggest(ref, sorted(known))
                    tail = f"; did you mean {hint!r}?" if hint else ""
                    problems.append(
                        Problem(
                            report.path,
                            line,
                            col,
                            "G012",
                            "error",
                            f"no process with the id {ref!r} is checked with this file"
                            f" or sits beside it{tail}",
                        )
                    )
    return configured(problems, config)


@overload
def validate_paths(
    paths: Iterable[str],
    config: Config | None = None,
    jobs: int | None = None,
    keep: bool = False,
    neighbours: bool = False,
    plain: Literal[False] = False,
    explicit: bool = False,
) -> Report[Process]: ...
@overload
def validate_paths(
    paths: Iterable[str],
    config: Config | None = None,
    jobs: int | None = None,
    keep: bool = False,
    neighbours: bool = False,
    *,
    plain: bool,
    explicit: bool = False,
) -> Report[ProcessLike]: ...
def validate_paths(
    paths: Iterable[str],
    config: Config | None = None,
    jobs: int | None = None,
    keep: bool = False,
    neighbours: bool = False,
    plain: bool = False,
    explicit: bool = False,
) -> Report[ProcessLike]:
    """Check every process file under `paths`; the library entry point of `procmap validate`.

    With `keep`, `Report.processes` maps each error-free file to its validated process
    (what `procmap render` draws); with `plain` too, a plainly valid file's process may be
    plain records with the model's fields and methods, read without pydantic (what
    `procmap measure` uses, saving the import). A process checked in a worker process
    is a `Kept`: the process read on first use, its id, name and `called()` at once. With `neighbours` (what `procmap validate` does), a
    process id is also compared with the process files that were not checked: those beside
    the checked files and under the configured paths that hold them, so a pre-commit hook
    that passes only the changed files still catches a reused id. A folder that cannot be
    read is an error (Y013), and with `explicit` (the user named the paths) so is a path
    with no process file under it (Y014): neither passes as "0 files checked".
    """
    config = config or Config()
    files, unsearched = find_files(paths, config, explicit)
    reports = check_files(files, config, jobs, keep, plain)
    order = {path: i for i, path in enumerate(files)}
    problems = [p for r in reports for p in r.problems] + cross_file(reports, config, neighbours)
    problems += unsearched
    problems.sort(
        key=lambda p: (order.get(p.path, len(order)), p.line, p.column, p.code, p.message)
    )
    failed = {p.path for p in problems if p.severity == "error"}
    processes = {
        r.path: r.process for r in reports if r.process is not None and r.path not in failed
    }
    return Report(files, problems, processes)

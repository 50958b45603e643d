"""The semantic diff of files: loading the two sides of a comparison and matching them.

Owns: loading the two sides (files on disk through the linter, old versions through
`gitio`), matching files across a revision (by path, and by process id for moved files),
and turning each pair into a `FileDiff` with `compare`; an old version that is not a
valid process becomes a `process.unreadable` change rather than stopping the comparison.

Must not know: command-line options or exit statuses (that is `cli`), how git is run
(that is `gitio`), or how a diff is printed (that is `diffreport`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..config import Config
from ..format import Problem, Process
from .changes import Change, FileDiff, compare


class DiffError(Exception):
    """The comparison cannot be made: a missing or invalid file, or git trouble.

    `problems` holds the validation problems of invalid inputs (empty for other trouble).
    """

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


# Loading the two sides -----------------------------------------------------------------


def _errors(problems: Sequence[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def check_version(display: str, raw: bytes, config: Config) -> tuple[Process | None, list[Problem]]:
    """Validate the bytes of a file that is not on disk (an old version) as `procmap
    validate` would validate that file alone; the process is None when there are errors."""
    from ..format import MAX_BYTES, decode, load_text, validate_document
    from ..lint import configured, run_checks

    if len(raw) > MAX_BYTES:
        message = f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}"
        return None, [Problem(display, 1, 1, "Y011", "error", message)]
    text, problem = decode(display, raw)
    if text is None:
        return None, [problem] if problem else []
    loaded = load_text(display, text)
    problems = list(loaded.problems)
    process = None
    if loaded.document is not None:
        process, schema_problems = validate_document(loaded.document)
        problems.extend(schema_problems)
        if process is not None and not _errors(problems):
            problems.extend(run_checks(loaded.document, process, config.enabled))
    problems = configured(problems, config)
    return (None if _errors(problems) else process), problems


def _invalid(problems: list[Problem]) -> DiffError:
    failed = list(dict.fromkeys(p.path for p in problems if p.severity == "error"))
    shown = [p for p in problems if p.path in failed]
    where = failed[0] if len(failed) == 1 else f"{len(failed)} files"
    return DiffError(f"cannot compare: {where} has errors; fix them first", shown)


def _validated(paths: list[str], config: Config) -> dict[str, Process]:
    from ..lint import validate_paths

    report = validate_paths(paths, config, keep=True)
    if report.errors:
        raise _invalid(report.problems)
    return report.processes


def diff_files(old_path: str, new_path: str, config: Config | None = None) -> FileDiff:
    """Compare two process files on disk."""
    from .._files import not_regular

    config = config or Config()
    for path in (old_path, new_path):
        if os.path.isdir(path):
            raise DiffError(f"{path}: is a folder; compare two files, or use --since REV")
        if not os.path.exists(path):
            raise DiffError(f"{path}: no such file")
        reason = not_regular(path)
        if reason is not None:  # a FIFO would block the read: refused before opening
            raise DiffError(f"{path}: {reason}; compare two process files")
    problems: list[Problem] = []
    sides = []
    for path in (old_path, new_path):
        try:
            sides.append(_validated([path], config)[path])
        except DiffError as error:
            problems.extend(error.problems)
    if problems:
        raise _invalid(problems)
    old, new = sides
    return FileDiff(new_path, new.id, new.name, compare(old, new))


def _git_error(error: Exception) -> DiffError:
    return DiffError(str(error))


def _under(path: str, given: str) -> bool:
    """Whether the top-relative `path` is `given` itself or a process file found under it
    the way `linter.discover` finds files in a folder (no hidden names, YAML suffixes)."""
    from ..lint import YAML_SUFFIXES

    if path == given:
        return True
    if given != ".":
        if not path.startswith(given + "/"):
            return False
        path = path[len(given) + 1 :]
    parts = path.split("/")
    return parts[-1].endswith(YAML_SUFFIXES) and not any(p.startswith(".") for p in parts)


def _same_bytes(path: str, raw: bytes) -> bool:
    from .._files import read_regular

    try:
        return read_regular(path, len(raw) + 1) == raw
    except OSError:
        return False


def diff_since(
    rev: str, paths: list[str] | None = None, config: Config | None = None
) -> list[FileDiff]:
    """Compare every process file under `paths` (relative to the current folder; default:
    the configured paths) with its version at git revision `rev`, sorted by path.

    Files added or removed since `rev` are included, and a file whose process id now lives
    at another path is reported as moved. Unchanged files are in the result too, with no
    changes, so callers can count what was compared. A file that was not a valid process
    at `rev` does not stop the comparison: it is one `process.unreadable` change (with
    its first error), since its meaning then cannot be compared. Errors in the files on
    disk still raise DiffError: those are the author's to fix first.
    """
    from . import gitio

    config = config or Config()
    try:
        top = gitio.toplevel()
        commit = gitio.commit(top, rev)
        if paths is None:
            base = config.root if config.source is not None else top
            paths = [os.path.relpath(base / entry) for entry in config.paths]
        given = {path: gitio.relative(top, path) for path in paths}
        listed = gitio.list_files(top, commit, list(dict.fromkeys(given.values())))
    except gitio.GitError as error:
        raise _git_error(error) from None
    old_files = [
        f
        for f in listed
        if any(_under(f, rel) for rel in given.values()) and not config.excluded(str(top / f))
    ]
    for path, rel in given.items():
        if not os.path.exists(path) and not any(_under(f, rel) for f in old_files):
            raise DiffError(f"{path}: no such file or folder, here or at {rev}")
    new = _validated([p for p in paths if os.path.exists(p)], config)
    try:
        now = {gitio.relative(top, path): (path, process) for path, process in new.items()}
        contents = gitio.read_files(top, commit, old_files)
    except gitio.GitError as error:
        raise _git_error(error) from None

    before: dict[str, Process] = {}
    unread: dict[str, Problem] = {}  # invalid at `rev`: the first error
    for rel in old_files:
        if rel in now and _same_bytes(now[rel][0], contents[rel]):
            before[rel] = now[rel][1]  # unchanged file: already validated on disk
            continue
        process, found = check_version(f"{rev}:{rel}", contents[rel], config)
        if process is not None:
            before[rel] = process
        else:
            unread[rel] = next(p for p in found if p.severity == "error")

    def shown(rel: str) -> str:
        return os.path.relpath(top / rel)

    diffs = [_unreadable(rel, shown(rel), rev, problem, now) for rel, problem in unread.items()]
    added = [rel for rel in sorted(now) if rel not in before and rel not in unread]
    removed = [rel for rel in sorted(before) if rel not in now]
    for rel in sorted(now.keys() & before.keys()):
        path, process = now[rel]
        diffs.append(FileDiff(path, process.id, process.name, compare(before[rel], process)))
    for rel in added:
        path, process = now[rel]
        origin = next((r for r in removed if before[r].id == process.id), None)
        if origin is None:
            change = Change(process.id, "process.added", "process added", None, process.name)
            diffs.append(FileDiff(path, process.id, process.name, [change]))
            continue
        removed.remove(origin)
        moved = Change(process.id, "process.moved", "file moved", shown(origin), path)
        changes = [moved, *compare(before[origin], process)]
        diffs.append(FileDiff(path, process.id, process.name, changes, shown(origin)))
    for rel in removed:
        process = before[rel]
        change = Change(process.id, "process.removed", "process removed", process.name, None)
        diffs.append(FileDiff(shown(rel), process.id, process.name, [change]))
    diffs.sort(key=lambda d: (d.path, d.process))
    return diffs


def _unreadable(
    rel: str, path: str, rev: str, problem: Problem, now: dict[str, tuple[str, Process]]
) -> FileDiff:
    """A file that was not a valid process at `rev`: not compared, reported as such with
    its first error, under the process it is now (or its old path, when it is gone)."""
    where = f"line {problem.line}: {problem.code} {problem.message}"
    if rel in now:
        path, process = now[rel]
        change = Change(process.id, "process.unreadable", f"could not be read at {rev}", where)
        return FileDiff(path, process.id, process.name, [change])
    change = Change("", "process.unreadable", f"could not be read at {rev}", where)
    return FileDiff(path, "", path, [change])


def previous_process(path: str, rev: str, config: Config | None = None) -> Process | None:
    """The process in file `path` (relative to the current folder) as it was at git
    revision `rev`; None when the file did not exist there.

    Raises DiffError with a one-line message for git trouble or an invalid old version.
    """
    from . import gitio

    config = config or Config()
    folder = os.path.dirname(os.path.abspath(path))
    try:
        top = gitio.toplevel(folder if os.path.isdir(folder) else None)
        commit = gitio.commit(top, rev)
        rel = gitio.relative(top, path)
        if rel not in gitio.list_files(top, commit, [rel]):
            return None
        raw = gitio.read_file(top, commit, rel)
    except gitio.GitError as error:
        raise _git_error(error) from None
    process, problems = check_version(f"{rev}:{rel}", raw, config)
    if process is None:
        first = next(p for p in problems if p.severity == "error")
        raise DiffError(
            f"{first.path}:{first.line}:{first.column}: {first.code} {first.message}"
            " (the old version is not a valid process)"
        )
    return process


def previous_version(path: str, process: Process, top: Path, commit: str) -> Process:
    """The process in `path` as it was at `commit`; an empty process when it did not exist.

    Raises gitio.GitError with a one-line message when the old version cannot be read or
    is not a valid process.
    """
    from ..format import Process, decode, load_text, validate_document
    from . import gitio

    rel = gitio.relative(top, path)
    if rel not in gitio.list_files(top, commit, [rel]):
        return Process(procmap=1, id=process.id, name=process.name, steps=[])
    raw = gitio.read_file(top, commit, rel)
    shown = f"{commit[:12]}:{rel}"
    text, _ = decode(shown, raw)
    loaded = load_text(shown, text) if text is not None else None
    if loaded is None or loaded.document is None:
        raise gitio.GitError(f"{shown} cannot be read as a process file")
    old, problems = validate_document(loaded.document)
    if old is None:
        first = problems[0] if problems else None
        detail = f": line {first.line}: {first.message}" if first else ""
        raise gitio.GitError(f"{shown} is not a valid process file{detail}")
    return old

"""Reading process files as they were at a git revision.

Owns: running `git` (with subprocess, never a shell), finding the repository top from any
folder, checking that a revision exists, listing the files under some paths at a revision
(NUL-separated, `core.quotepath=off`, so any file name survives) and reading a file's bytes
at a revision. Every failure becomes a `GitError` with a one-line message.

Paths given to and returned by this module are relative to the repository top, with `/`
separators (git's own notation). Must not know YAML, the process format or output.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path, PurePosixPath

from .._children import die_with_parent_preexec

#: Time allowed for one git command; a stuck git is trouble, not a hang.
TIMEOUT = 60


class GitError(Exception):
    """git is missing, the folder is not in a repository, or a revision or file is unknown."""


def _git(args: list[str], cwd: str | os.PathLike[str], stdin: bytes | None = None) -> bytes:
    command = ["git", "-c", "core.quotepath=off", *args]
    env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
    try:
        done = subprocess.run(
            command,
            cwd=cwd,
            input=stdin,
            capture_output=True,
            env=env,
            timeout=TIMEOUT,
            check=False,
            # git dies with procmap; `run` waits for it in the thread that started it.
            preexec_fn=die_with_parent_preexec(),  # takes no lock: see there
        )
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {TIMEOUT} s") from None
    except OSError as error:
        raise GitError(f"cannot run git: {error.strerror or error}") from None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        message = lines[0] if lines else f"exit status {done.returncode}"
        for prefix in ("fatal: ", "error: "):
            message = message.removeprefix(prefix)
        raise GitError(f"git {args[0]}: {message}")
    return done.stdout


def toplevel(folder: str | os.PathLike[str] | None = None) -> Path:
    """The top folder of the work tree that contains `folder` (default: the current one)."""
    where = Path(folder) if folder is not None else Path.cwd()
    if not where.is_dir():
        raise GitError(f"{where}: no such folder")
    try:
        out = _git(["rev-parse", "--show-toplevel"], where)
    except GitError as error:
        if "not a git repository" in str(error):
            raise GitError(f"{where.resolve()} is not inside a git repository") from None
        raise
    top = out.decode("utf-8", "surrogateescape").strip()
    if not top:
        raise GitError(f"{where.resolve()} is not inside a git work tree")
    return Path(top)


def commit(top: Path, rev: str) -> str:
    """The full commit id that `rev` names; a GitError when it names no commit."""
    if not rev or rev.startswith("-"):
        raise GitError(f"unknown revision {rev!r}")
    try:
        out = _git(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], top
        )
    except GitError:
        raise GitError(f"unknown revision {rev!r}: no such branch, tag or commit") from None
    return out.decode("ascii", "replace").strip()


def relative(top: Path, path: str | os.PathLike[str]) -> str:
    """`path` (relative to the current folder, or absolute) relative to the top, with `/`.

    The top itself is ".". A path outside the repository is a GitError.
    """
    full = Path(os.path.realpath(path))
    try:
        rel = full.relative_to(os.path.realpath(top))
    except ValueError:
        raise GitError(f"{path}: outside the repository {top}") from None
    text = rel.as_posix()
    return text if text not in ("", ".") else "."


def list_files(top: Path, rev: str, paths: list[str]) -> list[str]:
    """Files under `paths` (top-relative files or folders) at `rev`, sorted."""
    out = _git(["ls-tree", "-r", "-z", "--name-only", "--full-tree", rev, "--", *paths], top)
    names = [n.decode("utf-8", "surrogateescape") for n in out.split(b"\0") if n]
    return sorted(set(names))


def read_file(top: Path, rev: str, path: str) -> bytes:
    """The bytes of the top-relative file `path` at `rev`."""
    return _git(["show", f"{rev}:{PurePosixPath(path).as_posix()}"], top)


def read_files(top: Path, rev: str, paths: list[str]) -> dict[str, bytes]:
    """The bytes of several top-relative files at `rev`, read by one `git cat-file --batch`
    (one `git show` each would cost a process per file). Names holding a line break,
    which the batch protocol cannot carry, are read one by one."""
    batch = [p for p in paths if "\n" not in p and "\r" not in p]
    found: dict[str, bytes] = {p: read_file(top, rev, p) for p in paths if p not in batch}
    if not batch:
        return found
    request = "".join(f"{rev}:{p}\n" for p in batch).encode("utf-8", "surrogateescape")
    out = _git(["cat-file", "--batch"], top, request)
    at = 0
    for path in batch:
        end = out.index(b"\n", at)
        header = out[at:end].split(b" ")
        if len(header) != 3 or header[1] != b"blob":
            raise GitError(f"git cat-file: {rev}:{path} is not a file")
        size = int(header[2])
        found[path] = out[end + 1 : end + 1 + size]
        at = end + 1 + size + 1
    return found

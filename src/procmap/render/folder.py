"""The output folder as the render run writes it: the temporary files a killed run left
behind, the mode of new files, and the run's exclusive lock.

Owns: the removal of leftovers (`.<name>.XXXXXXXX.tmp`, that `procmap._files`'s atomic
writes leave when killed; only for names this run writes), the mode from the umask, and the lock (LOCK, an exclusive
`fcntl.flock`, none on Windows) that makes two runs into one folder take turns; a planted
symlink, FIFO or folder at LOCK is refused.

Must not know: which outputs there are, the manifest's content, or how bytes are made.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .options import RenderBusy, RenderError

#: The lock file a run holds in the output folder (`fcntl.flock`), so that two runs into
#: one folder take turns with the manifest. Never an output, never stale, never served.
LOCK = ".procmap.lock"


def remove_leftovers(out_dir: Path, names: set[str]) -> None:
    """Delete the temporary files (`.<name>.XXXXXXXX.tmp`) a killed run left behind for
    the outputs of this run; nothing else."""
    try:
        entries = os.listdir(out_dir)
    except OSError:
        return
    for entry in entries:
        if entry.startswith(".") and entry.endswith(".tmp"):
            name, dot, _ = entry[1:-4].rpartition(".")
            if dot and name in names:
                with contextlib.suppress(OSError):
                    os.unlink(out_dir / entry)


def file_mode() -> int:
    """The mode of a new output: read and write for all, less the umask."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def folder_lock(
    out_dir: Path, waiting: Callable[[], None] | None, seconds: float
) -> Iterator[None]:
    """Hold the lock on `out_dir` (an exclusive `flock` on LOCK) while the block runs;
    `waiting()` once if another run holds it, RenderBusy after `seconds`.

    Where `fcntl` is missing (Windows) the run goes on unlocked, as it does when the lock
    file cannot be made in a read-only folder (where the run cannot write anything either)
    or the file system refuses locks. The lock file is opened without following a
    symlink and must be a regular file, so a planted link or FIFO is refused.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no flock; concurrent runs there are not serialized
        yield
        return
    flags = os.O_RDWR | os.O_CREAT
    for extra in ("O_NOFOLLOW", "O_NONBLOCK", "O_CLOEXEC"):
        flags |= getattr(os, extra, 0)
    path = out_dir / LOCK
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            yield
            return
        why = "it is a symbolic link" if error.errno == errno.ELOOP else error.strerror
        raise RenderError(f"{path}: cannot lock the output folder: {why}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise RenderError(f"{path}: cannot lock the output folder: not a regular file")
        _acquire(fcntl, fd, out_dir, waiting, seconds)
        yield
    finally:
        os.close(fd)  # releases the lock


def _acquire(
    fcntl: Any, fd: int, out_dir: Path, waiting: Callable[[], None] | None, seconds: float
) -> None:
    """Take the exclusive lock on `fd`, polling; `waiting()` once if another run holds it."""
    deadline = None
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        except OSError:  # a file system without locks (some network mounts): go on
            return
        now = time.monotonic()
        if deadline is None:
            deadline = now + seconds
            if waiting is not None:
                waiting()
        elif now >= deadline:
            raise RenderBusy(
                f"{out_dir}: another procmap render has held the folder for"
                f" {seconds:g} s; nothing rendered, run again when it ends"
            )
        time.sleep(0.05)

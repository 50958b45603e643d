"""Reading and writing files safely: only regular files read, every file written whole.

Owns: the rule that procmap reads only regular files. A FIFO blocks `open()` until a
writer appears, a device may never end, a socket cannot be opened at all: each is refused
with one `OSError` whose `strerror` says what the path is, before anything is opened.
And the rule that procmap writes a file whole or not at all (`atomic_file`,
`write_atomic`): a temporary file `.<name>.XXXXXXXX.tmp` beside it, renamed over it with
`os.replace`, so a kill or a full disk leaves the old file or the new one, never half of
one (the render run removes such leftovers by that name).
Must not know any other part of procmap.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from typing import BinaryIO

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def kind(mode: int) -> str:
    """What a non-regular file is, in words: "a FIFO (named pipe)", "a socket", ..."""
    for test, words in _KINDS:
        if test(mode):
            return words
    return "a special file"


def not_regular(path: str | os.PathLike[str]) -> str | None:
    """Why `path` cannot be read as a file ("not a regular file: it is a FIFO ..."), or
    None when it is a regular file or does not exist (opening it will say so)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    return f"not a regular file: it is {kind(mode)}"


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open a regular file for reading in binary; anything else raises OSError at once.

    Checked with stat before opening (opening a device can have effects of its own), and
    opened with O_NONBLOCK as well, so a FIFO swapped in between never blocks the open.
    """
    reason = not_regular(path)
    if reason is not None:
        raise OSError(errno.EINVAL, reason, os.fspath(path))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, f"not a regular file: it is {kind(mode)}", os.fspath(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: str | os.PathLike[str], limit: int = -1) -> bytes:
    """The bytes of a regular file (at most `limit` when given); OSError otherwise."""
    with open_regular(path) as handle:
        return handle.read(limit)


@contextlib.contextmanager
def atomic_file(
    path: str | os.PathLike[str], mode: int | None = None, sync: bool = False
) -> Iterator[BinaryIO]:
    """A binary handle on a temporary file beside `path`, renamed to `path` when the block
    ends (after an fsync when `sync`) and removed when it raises.

    The new file gets `mode`, or the mode a new file gets under the umask when None.
    """
    import tempfile  # here, not at the top: `procmap validate` reads and never writes

    folder, name = os.path.split(os.fspath(path))
    if mode is None:
        umask = os.umask(0o022)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, temp = tempfile.mkstemp(dir=folder or ".", prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def write_atomic(
    path: str | os.PathLike[str], data: bytes, mode: int = 0o644, sync: bool = False
) -> None:
    """Write `data` to `path` completely or not at all (`atomic_file`)."""
    with atomic_file(path, mode, sync) as handle:
        handle.write(data)

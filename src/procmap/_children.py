"""Child processes that die with procmap.

Owns: the rule that no process procmap starts outlives it. A worker of a process pool
(`die_with_parent`, run first in each worker) and a program procmap runs (`Popen`'s
`preexec_fn=die_with_parent_preexec()`, for Graphviz `dot` and `git`) ask Linux to kill
them when procmap dies, even by SIGKILL (`PR_SET_PDEATHSIG`); where that call is missing
a pool worker watches its parent instead (a thread that sees `os.getppid()` change). A
SIGTERM is turned into a clean stop by the command line, which then kills what is
running; this module covers the death nobody can catch.

The parent-death signal fires when the *thread* that started the child ends, not the
process: every caller waits for its child in the thread that started it (`dot` and `git`
are waited for by `communicate`; the pool's workers are forked by the main thread), so
that thread outlives the child.

Must not know any other part of procmap.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1
_SIGKILL = int(getattr(signal, "SIGKILL", 9))  # Linux's number; prctl is Linux's
#: How often a worker without `prctl` looks at its parent, in seconds.
WATCH_SECONDS = 0.5


@functools.cache
def _load_prctl() -> Callable[..., int] | None:
    """libc's `prctl`, resolved once (in the parent, never between fork and exec), or
    None off Linux. Loaded on first use: `procmap validate` on a few files never pays."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    prctl.restype = ctypes.c_int
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    return prctl


def _ask_for_death_signal() -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies; True when it took."""
    prctl = _load_prctl()
    return prctl is not None and prctl(_PR_SET_PDEATHSIG, _SIGKILL, 0, 0) == 0


def die_with_parent(parent: int) -> None:
    """Make this process (a pool worker forked by `parent`) die when its parent does.

    A parent that died before this ran is caught by looking at `getppid` right after.
    The worker also leaves Ctrl-C and SIGTERM to its parent, which stops the pool: it
    inherited the parent's Python handlers, which would raise in the worker too.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if not _ask_for_death_signal():
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if os.getppid() != parent:
        os._exit(1)


def _watch(parent: int) -> None:
    """Exit this process as soon as its parent is no longer `parent`."""
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def die_with_parent_preexec() -> Callable[[], None] | None:
    """A `preexec_fn` for `subprocess.Popen` that makes the program die with procmap,
    or None where Linux's `prctl` is missing (then nothing runs between fork and exec).

    It runs in the forked child before `exec`: it calls only the `prctl` resolved here,
    in the parent, and `getppid`, so it takes no lock another thread could hold.
    """
    prctl = _load_prctl()
    if prctl is None:
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, _SIGKILL, 0, 0)
        if os.getppid() != parent:  # procmap died before the request took
            os._exit(1)

    return preexec

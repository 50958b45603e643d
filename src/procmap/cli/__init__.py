"""The `procmap` command line: the entry point, over the typer app in `commands`.

Owns: `main`, which turns usage and internal errors into exit status 2, Ctrl-C into 130,
SIGTERM into the same clean stop with 143 and a closed output into a quiet 1, makes
printing safe for any character on any terminal encoding, and sends the usual `procmap
validate`, `procmap measure` and `procmap render` command lines down a typer-free path
(`validate`, `measure`, `render`) so that a pre-commit hook, a CI check or a re-render
does not pay for building the whole parser.
Everything else, help included, is the typer app's.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from .. import __version__
from .._lazy import attach

BUG_URL = "https://github.com/procmap/procmap/issues"

attach(__name__, {"app": "commands"})

if TYPE_CHECKING:
    from .commands import app


#: The commands with a typer-free path: name -> (module of `procmap.cli`, its function).
FAST = {
    "validate": ("validate", "run_validate"),
    "measure": ("measure", "run_measure"),
    "render": ("render", "run_render"),
}


def _fast(argv: list[str]) -> Callable[[], int] | None:
    """The typer-free call for this command line, when there is one."""
    if not argv or argv[0] not in FAST:
        return None
    import importlib

    name, function = FAST[argv[0]]
    module = importlib.import_module(f"{__name__}.{name}")
    options = module.parse_argv(argv[1:])
    if options is None:
        return None
    run = getattr(module, function)
    return lambda: run(options)


def _typer() -> Any:
    from .commands import app

    return app(prog_name="procmap")


def _run() -> Any:
    """Run the command line; its exit status (typer's `sys.exit` caught)."""
    fast = _fast(sys.argv[1:])
    if fast is not None:
        return fast()
    try:
        _typer()
    except SystemExit as done:
        return done.code
    return 0


def _safe_streams() -> None:
    """Never fail on a character the terminal's encoding lacks (a Cyrillic name under
    cp1252, a non-UTF-8 byte of a path argument, kept by Python as a lone surrogate):
    print it as a backslash escape instead."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(OSError, ValueError):
                reconfigure(errors="backslashreplace")


def _on_sigterm() -> Callable[[], None]:
    """SIGTERM (`kill`, a CI runner's timeout) stops procmap as Ctrl-C does: `Terminated`
    is raised in the main thread, running `dot`s and pool workers are killed, the render's
    manifest saved; a second SIGTERM ends procmap at once. Returns what puts the previous
    handler back (for `main` called in a process that goes on, as the tests do)."""
    import signal

    from .common import Terminated

    def stop(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise Terminated

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # main() called outside the main thread: leave signals alone
        return lambda: None

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


def _output_closed() -> NoReturn:
    """The reader of our output went away (`procmap validate | head -1`): exit quietly
    with status 1, as click does for a typer command, rather than a traceback now or
    when Python flushes the stream at exit (each closed stream is pointed at devnull)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            with contextlib.suppress(OSError, ValueError):
                os.dup2(devnull, stream.fileno())
    sys.exit(1)


def main() -> None:
    """Console entry point: turns usage and internal errors into exit status 2, Ctrl-C
    into 130, SIGTERM into 143, a closed output into a quiet 1 and running out of memory
    into one line and 1."""
    _safe_streams()
    restore = _on_sigterm()
    try:
        _main()
    finally:
        restore()


def _main() -> NoReturn:
    from .common import CliError, Terminated

    try:
        status = _run()
        sys.stdout.flush()  # a closed output shows here, not in Python's exit
    except CliError as error:
        sys.stderr.write(f"procmap: {error}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("procmap: interrupted\n")
        sys.exit(130)
    except Terminated:
        sys.stderr.write("procmap: terminated\n")
        sys.exit(143)
    except BrokenPipeError:
        _output_closed()
    except MemoryError:  # an input too large for this machine: not a bug, not a traceback
        sys.stderr.write(
            "procmap: out of memory: the input is too large to handle on this machine;"
            " split it, or run on a machine with more memory\n"
        )
        sys.exit(1)
    except Exception as error:  # a bug in procmap, never the user's input
        sys.stderr.write(
            f"procmap: internal error: {type(error).__name__}: {error}\n"
            f"This is a bug in procmap {__version__}, not in your files. Please report it at"
            f" {BUG_URL} with the command you ran and the file that triggered it.\n"
        )
        sys.exit(2)
    sys.exit(status)

"""Running Graphviz `dot`: DOT source to SVG, PNG, PDF or Graphviz's layout as JSON.

Owns: finding `dot` (through the graphviz package's command line), a timeout, one line for
users when it is missing, too slow or fails (`DrawError`), `dot` never outliving procmap
(it dies with its parent, even a SIGKILLed one), and stopping every running `dot` at once
when a render is interrupted (`stop_drawings`). `procmap.render.flowmap` re-exports it:
the render run and the tests reach `draw` there.

Must not know: what the DOT says, files, command-line options.
"""

from __future__ import annotations

import contextlib
import subprocess
import threading

from .._children import die_with_parent_preexec
from .dottext import first_line as _first_line

#: What `draw` makes: the drawings, and `json`, Graphviz's layout as data (positions of
#: nodes and edges), which the BPMN export turns into diagram interchange.
DRAW_FORMATS = ("svg", "png", "pdf", "json")


class DrawError(Exception):
    """Graphviz could not draw the map (missing, too slow, or failed); one line for users."""


def draw(dot_source: str, fmt: str = "svg", *, timeout: float = 30.0) -> bytes:
    """Run Graphviz `dot` on `dot_source` and return the drawing (svg, png or pdf), or the
    layout as JSON (`json`).

    The `dot` process is known to `stop_drawings()` while it runs, so an interrupted
    render does not wait for drawings nobody will use.
    """
    if fmt not in DRAW_FORMATS:
        raise DrawError(f"cannot draw {fmt!r}: choose one of {', '.join(DRAW_FORMATS)}")
    try:
        from graphviz.backend import dot_command
    except ImportError:
        raise DrawError("the 'graphviz' Python package is missing: pip install graphviz") from None
    command = dot_command.command("dot", fmt)
    try:
        # `dot` dies with procmap, even a SIGKILLed one. The parent-death signal fires when
        # the thread that started it ends: this thread waits for `dot` below, so it cannot.
        child = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=die_with_parent_preexec(),  # takes no lock: see there
        )
    except FileNotFoundError:
        raise DrawError(
            "Graphviz 'dot' was not found on PATH: install Graphviz"
            " (apt-get install graphviz, or brew install graphviz)"
        ) from None
    except OSError as error:
        raise DrawError(f"cannot run Graphviz 'dot': {error.strerror or error}") from None
    with _RUNNING_LOCK:
        _RUNNING.add(child)
    try:
        out, err = child.communicate(dot_source.encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise DrawError(
            f"Graphviz 'dot' took longer than {timeout:g} s and was stopped:"
            " split the process or draw it with --format dot"
        ) from None
    except BaseException:  # Ctrl-C in the main thread: never leave `dot` running
        child.kill()
        child.wait()
        raise
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard(child)
    if child.returncode != 0:
        if child.returncode < 0:
            raise DrawError(f"Graphviz 'dot' was stopped (signal {-child.returncode})")
        raise DrawError(f"Graphviz 'dot' failed: {_first_line(err)}")
    return bytes(out)


_RUNNING: set[subprocess.Popen[bytes]] = set()
_RUNNING_LOCK = threading.Lock()


def stop_drawings() -> int:
    """Kill every `dot` that `draw` is running now (their `draw` raises DrawError);
    the number killed."""
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for child in running:
        with contextlib.suppress(OSError):
            child.kill()
    return len(running)

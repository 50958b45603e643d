"""The `procmap` command line: the entry point, over the typer app in `commands`.

Owns: `main`, which turns usage and internal errors into exit status 2 and Ctrl-C into
130, and sends the usual `procmap validate` and `procmap measure` command lines down a
typer-free path (`validate`, `measure`) so that a pre-commit hook or a CI check does not
pay for building the whole parser.
Everything else, help included, is the typer app's.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import __version__
from .._lazy import attach

BUG_URL = "https://github.com/procmap/procmap/issues"

__getattr__, __dir__, __all__ = attach(__name__, {"app": "commands"})

if TYPE_CHECKING:
    from .commands import app


#: The commands with a typer-free path: name -> (module of `procmap.cli`, its function).
FAST = {"validate": ("validate", "run_validate"), "measure": ("measure", "run_measure")}


def _fast(argv: list[str]) -> Callable[[], int] | None:
    """The typer-free call for this command line, when there is one."""
    if not argv or argv[0] not in FAST:
        return None
    import importlib

    name, function = FAST[argv[0]]
    module = importlib.import_module(f"{__name__}.{name}")
    params = module.parse_argv(argv[1:])
    if params is None:
        return None
    run = getattr(module, function)
    return lambda: run(**params)


def _typer() -> Any:
    from .commands import app

    return app(prog_name="procmap")


def main() -> None:
    """Console entry point: turns usage and internal errors into exit status 2."""
    from .common import CliError

    try:
        fast = _fast(sys.argv[1:])
        if fast is None:
            _typer()
        else:
            sys.exit(fast())
    except CliError as error:
        sys.stderr.write(f"procmap: {error}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("procmap: interrupted\n")
        sys.exit(130)
    except Exception as error:  # a bug in procmap, never the user's input
        sys.stderr.write(
            f"procmap: internal error: {type(error).__name__}: {error}\n"
            f"This is a bug in procmap {__version__}, not in your files. Please report it at"
            f" {BUG_URL} with the command you ran and the file that triggered it.\n"
        )
        sys.exit(2)

"""Lazy exports for the subpackages: a name is imported from its module on first use.

Each subpackage's `__init__` names what it offers (name -> module) and calls `attach`, so
`from procmap.lint import validate_paths` imports the linter and nothing else: a command
pays only for what it uses (PEP 562 module `__getattr__`). Must not know any subpackage.

`attach` sets the package's `__getattr__` itself, so that the `__init__` binds no such
name: mypy reads a module-level `__getattr__` as "any name may exist" and would type a
misspelt or unexported import as `Any`; without it, a name the `__init__`'s TYPE_CHECKING
imports do not offer is an error.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def attach(
    package: str, exports: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """Set `__getattr__`, `__dir__` and `__all__` on `package` (and return them).

    `exports` maps a public name to the module that defines it (`"linter"`), to another
    name in a module (`"diffreport:FORMATS"`), or to the module itself (`"gitio:"`).
    """
    names = sorted(exports)

    def __getattr__(name: str) -> Any:
        target = exports.get(name)
        if target is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module_name, colon, attr = target.partition(":")
        module = importlib.import_module(f"{package}.{module_name}")
        value = module if colon and not attr else getattr(module, attr or name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return names

    vars(sys.modules[package]).update(__getattr__=__getattr__, __dir__=__dir__, __all__=names)
    return __getattr__, __dir__, names

"""The shape of procmap's code: no function over 80 lines, no module over 800 (issue 16).

ruff's C901, PLR0912 and PLR0915 hold complexity, branches and statements in `make lint`
and `make test` (thresholds and their reasons in `pyproject.toml`); lines are counted
here, with `ast`, since ruff has no rule for them. A function may be longer when its
docstring says why, on a line starting with `Long because:`. A function's lines run from
its `def` to its last line (decorators not counted; its docstring and nested functions
are).
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "procmap"
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 800
REASON = "Long because:"


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _long_functions() -> list[tuple[str, int, str, int]]:
    """(module, line, function, lines) of every function over the limit without a reason."""
    found = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            assert node.end_lineno is not None
            lines = node.end_lineno - node.lineno + 1
            docstring = ast.get_docstring(node) or ""
            said = any(line.strip().startswith(REASON) for line in docstring.splitlines())
            if lines > MAX_FUNCTION_LINES and not said:
                found.append((_name(path), node.lineno, node.name, lines))
    return found


def test_no_function_is_over_80_lines_without_a_reason():
    offenders = [
        f"src/procmap/{module}:{line}:{function} ({lines} lines)"
        for module, line, function, lines in _long_functions()
    ]
    assert not offenders, (
        f"functions over {MAX_FUNCTION_LINES} lines: split them, or say why in a docstring"
        f" line starting with {REASON!r}:\n" + "\n".join(offenders)
    )


def test_no_module_is_over_800_lines():
    offenders = [
        f"src/procmap/{_name(path)} ({count} lines)"
        for path in _modules()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    assert not offenders, (
        f"modules over {MAX_MODULE_LINES} lines: split them by responsibility:\n"
        + "\n".join(offenders)
    )


def test_ruff_checks_complexity_in_src():
    """The complexity rules stay on for the package, with thresholds no looser."""
    ruff = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]
    lint = ruff["lint"]
    assert {"C901", "PLR0912", "PLR0915"} <= set(lint["select"])
    assert lint["mccabe"]["max-complexity"] <= 15
    assert lint["pylint"]["max-branches"] <= 15
    assert lint["pylint"]["max-statements"] <= 60
    ignored = {
        pattern
        for pattern, codes in lint["per-file-ignores"].items()
        if pattern.startswith("src/") and {"C901", "PLR0912", "PLR0915"} & set(codes)
    }
    assert not ignored

"""Types are checked: mypy runs in `make lint` and `make test`, strict, with pydantic's plugin.

mypy itself is run by those targets (tens of seconds cold, too slow for the suite); these
tests keep the configuration from loosening unseen: the targets keep running it, strict
stays on, and no module has its errors ignored.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MYPY = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]


def _recipe(target: str) -> list[str]:
    """The commands of a Makefile target, in order."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(rf"^{target}:[^\n]*\n((?:\t[^\n]*\n)+)", text, re.MULTILINE)
    assert match, f"no {target} target in the Makefile"
    return [line.strip() for line in match.group(1).splitlines()]


def test_make_lint_and_make_test_run_mypy_before_pytest():
    assert "$(BIN)/mypy" in _recipe("lint")
    test = _recipe("test")
    assert "$(BIN)/mypy" in test
    assert test.index("$(BIN)/mypy") < test.index("$(BIN)/python -m pytest")


def test_mypy_checks_src_strictly_with_pydantics_plugin():
    assert MYPY["files"] == ["src"]
    assert MYPY["strict"] is True
    assert "pydantic.mypy" in MYPY["plugins"]
    assert "ignore-without-code" in MYPY["enable_error_code"]
    loosened = {"strict", "disallow_untyped_defs", "check_untyped_defs", "warn_return_any"}
    for override in MYPY.get("overrides", []):
        assert not loosened & {k for k, v in override.items() if v is False}, override


def test_no_module_ignores_its_errors():
    ignored = {
        module
        for override in MYPY.get("overrides", [])
        if override.get("ignore_errors")
        for module in override["module"]
    }
    assert not ignored


def test_every_type_ignore_in_src_says_which_error():
    bare = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "src").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"#\s*type:\s*ignore(?!\[)", line)
    ]
    assert not bare, f"a type: ignore without its error code: {bare}"

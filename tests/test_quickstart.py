"""The README's quick start is true (issue 21): three commands from nothing to `procmap
validate` in one's own repository, each shown with what it prints."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO, clean_env
from procmap.scaffold.create import git_requirement

README = (REPO / "README.md").read_text(encoding="utf-8")


def _quick_start() -> list[tuple[str, list[str]]]:
    """Each `$ command` of the quick start's first console block, with the lines shown
    under it."""
    section = README.split("## Quick start\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```console\n", 1)[1].split("```", 1)[0]
    shown: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            shown.append((line[2:], []))
        else:
            shown[-1][1].append(line)
    return shown


def _procmap(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "procmap", *args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_three_commands_from_nothing_to_validate() -> None:
    commands = [command for command, _ in _quick_start()]
    assert commands == [
        f'pipx install "{git_requirement()}"',
        "cd my-business && procmap init",
        "procmap validate",
    ]


def test_init_and_validate_print_what_the_quick_start_shows(tmp_path: Path) -> None:
    (_, _), (_, init_shown), (_, validate_shown) = _quick_start()
    business = tmp_path / "my-business"
    business.mkdir()
    subprocess.run(["git", "init", "-q", str(business)], check=True)
    init = _procmap("init", cwd=business)
    assert init.returncode == 0, init.stderr
    assert init.stdout.splitlines() == init_shown
    validate = _procmap("validate", cwd=business)
    assert validate.returncode == 0
    assert validate.stdout.splitlines() == validate_shown

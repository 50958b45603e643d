"""The README stays true: every command and every option a user can type is shown in it."""

from pathlib import Path

import pytest
import typer.main

from procmap.cli import app

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def _commands():
    group = typer.main.get_command(app)
    yield from sorted(group.commands.items())


@pytest.mark.parametrize("name", [name for name, _ in _commands()])
def test_every_command_is_shown_with_every_option(name):
    command = dict(_commands())[name]
    assert f"procmap {name}" in README, f"README shows no example of `procmap {name}`"
    assert command.help, f"`procmap {name}` has no help text"
    for param in command.params:
        longs = [opt for opt in param.opts if opt.startswith("--")]
        if not longs or longs[0] == "--help":
            continue
        assert any(opt in README for opt in longs + list(param.secondary_opts)), (
            f"README does not show {longs[0]} of `procmap {name}`"
        )


def test_readme_names_the_two_setup_commands():
    assert "make demo" in README
    assert "make test" in README


EXAMPLE = Path(__file__).parents[1] / "docs" / "example"


def _console(command: str) -> list[str]:
    """The output lines under the first `$ command` of the README's console blocks."""
    start = README.index(f"$ {command}\n") + len(f"$ {command}\n")
    lines = []
    for line in README[start:].splitlines():
        if line.startswith("$ ") or line.startswith("```"):
            break
        lines.append(line.removeprefix("   ") if line.startswith("   ") else line)
    return lines


def test_the_validate_example_shows_what_procmap_prints(run_procmap):
    shown = _console("procmap validate lead-nurture.yaml")
    done = run_procmap("validate", "lead-nurture.yaml", cwd=EXAMPLE)
    assert done.returncode == 1
    assert done.stdout.splitlines() == shown


def test_the_review_example_shows_what_procmap_prints(run_procmap):
    shown = _console("procmap review --today 2026-11-23")
    done = run_procmap("review", "--today", "2026-11-23", cwd=Path(__file__).parents[1])
    assert done.stdout.splitlines() == shown


def test_the_rule_count_is_the_registry_s():
    from procmap.format.registry import RULES

    assert f"{len(RULES)} rules in" in README


def test_every_make_target_is_shown_in_the_readme():
    makefile = (Path(__file__).parents[1] / "Makefile").read_text(encoding="utf-8")
    phony = next(line for line in makefile.splitlines() if line.startswith(".PHONY:"))
    for target in phony.removeprefix(".PHONY:").split():
        assert f"$ make {target} " in README, f"README shows no example of `make {target}`"


def test_the_root_options_are_shown():
    group = typer.main.get_command(app)
    for param in group.params:
        longs = [opt for opt in param.opts if opt.startswith("--") and opt != "--help"]
        for opt in longs:
            assert f"procmap {opt}" in README, f"README does not show `procmap {opt}`"

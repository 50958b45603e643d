"""The command line as a user meets it (issue 21, items 11 and 12): every help page reads
cleanly at 80 and 120 columns and ends with examples; -q, -V, a misspelt --format
answered with the closest value, and values that complete in the shell."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import typer.main

from conftest import clean_env, cli_runner
from procmap.cli import app

COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
WIDTHS = [80, 120]


def _help(args: list[str], width: int) -> str:
    """The help page as a terminal of `width` columns shows it."""
    done = subprocess.run(
        [sys.executable, "-m", "procmap", *args],
        env=clean_env(COLUMNS=str(width)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _faults(page: str, width: int) -> list[str]:
    """What is wrong with a help page: a line too long, an orphan (a line of one or two
    words that is not a heading or an example), a Python type as a placeholder, a default
    said twice."""
    faults = []
    lines = page.splitlines()
    examples = False
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped == "Examples:":
            examples = True
        if len(line) > width:
            faults.append(f"line {number} is {len(line)} columns: {line!r}")
        words = stripped.split()
        heading = stripped.endswith(":") and not line.startswith(" " * 4)
        if 0 < len(words) <= 2 and not heading and not examples:
            faults.append(f"line {number} is an orphan: {line!r}")
        if line.startswith("Usage:") and re.search(r"[{}<>]", line):
            faults.append(f"line {number} shows a placeholder unlike FILE or [FILE]: {line!r}")
        if re.search(r"<(bool|list|str|int|float|path)\b", line):
            faults.append(f"line {number} shows a type: {line!r}")
    # a default said twice: "(default: x)" in the help and click's "[default: x]"
    if "[default:" in page:
        faults.append("click's [default: ...] is shown (the help text says the default)")
    return faults


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_every_help_page_reads_cleanly(command: str, width: int) -> None:
    page = _help([command, "--help"] if command else ["--help"], width)
    assert _faults(page, width) == []
    if command:  # a command's page ends with one or two examples of it
        tail = page.split("Examples:\n", 1)
        assert len(tail) == 2, f"`procmap {command} --help` shows no examples"
        shown = [line for line in tail[1].splitlines() if line.strip()]
        assert 1 <= len(shown) <= 3 and all(
            line.strip().startswith(f"procmap {command}") for line in shown
        ), shown


def test_the_checks_catch_what_the_issue_saw() -> None:
    bad = (
        "Usage: procmap render [OPTIONS]\n\n  A process with a log is measured: its worksheet gets\n"
        "  the\n  measured figures.\n\nOptions:\n  --lanes <bool>  One swimlane per role.\n"
        "  --format <list[str]>  Formats.\n  -o, --output <path>  Folder (default: out/)."
        "  [default: out]\n"
    )
    faults = _faults(bad, 80)
    assert any("orphan: '  the'" in fault for fault in faults)
    assert sum("shows a type" in fault for fault in faults) == 3
    assert any("[default:" in fault for fault in faults)


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "procmap", *args],
        env=clean_env(**(env or {})),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_v_shows_the_version() -> None:
    from procmap import __version__

    assert _run("-V").stdout == _run("--version").stdout == f"procmap {__version__}\n"


#: The commands that print progress or a summary beside their output, and so take -q.
PRINTS_PROGRESS_OR_SUMMARIES = [
    "discover", "import", "init", "measure", "new", "render", "review", "serve", "simulate",
    "validate",
]  # fmt: skip


@pytest.mark.parametrize("command", PRINTS_PROGRESS_OR_SUMMARIES)
def test_every_command_that_prints_summaries_takes_q(command: str) -> None:
    params = typer.main.get_command(app).commands[command].params  # type: ignore[attr-defined]
    assert any({"-q", "--quiet"} <= set(param.opts) for param in params)


def test_q_silences_new_and_review_done(tmp_path) -> None:
    runner = cli_runner()
    loud = runner.invoke(app, ["new", "a", "--dir", str(tmp_path)])
    assert loud.exit_code == 0 and loud.stdout.startswith("Created ")
    quiet = runner.invoke(app, ["new", "b", "--dir", str(tmp_path), "-q"])
    assert quiet.exit_code == 0 and quiet.stdout == ""
    done = runner.invoke(
        app, ["review", "--done", str(tmp_path / "b.yaml"), "--today", "2026-12-01", "-q"]
    )
    assert done.exit_code == 0, done.stderr
    assert done.stdout == ""
    assert "last: 2026-12-01" in (tmp_path / "b.yaml").read_text()


def test_q_keeps_serve_s_failures_and_drops_its_news(capsys) -> None:
    from procmap.cli.documents import _quiet

    _quiet("Rebuilt in 0.12 s: onboarding")
    _quiet("procmap serve: rebuild failed: boom")
    assert capsys.readouterr().err == "procmap serve: rebuild failed: boom\n"


@pytest.mark.parametrize(
    ("args", "choices"),
    [
        (["review"], "text, markdown, json"),
        (["diff", "a", "b"], "text, markdown, json"),
        (["rules"], "text, markdown, json"),
        (["validate"], "text, json, github"),
        (["import", "x.bpmn"], "text, json, github"),
        (["measure", "p.yaml", "log.csv"], "text, markdown, json, github"),
        (["portfolio"], "text, markdown, json"),
        (["discover", "log.csv", "--summary"], "text, json"),
    ],
)
def test_a_misspelt_format_suggests_the_closest(args: list[str], choices: str) -> None:
    done = _run(*args, "-f", "jsn")
    assert done.returncode == 2
    said = " ".join(done.stderr.replace("│", " ").split())
    assert f"'jsn' is not one of {choices}; did you mean 'json'?" in said


def _complete(words: str) -> list[str]:
    env = {"_PROCMAP_COMPLETE": "complete_bash", "COMP_WORDS": words}
    env["COMP_CWORD"] = str(len(words.split()) - (0 if words.endswith(" ") else 1))
    done = _run(env=env)
    return done.stdout.split()


def test_render_formats_and_starters_complete_in_the_shell() -> None:
    from procmap.cli.params import RENDER_FORMATS
    from procmap.render.options import FORMATS

    assert list(FORMATS) == RENDER_FORMATS
    assert _complete("procmap render -f ") == RENDER_FORMATS
    assert _complete("procmap render -f m") == ["mermaid"]
    assert _complete("procmap render -f svg,ru") == ["svg,runbook"]
    assert _complete("procmap new --from cl") == ["client-onboarding"]
    assert _complete("procmap init --from lead") == ["lead-handoff"]
    assert _complete("procmap review -f j") == ["json"]


def test_wrapped_help_text_is_balanced_not_orphaned() -> None:
    from procmap.cli.root import _balanced

    paragraph = [
        "  Measure a process from an event log: step and handoff times, branches,",
        "  KPIs.",
    ]
    assert _balanced(paragraph) == [
        "  Measure a process from an event log: step and handoff",
        "  times, branches, KPIs.",
    ]
    definition = [
        "  --config FILE  Configuration file (default: the nearest procmap.toml",
        "                 or pyproject.toml with",
        "                 [tool.procmap]).",
    ]
    balanced = _balanced(definition)
    assert all(len(line.split()) >= 3 for line in balanced)
    assert " ".join(" ".join(balanced).split()) == " ".join(" ".join(definition).split())
    examples = ["  Examples:", "", "    procmap init", "    procmap new --list"]
    assert _balanced(examples) == examples

"""The typer-free paths of `procmap validate` and `procmap measure`, held to the typer
commands they stand in for."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys

import pytest
import typer.main

from conftest import clean_env, modules_after, procmap
from procmap.cli import FAST, commands
from procmap.cli import measure as fast_measure
from procmap.cli import validate as fast
from procmap.measure import REPORT_FORMATS

#: command -> (its typer function, its typer-free module)
COMMANDS = {
    "validate": (commands.validate, fast),
    "measure": (commands.measure_command, fast_measure),
}


def _typer_command(name: str):
    group = typer.main.get_command(commands.app)
    return group.commands[name]  # type: ignore[attr-defined]


def test_every_fast_command_is_held_here():
    assert set(FAST) == set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_fast_parser_knows_exactly_the_typer_commands_options(name):
    spellings = set()
    for param in _typer_command(name).params:
        if param.param_type_name == "option":
            spellings.update(param.opts + param.secondary_opts)
    spellings -= {"-h", "--help"}
    assert spellings == set(COMMANDS[name][1].OPTIONS)


def test_the_fast_parsers_offer_the_commands_formats():
    assert tuple(f.value for f in commands.OutputFormat) == fast.FORMATS
    assert REPORT_FORMATS == fast_measure.FORMATS


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_fast_function_takes_the_typer_commands_parameters_in_order(name):
    command, module = COMMANDS[name]
    typer_params = list(inspect.signature(command).parameters)
    run = getattr(module, FAST[name][1])
    assert typer_params == list(inspect.signature(run).parameters)
    assert list(module.defaults()) == typer_params


ARGVS = [
    ("validate", ["processes/webinar-funnel.yaml"]),
    ("validate", []),
    ("validate", ["-f", "json", "a.yaml", "b.yaml"]),
    ("validate", ["--format=github", "--strict", "a.yaml"]),
    ("validate", ["--ignore", "P001,P002", "--ignore=G", "--warn", "X001", "a.yaml"]),
    ("validate", ["--config", "x.toml", "--jobs", "3", "-q", "--no-color", "folder"]),
    ("validate", ["-j", "1", "--color", "--quiet", "--", "-odd-name.yaml"]),
    ("measure", []),
    ("measure", ["p.yaml"]),
    ("measure", ["p.yaml", "log.csv", "-f", "json", "--check"]),
    ("measure", ["--format=github", "--strict", "p.yaml", "log.csv.gz", "-o", "out"]),
    (
        "measure",
        ["--case", "Case ID", "--activity=Event", "--timestamp", "Done", "p.yaml", "l.xes"],
    ),
    ("measure", ["--start-timestamp", "Start", "--resource", "Who", "--timezone", "UTC"]),
    ("measure", ["--config", "x.toml", "--output=out", "-f", "markdown", "--", "-p.yaml"]),
]


@pytest.mark.parametrize("name,argv", ARGVS, ids=[f"{n} {' '.join(a)}" for n, a in ARGVS])
def test_both_paths_make_the_same_call(name, argv, monkeypatch, capsys):
    _, module = COMMANDS[name]
    function = FAST[name][1]
    calls = []
    signature = inspect.signature(getattr(module, function))

    def record(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        calls.append(dict(bound.arguments))
        return 0

    monkeypatch.setattr(module, function, record)
    assert procmap(capsys, name, *argv)[0] == 0
    from procmap.cli import _typer

    monkeypatch.setattr(sys, "argv", ["procmap", name, *argv])
    with pytest.raises(SystemExit) as done:
        _typer()
    assert done.value.code == 0
    fast_call, typer_call = calls
    if name == "validate":
        typer_call["paths"] = typer_call["paths"] or None  # typer gives [] for no paths
    assert fast_call == typer_call


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["-h"],
        ["--format", "xml", "a.yaml"],
        ["--jobs", "0"],
        ["--jobs", "two"],
        ["--strict=yes"],
        ["-qf", "json"],
        ["--unknown"],
        ["--format"],
    ],
)
def test_what_the_fast_parser_does_not_read_goes_to_typer(argv):
    assert fast.parse_argv(argv) is None


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["p.yaml", "log.csv", "extra"],
        ["--format", "xml", "p.yaml"],
        ["--check=yes"],
        ["-fjson"],
        ["--case"],
        ["--jobs", "2"],
    ],
)
def test_what_the_fast_measure_parser_does_not_read_goes_to_typer(argv):
    assert fast_measure.parse_argv(argv) is None


def test_a_measure_usage_mistake_gets_typers_message(capsys):
    status, _, err = procmap(capsys, "measure", "a.yaml", "b.csv", "c")
    assert status == 2
    assert "c" in err and "Usage" in err


def test_a_usage_mistake_gets_typers_message(capsys):
    status, _, err = procmap(capsys, "validate", "--format", "xml", "processes")
    assert status == 2
    assert "xml" in err and "text" in err


def test_measuring_a_log_imports_neither_typer_nor_pydantic():
    status, modules = modules_after(
        "measure",
        "processes/webinar-funnel.yaml",
        "examples/webinar-funnel.csv",
        "-f",
        "json",
        "--check",
    )
    assert status == 0
    assert "procmap.measure.engine" in modules
    assert "typer" not in modules and "click" not in modules
    assert "pydantic" not in modules  # the process as fastcheck's plain records


def test_validating_a_file_does_not_import_typer():
    _, modules = modules_after("validate", "-q", "processes/lead-scoring.yaml")
    assert "procmap.lint.linter" in modules
    assert "typer" not in modules


def test_help_still_comes_from_typer(capsys):
    status, out, _ = procmap(capsys, "validate", "--help")
    assert status == 0 and "--strict" in out and "--jobs" in out


def test_shell_completion_is_offered(capsys):
    status, out, _ = procmap(capsys, "--help")
    assert status == 0
    assert "--install-completion" in out and "--show-completion" in out
    env = clean_env(
        _PROCMAP_COMPLETE="complete_bash", COMP_WORDS="procmap validate --fo", COMP_CWORD="2"
    )
    done = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "procmap")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stdout.split() == ["--format"]

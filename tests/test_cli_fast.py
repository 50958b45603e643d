"""The typer-free paths of `procmap validate`, `procmap measure` and `procmap render`,
held to the typer commands they stand in for; and every command's options dataclass held
to its typer command."""

from __future__ import annotations

import dataclasses
import inspect
import os
import subprocess
import sys

import pytest
import typer.main

from conftest import clean_env, modules_after, procmap
from procmap.cli import (
    FAST,
    checking,
    discover,
    documents,
    history,
    logs,
    options,
    portfolio,
    project,
)
from procmap.cli import measure as fast_measure
from procmap.cli import render as fast_render
from procmap.cli import validate as fast
from procmap.cli.commands import app
from procmap.measure import REPORT_FORMATS

#: command -> (its typer function, its typer-free module)
COMMANDS = {
    "validate": (checking.validate, fast),
    "measure": (logs.measure_command, fast_measure),
    "render": (documents.render, fast_render),
}

#: typer command -> its options dataclass
DATACLASSES = {
    checking.validate: options.ValidateOptions,
    logs.measure_command: options.MeasureOptions,
    documents.render: options.RenderOptions,
    documents.serve_command: options.ServeOptions,
    history.review_command: options.ReviewOptions,
    logs.simulate_command: options.SimulateOptions,
    history.diff: options.DiffOptions,
    project.new_command: options.NewOptions,
    project.import_command: options.ImportOptions,
    portfolio.portfolio_command: options.PortfolioOptions,
    discover.discover_command: options.DiscoverOptions,
}


def _typer_command(name: str):
    group = typer.main.get_command(app)
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
    assert tuple(f.value for f in options.ProblemFormat) == fast.FORMATS
    assert REPORT_FORMATS == fast_measure.FORMATS


@pytest.mark.parametrize("command", list(DATACLASSES), ids=lambda c: c.__name__)
def test_the_options_dataclass_has_the_typer_commands_parameters_and_defaults(command):
    fields = dataclasses.fields(DATACLASSES[command])
    typer_params = inspect.signature(command).parameters
    assert list(typer_params) == [f.name for f in fields]
    for field in fields:
        default = typer_params[field.name].default
        if field.default is dataclasses.MISSING:
            assert default is inspect.Parameter.empty, field.name
        else:
            assert default == field.default, field.name


def test_measure_has_an_option_for_each_log_column():
    from procmap.config import LogColumns

    names = {f.name for f in dataclasses.fields(options.MeasureOptions)}
    assert {f.name for f in dataclasses.fields(LogColumns)} <= names


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_fast_function_takes_the_commands_options(name):
    run = getattr(COMMANDS[name][1], FAST[name][1])
    (param,) = inspect.signature(run).parameters.values()
    command = COMMANDS[name][0]
    assert param.annotation == DATACLASSES[command].__name__


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
    ("measure", ["--lifecycle", "lifecycle:transition", "p.yaml", "l.xes"]),
    ("measure", ["--config", "x.toml", "--output=out", "-f", "markdown", "--", "-p.yaml"]),
    (
        "measure",
        ["p.yaml", "l.csv", "--timestamp-format", "%m/%d/%Y %H:%M", "--max-bad-rows=5%"],
    ),
    ("measure", ["--start-timestamp-format=ISO8601", "--skip-bad-rows", "p.yaml", "l.csv"]),
    ("measure", ["-q", "p.yaml", "l.csv"]),
    ("measure", ["p.yaml", "l.csv", "--quiet", "-o", "out"]),
    ("render", []),
    ("render", ["processes/webinar-funnel.yaml", "-o", "site", "-f", "svg,html", "-f", "bpmn"]),
    ("render", ["--direction=TB", "--lanes", "--templates", "t", "--no-index", "--diff", "HEAD"]),
    ("render", ["--force", "--config", "x.toml", "-j", "2", "-q", "--no-measure", "a", "b"]),
    ("render", ["--output=out", "-d", "lr", "--jobs=1", "--quiet", "--", "-odd.yaml"]),
]


@pytest.mark.parametrize("name,argv", ARGVS, ids=[f"{n} {' '.join(a)}" for n, a in ARGVS])
def test_both_paths_make_the_same_call(name, argv, monkeypatch, capsys):
    _, module = COMMANDS[name]
    function = FAST[name][1]
    calls = []

    def record(given):
        calls.append(given)
        return 0

    monkeypatch.setattr(module, function, record)
    assert procmap(capsys, name, *argv)[0] == 0
    from procmap.cli import _typer

    monkeypatch.setattr(sys, "argv", ["procmap", name, *argv])
    with pytest.raises(SystemExit) as done:
        _typer()
    assert done.value.code == 0
    fast_call, typer_call = calls
    assert type(fast_call) is type(typer_call)
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


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["--jobs", "0"], ["-qf", "svg"], ["--lanes=yes"], ["--unknown"], ["--output"]],
)
def test_what_the_fast_render_parser_does_not_read_goes_to_typer(argv):
    assert fast_render.parse_argv(argv) is None


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


def test_rendering_does_not_import_typer(tmp_path):
    out = str(tmp_path / "out")
    args = ("render", "processes/webinar-funnel.yaml", "-f", "runbook", "-o", out, "-q")
    assert modules_after(*args)[0] == 0
    status, modules = modules_after(*args)  # the re-render: nothing to write
    assert status == 0
    assert "procmap.render" in modules
    assert "typer" not in modules and "click" not in modules

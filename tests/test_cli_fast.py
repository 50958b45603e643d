"""The typer-free path of `procmap validate`, held to the typer command it stands in for."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys

import pytest
import typer.main

from conftest import REPO, clean_env, procmap
from procmap.cli import commands
from procmap.cli import validate as fast


def _typer_validate():
    group = typer.main.get_command(commands.app)
    return group.commands["validate"]  # type: ignore[attr-defined]


def test_the_fast_parser_knows_exactly_the_typer_commands_options():
    spellings = set()
    for param in _typer_validate().params:
        if param.param_type_name == "option":
            spellings.update(param.opts + param.secondary_opts)
    spellings -= {"-h", "--help"}
    assert spellings == set(fast.OPTIONS)


def test_the_fast_parser_offers_the_typer_commands_formats():
    assert tuple(f.value for f in commands.OutputFormat) == fast.FORMATS


def test_run_validate_takes_the_typer_commands_parameters_in_order():
    typer_params = list(inspect.signature(commands.validate).parameters)
    assert typer_params == list(inspect.signature(fast.run_validate).parameters)
    assert list(fast.defaults()) == typer_params


ARGVS = [
    ["processes/webinar-funnel.yaml"],
    [],
    ["-f", "json", "a.yaml", "b.yaml"],
    ["--format=github", "--strict", "a.yaml"],
    ["--ignore", "P001,P002", "--ignore=G", "--warn", "X001", "a.yaml"],
    ["--config", "x.toml", "--jobs", "3", "-q", "--no-color", "folder"],
    ["-j", "1", "--color", "--quiet", "--", "-odd-name.yaml"],
]


@pytest.mark.parametrize("argv", ARGVS, ids=[" ".join(a) or "(none)" for a in ARGVS])
def test_both_paths_make_the_same_call(argv, monkeypatch, capsys):
    calls = []
    signature = inspect.signature(fast.run_validate)

    def record(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        calls.append(dict(bound.arguments))
        return 0

    monkeypatch.setattr(fast, "run_validate", record)
    assert procmap(capsys, "validate", *argv)[0] == 0
    from procmap.cli import _typer

    monkeypatch.setattr(sys, "argv", ["procmap", "validate", *argv])
    with pytest.raises(SystemExit) as done:
        _typer()
    assert done.value.code == 0
    fast_call, typer_call = calls
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


def test_a_usage_mistake_gets_typers_message(capsys):
    status, _, err = procmap(capsys, "validate", "--format", "xml", "processes")
    assert status == 2
    assert "xml" in err and "text" in err


def _imports_after_validate(*args: str) -> set[str]:
    code = (
        "import sys\n"
        f"sys.argv = ['procmap', 'validate', *{list(args)!r}]\n"
        "from procmap.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=clean_env(), capture_output=True, text=True
    )
    return set(done.stderr.split())


def test_validating_a_file_does_not_import_typer():
    modules = _imports_after_validate("-q", "processes/lead-scoring.yaml")
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

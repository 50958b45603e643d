"""`procmap validate` as a user runs it: exit statuses, formats, options, colour, errors.

Most tests call the console entry point `procmap.cli.main` in this process (the same code
path as the installed script, including its internal-error guard); a few run
`python -m procmap` in a subprocess to pin the real streams and exit status.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CASES, REPO, clean_env, procmap
from procmap.lint import rules

CLEAN = CASES / "valid" / "minimal" / "process.yaml"
WARNS = CASES / "invalid" / "p009-review-without-cadence" / "process.yaml"
ERRORS = CASES / "invalid" / "g003-unknown-target" / "process.yaml"
MIXED = CASES / "invalid" / "r001-unknown-role" / "process.yaml"  # errors and warnings


@pytest.fixture(autouse=True)
def _no_color_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "GITHUB_ACTIONS", "TERM"):
        monkeypatch.delenv(name, raising=False)


# Exit statuses ---------------------------------------------------------------------


def test_clean_file_exits_0(capsys):
    status, out, err = procmap(capsys, "validate", str(CLEAN))
    assert (status, out, err) == (0, "Checked 1 file: no problems.\n", "")


def test_errors_exit_1_with_problem_lines_and_summary(capsys):
    status, out, err = procmap(capsys, "validate", str(ERRORS))
    assert status == 1 and err == ""
    lines = out.splitlines()
    assert lines[0] == (
        f"{ERRORS}:21:9: G003 next: no step has the id 'aproved'; did you mean 'approved'?"
    )
    assert lines[-1] == "Checked 1 file: 5 errors."


def test_warnings_pass_unless_strict(capsys):
    status, out, _ = procmap(capsys, "validate", str(WARNS))
    assert status == 0
    assert out.endswith("Checked 1 file: 1 warning.\n")
    assert "P009 warning: the review has no cadence" in out
    assert procmap(capsys, "validate", "--strict", str(WARNS))[0] == 1


def test_missing_path_is_a_usage_error(capsys, tmp_path):
    status, out, err = procmap(capsys, "validate", str(tmp_path / "nope.yaml"))
    assert (status, out) == (2, "")
    assert err == f"procmap: {tmp_path / 'nope.yaml'}: no such file or folder\n"


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "xml"],
        ["--bogus"],
        ["--jobs", "0"],
        ["--jobs", "many"],
    ],
)
def test_bad_options_exit_2(capsys, args):
    status, out, err = procmap(capsys, "validate", *args, str(CLEAN))
    assert status == 2
    assert out == ""
    assert err.strip()


def test_unknown_rule_in_ignore_exits_2_with_suggestion(capsys):
    status, out, err = procmap(capsys, "validate", "--ignore", "G03", str(CLEAN))
    assert (status, out) == (2, "")
    assert err.startswith("procmap: --ignore: unknown rule 'G03'")
    status, _, err = procmap(capsys, "validate", "--warn", "unknown-targte", str(CLEAN))
    assert status == 2
    assert "did you mean 'unknown-target'?" in err


# Options ---------------------------------------------------------------------------


def test_ignore_and_warn_change_what_fails(capsys):
    status, out, _ = procmap(capsys, "validate", "--ignore", "G003,G006", str(ERRORS))
    assert status == 0
    assert out == "Checked 1 file: no problems.\n"
    status, out, _ = procmap(capsys, "validate", "--warn", "G", str(ERRORS))
    assert status == 0
    assert out.count(" warning: ") == 5
    assert out.endswith("Checked 1 file: 5 warnings.\n")
    # several --ignore options add up; names work as well as codes
    status, out, _ = procmap(
        capsys, "validate", "--ignore", "unknown-target", "--ignore", "G006", str(ERRORS)
    )
    assert status == 0


def test_quiet_drops_the_summary(capsys):
    status, out, _ = procmap(capsys, "validate", "-q", str(CLEAN))
    assert (status, out) == (0, "")
    status, out, _ = procmap(capsys, "validate", "--quiet", str(MIXED))
    assert status == 1
    assert "Checked" not in out and out.count("\n") == 3


def test_jobs_2_gives_the_same_output_as_jobs_1(run_procmap):
    one = run_procmap("validate", "-j", "1", str(CASES / "invalid"), cwd=REPO)
    two = run_procmap("validate", "-j", "2", str(CASES / "invalid"), cwd=REPO)
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout
    assert one.stdout.count("\n") > 150
    assert "Traceback" not in one.stderr + two.stderr


def test_jobs_are_capped_at_the_cpu_count(capsys, monkeypatch):
    """`-j 100000` used to fork one worker per file (issue 15): the pool gets at most one
    worker per core, on both command-line paths (typer-free and typer)."""
    import concurrent.futures

    from procmap.lint import linter

    sizes: list[int] = []

    class Pool(concurrent.futures.ThreadPoolExecutor):  # records its size, forks nothing
        def __init__(self, workers, context=None, initializer=None, initargs=()):
            sizes.append(workers)
            monkeypatch.setattr(linter, "_WORKER", initargs[1:])  # what each worker sets
            super().__init__(workers)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Pool)
    monkeypatch.setattr(linter, "cpu_count", lambda: 2)
    folder = str(CASES / "invalid")
    assert procmap(capsys, "validate", "-j", "100000", folder)[0] == 1
    assert procmap(capsys, "validate", "-j100000", folder)[0] == 1  # typer reads this one
    assert sizes == [2, 2]
    assert linter._workers(100000, 201) == linter._workers(None, 201) == 2
    assert linter._workers(1, 201) == 1


# Formats ---------------------------------------------------------------------------


def test_json_is_an_empty_array_when_clean(capsys):
    status, out, err = procmap(capsys, "validate", "--format", "json", str(CLEAN))
    assert (status, out) == (0, "[]\n")
    assert err == "Checked 1 file: no problems.\n"  # the summary goes to stderr
    assert procmap(capsys, "validate", "-f", "json", "-q", str(CLEAN))[1:] == ("[]\n", "")


def test_json_fields(capsys):
    status, out, _ = procmap(capsys, "validate", "--format", "json", str(MIXED))
    assert status == 1
    items = json.loads(out)
    assert [set(item) for item in items] == [
        {"path", "line", "column", "code", "severity", "message"}
    ] * len(items)
    assert items[0] == {
        "path": str(MIXED),
        "line": 9,
        "column": 13,
        "code": "R001",
        "severity": "error",
        "message": "role 'founder' is not declared under `roles:`",
    }
    assert {item["severity"] for item in items} == {"error", "warning"}


def test_github_annotations(capsys):
    status, out, _ = procmap(capsys, "validate", "--format", "github", "-q", str(MIXED))
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == (
        f"::error file={MIXED},line=9,col=13,title=R001::"
        "R001 role 'founder' is not declared under `roles:`"
    )
    assert lines[1].startswith(f"::warning file={MIXED},line=11,col=3,title=R004::R004 ")


# Colour ----------------------------------------------------------------------------


def test_no_colour_when_not_a_terminal(run_procmap):
    done = run_procmap("validate", str(MIXED), cwd=REPO)
    assert done.returncode == 1
    assert "\033[" not in done.stdout + done.stderr


def test_colour_forced_on_and_off(capsys, monkeypatch):
    _, out, _ = procmap(capsys, "validate", "--color", str(MIXED))
    assert "\033[31m" in out and "\033[33m" in out
    _, out, _ = procmap(capsys, "validate", "--no-color", str(MIXED))
    assert "\033[" not in out
    monkeypatch.setenv("NO_COLOR", "1")
    _, out, _ = procmap(capsys, "validate", "--color", str(MIXED))
    assert "\033[" not in out


def test_colour_never_in_json(capsys):
    _, out, _ = procmap(capsys, "validate", "--color", "-f", "json", str(MIXED))
    json.loads(out)
    assert "\033[" not in out


# Robustness ------------------------------------------------------------------------


def test_the_whole_bad_corpus_never_gives_a_traceback(run_procmap):
    done = run_procmap("validate", "-f", "json", str(CASES / "invalid"), cwd=REPO)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    codes = {item["code"] for item in json.loads(done.stdout)}
    assert {"Y001", "Y005", "Y009", "Y010", "S001", "G003", "X001"} <= codes


def test_internal_error_exits_2_and_asks_for_a_bug_report(capsys, monkeypatch):
    def broken(ctx):
        raise RuntimeError("rule exploded")
        yield

    monkeypatch.setitem(rules.CHECKS, "G001", broken)
    status, out, err = procmap(capsys, "validate", "-j", "1", str(CLEAN))
    assert status == 2
    assert out == ""
    assert err.startswith("procmap: internal error: RuntimeError: rule exploded\n")
    assert "This is a bug in procmap" in err and "Please report it" in err


def test_running_out_of_memory_is_one_line_and_exit_1(capsys, monkeypatch):
    """An input too large for the machine is not a bug of procmap's: one line, exit 1."""

    def exhausted(ctx):
        raise MemoryError
        yield

    monkeypatch.setitem(rules.CHECKS, "G001", exhausted)
    status, out, err = procmap(capsys, "validate", "-j", "1", str(CLEAN))
    assert (status, out) == (1, "")
    assert err.startswith("procmap: out of memory: ") and err.count("\n") == 1
    assert "internal error" not in err and "bug" not in err


def test_python_dash_m_procmap_runs_the_cli(run_procmap):
    done = run_procmap("--version")
    assert done.returncode == 0
    assert done.stdout.startswith("procmap ")
    done = run_procmap("validate", str(CLEAN), cwd=REPO)
    assert (done.returncode, done.stdout) == (0, "Checked 1 file: no problems.\n")


# Default paths from the configuration ------------------------------------------------


def _project(root: Path, config: str) -> None:
    (root / "pyproject.toml").write_text(f"[project]\nname = 'x'\n\n[tool.procmap]\n{config}")
    (root / "flows").mkdir()
    (root / "flows" / "lead-handoff.yaml").write_bytes(CLEAN.read_bytes())
    (root / "flows" / "broken.yaml").write_text("procmap: 1\nid: broken\n")
    (root / "docs").mkdir()


def test_default_paths_come_from_the_configuration(capsys, monkeypatch, tmp_path):
    _project(tmp_path, 'paths = ["flows"]\nexclude = ["flows/broken.yaml"]\n')
    monkeypatch.chdir(tmp_path)
    assert procmap(capsys, "validate") == (0, "Checked 1 file: no problems.\n", "")
    monkeypatch.chdir(tmp_path / "docs")  # found upwards; paths relative to the config
    assert procmap(capsys, "validate") == (0, "Checked 1 file: no problems.\n", "")


def test_default_path_is_processes_without_configuration(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    status, out, err = procmap(capsys, "validate")
    assert (status, out) == (2, "")
    assert err == "procmap: processes: no such file or folder\n"


def test_bad_configuration_exits_2(capsys, monkeypatch, tmp_path):
    (tmp_path / "procmap.toml").write_text('ignore = ["P009"]\npath = ["flows"]\n')
    monkeypatch.chdir(tmp_path)
    status, out, err = procmap(capsys, "validate", str(CLEAN))
    assert (status, out) == (2, "")
    assert err.startswith("procmap: ") and "unknown setting 'path'; did you mean 'paths'?" in err


def test_explicit_config_option(capsys, tmp_path):
    config = tmp_path / "strict.toml"
    config.write_text('error = ["P009"]\n')
    status, out, _ = procmap(capsys, "validate", "--config", str(config), str(WARNS))
    assert status == 1
    assert "P009 the review has no cadence" in out
    status, _, err = procmap(capsys, "validate", "--config", str(tmp_path / "no.toml"), str(WARNS))
    assert status == 2 and "configuration file not found" in err


def test_clean_env_helper_strips_colour_variables():
    assert "NO_COLOR" not in clean_env()
    assert clean_env(NO_COLOR="1")["NO_COLOR"] == "1"


def test_one_file_under_several_spellings_is_checked_once(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    relative = "processes/lead-scoring.yaml"
    status, out, _ = procmap(
        capsys, "validate", relative, f"./{relative}", str(REPO / relative), "processes"
    )
    # no X001 against itself; the folder adds the other examples
    assert status == 0, out
    assert "X001" not in out
    count = len(list((REPO / "processes").glob("*.yaml")))
    assert f"Checked {count} files:" in out


def test_the_duplicate_id_scan_stays_out_of_other_repositories_and_ignored_folders(
    capsys, monkeypatch, tmp_path
):
    """Validating one file compares its id with its neighbours, not with a clone of
    another repository, an output folder or a folder .gitignore names (issue 21)."""
    (tmp_path / "lead-handoff.yaml").write_bytes(CLEAN.read_bytes())
    for folder in ("their-repo/processes", "out", "archive", ".venv/lib"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "copy.yaml").write_bytes(CLEAN.read_bytes())
    (tmp_path / "their-repo" / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("# old drafts\narchive/\n")
    monkeypatch.chdir(tmp_path)
    assert procmap(capsys, "validate", "lead-handoff.yaml") == (
        0,
        "Checked 1 file: no problems.\n",
        "",
    )
    # A copy beside the file is still a duplicate; so is one under a configured path.
    (tmp_path / "twin.yaml").write_bytes(CLEAN.read_bytes())
    status, out, _ = procmap(capsys, "validate", "lead-handoff.yaml")
    assert status == 1 and "X001" in out and "twin.yaml" in out
    (tmp_path / "twin.yaml").unlink()
    (tmp_path / "procmap.toml").write_text('paths = ["flows"]\n')
    (tmp_path / "flows" / "sales").mkdir(parents=True)
    (tmp_path / "flows" / "a.yaml").write_bytes(CLEAN.read_bytes())
    (tmp_path / "flows" / "sales" / "b.yaml").write_bytes(CLEAN.read_bytes())
    status, out, _ = procmap(capsys, "validate", "flows/a.yaml")
    assert status == 1 and "flows/sales/b.yaml" in out

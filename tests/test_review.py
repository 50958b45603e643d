"""`procmap review`: due dates, statuses on a fixed day, the formats and exit statuses."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import cli_runner
from procmap.cli import app
from procmap.git.review import due_date, status_of

HERE = Path(__file__).parent / "review"
LIST = str(HERE / "list")
BROKEN = str(HERE / "broken")
D = dt.date


@pytest.mark.parametrize(
    ("every", "last", "due"),
    [
        ("weekly", D(2026, 3, 3), D(2026, 3, 10)),
        ("weekly", D(2026, 12, 28), D(2027, 1, 4)),
        ("monthly", D(2026, 1, 15), D(2026, 2, 15)),
        ("monthly", D(2026, 1, 31), D(2026, 2, 28)),
        ("monthly", D(2028, 1, 31), D(2028, 2, 29)),
        ("monthly", D(2026, 3, 31), D(2026, 4, 30)),
        ("monthly", D(2026, 12, 31), D(2027, 1, 31)),
        ("quarterly", D(2026, 11, 30), D(2027, 2, 28)),
        ("quarterly", D(2027, 11, 30), D(2028, 2, 29)),
        ("quarterly", D(2026, 8, 31), D(2026, 11, 30)),
        ("quarterly", D(2026, 10, 1), D(2027, 1, 1)),
        ("yearly", D(2028, 2, 29), D(2029, 2, 28)),
        ("yearly", D(2026, 6, 30), D(2027, 6, 30)),
        ("1d", D(2026, 2, 28), D(2026, 3, 1)),
        ("45d", D(2026, 1, 20), D(2026, 3, 6)),
        ("366d", D(2028, 1, 1), D(2029, 1, 1)),
    ],
)
def test_due_date(every, last, due):
    assert due_date(every, last) == due


def test_due_date_rejects_unknown_cadence():
    with pytest.raises(ValueError, match="fortnightly"):
        due_date("fortnightly", D(2026, 1, 1))


@pytest.mark.parametrize(
    ("every", "last", "today", "status"),
    [
        ("weekly", D(2026, 3, 1), D(2026, 3, 9), "overdue"),
        ("weekly", D(2026, 3, 1), D(2026, 3, 8), "due soon"),  # due today
        ("weekly", D(2026, 3, 1), D(2026, 3, 2), "due soon"),  # 6 days left
        ("weekly", D(2026, 3, 1), D(2026, 3, 1), "ok"),  # just reviewed: 7 days left
        ("monthly", D(2026, 3, 1), D(2026, 3, 26), "due soon"),  # due April 1: 6 days left
        ("monthly", D(2026, 3, 1), D(2026, 3, 25), "ok"),  # 7 days left
        ("quarterly", None, D(2026, 3, 1), "never reviewed"),
        (None, D(2026, 3, 1), D(2026, 3, 1), "unscheduled"),
        (None, None, D(2026, 3, 1), "unscheduled"),
    ],
)
def test_status_on_a_day(every, last, today, status):
    assert status_of(every, last, today)[1] == status


def run(*args: str):
    return cli_runner().invoke(app, list(args), catch_exceptions=False)


def rows(*args: str) -> list[dict]:
    result = run("review", *args, "--format", "json")
    return json.loads(result.stdout)


def test_json_fields_and_order():
    got = rows(LIST, "--today", "2026-02-26")
    assert [r["id"] for r in got] == ["never", "weekly", "month-end", "days", "unscheduled"]
    by_id = {r["id"]: r for r in got}
    assert by_id["month-end"] == {
        "id": "month-end",
        "path": str(Path(LIST) / "month-end.yaml"),
        "name": "Month-end process",
        "owner": "The Boss",
        "approver": None,
        "every": "monthly",
        "last": "2026-01-31",
        "due": "2026-02-28",
        "days_left": 2,
        "overdue": False,
        "status": "due soon",
    }
    assert by_id["weekly"]["approver"] == "The Boss"
    assert by_id["never"]["due"] is None and by_id["never"]["overdue"] is True
    assert by_id["unscheduled"]["every"] is None and by_id["unscheduled"]["overdue"] is False
    assert by_id["days"]["due"] == "2026-03-06" and by_id["days"]["status"] == "ok"


def test_statuses_move_with_today():
    got = {r["id"]: r["status"] for r in rows(LIST, "--today", "2026-03-01")}
    assert got == {
        "never": "never reviewed",
        "weekly": "overdue",
        "month-end": "overdue",
        "days": "due soon",
        "unscheduled": "unscheduled",
    }


def test_check_exit_status():
    # "never" has a cadence and no review yet, so it is overdue on any day
    assert run("review", LIST, "--today", "2026-02-26").exit_code == 0
    assert run("review", LIST, "--today", "2026-02-26", "--check").exit_code == 1
    on_time = str(HERE / "list" / "days.yaml")
    assert run("review", on_time, "--today", "2026-02-26", "--check").exit_code == 0
    assert run("review", on_time, "--today", "2026-03-07", "--check").exit_code == 1
    assert run("review", on_time, "--today", "2026-03-06", "--check").exit_code == 0


def test_text_table_exact():
    result = run("review", LIST, "--today", "2026-03-01", "--no-color")
    assert result.exit_code == 0
    assert result.stdout == (
        "Process      Name               Owner     Cadence    Last review  Due         Status\n"
        "never        Never reviewed     The Boss  quarterly  never        now         never reviewed\n"
        "weekly       Weekly process     The Boss  weekly     2026-02-20   2026-02-27  overdue by 2 days\n"
        "month-end    Month-end process  The Boss  monthly    2026-01-31   2026-02-28  overdue by 1 day\n"
        "days         Every 45 days      The Boss  45d        2026-01-20   2026-03-06  due in 5 days\n"
        "unscheduled  No cadence         The Boss  -          -            -           unscheduled\n"
        "5 processes: 2 overdue, 1 never reviewed, 1 due soon, 1 unscheduled.\n"
    )


def test_text_colours_overdue_red_only_when_asked():
    plain = run("review", LIST, "--today", "2026-03-01", "--no-color").stdout
    colored = run("review", LIST, "--today", "2026-03-01", "--color").stdout
    assert "\x1b[" not in plain
    assert "\x1b[1;31moverdue by 2 days" in colored
    assert "\x1b[33mdue in 5 days" in colored


def test_markdown_table():
    out = run("review", LIST, "--today", "2026-03-01", "-f", "markdown").stdout
    lines = out.splitlines()
    assert lines[0] == (
        "**Process reviews on 2026-03-01**: 5 processes: 2 overdue, 1 never reviewed,"
        " 1 due soon, 1 unscheduled."
    )
    assert lines[2] == "| Process | Name | Owner | Cadence | Last review | Due | Status |"
    assert (
        "| `weekly` | Weekly process | The Boss | weekly | 2026-02-20 | 2026-02-27"
        " | **overdue by 2 days** |" in lines
    )
    assert (
        "| `days` | Every 45 days | The Boss | 45d | 2026-01-20 | 2026-03-06 | due in 5 days |"
        in lines
    )


def test_output_is_deterministic():
    args = ("review", LIST, BROKEN, "--today", "2026-03-01", "-f", "json")
    assert run(*args).stdout == run(*args).stdout


def test_invalid_files_are_reported_like_validate_and_fail():
    result = run("review", LIST, BROKEN, "--today", "2026-02-26", "-f", "json")
    assert result.exit_code == 1
    validate = run("validate", BROKEN, "-q", "--no-color")
    errors = [line for line in validate.stdout.splitlines(True) if " warning: " not in line]
    assert result.stderr == "".join(errors)  # the errors only: review is not a linter
    assert "S009" in result.stderr
    assert [r["id"] for r in json.loads(result.stdout)] == [
        "never",
        "weekly",
        "month-end",
        "days",
        "unscheduled",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--today", "2026-02-30"], "--today: '2026-02-30' is not a date"),
        (["--note", "x"], "--note and --by go with --done FILE"),
        (["nowhere/at/all"], "nowhere/at/all: no such file or folder"),
        (["--done", "nowhere.yaml"], "nowhere.yaml: no such file"),
        (["--done", f"{LIST}/weekly.yaml", "--check"], "--done takes one FILE"),
    ],
)
def test_usage_errors_exit_2(args, message):
    result = run("review", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("procmap: ")
    assert message in result.stderr


def test_default_paths_come_from_the_configuration(tmp_path, monkeypatch):
    (tmp_path / "procmap.toml").write_text('paths = ["flows"]\n')
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "w.yaml").write_text((HERE / "list" / "weekly.yaml").read_text())
    monkeypatch.chdir(tmp_path)
    got = rows("--today", "2026-02-26")
    assert [(r["id"], r["path"]) for r in got] == [("weekly", "flows/w.yaml")]


@given(
    last=st.dates(min_value=D(1900, 1, 1), max_value=D(9000, 12, 31)),
    every=st.sampled_from(["monthly", "quarterly", "yearly"]),
)
def test_calendar_months_property(last, every):
    months = {"monthly": 1, "quarterly": 3, "yearly": 12}[every]
    due = due_date(every, last)
    assert (due.year * 12 + due.month) - (last.year * 12 + last.month) == months
    # the same day of the month, or the month's last day when it is shorter
    next_day = due + dt.timedelta(days=1)
    assert due.day == last.day or (due.day < last.day and next_day.day == 1)


def test_check_on_invalid_files_only_says_nothing_was_checked(tmp_path):
    (tmp_path / "two.yaml").write_bytes((HERE / "broken" / "broken.yaml").read_bytes())
    result = run("review", "--check", BROKEN, str(tmp_path / "two.yaml"), "--today", "2026-03-01")
    assert result.exit_code == 1
    assert result.stdout == "No valid process to check: 2 files have errors.\n"
    assert "on schedule" not in result.stdout and "S009" in result.stderr


def test_the_summary_counts_the_files_not_checked():
    text = run("review", LIST, BROKEN, "--today", "2026-02-26", "--no-color").stdout
    assert text.splitlines()[-1].endswith(". Not checked: 1 file has errors.")
    markdown = run("review", LIST, BROKEN, "--today", "2026-02-26", "-f", "markdown").stdout
    assert markdown.splitlines()[0].endswith(". Not checked: 1 file has errors.")
    assert "Not checked" not in run("review", LIST, "--today", "2026-02-26").stdout
    assert run("review", str(HERE), "--today", "2026-02-26").stdout.count("Not checked") == 1


def test_summary_wording():
    from procmap.git.review import summary

    assert summary([]) == "No process to check."
    assert summary([], 1) == "No valid process to check: 1 file has errors."

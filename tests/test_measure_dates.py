"""`procmap measure` and the dates of real exports (issue 17, item 2): one format per
timestamp column, chosen from the column's values (or given with `--timestamp-format`); a
column that reads day-first and month-first alike refused with the column, two of its
values and the option; unreadable rows reported with their row numbers, and above
`--max-bad-rows` (1 %) exit 1 unless `--skip-bad-rows`; Disco's headers found.

The logs are helpdesk tickets written here in each export's spelling (`helpdesk_csv`), and
two small files in tests/dates/ as Disco and a US spreadsheet export them. Before issue
17, every value was tried in ISO 8601 then in each export format in turn: a US log read
day-first wherever the day was 12 or less, the other rows skipped, exit 0.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, load, procmap
from procmap.config import LogColumns
from procmap.measure import RefusedLogError, logread, measure_log

HERE = REPO / "tests" / "dates"
PROCESS = HERE / "helpdesk.yaml"
UTC = datetime.UTC
#: The first ticket is opened on 3 January 2026 (US: 01/03/2026, day-first: 03/01/2026).
FIRST = datetime.datetime(2026, 1, 3, 9, 0, tzinfo=UTC)


def _process() -> Any:
    return load(PROCESS)  # conftest: the valid process of the file


def _tickets(cases: int, same_day: bool = False) -> list[tuple[str, str, datetime.datetime]]:
    """(case, activity, time) of `cases` tickets, one opened every 37 hours from `FIRST`
    (so that days above 12 come after the first rows); answered 5 hours later and closed
    3 days after opening, or all on the day opened (`same_day`) with the days 1 to 12."""
    rows = []
    for i in range(cases):
        if same_day:  # every day and month 12 or less: reads either way
            opened = datetime.datetime(2026, 1 + i % 12, 1 + (5 * i + 2) % 12, 9, 0, tzinfo=UTC)
            times = [opened, opened + datetime.timedelta(hours=2), opened.replace(hour=15)]
        else:
            opened = FIRST + datetime.timedelta(hours=37 * i)
            times = [opened, opened + datetime.timedelta(hours=5), opened + datetime.timedelta(3)]
        for activity, when in zip(
            ["Ticket opened", "Answer the customer", "Ticket closed"], times, strict=True
        ):
            rows.append((f"T-{1000 + i}", activity, when))
    return rows


def helpdesk_csv(
    path: Path,
    fmt: str,
    cases: int = 40,
    same_day: bool = False,
    header: str = "case,activity,timestamp",
) -> Path:
    """A helpdesk log with its timestamps spelt with strftime's `fmt` (a callable for
    spellings strftime lacks)."""
    lines = [header]
    for case, activity, when in _tickets(cases, same_day):
        lines.append(f"{case},{activity},{fmt(when) if callable(fmt) else when.strftime(fmt)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _span(cases: int = 40) -> dict[str, str]:
    last = FIRST + datetime.timedelta(hours=37 * (cases - 1), days=3)
    return {"first": "2026-01-03T09:00:00Z", "last": last.strftime("%Y-%m-%dT%H:%M:%SZ")}


def _us_am_pm(when: datetime.datetime) -> str:
    """`1/3/2026 9:00 AM`: a US spreadsheet's spelling, no leading zeros."""
    return f"{when.month}/{when.day}/{when.year} {when.strftime('%I:%M %p').lstrip('0')}"


@pytest.mark.parametrize(
    "fmt",
    [
        "%m/%d/%Y %H:%M",  # US month first: 01/03/2026 is 3 January, not 1 March
        "%d/%m/%Y %H:%M",  # European day first
        "%d.%m.%Y %H:%M",  # German, dotted
        "%d-%m-%Y %H:%M:%S",
        "%Y/%m/%d %H:%M:%S",
        _us_am_pm,  # 12-hour with AM/PM, month first
        "%Y-%m-%dT%H:%M:%SZ",
    ],
    ids=["us", "day-first", "german-dotted", "dashes", "year-first", "us-am-pm", "iso-z"],
)
def test_each_export_spelling_reads_every_row_in_one_format(tmp_path, fmt):
    log = helpdesk_csv(tmp_path / "helpdesk.csv", fmt)
    result = measure_log(_process(), log)
    assert result["skipped_rows"]["count"] == 0
    assert (result["cases"], result["events"]) == (40, 120)
    assert result["span"] == _span()
    assert result["throughput"]["p50"] == 3 * 86400  # type: ignore[index]


def test_an_export_format_is_read_in_the_timezone(tmp_path):
    log = helpdesk_csv(tmp_path / "us.csv", "%m/%d/%Y %H:%M")
    result = measure_log(_process(), log, columns=LogColumns(timezone="Europe/Berlin"))
    assert result["span"]["first"] == "2026-01-03T08:00:00Z"  # 09:00 in Berlin, winter


def test_iso_with_offsets_and_z_is_one_format(tmp_path):
    log = tmp_path / "iso.csv"
    log.write_text(
        "case,activity,timestamp\n"
        "T-1,Ticket opened,2026-03-14T09:00:00Z\n"
        "T-1,Answer the customer,2026-03-14T11:30:00+01:00\n"
        "T-1,Ticket closed,2026-03-14 12:00:00.250-05:00\n"
        "T-2,Ticket opened,2026-03-14 08:00:00\n",
        encoding="utf-8",
    )
    result = measure_log(_process(), log)
    assert result["skipped_rows"]["count"] == 0
    assert result["span"] == {"first": "2026-03-14T08:00:00Z", "last": "2026-03-14T17:00:00.25Z"}
    # 09:00Z to 10:30Z to 17:00:00.25Z
    assert sorted(d["mean"] for d in result["directly_follows"]) == [5400, 23400.25]


def test_us_dates_whose_first_rows_read_either_way_are_counted_over_the_column(
    tmp_path, monkeypatch
):
    # The first rows (3 January, then 4 and 5 January) read day-first too: the whole
    # column decides, and rows with a day above 12 exist only month-first.
    monkeypatch.setattr(logread, "SAMPLE_ROWS", 6)
    log = helpdesk_csv(tmp_path / "us.csv", "%m/%d/%Y %H:%M")
    result = measure_log(_process(), log)
    assert result["skipped_rows"]["count"] == 0
    assert result["span"] == _span()


def test_an_ambiguous_column_is_refused_with_two_values_and_the_option(tmp_path, capsys):
    log = helpdesk_csv(tmp_path / "ambiguous.csv", "%d/%m/%Y %H:%M", same_day=True)
    with pytest.raises(RefusedLogError):
        measure_log(_process(), log)
    status, out, err = procmap(capsys, "measure", str(PROCESS), str(log))
    assert (status, out) == (1, "")
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"procmap: {log}: column 'timestamp' reads as day-first")
    examples = re.search(r"\(e\.g\. '([^']+)', '([^']+)'\)", err)
    assert examples, err
    assert {examples[1], examples[2]} <= set(
        log.read_text(encoding="utf-8").replace("\n", ",").split(",")
    )
    assert "--timestamp-format '%d/%m/%Y %H:%M' (day first)" in err
    assert "--timestamp-format '%m/%d/%Y %H:%M' (month first)" in err


@pytest.mark.parametrize("fmt", ["%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M"])
def test_timestamp_format_settles_an_ambiguous_column(tmp_path, capsys, fmt):
    log = helpdesk_csv(tmp_path / "ambiguous.csv", "%d/%m/%Y %H:%M", same_day=True)
    status, out, err = procmap(
        capsys, "measure", str(PROCESS), str(log), "--timestamp-format", fmt, "-f", "json"
    )
    assert status == 0, err
    result = json.loads(out)
    assert result["skipped_rows"]["count"] == 0 and result["events"] == 120
    # the log was written day-first: month-first swaps each day and month
    times = [when for _, _, when in _tickets(40, same_day=True)]
    if fmt.startswith("%m"):
        times = [when.replace(month=when.day, day=when.month) for when in times]
    spelt = [when.strftime("%Y-%m-%dT%H:%M:%SZ") for when in (min(times), max(times))]
    assert [result["span"]["first"], result["span"]["last"]] == spelt
    config = tmp_path / "procmap.toml"
    config.write_text(
        f'[logs]\nhelpdesk = {{path = "ambiguous.csv", timestamp-format = "{fmt}"}}\n',
        encoding="utf-8",
    )
    status, out, err = procmap(capsys, "measure", str(PROCESS), "--config", str(config))
    assert status == 0, err


def test_a_given_format_that_is_no_format_is_one_line(tmp_path, capsys):
    log = helpdesk_csv(tmp_path / "us.csv", "%m/%d/%Y %H:%M")
    status, _, err = procmap(
        capsys, "measure", str(PROCESS), str(log), "--timestamp-format", "%Q/%m"
    )
    assert status == 2 and len(err.splitlines()) == 1, err
    assert "--timestamp-format '%Q/%m' for column 'timestamp' is not a strptime format" in err


def _garbled(tmp_path: Path) -> Path:
    """50 tickets, 150 rows, three of them (2 %) with a timestamp no format reads."""
    log = helpdesk_csv(tmp_path / "garbled.csv", "%m/%d/%Y %H:%M", cases=50)
    lines = log.read_text(encoding="utf-8").splitlines()
    for row, junk in ((7, "#VALUE!"), (40, "n/a"), (121, "13/45/2026 25:00")):
        case, activity, _ = lines[row].split(",")
        lines[row] = f"{case},{activity},{junk}"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return log


def test_bad_rows_above_one_percent_exit_1_with_their_row_numbers(tmp_path, capsys):
    log = _garbled(tmp_path)
    out_dir = tmp_path / "out"
    status, out, err = procmap(capsys, "measure", str(PROCESS), str(log), "-o", str(out_dir))
    assert (status, out) == (1, "")
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"procmap: {log}: 3 of 150 rows unreadable (2.0%, above the 1.0%")
    assert "row 7: unparseable timestamp #VALUE!; row 40: unparseable timestamp n/a;" in err
    assert "row 121: unparseable timestamp 13/45/2026 25:00;" in err
    assert "--skip-bad-rows" in err
    assert not out_dir.exists()  # nothing half-written
    with pytest.raises(RefusedLogError, match="3 of 150 rows unreadable"):
        measure_log(_process(), log, max_bad_rows=0.01)


@pytest.mark.parametrize("option", [["--skip-bad-rows"], ["--max-bad-rows", "2.5%"]])
def test_skip_bad_rows_measures_without_them_and_says_which(tmp_path, capsys, option):
    log = _garbled(tmp_path)
    status, out, err = procmap(capsys, "measure", str(PROCESS), str(log), *option, "-f", "json")
    assert status == 0, err
    result = json.loads(out)
    assert result["skipped_rows"]["count"] == 3 and result["events"] == 147
    assert [x["row"] for x in result["skipped_rows"]["examples"]] == [7, 40, 121]
    assert err == (
        f"procmap: warning: {log}: skipped 3 unreadable row(s): row 7: unparseable timestamp"
        " #VALUE!; row 40: unparseable timestamp n/a; row 121: unparseable timestamp"
        " 13/45/2026 25:00\n"
    )


@pytest.mark.parametrize("value", ["many", "101%", "-1", "nan"])
def test_max_bad_rows_must_be_a_percent(tmp_path, capsys, value):
    log = helpdesk_csv(tmp_path / "us.csv", "%m/%d/%Y %H:%M")
    status, _, err = procmap(capsys, "measure", str(PROCESS), str(log), "--max-bad-rows", value)
    assert status == 2 and "--max-bad-rows" in err and len(err.splitlines()) == 1, err


def test_disco_headers_are_found_without_options(capsys):
    log = HERE / "disco-export.csv"
    result = measure_log(_process(), log)
    assert result["skipped_rows"]["count"] == 0
    assert (result["cases"], result["events"]) == (2, 6)
    assert result["span"] == {"first": "2026-03-02T09:00:00Z", "last": "2026-03-16T09:45:30.5Z"}
    answer = next(s for s in result["steps"] if s["id"] == "answer")
    assert answer["processing"]["mean"] == (45 + 90) / 2 * 60  # from Start Timestamp
    status, _, err = procmap(capsys, "measure", str(PROCESS), str(log))
    assert status == 0 and err == ""


def test_a_start_column_that_reads_either_way_takes_the_timestamp_columns_order():
    # Start Timestamp: 03/02, 03/02, 03/12, every day 12 or less; Complete Timestamp has
    # 03/13 and 03/14: month first, and so is the start column read.
    result = measure_log(_process(), HERE / "us-ambiguous-start.csv")
    answer = next(s for s in result["steps"] if s["id"] == "answer")
    closed = next(s for s in result["steps"] if s["id"] == "closed")
    assert answer["processing"]["mean"] == 11 * 86400 + 3600  # 2 March 10:00 to 13 March 11:00
    assert closed["processing"]["mean"] == 2 * 86400 + 1800  # 12 March 16:00 to 14 March 16:30


def test_the_start_timestamp_format_is_its_own_setting():
    columns = LogColumns(start_timestamp_format="%d/%m/%Y %H:%M")
    result = measure_log(_process(), HERE / "us-ambiguous-start.csv", columns=columns)
    answer = next(s for s in result["steps"] if s["id"] == "answer")
    # the start read day-first: 3 February 10:00 to 13 March 11:00 (month first)
    assert answer["processing"]["mean"] == 38 * 86400 + 3600


def _project(tmp_path: Path, entry: str) -> Path:
    """A project with the helpdesk process and its garbled log declared in
    [tool.procmap.logs] with `entry` (the table's settings)."""
    (tmp_path / "processes").mkdir()
    (tmp_path / "processes" / "helpdesk.yaml").write_bytes(PROCESS.read_bytes())
    _garbled(tmp_path)
    (tmp_path / "procmap.toml").write_text(
        f'[logs.helpdesk]\npath = "garbled.csv"\ntimestamp-format = "%m/%d/%Y %H:%M"\n{entry}\n',
        encoding="utf-8",
    )
    return tmp_path


def test_a_declared_log_s_max_bad_rows_applies_when_the_option_is_not_given(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(_project(tmp_path, 'max-bad-rows = "5%"'))
    status, out, err = procmap(capsys, "measure", "processes/helpdesk.yaml", "-f", "json")
    assert status == 0, err
    assert json.loads(out)["skipped_rows"]["count"] == 3
    # The option, given, wins over the configuration.
    status, _, err = procmap(capsys, "measure", "processes/helpdesk.yaml", "--max-bad-rows", "1%")
    assert status == 1 and "above the 1.0% allowed" in err


def test_render_refuses_a_declared_log_above_its_max_bad_rows_and_says_so(
    tmp_path, capsys, monkeypatch
):
    """Before, render measured a declared log with no limit: its figures went into the
    worksheet whatever share of the rows was unreadable."""
    monkeypatch.chdir(_project(tmp_path, ""))
    status, _, err = procmap(capsys, "render", "-f", "dmaic", "-o", "out", "-q")
    assert status == 1, err  # as for any declared log that cannot be measured
    assert "3 of 150 rows unreadable (2.0%, above the 1.0%" in err
    assert "`max-bad-rows` in [tool.procmap.logs.helpdesk] allows more" in err
    assert "rendered without figures" in err
    assert "Measured" not in (tmp_path / "out" / "helpdesk.dmaic.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("value", ['"many"', '"101%"', "-1"])
def test_a_declared_max_bad_rows_must_be_a_percent(tmp_path, capsys, monkeypatch, value):
    monkeypatch.chdir(_project(tmp_path, f"max-bad-rows = {value}"))
    status, _, err = procmap(capsys, "measure", "processes/helpdesk.yaml")
    assert status == 2
    assert "logs.helpdesk.max-bad-rows" in err and "is not a percent of the rows" in err

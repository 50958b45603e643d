"""`procmap measure` on logs with lifecycle transitions (issue 17, item 1): an activity
instance is a `complete` event, a `start` of the same case and activity paired with the
next `complete` first in first out; the other transitions are no occurrences; unpaired
starts and aborted instances counted and reported. And `procmap simulate --lifecycle`.

tests/lifecycle/loans.xes is a hand-made XES in the shape ProM and Disco export
(lifecycle extension, classifier, +01:00 offsets), three cases of tests/lifecycle/
loans.yaml; its figures are worked out in the comments beside the assertions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, load, procmap
from procmap.config import LogColumns
from procmap.measure import format_report, measure_log

HERE = REPO / "tests" / "lifecycle"
PROCESS = HERE / "loans.yaml"
XES = HERE / "loans.xes"
MIN = 60.0

# The same three cases as a CSV export: Disco-like headers, transitions in capitals and
# mixed case, the cases interleaved, the rows not in time order within L-2.
CSV = """\
Case ID,Activity,Timestamp,Resource,Lifecycle
L-1,Receive application,2026-03-02 08:00:00,System,COMPLETE
L-2,Receive application,2026-03-03 08:00:00,System,Complete
L-1,Check documents,2026-03-02 08:05:00,System,SCHEDULE
L-1,Check documents,2026-03-02 08:06:00,Ana,ASSIGN
L-1,Check documents,2026-03-02 08:10:00,Ana,START
L-1,Check documents,2026-03-02 08:20:00,Ana,SUSPEND
L-1,Check documents,2026-03-02 08:40:00,Ana,RESUME
L-1,Check documents,2026-03-02 09:00:00,Ana,COMPLETE
L-1,Approve loan,2026-03-02 09:30:00,Ben,START
L-1,Approve loan,2026-03-02 10:00:00,Ben,COMPLETE
L-1,Loan granted,2026-03-02 10:05:00,System,COMPLETE
L-2,Check documents,2026-03-03 08:20:00,Carl,START
L-2,Check documents,2026-03-03 08:10:00,Ana,START
L-2,Check documents,2026-03-03 08:40:00,Ana,COMPLETE
L-2,Check documents,2026-03-03 09:20:00,Carl,COMPLETE
L-2,Approve loan,2026-03-03 09:30:00,Ben,START
L-2,Approve loan,2026-03-03 09:45:00,Ben,ATE_ABORT
L-2,Approve loan,2026-03-03 10:00:00,Ben,START
L-2,Approve loan,2026-03-03 10:30:00,Ben,COMPLETE
L-2,Loan granted,2026-03-03 10:40:00,System,COMPLETE
L-3,Receive application,2026-03-04 08:00:00,System,COMPLETE
L-3,Check documents,2026-03-04 08:10:00,Ana,START
L-3,Check documents,2026-03-04 08:30:00,Ana,COMPLETE
L-3,Approve loan,2026-03-04 08:45:00,System,SCHEDULE
L-3,Approve loan,2026-03-04 08:50:00,Ben,START
"""


def _process(path: Path = PROCESS) -> Any:
    return load(path)  # conftest: the valid process of the file


def _step(result: Any, sid: str) -> Any:
    return next(s for s in result["steps"] if s["id"] == sid)


@pytest.fixture(scope="module")
def xes() -> Any:
    return measure_log(_process(), XES)


def test_an_activity_instance_is_a_complete_event(xes):
    # 25 events: 11 complete, 8 start, 2 schedule, assign, suspend, resume, ate_abort.
    # Counted as events before: 25. The instances are the 11 completes: L-1 receive,
    # check, approve, granted; L-2 receive, check twice, approve, granted; L-3 receive,
    # check (its Approve loan never completes).
    assert (xes["cases"], xes["events"]) == (3, 11)
    events = {s["id"]: s["events"] for s in xes["steps"]}
    assert events == {"receive": 3, "check": 4, "approve": 2, "granted": 2}
    assert xes["span"] == {"first": "2026-03-02T08:00:00Z", "last": "2026-03-04T08:30:00Z"}
    # L-2 checks the documents twice (two overlapping instances): rework, a check->check
    assert xes["rework"] == {"cases": 1, "rate": pytest.approx(1 / 3)}
    pairs = {(d["from"], d["to"]): d["count"] for d in xes["directly_follows"]}
    assert pairs == {
        ("receive", "check"): 3,
        ("check", "check"): 1,
        ("check", "approve"): 2,
        ("approve", "granted"): 2,
    }


def test_starts_pair_first_in_first_out_and_give_the_processing_time(xes):
    # Check documents: L-1 start 09:10 -> complete 10:00 = 50 min (suspended 20 min
    # in between, counted); L-2 starts 09:10 and 09:20, completes 09:40 and 10:20: first
    # in first out, 30 and 60 min (last in first out would give 20 and 70); L-3 20 min.
    # Sorted 20, 30, 50, 60: mean 40, p50 40, p90 at rank 2.7: 50 + 0.7 * 10 = 57 min.
    check = _step(xes, "check")
    assert check["processing"] == {"mean": 40 * MIN, "p50": 40 * MIN, "p90": 57 * MIN}
    # Approve loan: L-1 30 min; L-2's first start is aborted (ate_abort at 10:45), so its
    # complete at 11:30 pairs with the second start, 11:00: 30 min, not 60.
    approve = _step(xes, "approve")
    assert approve["processing"] == {"mean": 30 * MIN, "p50": 30 * MIN, "p90": 30 * MIN}
    # waiting: the start minus the previous instance's completion, L-1 10:30 - 10:00 and
    # L-2 11:00 - 10:20 (the second check): 30 and 40 min
    assert approve["waiting"]["mean"] == 35 * MIN
    # a start or end step without a start event has no processing time
    assert _step(xes, "receive")["processing"] is None


def test_the_lifecycle_figures_count_each_transition_and_name_cases(xes):
    assert xes["lifecycle"] == {
        "column": "lifecycle:transition",
        "handling": "start-complete",
        "transitions": [
            {"transition": "complete", "events": 11},
            {"transition": "start", "events": 8},
            {"transition": "schedule", "events": 2},
            {"transition": "assign", "events": 1},
            {"transition": "ate_abort", "events": 1},
            {"transition": "resume", "events": 1},
            {"transition": "suspend", "events": 1},
        ],
        "instances": 11,
        # L-1 check, approve; L-2 check twice, approve; L-3 check
        "paired_starts": 6,
        # the three receive and two granted events: no start
        "without_start": 5,
        "unpaired_starts": {"count": 1, "examples": ["L-3"]},
        "aborted": {"count": 1, "examples": ["L-2"]},
    }


def test_unpaired_starts_and_aborts_are_warned_about_on_stderr(xes):
    from procmap.measure import warning_lines

    log = xes["log"]
    assert warning_lines(xes) == [
        f"{log}: 1 start(s) that no complete follows, not measured (cases L-3)",
        f"{log}: 1 aborted instance(s), not occurrences (cases L-2)",
    ]


def test_a_csv_lifecycle_column_in_capitals_reads_like_the_xes(tmp_path, xes):
    log = tmp_path / "loans.csv"
    log.write_text(CSV, encoding="utf-8")
    got = measure_log(_process(), log)  # `Lifecycle` found by name, UTC timestamps
    assert got["lifecycle"]["column"] == "Lifecycle"
    for key in ("cases", "events", "span", "steps", "directly_follows", "conformance"):
        assert got[key] == xes[key], key
    assert {k: v for k, v in got["lifecycle"].items() if k != "column"} == {
        k: v for k, v in xes["lifecycle"].items() if k != "column"
    }


def test_lifecycle_names_a_column_and_parquet_reads_it(tmp_path, xes):
    duckdb = pytest.importorskip("duckdb")
    csv = tmp_path / "loans.csv"
    csv.write_text(CSV.replace(",Lifecycle\n", ",EventType\n", 1), encoding="utf-8")
    # not a lifecycle name: read without it, every row is an event
    assert measure_log(_process(), csv)["events"] == 25
    got = measure_log(_process(), csv, columns=LogColumns(lifecycle="EventType"))
    assert (got["events"], got["lifecycle"]["column"]) == (11, "EventType")
    parquet = tmp_path / "loans.parquet"
    duckdb.sql(
        f"COPY (SELECT * FROM read_csv('{csv}', all_varchar=true, auto_detect=true)) TO '{parquet}'"
    )
    got = measure_log(_process(), parquet, columns=LogColumns(lifecycle="eventtype"))
    assert got["steps"] == xes["steps"] and got["lifecycle"]["paired_starts"] == 6


def test_cli_lifecycle_option_and_configured_key(tmp_path, capsys):
    csv = tmp_path / "loans.csv"
    csv.write_text(CSV.replace(",Lifecycle\n", ",Stage\n", 1), encoding="utf-8")
    status, out, err = procmap(
        capsys, "measure", str(PROCESS), str(csv), "--lifecycle", "Stage", "-f", "json"
    )
    assert status == 0, err
    assert json.loads(out)["events"] == 11
    config = tmp_path / "procmap.toml"
    config.write_text(
        '[logs]\nloans = {path = "loans.csv", lifecycle = "Stage"}\n', encoding="utf-8"
    )
    status, out, err = procmap(
        capsys, "measure", str(PROCESS), "--config", str(config), "-f", "json"
    )
    assert status == 0, err
    assert json.loads(out)["lifecycle"]["column"] == "Stage"
    status, out, err = procmap(capsys, "measure", str(PROCESS), str(csv), "--lifecycle", "Phase")
    assert status != 0 and out == ""
    assert len(err.splitlines()) == 1 and "no column 'Phase' (--lifecycle)" in err, err


def test_a_lifecycle_column_without_complete_is_refused(tmp_path, capsys):
    log = tmp_path / "starts.csv"
    log.write_text(
        "case,activity,timestamp,lifecycle\n"
        "L-1,Receive application,2026-03-02T08:00:00Z,start\n"
        "L-1,Check documents,2026-03-02T09:00:00Z,Start\n",
        encoding="utf-8",
    )
    status, out, err = procmap(capsys, "measure", str(PROCESS), str(log))
    assert status != 0 and out == ""
    assert len(err.splitlines()) == 1, err
    assert f"{log}: column 'lifecycle' (lifecycle) has no 'complete' event" in err
    assert "--lifecycle none" in err
    # --lifecycle none: the column is not read, every row is an instance
    status, out, err = procmap(capsys, "measure", str(PROCESS), str(log), "--lifecycle=none")
    assert status == 0, err
    assert "Lifecycle               none: each event is an activity instance" in out


def test_a_blank_transition_is_an_instance(tmp_path):
    # XES events without lifecycle:transition come out blank in a log where others have
    # one: each is an instance on its own, counted as (blank)
    log = tmp_path / "mixed.csv"
    log.write_text(
        "case,activity,timestamp,lifecycle:transition\n"
        "L-1,Receive application,2026-03-02T08:00:00Z,\n"
        "L-1,Check documents,2026-03-02T08:30:00Z,start\n"
        "L-1,Check documents,2026-03-02T09:00:00Z,complete\n"
        "L-1,Approve loan,2026-03-02T09:10:00Z, \n",
        encoding="utf-8",
    )
    result = measure_log(_process(), log)
    assert result["events"] == 3
    assert result["lifecycle"]["transitions"] == [
        {"transition": None, "events": 2},
        {"transition": "complete", "events": 1},
        {"transition": "start", "events": 1},
    ]
    assert result["lifecycle"]["instances"] == 3 and result["lifecycle"]["without_start"] == 2
    assert _step(result, "check")["processing"]["mean"] == 30 * MIN
    assert "(blank)     2       activity instance" in format_report(result, "text")


@pytest.mark.parametrize("fmt", ["text", "markdown", "github"])
def test_every_report_says_how_lifecycle_was_read(xes, fmt):
    report = format_report(xes, fmt)
    assert "lifecycle:transition: each complete event is an activity instance" in report
    assert "6 of 11 instances have one" in report
    assert "Unpaired starts" in report and "1 (cases L-3)" in report
    assert "Aborted instances" in report and "1 (cases L-2)" in report
    if fmt != "github":
        assert "Lifecycle transitions" in report
        line = next(x for x in report.splitlines() if "schedule" in x)
        assert "2" in line and "not an occurrence" in line
    else:
        assert report.splitlines()[-1].startswith("::notice::procmap measure loans: 3 cases")


def test_a_log_without_lifecycle_says_so(tmp_path):
    log = tmp_path / "plain.csv"
    log.write_text(
        "case,activity,timestamp\nL-1,Receive application,2026-03-02T08:00:00Z\n",
        encoding="utf-8",
    )
    result = measure_log(_process(), log)
    assert result["lifecycle"]["handling"] == "none" and result["lifecycle"]["column"] is None
    assert "none: each event is an activity instance" in format_report(result, "markdown")
    assert "Lifecycle" not in format_report(result, "github")  # no notice for plain logs


# -- procmap simulate --lifecycle ----------------------------------------------------------

SAME = ("cases", "events", "span", "steps", "directly_follows", "arrows", "branches")
SAME += ("throughput", "conformance", "rework", "variants", "metrics")


@pytest.mark.parametrize("fmt", ["csv", "xes"])
def test_simulated_lifecycle_logs_measure_like_the_plain_one(tmp_path, capsys, fmt):
    # The plain log carries start_timestamp; the lifecycle ones carry start and complete
    # rows instead (and, with full, schedule rows and aborted instances): the same
    # figures, processing times from the paired starts.
    process = REPO / "processes" / "webinar-funnel.yaml"
    made: dict[str, Any] = {}
    for model in ("none", "start-complete", "full"):
        log = tmp_path / f"{model}.{fmt}"
        args = ["simulate", str(process), "-n", "60", "--handoff-wait", "1d", "--seed", "7"]
        status, _, err = procmap(capsys, *args, "--lifecycle", model, "-f", fmt, "-o", str(log))
        assert status == 0, err
        made[model] = measure_log(_process(process), log)
    plain, paired, full = made["none"], made["start-complete"], made["full"]
    assert plain["lifecycle"]["handling"] == "none"
    assert any(s["processing"] for s in plain["steps"])
    for key in SAME:
        assert paired[key] == plain[key], key
        assert full[key] == plain[key], key
    events = plain["events"]
    assert paired["lifecycle"]["transitions"] == [
        {"transition": "complete", "events": events},
        {"transition": "start", "events": events},
    ]
    counts = {t["transition"]: t["events"] for t in full["lifecycle"]["transitions"]}
    aborted = full["lifecycle"]["aborted"]["count"]
    assert aborted > 0 and counts["ate_abort"] == aborted and counts["schedule"] > aborted
    assert counts["start"] == events + aborted and counts["complete"] == events
    assert full["lifecycle"]["unpaired_starts"]["count"] == 0
    assert full["lifecycle"]["paired_starts"] == events


def test_simulate_lifecycle_is_deterministic_and_checked(tmp_path, capsys):
    out = []
    for _ in range(2):
        status, text, _ = procmap(capsys, "simulate", str(PROCESS), "-n", "5", "--lifecycle=full")
        assert status == 0
        out.append(text)
    assert out[0] == out[1]
    assert out[0].splitlines()[0] == (
        "case:concept:name,concept:name,time:timestamp,lifecycle:transition,org:resource"
    )
    status, text, err = procmap(capsys, "simulate", str(PROCESS), "--lifecycle", "both")
    assert status != 0 and text == ""
    assert "--lifecycle: 'both' is not one of none, start-complete, full" in err


def test_the_readme_lifecycle_example_shows_what_procmap_prints(tmp_path, capsys, monkeypatch):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    simulate = "$ procmap simulate processes/webinar-funnel.yaml --cases 300 --lifecycle full"
    command = "$ procmap measure processes/webinar-funnel.yaml webinar-lifecycle.csv\n"
    assert simulate + " -o webinar-lifecycle.csv\n" in readme
    shown = readme[readme.index(command) + len(command) :].split("```")[0].splitlines()
    monkeypatch.chdir(REPO)
    log = tmp_path / "webinar-lifecycle.csv"
    args = simulate.split()[2:]
    status, _, err = procmap(capsys, *args, "-o", str(log))
    assert status == 0, err
    status, out, err = procmap(capsys, "measure", "processes/webinar-funnel.yaml", str(log))
    assert status == 0, err
    printed = out.splitlines()
    missing = [line for line in shown if line != "..." and line not in printed]
    assert missing == [] and len(shown) > 8

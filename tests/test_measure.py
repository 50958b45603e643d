"""`procmap measure`: a hand-written log whose every figure is worked out by hand, a round
trip through `simulate`, and the bad logs (one line, exit 2, no traceback).

The hand-written log (`LOG`) has six cases, interleaved, in three timestamp spellings;
the truth of each figure is derived in the comments next to its assertion.
"""

from __future__ import annotations

import datetime
import gzip
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, modules_after, procmap
from procmap.config import LogColumns
from procmap.lint import validate_paths
from procmap.measure import (
    LogError,
    NothingMapsError,
    human_duration,
    measure_log,
    simulate_log,
    write_csv,
)

PROCESS = """\
procmap: 1
id: orders
name: Order handling
metrics:
  ship-rate:
    name: Orders shipped
    unit: "%"
    baseline: 40
    target: 60
    measure: {rate: [receive, ship]}
  lead-time:
    name: Time to ship
    unit: h
    target: 5
    direction: down
    measure: {time: [receive, ship], stat: mean}
  shipments:
    name: Shipments per day
    unit: orders
    measure: {count: ship, per: day}
steps:
  - id: receive
    kind: start
    name: Order received
    next: check
  - id: check
    name: Check the order
    activity: [Check, Review order]
    next: ok
  - id: ok
    kind: decision
    name: Order OK?
    branches:
      yes: ship
      no: reject
    shares: {yes: 70, no: 30}
  - id: ship
    name: Ship the order
    next: done
  - id: done
    kind: end
    name: Shipped
  - id: reject
    kind: end
    name: Rejected
dmaic:
  control:
    - metric: lead-time
      every: weekly
      threshold: 4
      reaction: Call the warehouse.
    - metric: ship-rate
      every: weekly
      threshold: 70
      reaction: Review the checks.
"""

# Export-style column names (found by the defaults), interleaved cases, three timestamp
# spellings (Z, an offset, naive = --timezone), a start time on one row only.
LOG = """\
Case ID,Activity,Timestamp,start_timestamp
c1,receive,2026-01-05T09:00:00Z,
c2,receive,2026-01-05T09:30:00Z,
c1,Check,2026-01-05T10:00:00Z,
c3,receive,2026-01-05T10:00:00Z,
c4,receive,2026-01-05T10:00:00Z,
c4,Check,2026-01-05 10:30:00,
c3,ship,2026-01-05T12:00:00+01:00,
c2,Review order,2026-01-05T11:30:00Z,
c2,Rejected,2026-01-05T11:30:00Z,
c1,ship,2026-01-05T12:00:00Z,2026-01-05T11:00:00Z
c1,Shipped,2026-01-05T12:00:00Z,
c5,receive,2026-01-05T08:00:00Z,
,Check,2026-01-05T09:00:00Z,
c5,Check,2026-01-05T09:00:00Z,
c5,Check,2026-01-05T09:30:00Z,
c5,ship,2026-01-05T10:30:00Z,
c5,Shipped,2026-01-05T10:30:00Z,
c6,receive,2026-01-05T13:00:00Z,
c6,Email sent,2026-01-05T13:10:00Z,
c6,Check,2026-01-05T14:00:00Z,
c6,ship,2026-01-05T14:00:00Z,
c6,Shipped,2026-01-05T14:00:00Z,
c7,Email sent,soon,
c1,Email sent,2026-01-05T12:30:00Z,
"""
# Cases as step sequences (c6's three events tie at 14:00 and keep file order; sorted by
# activity name they would read Check, Shipped, ship and deviate). "Email sent" maps to
# no step: it is off the map, so c1 and c6 deviate there (before issue 17 it was dropped
# and both fitted, and c6's receive -> check was counted though Email sent came between);
# the durations are from the first to the last mapped event:
#   c1 receive 9:00, check 10:00, ship 12:00, done 12:00, Email sent 12:30
#                                                       deviates 3h   (done, Email sent)
#   c2 receive 9:30, check 11:30, reject 11:30                fits       2h
#   c3 receive 10:00, ship 11:00                              deviates   1h  (receive, ship)
#   c4 receive 10:00, check 10:30                             incomplete 0.5h
#   c5 receive 8:00, check 9:00, check 9:30, ship, done 10:30 deviates   2.5h (check, check)
#   c6 receive 13:00, Email sent 13:10, check 14:00, ship 14:00, done 14:00
#                                                       deviates 1h   (receive, Email sent)
H = 3600.0


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    process = tmp_path / "orders.yaml"
    process.write_text(PROCESS, encoding="utf-8")
    log = tmp_path / "orders.csv"
    log.write_text(LOG, encoding="utf-8")
    return process, log


def _process(path: Path) -> Any:
    report = validate_paths([str(path)], None, jobs=1, keep=True)
    assert not report.errors, report.problems
    (process,) = report.processes.values()
    return process


@pytest.fixture
def result(files: tuple[Path, Path]) -> dict[str, Any]:
    process, log = files
    return measure_log(_process(process), log, source=process)


def test_counts_span_unmapped_and_skipped(result):
    assert result["process"] == "orders"
    assert result["cases"] == 6
    assert result["events"] == 20  # 4 + 3 + 2 + 2 + 5 + 4 mapped events
    assert result["span"] == {"first": "2026-01-05T08:00:00Z", "last": "2026-01-05T14:00:00Z"}
    # row 23's "Email sent" is skipped (its time), so two are counted
    assert result["unmapped_activities"] == [{"activity": "Email sent", "events": 2}]
    assert result["skipped_rows"] == {
        "count": 2,
        "examples": [
            {"row": 13, "reason": "missing case id"},
            {"row": 23, "reason": "unparseable timestamp soon"},
        ],
    }


def test_directly_follows_counts_and_times(result):
    assert result["directly_follows"] == [
        # c1 1h, c2 2h, c4 0.5h, c5 1h (not c6: Email sent between): mean 4050s; sorted
        # .5 1 1 2 h, p90 at rank 2.7 = 1h + 0.7h
        {"from": "receive", "to": "check", "count": 4, "mean": 4050.0, "p50": H, "p90": 6120.0},
        # c1 2h, c5 1h, c6 0: p90 at rank 1.8 = 1h + 0.8h
        {"from": "check", "to": "ship", "count": 3, "mean": H, "p50": H, "p90": 6480.0},
        {"from": "ship", "to": "done", "count": 3, "mean": 0.0, "p50": 0.0, "p90": 0.0},
        {"from": "check", "to": "check", "count": 1, "mean": 1800.0, "p50": 1800.0, "p90": 1800.0},
        {"from": "check", "to": "reject", "count": 1, "mean": 0.0, "p50": 0.0, "p90": 0.0},
        {"from": "receive", "to": "ship", "count": 1, "mean": H, "p50": H, "p90": H},
    ]


def test_arrows_and_branches_through_the_silent_decision(result):
    assert result["arrows"] == [
        {"from": "receive", "to": "check", "label": None, "count": 4, "share": None, "p50": H},
        # check->ship (2h, 1h, 0) and check->reject (0) pass the decision: median of 0 0 1 2 h
        {"from": "check", "to": "ok", "label": None, "count": 4, "share": None, "p50": 1800.0},
        {"from": "ok", "to": "ship", "label": "yes", "count": 3, "share": 0.75, "p50": H},
        {"from": "ok", "to": "reject", "label": "no", "count": 1, "share": 0.25, "p50": 0.0},
        {"from": "ship", "to": "done", "label": None, "count": 3, "share": None, "p50": 0.0},
    ]
    assert result["branches"] == [
        {
            "decision": "ok",
            "label": "yes",
            "to": "ship",
            "count": 3,
            "share": 0.75,
            "expected": 70.0,
        },
        {
            "decision": "ok",
            "label": "no",
            "to": "reject",
            "count": 1,
            "share": 0.25,
            "expected": 30.0,
        },
    ]


def test_steps_in_map_order_with_processing_and_waiting(result):
    steps = {s["id"]: s for s in result["steps"]}
    assert [s["id"] for s in result["steps"]] == [
        "receive",
        "check",
        "ok",
        "ship",
        "done",
        "reject",
    ]
    assert (steps["receive"]["cases"], steps["receive"]["events"]) == (6, 6)
    assert (steps["check"]["cases"], steps["check"]["events"]) == (5, 6)
    assert (steps["ship"]["cases"], steps["ship"]["events"]) == (4, 4)
    assert steps["ok"] == {
        "id": "ok",
        "name": "Order OK?",
        "cases": 0,
        "events": 0,
        "processing": None,
        "waiting": None,
        "overlaps": 0,  # issue 17: a start before the previous event finished, counted
    }
    # only c1's ship has a start: 11:00 to 12:00, after check at 10:00
    assert steps["ship"]["processing"] == {"mean": H, "p50": H, "p90": H}
    assert steps["ship"]["waiting"] == {"mean": H, "p50": H, "p90": H}
    assert steps["check"]["processing"] is None


def test_throughput_percentiles_interpolate(result):
    # 0.5 1 1 2 2.5 3 hours: p50 between 1h and 2h; p90 at rank 4.5 = 2.5h + 0.5 * 0.5h
    assert result["throughput"] == {"mean": 6000.0, "p50": 5400.0, "p90": 9900.0}


def test_conformance_fitting_deviating_incomplete(result):
    assert result["conformance"] == {
        "fitting": 1,
        "deviating": 4,
        "incomplete": 1,
        "fitness": 0.166667,
        "deviations": [
            {"from": "check", "to": "check", "count": 1, "examples": ["c5"]},
            {"from": "done", "to": "Email sent", "count": 1, "examples": ["c1"]},
            {"from": "receive", "to": "Email sent", "count": 1, "examples": ["c6"]},
            {"from": "receive", "to": "ship", "count": 1, "examples": ["c3"]},
        ],
        # every transition off the map, c6's Email sent -> check too
        "off_map": [
            {"from": "Email sent", "to": "check", "count": 1},
            {"from": "check", "to": "check", "count": 1},
            {"from": "done", "to": "Email sent", "count": 1},
            {"from": "receive", "to": "Email sent", "count": 1},
            {"from": "receive", "to": "ship", "count": 1},
        ],
        "unobserved_steps": ["ok"],
        "incomplete_examples": ["c4"],
    }


def test_rework_and_variants(result):
    assert result["rework"] == {"cases": 1, "rate": 0.166667}
    # an unmapped activity stays in its case's variant, by name ("E" sorts before "c")
    assert result["variants"] == [
        {"steps": ["receive", "Email sent", "check", "ship", "done"], "cases": 1,
         "share": 0.166667},
        {"steps": ["receive", "check"], "cases": 1, "share": 0.166667},
        {"steps": ["receive", "check", "check", "ship", "done"], "cases": 1, "share": 0.166667},
        {"steps": ["receive", "check", "reject"], "cases": 1, "share": 0.166667},
        {"steps": ["receive", "check", "ship", "done", "Email sent"], "cases": 1,
         "share": 0.166667},
        {"steps": ["receive", "ship"], "cases": 1, "share": 0.166667},
    ]  # fmt: skip


def test_metrics_and_control(result):
    assert result["metrics"] == [
        # c1 c3 c5 c6 of 6 cases reach ship after receive
        {"id": "ship-rate", "name": "Orders shipped", "unit": "%", "actual": 66.666667,
         "baseline": 40.0, "target": 60.0, "direction": "up", "meets_target": True},
        # 3h, 1h, 2.5h, 1h
        {"id": "lead-time", "name": "Time to ship", "unit": "h", "actual": 1.875,
         "baseline": None, "target": 5.0, "direction": "down", "meets_target": True},
        # 4 ship events over 6 hours
        {"id": "shipments", "name": "Shipments per day", "unit": "orders", "actual": 16.0,
         "baseline": None, "target": None, "direction": "up", "meets_target": None},
    ]  # fmt: skip
    lines = PROCESS.splitlines()
    first = lines.index("    - metric: lead-time") + 1
    second = lines.index("    - metric: ship-rate") + 1
    assert result["control"] == [
        {"metric": "lead-time", "threshold": 4.0, "actual": 1.875, "breached": False,
         "line": first, "column": 7},
        {"metric": "ship-rate", "threshold": 70.0, "actual": 66.666667, "breached": True,
         "line": second, "column": 7},
    ]  # fmt: skip


def test_timezone_applies_to_naive_timestamps(files):
    process, log = files
    # c4's check (naive 10:30) is 09:30 UTC in Berlin: before its receive at 10:00
    result = measure_log(_process(process), log, columns=LogColumns(timezone="Europe/Berlin"))
    deviations = result["conformance"]["deviations"]
    assert {"from": None, "to": "check", "count": 1, "examples": ["c4"]} in deviations
    assert result["conformance"]["incomplete"] == 0


def test_strict_makes_skipped_rows_an_error(files):
    process, log = files
    with pytest.raises(LogError, match=r"2 unreadable row\(s\).*row 13: missing case id"):
        measure_log(_process(process), log, strict=True)


def test_semicolons_bom_and_gzip_read_the_same(files, tmp_path):
    process, log = files
    want = measure_log(_process(process), log)
    other = tmp_path / "semi.csv.gz"
    other.write_bytes(gzip.compress(("\ufeff" + LOG.replace(",", ";")).encode("utf-8")))
    got = measure_log(_process(process), other)
    for key in ("cases", "events", "directly_follows", "conformance", "variants", "throughput"):
        assert got[key] == want[key], key


def test_xes_reads_like_csv(files, tmp_path):
    process, _ = files
    xes = tmp_path / "log.xes"
    events = "".join(
        f'<trace><string key="concept:name" value="{c}"/>'
        + "".join(
            f'<event><string key="concept:name" value="{a}"/>'
            f'<date key="time:timestamp" value="{t}"/></event>'
            for a, t in acts
        )
        + "</trace>"
        for c, acts in [
            ("a", [("receive", "2026-01-05T09:00:00Z"), ("Check", "2026-01-05T10:00:00Z")]),
            ("b", [("receive", "2026-01-05T09:00:00Z"), ("ship", "2026-01-05T11:00:00Z")]),
        ]
    )
    xes.write_text(f'<?xml version="1.0"?><log xmlns="http://www.xes-standard.org/">{events}</log>')
    result = measure_log(_process(process), xes)
    assert result["cases"] == 2
    assert result["conformance"]["deviations"] == [
        {"from": "receive", "to": "ship", "count": 1, "examples": ["b"]}
    ]


def test_cli_check_fails_with_a_github_annotation(files, capsys):
    process, log = files
    # the log's 2 unreadable rows of 24 are above --max-bad-rows' 1 %: skipped on purpose
    skip = "--skip-bad-rows"
    status, out, err = procmap(
        capsys, "measure", str(process), str(log), skip, "--check", "-f", "github"
    )
    assert status == 1, err
    line = PROCESS.splitlines().index("    - metric: ship-rate") + 1
    assert out.splitlines()[0] == (
        f"::error file={process},line={line},col=7,title=procmap measure::ship-rate: 66.67"
        " breaches the control threshold 70"
    )
    assert out.splitlines()[-1].startswith("::notice::procmap measure orders: 6 cases")
    status, _, _ = procmap(capsys, "measure", str(process), str(log), skip, "-f", "github")
    assert status == 0


def test_cli_json_is_the_library_result(files, result, capsys):
    process, log = files
    status, out, _ = procmap(
        capsys, "measure", str(process), str(log), "--skip-bad-rows", "--format", "json"
    )
    assert status == 0
    assert json.loads(out) == result


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_cli_reports_for_people(files, capsys, fmt):
    process, log = files
    status, out, _ = procmap(
        capsys, "measure", str(process), str(log), "--skip-bad-rows", "--format", fmt
    )
    assert status == 0
    assert "check" in out and "receive" in out and "ship-rate" in out
    assert "BREACHED" in out and "Email sent" in out
    if fmt == "markdown":
        assert "| Metric | Actual | Baseline | Target | Meets target |" in out


def test_cli_options_name_columns(tmp_path, files, capsys):
    process, _ = files
    log = tmp_path / "renamed.csv"
    log.write_text(
        LOG.replace("Case ID,Activity,Timestamp,start_timestamp", "ticket,what,when,began"),
        encoding="utf-8",
    )
    args = ["--case", "ticket", "--activity", "what", "--timestamp", "when"]
    status, out, _ = procmap(
        capsys, "measure", str(process), str(log), *args, "--start-timestamp", "began",
        "--resource", "what", "--timezone", "UTC", "--strict", "-f", "json",
    )  # fmt: skip
    assert status == 1  # --strict: rows 13 and 23 (issue 17: a refused log exits 1)
    status, out, _ = procmap(capsys, "measure", str(process), str(log), *args, "-f", "json")
    assert status == 1  # rows 13 and 23 are 8 % of the rows, above --max-bad-rows' 1 %
    status, out, _ = procmap(
        capsys, "measure", str(process), str(log), *args, "--max-bad-rows", "10%", "-f", "json"
    )
    assert status == 0 and json.loads(out)["cases"] == 6


def test_human_durations():
    assert [human_duration(s) for s in (30, 2700, 11520, 181440, 0, None)] == [
        "30s", "45m", "3.2h", "2.1d", "0s", "–",
    ]  # fmt: skip


BAD = {
    "missing.csv": None,
    "empty.csv": b"",
    "header-only.csv": b"case:concept:name,concept:name,time:timestamp\n",
    "garbage.csv": bytes(range(256)) * 8,
    "not-a-log.csv": b"name,price\nwidget,3\n",
    "doctype.xes": b'<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY a "aaaa">]>\n<log>&a;</log>\n',
    "broken.xes": b"<log><trace>",
    "hidden-doctype.xes": b'<?xml version="1.0"?><!-- <log> --><!DOCTYPE log SYSTEM "x.dtd"><log/>',
    "gzip-doctype.xes.gz": gzip.compress(b'<!DOCTYPE log [<!ENTITY a "b">]><log>&a;</log>'),
}
MESSAGES = {
    "missing.csv": "no such file",
    "empty.csv": "empty file",
    "header-only.csv": "no events",
    "garbage.csv": "binary data",
    "not-a-log.csv": "no case column",
    "doctype.xes": "DOCTYPE is refused",
    "broken.xes": "not XES",
    "hidden-doctype.xes": "DOCTYPE is refused",
    "gzip-doctype.xes.gz": "DOCTYPE is refused",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_logs_are_one_line_and_exit_2(tmp_path, files, name, run_procmap):
    process, _ = files
    log = tmp_path / name
    if BAD[name] is not None:
        log.write_bytes(BAD[name])
    done = run_procmap("measure", str(process), str(log))
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith(f"procmap: {log}: ")
    assert MESSAGES[name] in done.stderr
    assert "Traceback" not in done.stderr


def test_invalid_process_exits_1(tmp_path, files, capsys):
    _, log = files
    bad = tmp_path / "bad.yaml"
    bad.write_text("procmap: 1\nid: x\n", encoding="utf-8")
    status, _, err = procmap(capsys, "measure", str(bad), str(log))
    assert status == 1 and "invalid" in err


def test_validate_does_not_import_duckdb():
    status, modules = modules_after("validate", str(REPO / "processes" / "webinar-funnel.yaml"))
    assert status == 0
    assert "duckdb" not in modules


def test_measure_does_not_load_the_documents_analysis():
    # The report spells figures with procmap.render.measured, whose analysis types are
    # annotations only: loading the documents' analysis cost `procmap measure` about
    # 0.2 s of start-up (measured with python -X importtime).
    status, modules = modules_after(
        "measure", "processes/webinar-funnel.yaml", "examples/webinar-funnel.csv", "-f", "json"
    )
    assert status == 0
    assert "procmap.render.analysis" not in modules


def test_round_trip_with_simulate(tmp_path):
    """Shares and mean durations come back within four standard errors."""
    path = REPO / "processes" / "webinar-funnel.yaml"
    process = _process(path)
    events = simulate_log(process, cases=3000, seed=7)
    log = tmp_path / "sim.csv"
    with log.open("w", encoding="utf-8", newline="") as out:
        write_csv(events, out)
    result = measure_log(process, log)
    assert result["cases"] == 3000
    assert result["unmapped_activities"] == [] and result["skipped_rows"]["count"] == 0
    assert result["conformance"]["fitness"] == 1.0
    for branch in result["branches"]:
        total = sum(b["count"] for b in result["branches"] if b["decision"] == branch["decision"])
        p = branch["expected"] / 100
        assert abs(branch["share"] - p) <= 4 * math.sqrt(p * (1 - p) / total), branch
    durations = {"nurture": 5 * 86400, "consult": 3600, "onboard": 2 * 86400}
    for step in result["steps"]:
        if step["id"] in durations:
            mean = durations[step["id"]]
            error = 0.5 * mean / math.sqrt(step["events"])  # lognormal, cv 0.5
            assert abs(step["processing"]["mean"] - mean) <= 4 * error, step


def test_parquet_reads_like_csv(files, tmp_path):
    import duckdb

    process, log = files
    parquet = tmp_path / "orders.parquet"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * FROM read_csv('{log}', all_varchar = true, header = true, auto_detect = true))"
        f" TO '{parquet}' (FORMAT PARQUET)"
    )
    con.close()
    want = measure_log(_process(process), log)
    got = measure_log(_process(process), parquet)
    for key in ("cases", "events", "directly_follows", "conformance", "variants", "skipped_rows"):
        assert got[key] == want[key], key


@pytest.mark.parametrize(
    "spelling",
    [
        ("13/01/2026 09:00", "13/01/2026 10:30", "13/01/2026 12:00", "13/01/2026 13:00"),
        (
            "13.01.2026 09:00:00",
            "13.01.2026 10:30:00",
            "13.01.2026 12:00:00",
            "13.01.2026 13:00:00",
        ),
        (
            "2026/01/13 09:00:00",
            "2026/01/13 10:30:00",
            "2026/01/13 12:00:00",
            "2026/01/13 13:00:00",
        ),
        ("01/13/2026 9:00 AM", "01/13/2026 10:30 AM", "01/13/2026 12:00 PM", "01/13/2026 1:00 PM"),
    ],
    ids=["day-first", "dotted", "year-first", "us-am-pm"],
)
def test_export_timestamp_formats(files, tmp_path, spelling):
    # One format per column (issue 17): this test once mixed the four spellings in one
    # column, each value read in whichever format fitted it; each is now a log of its own.
    process, _ = files
    log = tmp_path / "export.csv"
    rows = zip(["receive", "Check", "ship", "Shipped"], spelling, strict=True)
    log.write_text(
        "case,activity,time\n" + "".join(f"a,{act},{ts}\n" for act, ts in rows), encoding="utf-8"
    )
    result = measure_log(_process(process), log)
    assert result["skipped_rows"]["count"] == 0
    assert result["span"] == {"first": "2026-01-13T09:00:00Z", "last": "2026-01-13T13:00:00Z"}
    assert [d["mean"] for d in result["directly_follows"]] == [5400.0, 5400.0, 3600.0]


def test_simulated_xes_gz_reads_like_the_csv(tmp_path):
    from procmap.measure import save

    process = _process(REPO / "processes" / "webinar-funnel.yaml")
    events = simulate_log(process, cases=200, seed=3)
    save(events, tmp_path / "log.csv", "csv")
    save(events, tmp_path / "log.xes.gz", "xes")
    want = measure_log(process, tmp_path / "log.csv")
    got = measure_log(process, tmp_path / "log.xes.gz")
    for key in ("cases", "events", "steps", "directly_follows", "branches", "variants"):
        assert got[key] == want[key], key


def _configured(tmp_path: Path, logs: str) -> Path:
    (tmp_path / "processes").mkdir()
    (tmp_path / "processes" / "orders.yaml").write_text(PROCESS, encoding="utf-8")
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "orders.csv").write_text(
        LOG.replace("Case ID,Activity,", "ticket,Activity,"), encoding="utf-8"
    )
    config = tmp_path / "procmap.toml"
    config.write_text(f'paths = ["processes"]\n\n[logs]\n{logs}', encoding="utf-8")
    return config


def test_configured_logs_measure_every_process_with_one(tmp_path, capsys):
    config = _configured(tmp_path, 'orders = {path = "logs/orders.csv", case = "ticket"}\n')
    skip = "--skip-bad-rows"  # the log's 2 unreadable rows
    status, out, err = procmap(capsys, "measure", "--config", str(config), skip, "-f", "json")
    assert status == 0, err
    (result,) = json.loads(out)
    assert (result["process"], result["cases"]) == ("orders", 6)
    assert result["log"] == str(tmp_path / "logs" / "orders.csv")
    # a PROCESS without a LOG takes the configured one; --check sees the breach
    process = tmp_path / "processes" / "orders.yaml"
    status, out, _ = procmap(
        capsys, "measure", str(process), "--config", str(config), skip, "--check"
    )
    assert status == 1 and "BREACHED" in out


@pytest.mark.parametrize(
    ("logs", "message"),
    [
        ('orders = {path = "logs/orders.csv", colour = "x"}\n', "unknown key 'colour'"),
        ('nobody = "logs/orders.csv"\n', "no process 'nobody'"),
        ('orders = "logs/orders.csv"\n', "no case column"),  # the column is named ticket
    ],
)
def test_configured_logs_problems_exit_2(tmp_path, capsys, logs, message):
    config = _configured(tmp_path, logs)
    status, out, err = procmap(capsys, "measure", "--config", str(config))
    assert status == 2 and out == ""
    assert message in err and len(err.splitlines()) == 1, err


def test_a_log_with_no_mapped_activity_is_refused_in_one_line(files, tmp_path, capsys):
    # Issue 17: before, a report of zeros (0 cases, fitness "–") and exit 0; now one line
    # naming the log, its activities and what to do (`procmap render` still shows the
    # activities in the worksheet: tests/test_render_measured.py)
    process, _ = files
    log = tmp_path / "other.csv"
    log.write_text("case,activity,timestamp\na,Nothing,2026-01-05T09:00:00Z\n", encoding="utf-8")
    with pytest.raises(NothingMapsError) as raised:
        measure_log(_process(process), log)
    assert str(raised.value) == (
        f"{log}: none of its 1 activity maps to a step of 'orders' ('Nothing' (1 event)):"
        " name them in the steps' `activity:`, or give the activity column with --activity"
    )
    assert raised.value.result["unmapped_activities"] == [{"activity": "Nothing", "events": 1}]
    assert raised.value.result["cases"] == 0
    status, out, err = procmap(capsys, "measure", str(process), str(log), "-f", "markdown")
    # a LogError: the CLI's exit status for it is the lead's (issue 17 asks for 1)
    assert status != 0 and out == ""
    assert err.count("\n") == 1 and "none of its 1 activity maps" in err


def test_text_on_a_terminal_is_rich_tables(result):
    from procmap.measure import format_report

    out = format_report(result, "text", color=True)
    assert "\x1b[" in out and "┏" in out and "Deviations" in out
    plain = format_report(result, "text", color=False)
    assert "\x1b[" not in plain and "┏" not in plain
    assert "receive  check   4      1h   1.7h" in plain  # handoffs: p50 1h, p90 6120s


@pytest.mark.skipif(__import__("shutil").which("dot") is None, reason="needs Graphviz dot")
def test_cli_output_writes_the_measured_map_and_the_markdown_report(files, capsys, tmp_path):
    process, log = files
    out_dir = tmp_path / "out"
    skip = "--skip-bad-rows"  # the log's 2 unreadable rows
    status, _, err = procmap(capsys, "measure", str(process), str(log), skip, "-o", str(out_dir))
    assert status == 0, err
    svg = next(out_dir.glob("*.measured.svg")).read_text()
    report = next(out_dir.glob("*.measure.md")).read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    _, markdown, _ = procmap(capsys, "measure", str(process), str(log), skip, "-f", "markdown")
    assert report == markdown
    assert err.count("Wrote ") == 2


def test_the_readme_example_log_and_report_are_what_procmap_makes(capsys, tmp_path, monkeypatch):
    # README "Measuring a process": examples/webinar-funnel.csv and its report are made by
    # the commands it shows (`make docs`), so they stay true.
    monkeypatch.chdir(REPO)
    made = tmp_path / "log.csv"
    status, _, _ = procmap(
        capsys,
        "simulate",
        "processes/webinar-funnel.yaml",
        "--cases",
        "300",
        "--handoff-wait",
        "1d",
        "-o",
        str(made),
    )
    assert status == 0
    example = REPO / "examples" / "webinar-funnel.csv"
    assert made.read_bytes() == example.read_bytes()
    status, report, _ = procmap(
        capsys,
        "measure",
        "processes/webinar-funnel.yaml",
        "examples/webinar-funnel.csv",
        "-f",
        "markdown",
    )
    assert status == 0
    assert report == (REPO / "docs" / "example" / "webinar-funnel.measure.md").read_text()
    readme = (REPO / "README.md").read_text()
    for row in report.splitlines():
        if row.startswith(("| booked", "| signed", "| booking-rate", "| new-clients")):
            assert row in readme, row


def test_out_of_memory_measures_again_with_more_memory(files, result, monkeypatch):
    """DuckDB runs with a small memory limit first (engine.MEMORY_MB_FIXED...); an
    operator that runs out under it makes the whole measurement run again under the next
    limit, with the same figures; out of memory under the last one is one line."""
    import duckdb

    from procmap.measure import engine

    process, log = files
    tried: list[str | None] = []
    configure, measure = engine._configure, engine._measure

    def recording(con: Any, spill: str, limit: str | None, size: int) -> None:
        tried.append(limit)
        configure(con, spill, limit, size)
        if limit == "auto":
            (setting,) = con.execute("SELECT current_setting('memory_limit')").fetchone()
            # "88.0 MiB" (DuckDB 1.x and later) or "88.0MB" (0.9)
            found = re.fullmatch(r"([0-9.]+) ?(MiB|MB)", setting)
            assert found and float(found[1]) < 200, setting

    def failing_first(*args: Any) -> dict[str, Any]:
        if tried[-1] == "auto":
            raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate")
        return measure(*args)

    monkeypatch.setattr(engine, "_configure", recording)
    monkeypatch.setattr(engine, "_measure", failing_first)
    assert measure_log(_process(process), log, source=process) == result
    assert tried == ["auto", "1GB"]
    tried.clear()
    monkeypatch.setattr(engine, "MEMORY_LIMITS_AFTER", ())
    with pytest.raises(
        LogError,
        match=r"orders\.csv: cannot be measured within the memory limit of \d+ MB \(PROCMAP_MEMORY"
        r"_LIMIT raises it\): Out of Memory Error",
    ):
        measure_log(_process(process), log, source=process)


def test_an_activity_the_first_rows_missed_reads_the_log_again(files, result, monkeypatch):
    """The activity column's ENUM comes from the log's first rows (logread.SAMPLE_ROWS);
    a value they did not hold stops the read, and the ENUM is made from the whole column:
    the same figures either way, in one read when the first rows hold every activity."""
    from procmap.measure import logread

    process, log = files
    whole_reads: list[int] = []
    all_values = logread.all_values

    def counting(*args: Any) -> list[str]:
        whole_reads.append(1)
        return all_values(*args)

    monkeypatch.setattr(logread, "all_values", counting)
    assert measure_log(_process(process), log, source=process) == result
    assert whole_reads == []
    monkeypatch.setattr(logread, "SAMPLE_ROWS", 3)  # receive, receive, Check
    assert measure_log(_process(process), log, source=process) == result
    assert whole_reads == [1]


def test_padded_and_blank_activities_and_timestamps(files, result, tmp_path):
    """Activities and timestamps are trimmed of spaces (Unicode ones too) before they
    are read: padded spellings are the same activity, a blank one is a missing activity."""
    process, log = files
    text = log.read_text(encoding="utf-8")
    padded = text.replace("c1,Check,", "c1,  Check ,").replace(
        "c5,Check,2026-01-05T09:00:00Z", "c5,Check\u00a0,\u00a02026-01-05T09:00:00Z\u3000"
    )
    assert padded.count("Check") == text.count("Check")
    padded_log = tmp_path / "padded.csv"
    padded_log.write_text(padded, encoding="utf-8")
    assert measure_log(_process(process), padded_log, source=process) == {
        **result,
        "log": str(padded_log),
    }
    blank_log = tmp_path / "blank.csv"
    blank_log.write_text(text + "c1, \u00a0 ,2026-01-05T12:10:00Z,\n", encoding="utf-8")
    blank = measure_log(_process(process), blank_log, source=process)
    assert blank["skipped_rows"]["count"] == 3
    assert blank["skipped_rows"]["examples"][-1] == {"row": 25, "reason": "missing activity"}
    assert blank["events"] == result["events"]
    assert blank["unmapped_activities"] == result["unmapped_activities"]


@pytest.mark.parametrize("checks", [300, 70_000])
def test_long_cases_keep_their_variant(files, tmp_path, checks):
    """A variant is stored in the narrowest number that holds each event's position and
    step: two bytes under 256 events a case, four under 65,536, eight beyond."""
    process, _ = files
    rows = ["case,activity,timestamp", "long,receive,2026-01-05T00:00:00Z"]
    start = datetime.datetime(2026, 1, 5, 0, 0, 1)
    rows += [
        f"long,Check,{start + datetime.timedelta(milliseconds=i):%Y-%m-%dT%H:%M:%S.%f}Z"
        for i in range(checks)
    ]
    rows += ["long,ship,2026-01-06T00:00:00Z", "long,Shipped,2026-01-06T00:00:00Z"]
    rows += ["short,receive,2026-01-05T00:00:00Z", "short,Check,2026-01-05T01:00:00Z"]
    log = tmp_path / "long.csv"
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    measured = measure_log(_process(process), log, source=process)
    assert measured["variants"] == [
        {"steps": ["receive", "check"], "cases": 1, "share": 0.5},
        {"steps": ["receive", *["check"] * checks, "ship", "done"], "cases": 1, "share": 0.5},
    ]
    assert measured["conformance"]["deviations"] == [
        {"from": "check", "to": "check", "count": 1, "examples": ["long"]}
    ]
    assert measured["rework"] == {"cases": 1, "rate": 0.5}


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "processes").glob("*.yaml")))
def test_the_plain_records_measure_like_the_model(name, tmp_path):
    """`procmap measure` keeps a plainly valid process as fastcheck's plain records (no
    pydantic: `validate_paths(..., plain=True)`); its figures, report and measured map
    are those of the pydantic model."""
    from procmap.format.fastcheck import Record
    from procmap.measure import format_report, write_measured

    path = REPO / "processes" / name
    model = _process(path)
    report = validate_paths([str(path)], None, jobs=1, keep=True, plain=True)
    (records,) = report.processes.values()
    assert isinstance(records, Record) and not isinstance(model, Record)
    log = tmp_path / "log.csv"
    with log.open("w", encoding="utf-8", newline="") as out:
        write_csv(simulate_log(model, cases=150, seed=3), out)
    by_model = measure_log(model, log, source=path)
    by_records = measure_log(records, log, source=path)
    assert by_records == by_model and by_model["events"] > 0
    assert format_report(by_records, "markdown", False, str(path)) == format_report(
        by_model, "markdown", False, str(path)
    )
    if __import__("shutil").which("dot") is not None:
        drawn = [
            [f.read_bytes() for f in write_measured(p, by_model, tmp_path / kind)]
            for kind, p in (("model", model), ("records", records))
        ]
        assert drawn[0] == drawn[1]


def test_the_same_log_gives_the_same_figures_every_time(tmp_path):
    """Means are taken over whole microseconds, which DuckDB sums exactly: a mean of
    floats depends on the order its threads add them in, and this log's mean processing
    time of `revise` came out as ...187 or ...188 from run to run. Its exact value is
    168912291/16000 s = 10557.0181875 s, a tie at six decimals; the nearest double is
    10557.01818749999983..., which rounds down."""
    path = REPO / "processes" / "content-production.yaml"
    process = _process(path)
    log = tmp_path / "log.csv"
    with log.open("w", encoding="utf-8", newline="") as out:
        write_csv(simulate_log(process, cases=150, seed=3), out)
    runs = {json.dumps(measure_log(process, log, source=path)) for _ in range(12)}
    assert len(runs) == 1
    (revise,) = [s for s in json.loads(runs.pop())["steps"] if s["id"] == "revise"]
    assert revise["processing"]["mean"] == 10557.018187

"""`procmap measure` on logs shaped like real ones (issue 17): cases that end at a
decision's branch, an activity the map leaves out, a log of which nothing maps, and the
off-map arrows of the measured map.

The fixtures are in tests/measure_logs/, written for these tests:

- receipt.yaml / receipt.csv: a permit-receipt process whose first step is a decision
  right after the start (paper or online?) and whose cases mostly end at a decision's
  "none" branch (documents missing? none: the case is done, no event says so). 16 cases:
  10 paper cases Register, Confirm receipt and end; 4 online cases only Confirm receipt;
  2 paper cases go on to Request documents.
- helpdesk.yaml / helpdesk.csv: 8 tickets Open ticket, Assign, Resolve, Close; three of
  them (T006-T008) also "Wait for customer", an activity the map leaves out, between
  Assign (hour 1) and Resolve (hour 25; the others resolve at hour 3).
- nothing.csv: a log whose activities are none of the helpdesk map's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, load, procmap
from procmap.measure import (
    NothingMapsError,
    RefusedLogError,
    format_report,
    measure_log,
    measured_dot,
    warning_lines,
)

HERE = REPO / "tests" / "measure_logs"
H = 3600.0


def _process(path: Path) -> Any:
    return load(path)  # conftest: the valid process of the file


@pytest.fixture(scope="module")
def receipt() -> dict[str, Any]:
    return measure_log(_process(HERE / "receipt.yaml"), HERE / "receipt.csv")


@pytest.fixture(scope="module")
def helpdesk() -> dict[str, Any]:
    return measure_log(_process(HERE / "helpdesk.yaml"), HERE / "helpdesk.csv")


# --- cases that end: their last event goes on to the end through silent steps ----------


def test_cases_that_end_count_on_the_branch_to_the_end(receipt):
    # Before: the 14 cases that end after Confirm receipt had no next event and counted
    # nowhere: "none" 0 (0%), "some" 2 (100%). Now they go on through the silent
    # decision to the silent end: none 14 of 16 (87.5%), some 2 (12.5%).
    branches = {(b["decision"], b["label"]): (b["count"], b["share"]) for b in receipt["branches"]}
    assert branches[("missing", "none")] == (14, 0.875)
    assert branches[("missing", "some")] == (2, 0.125)


def test_a_decision_right_after_the_start_counts_every_case(receipt):
    # Before: a case's first event was reached from no start, so the decision right after
    # the start showed 0 of 0 (share none). Now 12 paper and 4 online cases.
    branches = {(b["decision"], b["label"]): (b["count"], b["share"]) for b in receipt["branches"]}
    assert branches[("channel", "paper")] == (12, 0.75)
    assert branches[("channel", "online")] == (4, 0.25)


def test_arrows_from_the_start_and_into_the_ends_are_counted_without_a_time(receipt):
    arrows = {(a["from"], a["to"]): (a["count"], a["p50"]) for a in receipt["arrows"]}
    assert arrows == {
        ("begin", "channel"): (16, None),  # every case, from the start: no time
        ("channel", "register"): (12, None),
        ("channel", "confirm"): (4, None),
        ("register", "confirm"): (12, 2 * H),
        # 16 cases pass it; the median is of the two log transitions Confirm -> Request (21h)
        ("confirm", "missing"): (16, 21 * H),
        ("missing", "done"): (14, None),
        ("missing", "request"): (2, 21 * H),
        ("request", "closed"): (2, None),
    }
    # the directly-follows pairs are the log's own: nothing invented for the ends
    assert [(d["from"], d["to"], d["count"]) for d in receipt["directly_follows"]] == [
        ("register", "confirm", 12),
        ("confirm", "request", 2),
    ]
    assert receipt["conformance"]["fitting"] == 16


def test_the_measured_map_draws_the_ends_cases_reach(receipt):
    # Before: the start, both decisions, both ends and the arrows between them were grey,
    # "never in the log" / "never taken", though every case passed them.
    dot = measured_dot(_process(HERE / "receipt.yaml"), receipt)
    assert ">never in the log<" not in dot  # a step's label (the legend still explains it)
    assert "never taken" not in dot
    assert "14×" in dot and "88%" in dot and "(plan 90%)" in dot


# --- an activity the map leaves out is off the map -------------------------------------


def test_an_unmapped_activity_makes_its_cases_deviate_there(helpdesk):
    # Before: Wait for customer was dropped and every ticket fitted (fitness 100%).
    conf = helpdesk["conformance"]
    assert (conf["fitting"], conf["deviating"], conf["fitness"]) == (5, 3, 0.625)
    assert conf["deviations"] == [
        {
            "from": "assign",
            "to": "Wait for customer",
            "count": 3,
            "examples": ["T006", "T007", "T008"],
        }
    ]
    assert helpdesk["unmapped_activities"] == [{"activity": "Wait for customer", "events": 3}]
    assert (helpdesk["cases"], helpdesk["events"]) == (8, 32)


def test_events_around_an_unmapped_one_are_not_joined_into_an_arrow(helpdesk):
    # Before: Assign -> Resolve 8 times, mean 10.25h (3 of them 24h, through the wait);
    # Assign was never directly followed by Resolve in T006-T008.
    directly = {(d["from"], d["to"]): d for d in helpdesk["directly_follows"]}
    assert (directly[("assign", "resolve")]["count"], directly[("assign", "resolve")]["mean"]) == (
        5,
        2 * H,
    )
    arrows = {(a["from"], a["to"]): a["count"] for a in helpdesk["arrows"]}
    assert arrows[("assign", "resolve")] == 5
    # every transition that leaves the map, into and out of the unmapped activity
    assert helpdesk["conformance"]["off_map"] == [
        {"from": "Wait for customer", "to": "resolve", "count": 3},
        {"from": "assign", "to": "Wait for customer", "count": 3},
    ]


def test_unmapped_activities_head_every_format_and_warn(helpdesk):
    line = "1 (3 events, off the map: their cases deviate): Wait for customer (3)"
    text = format_report(helpdesk, "text")
    summary = text.split("\n\n")[1]  # the first table, the summary
    assert f"Unmapped activities     {line}" in summary
    markdown = format_report(helpdesk, "markdown")
    assert f"| Unmapped activities | {line} |" in markdown.split("## Slowest")[0]
    github = format_report(helpdesk, "github").splitlines()
    assert github[0] == (
        f"::warning title=procmap measure::{helpdesk['log']}: unmapped activities {line}"
    )
    json_text = format_report(helpdesk, "json")
    head = json_text[: json_text.index('"steps"')]
    assert '"activity": "Wait for customer"' in head and '"events": 3' in head
    assert warning_lines(helpdesk) == [f"{helpdesk['log']}: unmapped activities {line}"]


def test_the_command_warns_on_stderr_of_unmapped_activities(capsys):
    log = HERE / "helpdesk.csv"
    status, out, err = procmap(capsys, "measure", str(HERE / "helpdesk.yaml"), str(log))
    assert status == 0 and out
    assert err == (
        f"procmap: warning: {log}: unmapped activities 1 (3 events, off the map: their cases"
        " deviate): Wait for customer (3)\n"
    )
    status, out, err = procmap(capsys, "measure", str(HERE / "helpdesk.yaml"), str(log), "--strict")
    assert status == 1 and out == "" and err.count("\n") == 1
    assert "map to no step (--strict)" in err


def test_strict_makes_unmapped_activities_an_error():
    log = HERE / "helpdesk.csv"
    with pytest.raises(RefusedLogError) as raised:
        measure_log(_process(HERE / "helpdesk.yaml"), log, strict=True)
    assert str(raised.value) == (
        f"{log}: 1 activity of 3 event(s) map to no step (--strict): 'Wait for customer'"
        " (3 events); name them in the steps' `activity:`"
    )


def test_a_log_of_which_nothing_maps_is_one_line(tmp_path, capsys):
    log = HERE / "nothing.csv"
    with pytest.raises(NothingMapsError) as raised:
        measure_log(_process(HERE / "helpdesk.yaml"), log)
    assert str(raised.value) == (
        f"{log}: none of its 2 activities maps to a step of 'helpdesk' ('Eingang' (2 events),"
        " 'Prüfung' (1 event)): name them in the steps' `activity:`, or give the activity"
        " column with --activity"
    )
    out_dir = tmp_path / "out"
    status, out, err = procmap(
        capsys, "measure", str(HERE / "helpdesk.yaml"), str(log), "-o", str(out_dir)
    )
    assert status == 1 and out == "" and err.count("\n") == 1  # refused: the log's fault
    assert "none of its 2 activities maps" in err
    assert not out_dir.exists()  # nothing half-written


# --- the measured map's off-map arrows (issue 17, item 7) -------------------------------

# H1 goes back from Resolve to Assign twice (an arrow the map does not have); H2 begins at
# Assign, which no start leads to.
LOOPS = """\
case,activity,timestamp
H1,Open ticket,2026-03-02T08:00:00Z
H1,Assign,2026-03-02T09:00:00Z
H1,Resolve,2026-03-02T10:00:00Z
H1,Assign,2026-03-02T11:00:00Z
H1,Resolve,2026-03-02T12:00:00Z
H1,Assign,2026-03-02T13:00:00Z
H1,Resolve,2026-03-02T14:00:00Z
H1,Close,2026-03-02T15:00:00Z
H2,Assign,2026-03-02T09:00:00Z
H2,Resolve,2026-03-02T10:00:00Z
H2,Close,2026-03-02T11:00:00Z
"""


@pytest.fixture
def loops(tmp_path: Path) -> tuple[Any, dict[str, Any]]:
    log = tmp_path / "loops.csv"
    log.write_text(LOOPS, encoding="utf-8")
    process = _process(HERE / "helpdesk.yaml")
    return process, measure_log(process, log)


def test_off_map_arrows_count_every_transition_not_each_case_once(loops):
    process, result = loops
    conf = result["conformance"]
    # H1 deviates once, at its first Resolve -> Assign; it took that arrow twice
    assert {"from": "resolve", "to": "assign", "count": 1, "examples": ["H1"]} in conf["deviations"]
    assert conf["off_map"] == [
        {"from": "resolve", "to": "assign", "count": 2},
        {"from": None, "to": "assign", "count": 1},
    ]
    dot = measured_dot(process, result)
    (edge,) = [line for line in dot.splitlines() if "off the map<BR/>" in line]
    assert "off the map<BR/>2×<" in edge  # before: 1×, H1's first deviation only


def test_a_first_step_off_the_map_reads_as_words(loops):
    process, result = loops
    dot = measured_dot(process, result)
    assert "Also off the map: 1 case began at assign" in dot
    assert "None" not in dot


def test_an_unmapped_activity_spelled_as_a_step_id_stays_off_the_map(tmp_path):
    # the step "assign" lists the activity "Allocate agent" only: the log's "assign" maps
    # to no step, and is not taken for the step
    process = tmp_path / "helpdesk.yaml"
    text = (HERE / "helpdesk.yaml").read_text(encoding="utf-8")
    process.write_text(text.replace("[Assign]", "[Allocate agent]"), encoding="utf-8")
    log = tmp_path / "spelled.csv"
    log.write_text(
        "case,activity,timestamp\n"
        "S1,Open ticket,2026-03-02T08:00:00Z\n"
        "S1,Allocate agent,2026-03-02T08:30:00Z\n"
        "S1,assign,2026-03-02T09:00:00Z\n"
        "S1,Resolve,2026-03-02T10:00:00Z\n"
        "S1,Close,2026-03-02T11:00:00Z\n",
        encoding="utf-8",
    )
    result = measure_log(_process(process), log)
    assert result["unmapped_activities"] == [{"activity": "assign", "events": 1}]
    assert result["conformance"]["deviations"] == [
        {"from": "assign", "to": "assign (not on the map)", "count": 1, "examples": ["S1"]}
    ]
    assert result["variants"][0]["steps"] == [
        "opened",
        "assign",
        "assign (not on the map)",
        "resolve",
        "close",
    ]
    assert result["rework"]["cases"] == 0


# --- what an arrow's time means (the README's "What the times mean") ---------------------

LEAD = """\
procmap: 1
id: lead
name: Lead
owner: rep
roles: {rep: Rep}
steps:
  - {id: start, kind: start, name: Lead in, next: qualify}
  - {id: qualify, name: Qualify lead, owner: rep, next: send}
  - {id: send, name: Send proposal, owner: rep, next: done}
  - {id: done, kind: end, name: Proposal out}
"""


@pytest.mark.parametrize("with_start", [True, False])
def test_an_arrow_runs_from_completion_to_completion(tmp_path, with_start):
    """The README's example: Qualify lead 09:00-09:30, Send proposal 11:00-12:00. The
    arrow is 2h30m with or without start times; the 1h30m pm4py would put on the arrow is
    Send proposal's waiting time, beside its 1h of processing."""
    (tmp_path / "lead.yaml").write_text(LEAD, encoding="utf-8")
    rows = [("C-1", "Qualify lead", "09:00", "09:30"), ("C-1", "Send proposal", "11:00", "12:00")]
    day = "2026-03-02T"
    if with_start:
        text = "case_id,activity,start_timestamp,timestamp\n" + "".join(
            f"{c},{a},{day}{s}:00Z,{day}{t}:00Z\n" for c, a, s, t in rows
        )
    else:
        text = "case_id,activity,timestamp\n" + "".join(
            f"{c},{a},{day}{t}:00Z\n" for c, a, _, t in rows
        )
    (tmp_path / "lead.csv").write_text(text, encoding="utf-8")
    result = measure_log(_process(tmp_path / "lead.yaml"), tmp_path / "lead.csv")
    (arrow,) = [a for a in result["arrows"] if (a["from"], a["to"]) == ("qualify", "send")]
    assert arrow["p50"] == 2.5 * H
    steps = {s["id"]: s for s in result["steps"]}
    if with_start:
        assert steps["send"]["waiting"]["p50"] == 1.5 * H
        assert steps["send"]["processing"]["p50"] == 1.0 * H
    else:
        assert steps["send"]["waiting"] is None and steps["send"]["processing"] is None

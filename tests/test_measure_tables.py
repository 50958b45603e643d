"""The measure report's smaller figures of issue 17 (item 7): the directly-follows table
named for what it lists, the branches' count named for what it counts, and a start
before the previous event finished reported as an overlap, not as a negative wait.

The fixture, tests/measure_small/review.yaml and review.csv (a Disco-style export with
start and complete timestamps), was written for these tests: 3 applications, each
Receive, Review (A2 twice: the decision "Complete?" sends it back once), Approve.
A2's Approve starts at 10:45, before its second Review finished at 11:00, and A3's at
12:30, before its Review finished at 13:00: two overlaps. A1 waits 30m before Approve.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, load, procmap
from procmap.measure import format_report, measure_log

HERE = REPO / "tests" / "measure_small"
PROCESS, LOG = HERE / "review.yaml", HERE / "review.csv"


def _process(path: Path) -> Any:
    return load(path)  # conftest: the valid process of the file


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    return measure_log(_process(PROCESS), LOG)


def _section(markdown: str, title: str) -> list[str]:
    """The rows of the Markdown report's table under `## title`."""
    part = markdown.split(f"## {title}\n\n", 1)[1].split("\n\n", 1)[0]
    return part.splitlines()


def test_the_directly_follows_table_is_not_called_handoffs(result):
    # issue 17: the table of every directly-follows pair was titled "Handoffs", a word the
    # worksheet keeps for changes of owner
    markdown = format_report(result, "markdown")
    assert "Handoffs" not in markdown
    assert _section(markdown, "Directly follows")[:3] == [
        "| From | To | Count | p50 | p90 |",
        "|---|---|---|---|---|",
        "| receive | review | 3 | 1h | 1h |",
    ]
    text = format_report(result, "text")
    assert "Handoffs" not in text and "\nDirectly follows\n" in text


def test_the_branches_column_counts_transitions_through_the_decision(result):
    # A2 passes "Complete?" twice (no, then yes): 4 transitions of 3 cases. The column
    # was headed "Cases" though it counts transitions.
    rows = _section(format_report(result, "markdown"), "Branches")
    assert rows == [
        "| Decision | Branch | To | Transitions | Share | Expected |",
        "|---|---|---|---|---|---|",
        "| ok | yes | approve | 3 | 75.0% | – |",
        "| ok | no | review | 1 | 25.0% | – |",
    ]
    assert "Transitions" in format_report(result, "text")


def test_a_start_before_the_previous_event_finished_is_an_overlap_not_a_negative_wait(result):
    steps = {s["id"]: s for s in result["steps"]}
    approve, review = steps["approve"], steps["review"]
    # before: waits of 30m, -15m and -30m gave a mean of -5m
    assert approve["overlaps"] == 2
    assert approve["waiting"] == {"mean": 1800.0, "p50": 1800.0, "p90": 1800.0}
    # review waits 30m (A1), 10m and 30m (A2), 0 (A3): no overlap
    assert review["overlaps"] == 0
    assert review["waiting"] == {"mean": 1050.0, "p50": 1200.0, "p90": 1800.0}
    assert steps["ok"]["overlaps"] == 0  # no events
    for step in result["steps"]:
        waiting = step["waiting"]
        assert waiting is None or min(v for v in waiting.values() if v is not None) >= 0


def test_the_overlaps_are_in_the_report_and_the_json(result, capsys):
    markdown = format_report(result, "markdown")
    rows = _section(markdown, "Summary")[2:]
    summary = dict(row.strip("| ").split(" | ", 1) for row in rows)
    assert summary["Overlaps"].startswith("2 (a start before the previous event finished")
    assert summary["Overlaps"].endswith("approve (2)")
    slowest = _section(markdown, "Slowest steps")
    assert slowest[0].endswith("| Waiting p90 | Overlaps |")
    assert "| approve | 3 | 45m | 57m | 30m | 2 |" in slowest
    status, out, _ = procmap(capsys, "measure", str(PROCESS), str(LOG), "-f", "json")
    assert status == 0
    assert [s["overlaps"] for s in json.loads(out)["steps"]] == [0, 0, 0, 2, 0]


def test_a_log_without_overlaps_has_no_overlaps_column(result):
    clean = json.loads(json.dumps(result))
    for step in clean["steps"]:
        step["overlaps"] = 0
    markdown = format_report(clean, "markdown")
    assert "Overlaps" not in markdown

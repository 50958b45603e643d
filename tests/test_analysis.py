"""Computed facts for the documents: due dates, durations, handoffs, paths, sinks, KPIs."""

from __future__ import annotations

import datetime as dt

import pytest

from procmap.format.model import Process
from procmap.render.analysis import add_months, analyze, format_minutes, next_review

D = dt.date


@pytest.mark.parametrize(
    ("last", "every", "due"),
    [
        (D(2026, 11, 16), "weekly", D(2026, 11, 23)),
        (D(2026, 12, 28), "weekly", D(2027, 1, 4)),
        (D(2026, 1, 31), "monthly", D(2026, 2, 28)),
        (D(2024, 1, 31), "monthly", D(2024, 2, 29)),
        (D(2026, 3, 31), "monthly", D(2026, 4, 30)),
        (D(2026, 12, 15), "monthly", D(2027, 1, 15)),
        (D(2025, 11, 30), "quarterly", D(2026, 2, 28)),
        (D(2026, 10, 1), "quarterly", D(2027, 1, 1)),
        (D(2024, 2, 29), "yearly", D(2025, 2, 28)),
        (D(2023, 2, 28), "yearly", D(2024, 2, 28)),
        (D(2024, 2, 1), "30d", D(2024, 3, 2)),
        (D(2026, 12, 20), "45d", D(2027, 2, 3)),
    ],
)
def test_next_review_adds_the_cadence_and_clamps_to_month_end(last, every, due):
    assert next_review(last, every) == due


def test_next_review_unknown_without_last_or_cadence():
    assert next_review(None, "weekly") is None
    assert next_review(D(2026, 1, 1), None) is None


def test_add_months_across_years_backwards_and_forwards():
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
    assert add_months(D(2028, 11, 30), 3) == D(2029, 2, 28)
    assert add_months(D(2027, 11, 29), 3) == D(2028, 2, 29)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (None, ""),
        (0, "0m"),
        (45, "45m"),
        (60, "1h"),
        (90, "1h 30m"),
        (1440 * 5, "5d"),
        (2940, "2d 1h"),
    ],
)
def test_format_minutes(minutes, text):
    assert format_minutes(minutes) == text


def _process(steps, **extra):
    return Process.model_validate({"procmap": 1, "id": "p", "name": "P", "steps": steps, **extra})


FUNNEL = [
    {"id": "s", "kind": "start", "name": "Start", "owner": "mk", "next": "a"},
    {"id": "a", "name": "Invite", "owner": "mk", "duration": "30m", "next": "d"},
    {"id": "d", "kind": "decision", "name": "Booked?", "branches": {"yes": "b", "no": "c"}},
    {"id": "b", "name": "Call", "owner": "sales", "duration": "2h", "next": "e", "critical": True},
    {
        "id": "c",
        "name": "Downsell",
        "owner": "mk",
        "duration": "3d",
        "automatable": True,
        "next": "e",
    },
    {"id": "e", "kind": "end", "name": "End"},
]


def test_handoffs_pass_through_decisions_and_keep_the_branch_label():
    facts = analyze(_process(FUNNEL, roles={"mk": "Marketing", "sales": "Sales"}))
    found = [
        (h.source.id, h.target.id, h.giver.name, h.receiver.name, h.answers) for h in facts.handoffs
    ]
    assert found == [("a", "b", "Marketing", "Sales", ("yes",))]


def test_handoff_on_a_direct_arrow_and_on_a_loop():
    steps = [
        {"id": "s", "kind": "start", "name": "S", "next": "a"},
        {"id": "a", "name": "A", "owner": "x", "next": "b"},
        {"id": "b", "name": "B", "owner": "y", "next": "q"},
        {"id": "q", "kind": "decision", "name": "Q?", "branches": {"again": "a", "done": "e"}},
        {"id": "e", "kind": "end", "name": "E"},
    ]
    facts = analyze(_process(steps))
    assert [(h.source.id, h.target.id, h.answers) for h in facts.handoffs] == [
        ("a", "b", ()),
        ("b", "a", ("again",)),
    ]
    assert [(s.id, t.id) for s, t in facts.loops] == [("q", "a")]


def test_longest_path_total_time_sinks_and_candidates():
    facts = analyze(_process(FUNNEL))
    assert [v.id for v in facts.longest_path] == ["s", "a", "d", "c", "e"]
    assert facts.longest_minutes == 30 + 3 * 1440
    assert facts.longest_duration == "3d 30m"
    assert [v.id for v in facts.time_sinks] == ["c", "b", "a"]
    assert [v.id for v in facts.automation_candidates] == ["c"]
    assert [v.id for v in facts.critical_without_metric] == ["b"]


def test_step_numbers_follow_the_reading_order_and_branches_say_where_they_go():
    """The main line reads straight down, the other branch follows, and the end comes last
    even though the first branch reaches it first: no "go to" jumps over an end."""
    facts = analyze(_process(FUNNEL))
    assert [(v.number, v.id) for v in facts.steps] == [
        (1, "s"),
        (2, "a"),
        (3, "d"),
        (4, "b"),
        (5, "c"),
        (6, "e"),
    ]
    decision = facts.by_id["d"]
    assert [(t.label, t.number, t.name) for t in decision.targets] == [
        ("yes", 4, "Call"),
        ("no", 5, "Downsell"),
    ]
    assert facts.by_id["a"].targets[0].follows


def test_kpi_gap_vanity_and_where_recorded():
    metrics = {
        "views": {"name": "Page views", "baseline": 100, "target": 150},
        "rank": {
            "name": "Rank",
            "unit": "position",
            "baseline": 18,
            "target": 8,
            "direction": "down",
        },
        "new": {"name": "New clients"},
    }
    steps = [{**FUNNEL[1], "metrics": ["rank"]}, *FUNNEL[2:]]
    steps = [FUNNEL[0], *steps]
    facts = analyze(_process(steps, metrics=metrics))
    rows = {k.ref.id: k for k in facts.kpis}
    assert rows["views"].gap == "+50"
    assert rows["views"].vanity is not None and "conversion" in rows["views"].vanity
    assert rows["rank"].gap == "-10 position"
    assert rows["rank"].steps == [2]
    assert rows["new"].gap == "" and rows["new"].baseline == "" and rows["new"].vanity is None


def test_sipoc_is_derived_from_the_steps():
    process = _process(
        FUNNEL,
        roles={"mk": "Marketing", "sales": "Sales"},
        trigger="A lead arrives",
        hourglass=["try", "buy"],
        outputs=["A booked call"],
    )
    sipoc = analyze(process).sipoc
    assert sipoc.suppliers == ["Marketing"]
    # Issue 21: the trigger is not an input again, and the process's own roles (Sales
    # receives a handoff) are not its customers.
    assert sipoc.inputs == ["Start"]
    assert sipoc.process == ["Invite", "Call", "Downsell"]
    assert sipoc.outputs == ["A booked call", "End"]
    assert sipoc.customers == ["The customer at the try, buy stages"]


def test_exceptions_attach_to_their_step_or_stay_general():
    process = _process(
        FUNNEL,
        exceptions=[
            {"when": "No answer", "then": "Call again", "step": "b"},
            {"when": "Holiday", "then": "Wait"},
        ],
    )
    facts = analyze(process)
    assert [e.when for e in facts.by_id["b"].exceptions] == ["No answer"]
    assert [e.when for e in facts.general_exceptions] == ["Holiday"]


def test_subprocess_link_only_when_rendered():
    steps = [
        {"id": "s", "kind": "start", "name": "S", "next": "x"},
        {"id": "x", "kind": "subprocess", "name": "Score", "process": "lead-scoring", "next": "e"},
        {"id": "e", "kind": "end", "name": "E"},
    ]
    assert analyze(_process(steps)).by_id["x"].link is None
    linked = analyze(_process(steps), {"lead-scoring": "lead-scoring.runbook.md"})
    assert linked.by_id["x"].link == "lead-scoring.runbook.md"


def test_handoff_through_two_decisions_collects_both_answers():
    steps = [
        {"id": "s", "kind": "start", "name": "S", "next": "a"},
        {"id": "a", "name": "Edit", "owner": "editor", "next": "q1"},
        {"id": "q1", "kind": "decision", "name": "OK?", "branches": {"approved": "q2", "no": "a"}},
        {"id": "q2", "kind": "decision", "name": "Claims?", "branches": {"yes": "c", "no": "e"}},
        {"id": "c", "name": "Review", "owner": "legal", "next": "e"},
        {"id": "e", "kind": "end", "name": "E"},
    ]
    facts = analyze(_process(steps))
    assert [(h.source.id, h.target.id, h.answers) for h in facts.handoffs] == [
        ("a", "c", ("approved", "yes"))
    ]

"""Parallel blocks and waits in the runbook, the DMAIC worksheet and the portfolio.

Every figure is worked out by hand from the fixture processes: the two cases of issue 18
(tests/cases/valid: client-setup, a parallel block inside a decision with a loop inside a
strand; invoice-chase, waits and an escalation on two fronts) and
tests/parallel_documents/owned-gateways.yaml (a split and a join with an owner). The
documents are rendered from the templates directly (no map embedded), so their goldens
(tests/golden/render_parallel/) change only with the documents.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CASES, REPO, procmap
from procmap.format import Flow
from procmap.lint.linter import validate_paths
from procmap.portfolio import analyse, as_json, format_portfolio, visits
from procmap.render import documents
from procmap.render.analysis import analyze, reading_order, spell_minutes

SETUP = CASES / "valid" / "parallel-block-in-decision-loop-in-strand" / "client-setup.yaml"
CHASE = REPO / "processes" / "invoice-chase.yaml"
OWNED = Path(__file__).parent / "parallel_documents" / "owned-gateways.yaml"
NESTED = Path(__file__).parent / "parallel_documents" / "nested.yaml"


def _load(path: Path):
    report = validate_paths([str(path)], keep=True)
    assert report.errors == 0, report.problems
    (process,) = report.processes.values()
    return process


def _render(template: str, path: Path) -> str:
    process = _load(path)
    context = documents.context(
        process,
        analyze(process),
        files={
            "svg": f"{process.id}.svg",
            "runbook": f"{process.id}.runbook.md",
            "dmaic": f"{process.id}.dmaic.md",
        },
        source=path.name,
        mermaid=None,
    )
    return documents.render(template, context, documents.search_path())


# --- the analysis ------------------------------------------------------------------------


def test_spell_minutes_writes_waits_and_elapsed_times_in_words():
    assert spell_minutes(40_380) == "28 days 1 hour"
    assert spell_minutes(20_225) == "14 days 1 hour 5 minutes"
    assert spell_minutes(10_080) == "7 days"
    assert spell_minutes(61) == "1 hour 1 minute"
    assert spell_minutes(0) == "0 minutes"
    assert spell_minutes(None) == ""


def test_critical_path_figures_of_client_setup():
    facts = analyze(_load(SETUP))
    # Elapsed: kickoff 30m, then the slowest strand, invoice 20m + wait 14d (20,160m) +
    # record 5m, then welcome 10m = 20,225m. Hands-on: 30 + accounts 60 (the other
    # strand's work counts too) + 20 + 5 + 10 = 125m. Waiting on the path: 14 days.
    assert facts.longest_minutes == 20_225
    assert facts.longest_hands_on_minutes == 125
    assert facts.longest_elapsed == "14 days 1 hour 5 minutes"
    assert facts.longest_hands_on == "2h 5m"
    assert facts.longest_waiting == "14 days"
    assert [v.id for v in facts.longest_path] == [
        "start", "kickoff", "paid", "split", "invoice", "wait-pay", "joined", "welcome", "done",
    ]  # fmt: skip


def test_critical_path_figures_of_invoice_chase():
    facts = analyze(_load(CHASE))
    # Elapsed: wait 7d (10,080) + firm reminder 15m + wait 14d (20,160) + the call 30m
    # (the slower strand; the pause takes 20m) + wait 7d (10,080) + check 10m + record 5m
    # = 40,380m, 28 days 1 hour. Hands-on: 15 + 30 + 20 + 10 + 5 = 80m.
    assert facts.longest_minutes == 40_380
    assert facts.longest_hands_on_minutes == 80
    assert facts.longest_elapsed == "28 days 1 hour"
    assert facts.longest_hands_on == "1h 20m"
    assert facts.longest_waiting == "28 days"
    assert [(w.step.id, w.step.wait, w.critical) for w in facts.waits] == [
        ("paid-1", "7 days", True),
        ("paid-2", "14 days", True),
        ("collect", "7 days", True),
    ]
    assert [v.id for v in facts.waits[0].after] == ["reminder-1"]


def test_a_strand_reads_whole_before_the_join_and_what_follows_it():
    process = _load(SETUP)
    # Flow.order reads the first strand on through the join to the end; the documents
    # read strand 2 before the join.
    assert reading_order(Flow(process)) == [
        "start", "kickoff", "paid", "split", "accounts", "check", "invoice", "wait-pay",
        "joined", "welcome", "chase", "done",
    ]  # fmt: skip
    facts = analyze(process)
    (block,) = facts.blocks
    assert (block.split.number, block.join.number) == (4, 9)
    assert [[v.number for v in s.steps] for s in block.strands] == [[5, 6], [7, 8]]
    assert facts.splits["split"] is block and facts.joins["joined"] is block
    places = {sid: (p.strand.number, p.first, p.last) for sid, p in facts.places.items()}
    assert places == {
        "accounts": (1, True, False),
        "check": (1, False, True),  # its Yes branch leads to the join
        "invoice": (2, True, False),
        "wait-pay": (2, False, True),
    }


def test_handoffs_pass_through_an_owned_split_and_join_and_count_once():
    facts = analyze(_load(OWNED))
    # Sales -> Finance once for both strands, Finance -> Sales once for both: 2.
    assert [(h.source.id, h.target.id, h.giver.id, h.receiver.id) for h in facts.handoffs] == [
        ("prepare", "bill", "sales", "fin"),
        ("bill", "close", "fin", "sales"),
    ]
    # The split's and the join's owner only places them in a lane: not involved in work.
    assert {r.ref.id: r.steps for r in facts.roles} == {"sales": [2, 7], "ops": [], "fin": [4, 5]}


def test_handoffs_of_the_two_cases():
    chase = analyze(_load(CHASE))
    # Two roles start the strands and two end them: four handoffs, none to or from the
    # split's owner (the founder, who also makes the call: no handoff to the call).
    assert [(h.source.id, h.target.id, h.answers) for h in chase.handoffs] == [
        ("reminder-2", "call", ("no",)),
        ("reminder-2", "pause", ("no",)),
        ("call", "collect", ()),
        ("pause", "collect", ()),
    ]
    setup = analyze(_load(SETUP))
    assert [(h.source.id, h.target.id, h.answers) for h in setup.handoffs] == [
        ("kickoff", "invoice", ("Yes",)),
        ("kickoff", "chase", ("No",)),
        ("wait-pay", "welcome", ()),
        ("chase", "accounts", ("Yes",)),
    ]


def test_a_block_nested_in_a_strand_and_a_wait_on_a_join():
    process = _load(NESTED)
    facts = analyze(process)
    # The figures of the fixture's comment: 4,375m elapsed (1d + 2d of it waiting),
    # 235m hands-on; the inner block's slow strand (the credit check) is on the path.
    assert (facts.longest_minutes, facts.longest_hands_on_minutes) == (4_375, 235)
    assert facts.longest_elapsed == "3 days 55 minutes" and facts.longest_waiting == "3 days"
    assert [v.id for v in facts.longest_path] == [
        "start", "outer", "inner", "check", "inner-join", "sign", "outer-join", "send", "done",
    ]  # fmt: skip
    assert [(b.split.id, [[v.id for v in s.steps] for s in b.strands]) for b in facts.blocks] == [
        ("outer", [["brief"], ["inner", "draft", "check", "inner-join", "sign"]]),
        ("inner", [["draft"], ["check"]]),
    ]
    # The innermost block places a step: the credit check is strand 2 of the inner split.
    assert facts.places["check"].block.split.id == "inner"
    assert facts.places["sign"].block.split.id == "outer" and facts.places["sign"].last
    assert [(h.source.id, h.target.id) for h in facts.handoffs] == [
        ("check", "sign"),
        ("sign", "send"),
    ]
    assert set(visits(process).values()) == {1.0}  # every step once a run, joins too
    text = _render("runbook.md.j2", NESTED)
    assert (
        "When all of them are done (every strand of step 2, Prepare in parallel), wait 1 day,"
        " then go on with step 10, Send the contract.\n"
    ) in text
    assert "_Strand 2 of 2 after step 4 (Contract work)" in text
    sheet = _render("dmaic.md.j2", NESTED)
    assert (
        "- Step 9, All prepared: waits 1 day after every strand of step 2 is done before it"
        " can start (on the longest path)"
    ) in sheet


# --- the documents -----------------------------------------------------------------------


# The invoice chase is bundled: its documents are among test_render's golden files.
@pytest.mark.parametrize("path", [SETUP], ids=["client-setup"])
@pytest.mark.parametrize("document", ["runbook", "dmaic"])
def test_golden_documents_of_parallel_work_and_waits(golden, path, document):
    text = _render(f"{document}.md.j2", path)
    golden(f"render_parallel/{path.stem}.{document}.md", text)
    assert _render(f"{document}.md.j2", path) == text  # deterministic


def test_runbook_shows_the_strands_then_the_join_and_the_waits():
    text = _render("runbook.md.j2", CHASE)
    assert (
        "- **Expected time, start to end:** up to 28 days 1 hour elapsed, of which 1h 20m"
        " hands-on (the longest path, through the slowest strand of parallel work;"
        " hands-on time adds every strand)\n"
    ) in text
    split = text.split("### 7. Escalate on both fronts\n")[1].split("### 8.")[0]
    assert split == (
        "\nDo these, in any order or at the same time:\n\n"
        "1. **Strand 1:** step 8, Call the client and agree a payment date\n"
        "2. **Strand 2:** step 9, Pause delivery and tell the client's team\n\n"
        "When all of them are done: go on at step 10, Call made and delivery paused.\n\n"
    )
    join = text.split("### 10. Call made and delivery paused\n")[1].split("### 11.")[0]
    assert "- [ ]" not in join and "**Who:**" not in join
    assert join.strip() == (
        "When all of them are done (every strand of step 7, Escalate on both fronts): go on"
        " with step 11, Check the payment arrived on the agreed date."
    )
    assert "**Wait 7 days after step 2 (Send the friendly reminder with the invoice" in text
    assert "**Wait 14 days after step 5 (Send the firm reminder" in text
    assert text.count("This strand is done. When every strand of step 7 is done") == 2


def test_runbook_keeps_a_decision_and_a_loop_inside_a_strand():
    text = _render("runbook.md.j2", SETUP)
    assert (
        "If Yes, this strand is done (step 9, All set up, waits for every strand); if No,"
        " go to step 5: Create accounts (a loop: the flow goes back and repeats from there)."
    ) in text
    assert "_Strand 2 of 2 after step 4 (Set up in parallel)" in text
    assert "up to 14 days 1 hour 5 minutes elapsed, of which 2h 5m hands-on" in text


def test_worksheet_takes_the_slowest_strand_adds_every_strands_work_and_lists_waits():
    text = _render("dmaic.md.j2", CHASE)
    assert (
        "the longest path (the critical path) takes 28 days 1 hour elapsed, 28 days of it"
        " waiting: 1 → 2 → 3 → 5 → 6 → 7 → 8 → 10 → 11 → 4 → 12. Its hands-on work is 1h 20m"
    ) in text
    waits = text.split("### Waits\n")[1].split("###")[0]
    assert [line for line in waits.splitlines() if line.startswith("- ")] == [
        "- Step 6, Paid two weeks after the firm reminder?: waits 14 days after step 5 before"
        " it can start (on the longest path)",
        "- Step 3, Paid a week after the reminder?: waits 7 days after step 2 before it can"
        " start (on the longest path)",
        "- Step 11, Check the payment arrived on the agreed date: waits 7 days after step 10"
        " before it can start (on the longest path)",
    ]
    assert (
        "| 11 | Check the payment arrived on the agreed date | Bookkeeper | 10m, after a wait of 7 days |"
        in text
    )
    assert "| 3 | Paid a week after the reminder? | – | waits 7 days first |" in text
    assert "**Handoffs:** 4 " in text


def test_documents_without_parallel_work_or_waits_read_as_before():
    text = _render("runbook.md.j2", OWNED.parent.parent / "render_fixtures" / "hostile.yaml")
    assert "Do these, in any order" not in text and "elapsed" not in text
    sheet = _render("dmaic.md.j2", OWNED.parent.parent / "render_fixtures" / "hostile.yaml")
    assert "### Waits" not in sheet and "### Parallel work" not in sheet


# --- the portfolio -----------------------------------------------------------------------


def test_portfolio_visits_count_every_strand_in_full_and_the_join_once():
    chase = visits(_load(CHASE))
    # 45% get the firm reminder, 30% of those escalate: 13.5% of runs, and each of them
    # does both strands (not half each); the join is passed once per escalated run.
    for sid in ("escalate", "call", "pause", "escalated", "collect"):
        assert chase[sid] == pytest.approx(0.135), sid
    setup = visits(_load(SETUP))
    # No shares: the deposit decision is answered twice per run on average (chase once),
    # the accounts are made twice (the check loops back half the time), the invoice once.
    assert setup["accounts"] == pytest.approx(2.0)
    assert setup["invoice"] == pytest.approx(1.0)
    assert setup["wait-pay"] == pytest.approx(1.0)
    assert setup["joined"] == pytest.approx(1.0)
    assert setup["welcome"] == pytest.approx(1.0)


def test_portfolio_hours_handoffs_and_elapsed_time_of_parallel_processes():
    processes = {str(p): _load(p) for p in (SETUP, CHASE, OWNED)}
    portfolio = analyse(processes)
    chase = portfolio.process("invoice-chase")
    assert chase is not None
    # Per run: record 5m x 1 + firm reminder 15m x 0.45 + (call 30m + pause 20m + check
    # 10m) x 0.135 = 0.0833 + 0.1125 + 0.135 = 0.3308 h; 4 runs a month.
    assert chase.hours_per_run == pytest.approx(5 / 60 + 0.25 * 0.45 + 1.0 * 0.135)
    assert chase.handoffs == 4
    assert (chase.elapsed_minutes, chase.hands_on_minutes) == (40_380, 80)
    roles = {r.id: r.hours_per_month for r in portfolio.roles}
    assert roles["founder"] == pytest.approx(0.5 * 0.135 * 4)  # the call, in full
    assert roles["success"] == pytest.approx(20 / 60 * 0.135 * 4)  # the pause, in full
    assert roles["billing"] == pytest.approx((5 / 60 + 0.25 * 0.45 + 10 / 60 * 0.135) * 4)
    setup = portfolio.process("client-setup")
    assert setup is not None
    # kickoff 0.5 + chase 0.25 x 1 + accounts 1 x 2 + invoice 1/3 + record 1/12 + welcome 1/6
    assert setup.hours_per_run == pytest.approx(0.5 + 0.25 + 2 + 1 / 3 + 1 / 12 + 1 / 6)
    assert (setup.elapsed_minutes, setup.hands_on_minutes, setup.handoffs) == (20_225, 125, 4)
    owned = portfolio.process("owned-gateways")
    assert owned is not None
    # Both strands in full (1h + 2h), prepare 30m, close 15m: 3.75 h a run, 10 runs.
    assert owned.hours_per_month == pytest.approx(37.5)
    assert roles["fin"] == pytest.approx(30.0)
    assert owned.handoffs == 2 and owned.effort == 4 + 2 + 4
    assert [c.letters for c in portfolio.raci if c.process == "owned-gateways"] == ["R", "RC"]
    assert [c.role for c in portfolio.raci if c.process == "owned-gateways"] == ["fin", "sales"]
    data = as_json(portfolio)["processes"]
    chased = next(p for p in data if p["id"] == "invoice-chase")
    assert (chased["elapsed_minutes"], chased["hands_on_minutes"]) == (40_380, 80)
    text = format_portfolio(portfolio, "markdown")
    assert "After a parallel split, every run does each strand: their hours add up." in text


def test_portfolio_command_reports_the_strands_in_full(capsys):
    status, out, _ = procmap(capsys, "portfolio", str(OWNED), "--format", "json")
    assert status == 0
    (process,) = json.loads(out)["processes"]
    assert process["hours_per_month"] == 37.5 and process["handoffs"] == 2
    assert (process["elapsed_minutes"], process["hands_on_minutes"]) == (1_605, 225)


def test_hands_on_time_past_the_elapsed_time_is_not_called_part_of_it(tmp_path):
    # Without the wait, the strands (1h and 2h) overlap: 2h 45m elapsed, 3h 45m of work.
    path = tmp_path / "owned-gateways.yaml"
    path.write_text(OWNED.read_text().replace(", wait: 1d", ""))
    text = _render("runbook.md.j2", path)
    assert "up to 2 hours 45 minutes elapsed, with 3h 45m hands-on (the longest path" in text

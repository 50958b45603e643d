"""Parallel blocks and waits in the flow graph: strands, joins and the critical path.

The figures are computed by hand from the two fixture processes (see each test)."""

from __future__ import annotations

from pathlib import Path

from conftest import CASES, REPO
from procmap.format import Flow, Step
from procmap.format.loader import load_file
from procmap.format.schema import validate_document

SETUP = CASES / "valid" / "parallel-block-in-decision-loop-in-strand" / "client-setup.yaml"
CHASE = REPO / "processes" / "invoice-chase.yaml"


def flow_of(path: Path) -> Flow[Step]:
    loaded = load_file(path)
    assert loaded.document is not None
    process, problems = validate_document(loaded.document)
    assert process is not None, problems
    return Flow(process)


def test_a_block_knows_its_strands_and_join() -> None:
    block = flow_of(SETUP).blocks["split"]
    assert block.join == "joined"
    assert [s.head for s in block.strands] == ["accounts", "invoice"]
    # The loop back to 'accounts' stays inside its strand.
    assert block.strands[0].steps == {"accounts", "check"}
    assert block.strands[1].steps == {"invoice", "wait-pay"}
    assert all(not s.leaves for s in block.strands)


def test_the_critical_path_takes_the_slowest_strand_and_adds_every_strands_work() -> None:
    critical = flow_of(SETUP).critical_path()
    # The invoice strand waits 14 days: it is the slowest. Elapsed: kickoff 30m, invoice
    # 20m, wait 14d (20,160m), record 5m, welcome 10m = 20,225m. Hands-on: 30 + accounts
    # 60 + invoice 20 + record 5 + welcome 10 = 125m (the other strand's work counts).
    assert critical.path == [
        "start", "kickoff", "paid", "split", "invoice", "wait-pay", "joined", "welcome", "done"
    ]  # fmt: skip
    assert critical.elapsed == 20225
    assert critical.hands_on == 125


def test_waits_count_on_the_calendar_not_as_work() -> None:
    critical = flow_of(CHASE).critical_path()
    # 7d + 15m + 14d + the slower strand (call 30m, not pause 20m) + 7d + 10m + 5m.
    assert critical.elapsed == 28 * 1440 + 60
    # Every strand's work: 15 + 30 + 20 + 10 + 5.
    assert critical.hands_on == 80
    assert "call" in critical.path and "pause" not in critical.path


def test_a_nested_block_is_stepped_over_by_its_outer_strand(tmp_path: Path) -> None:
    text = SETUP.read_text(encoding="utf-8").replace(
        "{id: accounts, name: Create accounts, owner: ops, duration: 1h, next: check}",
        "{id: accounts, name: Create accounts, kind: parallel, next: [mail, crm]}\n"
        "  - {id: mail, name: Create the mailbox, owner: ops, duration: 1h, next: made}\n"
        "  - {id: crm, name: Create the CRM record, owner: ops, duration: 2h, next: made}\n"
        "  - {id: made, name: Accounts made, kind: join, next: check}",
    )
    path = tmp_path / "nested.yaml"
    path.write_text(text, encoding="utf-8")
    flow = flow_of(path)
    assert flow.blocks["accounts"].join == "made"
    outer = flow.blocks["split"]
    assert outer.join == "joined"
    assert outer.strands[0].nested == ("accounts",)
    assert {"mail", "crm", "made", "check"} <= outer.strands[0].steps
    # Hands-on: 30 + mail 60 + crm 120 + invoice 20 + record 5 + welcome 10.
    assert flow.critical_path().hands_on == 245

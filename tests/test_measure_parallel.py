"""`procmap measure` of parallel work and waits (issue 18): each case replayed on the map
as a workflow net (a valid interleaving of the strands fits), arrows counted strand by
strand, pairs across strands never off the map, the time from split to join, and the
waiting before a step with `wait:` beside the declared wait.

The logs are `procmap simulate`'s, of the two processes with parallel blocks and waits
(tests/cases/valid); the figures are worked out from the simulated events themselves."""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, load
from procmap.measure import format_report, measure_log, simulate_log, write_csv

CASES = REPO / "tests" / "cases" / "valid"
CLIENT_SETUP = CASES / "parallel-block-in-decision-loop-in-strand" / "client-setup.yaml"
INVOICE_CHASE = REPO / "processes" / "invoice-chase.yaml"
DAY = 86400.0


def _log(tmp_path: Path, events: list[Any], name: str = "log.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as out:
        write_csv(events, out)
    return path


def _by_case(events: list[Any]) -> dict[str, list[Any]]:
    cases: dict[str, list[Any]] = defaultdict(list)
    for event in events:
        cases[event.case].append(event)
    return cases


def _quantile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (DuckDB's quantile_cont)."""
    ordered = sorted(values)
    at = q * (len(ordered) - 1)
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


@pytest.mark.parametrize("path", [CLIENT_SETUP, INVOICE_CHASE], ids=lambda p: p.stem)
def test_a_simulated_parallel_log_fits_entirely(path, tmp_path):
    process = load(path)
    events = simulate_log(process, cases=300, seed=2)
    cases = _by_case(events)
    result = measure_log(process, _log(tmp_path, events))
    conformance = result["conformance"]
    assert (conformance["fitting"], conformance["deviating"], conformance["incomplete"]) == (
        300,
        0,
        0,
    )
    assert conformance["fitness"] == 1.0
    # the strands' events do follow each other across strands in the log...
    split = next(s for s in process.steps if s.kind == "parallel")
    heads = set(split.following())
    assert any(
        a.step in heads and b.step in heads
        for events_of in cases.values()
        for a, b in itertools.pairwise(events_of)
    )
    # ...but such a pair is no transition off the map
    assert conformance["off_map"] == []


def _without(events: list[Any], drop: dict[str, str]) -> list[Any]:
    """`events` without the first event of step `drop[case]` in each case named."""
    kept: list[Any] = []
    dropped: set[str] = set()
    for event in events:
        if drop.get(event.case) == event.step and event.case not in dropped:
            dropped.add(event.case)
            continue
        kept.append(event)
    assert dropped == set(drop)
    return kept


def test_a_strand_s_step_removed_makes_exactly_those_cases_deviate(tmp_path):
    process = load(INVOICE_CHASE)
    events = simulate_log(process, cases=300, seed=2)
    cases = _by_case(events)
    escalated = sorted(case for case, evs in cases.items() if any(e.step == "call" for e in evs))
    chosen = escalated[1:8:2]  # four escalated cases lose their `pause`
    result = measure_log(process, _log(tmp_path, _without(events, dict.fromkeys(chosen, "pause"))))
    conformance = result["conformance"]
    assert conformance["fitting"] == 300 - len(chosen)
    assert conformance["incomplete"] == 0 and conformance["deviating"] == len(chosen)
    # each deviates where the join cannot fire: at `collect`, after the call
    assert [(d["from"], d["to"], d["count"]) for d in conformance["deviations"]] == [
        ("call", "collect", len(chosen))
    ]
    assert conformance["deviations"][0]["examples"] == chosen


def test_a_case_that_stops_with_a_strand_undone_is_incomplete(tmp_path):
    process = load(CLIENT_SETUP)
    events = simulate_log(process, cases=200, seed=2)
    cases = _by_case(events)
    # three cases stop before `Record payment` (their invoice strand undone, the
    # accounts strand done), two others lose their `Send invoice`
    cut = sorted(cases)[3:6]
    kept = []
    for event in events:
        steps = [e.step for e in cases[event.case]]
        if event.case in cut and cases[event.case].index(event) >= steps.index("wait-pay"):
            continue
        kept.append(event)
    others = [case for case in sorted(cases) if case not in cut][:2]
    result = measure_log(process, _log(tmp_path, _without(kept, dict.fromkeys(others, "invoice"))))
    conformance = result["conformance"]
    assert conformance["incomplete"] == 3 and conformance["incomplete_examples"] == cut
    assert conformance["deviating"] == 2 and conformance["fitting"] == 195
    deviating = sorted(c for d in conformance["deviations"] for c in d["examples"])
    assert deviating == others


def test_arrows_count_strand_by_strand(tmp_path):
    process = load(INVOICE_CHASE)
    events = simulate_log(process, cases=300, seed=2)
    cases = _by_case(events)
    result = measure_log(process, _log(tmp_path, events))
    arrows = {(a["from"], a["to"]): a for a in result["arrows"]}
    escalated = [evs for evs in cases.values() if any(e.step == "call" for e in evs)]
    n = len(escalated)
    for arrow in [
        ("paid-2", "escalate"),
        ("escalate", "call"),
        ("escalate", "pause"),
        ("call", "escalated"),
        ("pause", "escalated"),
        ("escalated", "collect"),
    ]:
        assert arrows[arrow]["count"] == n, arrow

    def at(evs: list[Any], step: str) -> Any:
        return next(e for e in evs if e.step == step)

    # the arrow into a strand: from the event before the split; out of a strand: to
    # the event after the join
    into_pause = [(at(v, "pause").timestamp - at(v, "reminder-2").timestamp) for v in escalated]
    out_of_call = [(at(v, "collect").timestamp - at(v, "call").timestamp) for v in escalated]
    assert arrows[("escalate", "pause")]["p50"] == pytest.approx(
        statistics.median(x.total_seconds() for x in into_pause)
    )
    assert arrows[("call", "escalated")]["p50"] == pytest.approx(
        statistics.median(x.total_seconds() for x in out_of_call)
    )
    assert arrows[("paid-2", "escalate")]["share"] == pytest.approx(
        n
        / (
            n
            + sum(1 for v in cases.values() if [e.step for e in v][2:4] == ["reminder-2", "record"])
        ),
        abs=1e-6,
    )


def test_the_time_from_split_to_join_is_measured(tmp_path):
    process = load(INVOICE_CHASE)
    events = simulate_log(process, cases=300, seed=2)
    result = measure_log(process, _log(tmp_path, events))
    spans = []
    for evs in _by_case(events).values():
        inside = [e for e in evs if e.step in ("call", "pause")]
        if inside:
            first = min(e.start for e in inside)
            spans.append((max(e.timestamp for e in inside) - first).total_seconds())
    (block,) = result["blocks"]
    assert (block["split"], block["join"], block["strands"], block["cases"]) == (
        "escalate",
        "escalated",
        2,
        len(spans),
    )
    assert block["time"]["p50"] == pytest.approx(_quantile(spans, 0.5), abs=1e-6)
    assert block["time"]["p90"] == pytest.approx(_quantile(spans, 0.9), abs=1e-6)


def test_waits_are_measured_beside_the_declared_ones(tmp_path):
    process = load(INVOICE_CHASE)
    events = simulate_log(process, cases=300, seed=2)
    result = measure_log(process, _log(tmp_path, events))
    waits = {w["step"]: w for w in result["waits"]}
    assert list(waits) == ["paid-1", "paid-2", "collect"]  # map order
    assert {s: w["declared"] for s, w in waits.items()} == {
        "paid-1": 7 * DAY,
        "paid-2": 14 * DAY,
        "collect": 7 * DAY,
    }
    cases = _by_case(events)
    # paid-1, a decision, has no event: its wait shows between the reminder and the
    # step after the decision, in every case
    assert waits["paid-1"]["count"] == 300
    assert waits["paid-2"]["count"] == sum(
        1 for v in cases.values() if any(e.step == "reminder-2" for e in v)
    )
    for w in waits.values():  # the simulated waits are timers: exactly the declared
        assert w["measured"]["p50"] == pytest.approx(w["declared"])
        assert w["measured"]["p90"] == pytest.approx(w["declared"])


def test_a_process_without_blocks_or_waits_lists_none(tmp_path):
    process = load(REPO / "processes" / "webinar-funnel.yaml")
    events = simulate_log(process, cases=50, seed=1)
    result = measure_log(process, _log(tmp_path, events))
    assert result["blocks"] == [] and result["waits"] == []
    assert "Parallel blocks" not in format_report(result, "text")


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_the_report_shows_blocks_and_waits(tmp_path, fmt):
    process = load(INVOICE_CHASE)
    events = simulate_log(process, cases=300, seed=2)
    text = format_report(measure_log(process, _log(tmp_path, events)), fmt)
    assert "Parallel blocks, split to join" in text
    assert "Waits, declared and measured" in text
    blocks = text.split("Parallel blocks, split to join")[1]
    block_row = next(line for line in blocks.splitlines() if "escalated" in line)
    assert block_row.replace("|", " ").split()[:4] == ["escalate", "escalated", "2", "40"]
    waits = text.split("Waits, declared and measured")[1]
    wait_row = next(line for line in waits.splitlines() if "paid-2" in line)
    assert wait_row.replace("|", " ").split() == ["paid-2", "2w", "120", "2w", "2w"]


def test_the_measured_map_shows_block_times_and_waits(tmp_path):
    from procmap.measure import measured_dot

    process = load(INVOICE_CHASE)
    events = simulate_log(process, cases=300, seed=2)
    result = measure_log(process, _log(tmp_path, events))
    dot = measured_dot(process, result)
    p50 = format_report(result, "text").split("escalated")[1].split()[2]  # the block's p50
    assert f"split to join: median {p50}" in dot
    assert dot.count("(declared 7d)") == 2 and dot.count("(declared 2w)") == 1
    assert "waited: median 2w (declared 2w)" in dot


def test_the_worksheet_facts_hold_block_times_and_waits(tmp_path):
    from procmap.render import analyze, measured_facts

    process = load(INVOICE_CHASE)
    events = simulate_log(process, cases=300, seed=2)
    result = measure_log(process, _log(tmp_path, events))
    facts = measured_facts(analyze(process), result)
    (block,) = facts.blocks
    assert (block.split.id, block.join and block.join.id, block.strands, block.cases) == (
        "escalate",
        "escalated",
        2,
        40,
    )
    assert block.p50 == format_report(result, "text").split("escalated")[1].split()[2]
    assert [(w.view.id, w.declared, w.p50, w.p90) for w in facts.waits] == [
        ("paid-1", "7d", "7d", "7d"),
        ("paid-2", "2w", "2w", "2w"),
        ("collect", "7d", "7d", "7d"),
    ]


def test_a_wait_in_a_strand_is_measured_from_the_step_before_it_in_its_strand(tmp_path):
    # `Record payment` waits 14d after `Send invoice`, in its strand; the case's previous
    # event is often the other strand's `Create accounts`, which would make it shorter
    process = load(CLIENT_SETUP)
    events = simulate_log(process, cases=300, seed=2)
    cases = _by_case(events)
    across = 0
    for evs in cases.values():
        steps = [e.step for e in evs]
        across += steps[steps.index("wait-pay") - 1] != "invoice"
    assert across > 50
    result = measure_log(process, _log(tmp_path, events))
    waits = {w["step"]: w for w in result["waits"]}
    assert waits["wait-pay"]["count"] == 300
    assert waits["wait-pay"]["measured"]["p50"] == pytest.approx(14 * DAY)
    assert waits["wait-pay"]["measured"]["p90"] == pytest.approx(14 * DAY)
    assert waits["chase"]["measured"]["p50"] == pytest.approx(7 * DAY)


def test_the_worksheet_shows_block_times_and_waits(tmp_path, capsys):
    """`procmap render` of a process with a declared log: the worksheet's measured part
    has the split-to-join times and the waits beside the declared ones."""
    from conftest import procmap

    (tmp_path / "processes").mkdir()
    (tmp_path / "processes" / "invoice-chase.yaml").write_bytes(INVOICE_CHASE.read_bytes())
    events = simulate_log(load(INVOICE_CHASE), cases=300, seed=2)
    _log(tmp_path, events, "chase.csv")
    (tmp_path / "procmap.toml").write_text(
        '[logs]\ninvoice-chase = "chase.csv"\n', encoding="utf-8"
    )
    status, _, err = procmap(
        capsys, "render", "--config", str(tmp_path / "procmap.toml"), "-f", "dmaic",
        "-o", str(tmp_path / "out"), "-q",
    )  # fmt: skip
    assert status == 0, err
    sheet = (tmp_path / "out" / "invoice-chase.dmaic.md").read_text(encoding="utf-8")
    assert "**Parallel work, split to join**" in sheet
    assert "| 7. Escalate on both fronts | 10. Call made and delivery paused | 2 | 40 |" in sheet
    assert "**Waits, declared and measured**" in sheet
    assert "| 3. Paid a week after the reminder? | 7d | 300 | 7d | 7d |" in sheet

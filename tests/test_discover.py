"""`procmap discover`: a draft map from a log, its summary, and a map against a log.

Hand-made logs pin the miner's behaviour (an either/or, a loop, two activities in either
order, a rare path below the threshold); simulated logs of the bundled processes, with
noise added, must come back as the same structure, and the draft must fit its own log at
least as well as the share of clean cases. Every log here is made by the test.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import REPO, procmap
from procmap.format import Flow, load_text, validate_document
from procmap.lint.rules import run_checks
from procmap.measure import discover_log, measure_log
from procmap.measure.discover import Filter
from procmap.measure.mine import Activity, Choice, Loop, Parallel, Sequence, Skip, mine

sys.path.insert(0, str(Path(__file__).parent / "discover_logs"))
from longtail import long_tail, read_cases, write_cases

HEADER = ["case:concept:name", "concept:name", "time:timestamp", "org:resource"]


def write_log(path: Path, traces: list[tuple[str, list[str]]], resources: dict[str, str]) -> Path:
    """A CSV log: a case every two hours from 2026-03-02 08:00, its events ten minutes
    apart."""
    start = dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n, (case, activities) in enumerate(traces):
            for i, activity in enumerate(activities):
                stamp = start + dt.timedelta(hours=2 * n, minutes=10 * i)
                writer.writerow(
                    [
                        case,
                        activity,
                        stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        resources.get(activity, ""),
                    ]
                )
    return path


def many(counts: dict[tuple[str, ...], int]) -> list[tuple[str, list[str]]]:
    traces = []
    for trace, n in counts.items():
        traces += [("", list(trace))] * n
    return [(f"c{i:04d}", acts) for i, (_, acts) in enumerate(traces)]


def process_of(text: str):
    loaded = load_text("draft.yaml", text)
    assert loaded.document is not None, loaded.problems
    process, problems = validate_document(loaded.document)
    assert process is not None, problems
    errors = [
        p for p in run_checks(loaded.document, process, lambda c: True) if p.severity == "error"
    ]
    assert not errors, errors
    return process


# -- the miner, on traces ------------------------------------------------------------------


def test_an_either_or_is_a_choice_with_its_counts() -> None:
    tree = mine(Counter({("a", "b", "d"): 60, ("a", "c", "d"): 40}))
    assert tree == Sequence(
        100,
        (
            Activity(100, "a"),
            Choice(100, (Activity(60, "b"), Activity(40, "c"))),
            Activity(100, "d"),
        ),
    )


def test_two_activities_in_either_order_run_side_by_side() -> None:
    tree = mine(Counter({("a", "b", "c", "d"): 55, ("a", "c", "b", "d"): 45}))
    assert isinstance(tree, Sequence)
    assert tree.children[1] == Parallel(100, (Activity(100, "b"), Activity(100, "c")))


def test_work_that_repeats_is_a_loop_with_its_rounds() -> None:
    tree = mine(
        Counter(
            {
                ("a", "b", "d"): 50,
                ("a", "b", "c", "b", "d"): 30,
                ("a", "b", "c", "b", "c", "b", "d"): 20,
            }
        )
    )
    assert isinstance(tree, Sequence)
    loop = tree.children[1]
    assert loop == Loop(100, Activity(170, "b"), Activity(70, "c"), again=70)


def test_a_step_some_cases_skip_is_a_choice_with_nothing() -> None:
    tree = mine(Counter({("a", "b", "d"): 70, ("a", "d"): 30}))
    assert isinstance(tree, Sequence)
    assert tree.children[1] == Choice(100, (Activity(70, "b"), Skip(30)))


# -- the draft -------------------------------------------------------------------------------


def test_the_draft_is_valid_and_says_where_it_came_from(tmp_path: Path) -> None:
    log = write_log(
        tmp_path / "tickets.csv",
        many(
            {
                ("Open", "Triage", "Fix", "Close"): 60,
                ("Open", "Triage", "Answer", "Close"): 38,
                ("Open", "Escalate", "Close"): 2,
            }
        ),
        {"Triage": "Agent", "Fix": "Engineer", "Answer": "Agent"},
    )
    found = discover_log(log)
    process = process_of(found.text)
    assert process.id == "tickets"
    # The rare path (2 % of the cases) is left out by the default --keep 0.8, and said.
    assert "Escalate" not in found.text.split("steps:")[1]
    assert "# Left out, as rare: activities Escalate (2 cases)." in found.text
    assert "# Fits 98 of the 100 cases (98%)" in found.text
    # The case opens and closes with the same activities: the start and the end.
    assert (process.steps[0].kind, process.steps[0].name) == ("start", "Open")
    assert process.steps[-1].kind == "end" and process.steps[-1].activities() == ["Close"]
    [decision] = [s for s in process.steps if s.kind == "decision"]
    assert decision.branches == {"Fix": "fix", "Answer": "answer"}
    assert decision.shares == {"Fix": 61.0, "Answer": 39.0}
    assert process.step("fix").owner == "engineer" and process.roles["engineer"] == "Engineer"
    assert process.goal.startswith("TODO")


def test_all_keeps_the_rare_path(tmp_path: Path) -> None:
    log = write_log(
        tmp_path / "t.csv",
        many({("Open", "Fix", "Close"): 97, ("Open", "Escalate", "Close"): 3}),
        {},
    )
    assert "escalate" not in discover_log(log).text
    text = discover_log(log, keep=Filter(every=True)).text
    assert "activity: Escalate" in text and "Escalate: 3" in text
    assert "Escalate" in discover_log(log, keep=Filter(min_share=2)).text.split("steps:")[1]


def test_two_activities_in_either_order_become_a_parallel_block(tmp_path: Path) -> None:
    log = write_log(
        tmp_path / "orders.csv",
        many(
            {
                ("Order", "Prepare", "Confirm", "Ship"): 50,
                ("Order", "Confirm", "Prepare", "Ship"): 50,
            }
        ),
        {},
    )
    process = process_of(discover_log(log).text)
    flow = Flow(process)
    [block] = flow.blocks.values()
    assert block.join is not None
    assert sorted(s.head for s in block.strands) == ["confirm", "prepare"]


def test_the_same_log_gives_the_same_bytes(tmp_path: Path) -> None:
    log = write_log(
        tmp_path / "l.csv",
        many({("A", "B", "C"): 5, ("A", "C", "B"): 4, ("A", "B", "B", "C"): 3}),
        {},
    )
    assert discover_log(log).text == discover_log(log).text


# -- simulated logs of the bundled processes, with noise -----------------------------------


def _noisy(source: Path, target: Path, seed: int, share: float) -> set[str]:
    """The simulated log with noise in about `share` of its cases: a step skipped, one
    repeated, or an extra activity. Returns the noisy cases' ids."""
    rng = random.Random(seed)
    head, by_case = read_cases(source)
    noisy: set[str] = set()
    for case, events in by_case.items():
        if len(events) < 3 or rng.random() >= share:
            continue
        noisy.add(case)
        i = rng.randrange(1, len(events) - 1)
        kind = rng.choice(["skip", "repeat", "extra"])
        if kind == "skip":
            del events[i]
        elif kind == "repeat":
            events.insert(i + 1, list(events[i]))
        else:
            extra = list(events[i])
            extra[1] = "Double-check the record"
            events.insert(i + 1, extra)
    write_cases(target, head, by_case)
    return noisy


def _structure(process) -> tuple[set[tuple[str, str]], int, int, int]:
    """The map as its activities see it: which activity can directly follow which through
    steps that leave no event, and the numbers of decisions, loops and parallel blocks."""
    flow = Flow(process)
    name = {
        sid: (s.activities() or [s.name])[0]
        for sid, s in flow.steps.items()
        if s.kind in ("task", "subprocess")
    }
    pairs: set[tuple[str, str]] = set()
    for sid in name:
        stack, seen = list(flow.succ[sid]), set()
        while stack:
            t = stack.pop()
            if t in seen:
                continue
            seen.add(t)
            if t in name:
                pairs.add((name[sid], name[t]))
            elif flow.steps[t].kind != "end":
                stack.extend(flow.succ[t])
    decisions = sum(s.kind == "decision" for s in flow.steps.values())
    return pairs, decisions, len(flow.back_edges), len(flow.blocks)


#: The bundled processes whose structure a block-structured miner can say exactly. The
#: webinar funnel and the lead handoff reach one end from two decisions' branches, which a
#: process tree draws as one choice of ends after the rest; content production leaves one
#: loop from two decisions, drawn as one "again?" decision: the same pairs of activities,
#: one decision fewer (see docs/discover.md).
EXACT = ["client-onboarding", "lead-scoring", "seo-keyword-research"]


@pytest.mark.parametrize("bundled", EXACT)
def test_a_simulated_log_with_noise_comes_back_as_its_map(
    tmp_path: Path, capsys, bundled: str
) -> None:
    source = REPO / "processes" / f"{bundled}.yaml"
    clean = tmp_path / "clean.csv"
    assert (
        procmap(capsys, "simulate", str(source), "-n", "1000", "--seed", "7", "-o", str(clean))[0]
        == 0
    )
    log = tmp_path / "noisy.csv"
    noisy = _noisy(clean, log, seed=11, share=0.06)
    found = discover_log(log, keep=Filter(keep=0.9))
    draft = process_of(found.text)
    loaded = load_text(str(source), source.read_text(encoding="utf-8"))
    original, _ = validate_document(loaded.document)
    # The simulated log names each step by its name; start and end events included.
    assert _structure(draft) == _structure(original)
    # Fitness on its own log: at least the share of the clean cases.
    result = measure_log(draft, log)
    assert result["conformance"]["fitting"] >= result["cases"] - len(noisy)


# -- the command -----------------------------------------------------------------------------


def test_the_command_writes_the_draft_once_and_refuses_to_overwrite(tmp_path: Path, capsys) -> None:
    log = write_log(tmp_path / "t.csv", many({("Open", "Fix", "Close"): 10}), {})
    target = tmp_path / "processes"
    status, out, err = procmap(capsys, "discover", str(log), "-o", str(target), "--id", "tickets")
    assert status == 0 and out == ""
    assert err == (
        f"Wrote {target / 'tickets.yaml'}: a draft of 'tickets' that fits 10 of 10 cases (100%);"
        " check it with procmap validate\n"
    )
    assert procmap(capsys, "validate", str(target / "tickets.yaml"))[0] == 0
    status, _, err = procmap(capsys, "discover", str(log), "-o", str(target / "tickets.yaml"))
    assert status == 1 and "exists; --force overwrites it" in err
    assert procmap(
        capsys, "discover", str(log), "-o", str(target / "tickets.yaml"), "--force", "-q"
    ) == (0, "", "")


def test_the_summary_lists_columns_activities_and_resources(tmp_path: Path, capsys) -> None:
    log = write_log(
        tmp_path / "t.csv",
        many({("Open", "Fix", "Close"): 3, ("Open", "Close"): 1}),
        {"Fix": "Sam"},
    )
    status, out, _ = procmap(capsys, "discover", str(log), "--summary")
    assert status == 0
    assert out.splitlines()[0] == (
        f"{log}: 11 events of 4 cases, 2 variants, 2026-03-02T08:00:00Z to 2026-03-02T14:10:00Z"
    )
    assert "  activity         concept:name" in out
    assert "          3         3   75%  Fix" in out
    assert "          3  Sam" in out
    status, out, _ = procmap(capsys, "discover", str(log), "--summary", "-f", "json")
    data = json.loads(out)
    assert data["cases"] == 4 and data["columns"]["resource"] == "org:resource"
    assert data["activities"][-1] == {"activity": "Fix", "events": 3, "cases": 3}


def test_against_a_map_lists_what_each_side_lacks(tmp_path: Path, capsys) -> None:
    log = write_log(
        tmp_path / "t.csv", many({("Open", "Fix", "Close"): 3, ("Open", "Reopen", "Close"): 1}), {}
    )
    draft = tmp_path / "t.yaml"
    assert procmap(capsys, "discover", str(log), "-o", str(draft), "--keep", "0.7")[0] == 0
    text = draft.read_text(encoding="utf-8").replace(
        "    next: close\n",
        "    next: verify\n  - id: verify\n    name: Verify\n    next: close\n",
        1,
    )
    draft.write_text(text, encoding="utf-8")
    status, out, _ = procmap(capsys, "discover", str(log), "--against", str(draft))
    assert status == 0
    assert "Reopen" in out and "Steps the log never shows" in out and "  verify" in out
    data = json.loads(
        procmap(capsys, "discover", str(log), "--against", str(draft), "-f", "json")[1]
    )
    assert data["missing_activities"] == [{"activity": "Reopen", "events": 1}]
    assert data["unused_steps"] == ["verify"]


@pytest.mark.parametrize(
    ("args", "status", "said"),
    [
        (["missing.csv"], 2, "missing.csv: no such file"),
        (["LOG", "--keep", "1.5"], 2, "--keep: 1.5 is not a share"),
        (["LOG", "--min-share", "-1"], 2, "--min-share: -1 is not a percent"),
        (["LOG", "--id", "Not An Id"], 2, "--id: 'Not An Id' is not a process id"),
        (["LOG", "-f", "yaml", "--summary"], 2, "--format: 'yaml' is not one of text, json"),
        (["AMBIGUOUS"], 1, "reads as day-first and as month-first dates alike"),
    ],
)
def test_bad_input_is_one_line_and_an_exit_status(
    tmp_path: Path, capsys, args, status, said
) -> None:
    log = write_log(tmp_path / "t.csv", many({("Open", "Close"): 2}), {})
    ambiguous = tmp_path / "dates.csv"
    ambiguous.write_text(
        "case,activity,time\n1,Open,01/02/2026 10:00\n1,Close,03/04/2026 10:00\n", encoding="utf-8"
    )
    argv = [{"LOG": str(log), "AMBIGUOUS": str(ambiguous)}.get(a, a) for a in args]
    got, _, err = procmap(capsys, "discover", *argv, "-o", str(tmp_path / "out"))
    assert got == status, err
    assert said in " ".join(err.split()) and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_helpdesk_like_log_with_a_long_tail_gives_a_short_draft_that_fits(
    tmp_path: Path, capsys
) -> None:
    """A log shaped like a helpdesk export: 12 activities on the map, five rare ones
    beside it, swapped neighbours, hundreds of variants. The default draft stays short
    (at most 25 steps) and fits at least 80 % of the cases on the same log."""
    clean = tmp_path / "clean.csv"
    source = Path(__file__).parent / "discover_logs" / "helpdesk.yaml"
    assert (
        procmap(capsys, "simulate", str(source), "-n", "2000", "--seed", "5", "-o", str(clean))[0]
        == 0
    )
    log = tmp_path / "helpdesk.csv"
    long_tail(clean, log, seed=3)
    found = discover_log(log)
    assert found.summary.variants > 100
    draft = process_of(found.text)
    assert len(draft.steps) <= 25
    result = measure_log(draft, log)
    assert result["conformance"]["fitness"] >= 0.8

"""`procmap simulate`: a synthetic event log whose truth is known, so that it can be tested.

The statistical tests use bounds of four standard errors: with the fixed seeds they are
exact reruns, and a correct model would fail one of them by chance about once in 15,000
seeds; a wrong share or a wrong mean (say the median used as the mean) is far outside.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from conftest import REPO, procmap
from procmap.lint import validate_paths
from procmap.measure import (
    COLUMNS,
    MAX_STEPS,
    Event,
    SimulationError,
    parse_start,
    render_log,
    save,
    simulate_log,
)

DECISION = """\
procmap: 1
id: one-decision
name: One decision
roles:
  rep: Sales rep
steps:
  - id: begin
    kind: start
    name: Request in
    next: work
  - id: work
    name: Work on it
    owner: rep
    duration: 1h
    next: choose
  - id: choose
    kind: decision
    name: Good?
    branches:
      good: ship
      bad: bin
  - id: ship
    name: Ship <it> & "tell"
    duration: 2d
    next: shipped
  - id: bin
    name: Bin it
    next: binned
  - id: shipped
    kind: end
    name: Shipped
  - id: binned
    kind: end
    name: Binned
"""

LOOP = """\
procmap: 1
id: loop-heavy
name: Loop heavy
steps:
  - id: begin
    kind: start
    name: Start
    next: try
  - id: try
    name: Try
    duration: 10m
    next: again
  - id: again
    kind: decision
    name: Again?
    branches:
      again: try
      retry: try
      done: finish
  - id: finish
    kind: end
    name: Done
"""

# A handoff each way: the writer hands to the reviewer, who sends it back for rework.
HANDOFF = """\
procmap: 1
id: review-loop
name: Review loop
roles:
  writer: Writer
  reviewer: Reviewer
steps:
  - id: begin
    kind: start
    name: Brief in
    next: write
  - id: write
    name: Write
    owner: writer
    duration: 2h
    next: tidy
  - id: tidy
    name: Tidy up
    owner: writer
    duration: 30m
    next: review
  - id: review
    name: Review
    owner: reviewer
    duration: 1h
    next: ok
  - id: ok
    kind: decision
    name: Approved?
    branches:
      yes: done
      no: write
    shares: {yes: 60, no: 40}
  - id: done
    kind: end
    name: Published
"""


def _process(tmp_path: Path, text: str, name: str = "p.yaml") -> Any:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = validate_paths([str(path)], keep=True)
    assert result.errors == 0, result.problems
    (process,) = result.processes.values()
    return process


class _With:
    """A step with extra attributes (the `shares` and `activity` fields that land later)."""

    def __init__(self, step: Any, **extra: Any) -> None:
        self._step = step
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._step, name)


def _with(process: Any, **extras: dict[str, Any]) -> Any:
    steps = [_With(s, **extras[s.id]) if s.id in extras else s for s in process.steps]
    return SimpleNamespace(steps=steps, role_name=process.role_name)


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _cases(events: list[Event]) -> dict[str, list[Event]]:
    cases: dict[str, list[Event]] = {}
    for event in events:
        cases.setdefault(event.case, []).append(event)
    return cases


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    process = _process(tmp_path, DECISION)
    first = render_log(simulate_log(process, cases=50, seed=7))
    assert render_log(simulate_log(process, cases=50, seed=7)) == first
    assert render_log(simulate_log(process, cases=50, seed=8)) != first
    xes = render_log(simulate_log(process, cases=50, seed=7), "xes")
    assert render_log(simulate_log(process, cases=50, seed=7), "xes") == xes


def test_more_cases_leave_the_earlier_cases_as_they_were(tmp_path):
    process = _process(tmp_path, DECISION)
    few = _cases(simulate_log(process, cases=10))
    many = _cases(simulate_log(process, cases=40))
    assert all(many[case] == events for case, events in few.items())


def test_columns_order_and_timestamps(tmp_path):
    process = _process(tmp_path, DECISION)
    text = render_log(simulate_log(process, cases=200, rate=50))
    assert text.splitlines()[0] == ",".join(COLUMNS)
    rows = _rows(text)
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
    assert all(stamp.fullmatch(r["time:timestamp"]) for r in rows)
    assert all(stamp.fullmatch(r["start_timestamp"]) for r in rows)
    times = [r["time:timestamp"] for r in rows]
    assert times == sorted(times)
    assert rows[0]["time:timestamp"] == "2026-01-05T09:00:00.000Z"
    assert rows[0]["case:concept:name"] == "case-0001"
    by_case: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_case.setdefault(r["case:concept:name"], []).append(r)
    assert len(by_case) == 200
    for case_rows in by_case.values():
        names = [r["concept:name"] for r in case_rows]
        assert names[0] == "Request in"
        assert names[1] == "Work on it"
        assert names[-1] in ("Shipped", "Binned")  # instant, after the task it ties with
        assert "Good?" not in names  # decisions emit no event
        assert all(r["start_timestamp"] <= r["time:timestamp"] for r in case_rows)
        resources = {r["concept:name"]: r["org:resource"] for r in case_rows}
        assert resources["Work on it"] == "Sales rep"
        assert resources["Request in"] == ""


def test_cases_interleave_as_crm_exports_do(tmp_path):
    rows = _rows(render_log(simulate_log(_process(tmp_path, DECISION), cases=100, rate=100)))
    cases = [r["case:concept:name"] for r in rows]
    switches = sum(a != b for a, b in itertools.pairwise(cases))
    assert switches > 100  # 100 contiguous cases would switch 99 times


def test_ties_keep_case_order_then_the_case_s_own_order(tmp_path):
    process = _process(tmp_path, DECISION)
    events = simulate_log(process, cases=30, rate=1e6, distribution="fixed")
    for earlier, later in itertools.pairwise(events):
        if earlier.timestamp == later.timestamp and earlier.case != later.case:
            assert earlier.case < later.case
    for case_events in _cases(events).values():
        assert case_events[0].step == "begin"
        assert case_events[-1].step in ("shipped", "binned")


def _share_within(count: int, n: int, p: float) -> bool:
    return abs(count - n * p) <= 4 * math.sqrt(n * p * (1 - p))


def test_branches_are_taken_with_equal_shares_when_none_are_declared(tmp_path):
    events = simulate_log(_process(tmp_path, DECISION), cases=4000, seed=3)
    shipped = sum(e.step == "ship" for e in events)
    binned = sum(e.step == "bin" for e in events)
    assert shipped + binned == 4000
    assert _share_within(shipped, 4000, 0.5), shipped


def test_branches_are_taken_with_the_declared_shares(tmp_path):
    process = _with(_process(tmp_path, DECISION), choose={"shares": {"good": 80, "bad": 20}})
    events = simulate_log(process, cases=4000, seed=3)
    shipped = sum(e.step == "ship" for e in events)
    assert _share_within(shipped, 4000, 0.8), shipped
    assert not _share_within(shipped, 4000, 0.5)


def test_a_branch_with_no_share_is_never_taken(tmp_path):
    process = _with(_process(tmp_path, DECISION), choose={"shares": {"good": 100}})
    events = simulate_log(process, cases=500)
    assert not any(e.step == "bin" for e in events)


def _mean_minutes(events: list[Event], step: str) -> tuple[float, int]:
    took = [(e.timestamp - e.start).total_seconds() / 60 for e in events if e.step == step]
    return sum(took) / len(took), len(took)


@pytest.mark.parametrize(("distribution", "cv"), [("lognormal", 0.5), ("exponential", 1.0)])
def test_the_mean_time_of_a_step_is_its_duration(tmp_path, distribution, cv):
    events = simulate_log(_process(tmp_path, DECISION), cases=4000, distribution=distribution)
    for step, minutes in [("work", 60.0), ("ship", 2 * 1440.0), ("bin", 30.0)]:
        mean, n = _mean_minutes(events, step)
        assert abs(mean - minutes) <= 4 * cv * minutes / math.sqrt(n), (step, mean)


def test_lognormal_times_spread_with_a_coefficient_of_variation_of_one_half(tmp_path):
    events = simulate_log(_process(tmp_path, DECISION), cases=4000)
    took = [(e.timestamp - e.start).total_seconds() / 60 for e in events if e.step == "work"]
    mean = sum(took) / len(took)
    sd = math.sqrt(sum((t - mean) ** 2 for t in took) / (len(took) - 1))
    assert 0.45 < sd / mean < 0.55


def test_fixed_times_are_the_durations_exactly(tmp_path):
    events = simulate_log(_process(tmp_path, DECISION), cases=20, distribution="fixed")
    assert {(e.step, (e.timestamp - e.start).total_seconds()) for e in events} >= {("work", 3600.0)}
    assert all(e.timestamp == e.start for e in events if e.step in ("begin", "shipped"))
    assert {(e.timestamp - e.start).total_seconds() for e in events if e.step == "bin"} == {1800.0}


def test_arrivals_are_poisson_at_the_rate(tmp_path):
    events = simulate_log(_process(tmp_path, DECISION), cases=4000, rate=20)
    starts = sorted(e.timestamp for e in events if e.step == "begin")
    days = (starts[-1] - starts[0]).total_seconds() / 86400
    # 3,999 exponential gaps of mean 1/20 day: their sum has sd sqrt(3999)/20
    assert abs(days - 3999 / 20) <= 4 * math.sqrt(3999) / 20


def _waits(events: list[Event]) -> list[tuple[str, float]]:
    """(step, minutes from the case's previous event to this one's start) for each event
    after a case's first."""
    found = []
    for case in _cases(events).values():
        for before, event in itertools.pairwise(case):
            found.append((event.step, (event.start - before.timestamp).total_seconds() / 60))
    return found


def test_without_handoff_wait_the_next_step_starts_when_the_last_ends(tmp_path):
    events = simulate_log(_process(tmp_path, HANDOFF), cases=200)
    assert {wait for _, wait in _waits(events)} == {0.0}


def test_work_waits_at_each_handoff_and_nowhere_else(tmp_path):
    process = _process(tmp_path, HANDOFF)
    events = simulate_log(process, cases=200, distribution="fixed", handoff_wait=240.0)
    waits = _waits(events)
    # writer -> reviewer, and reviewer -> writer on rework; not start -> writer (a start
    # step is no one's work), not write -> tidy (same owner), not review -> end.
    assert {(step, wait) for step, wait in waits} == {
        ("write", 0.0),
        ("write", 240.0),
        ("tidy", 0.0),
        ("review", 240.0),
        ("done", 0.0),
    }
    assert all(wait == 240.0 for step, wait in waits if step == "review")
    # the first write of each case starts at once; a rewrite after a review waits
    for case in _cases(events).values():
        writes = [e for e in case if e.step == "write"]
        assert writes[0].start == case[0].timestamp


def test_the_mean_handoff_wait_is_the_given_one(tmp_path):
    events = simulate_log(_process(tmp_path, HANDOFF), cases=3000, handoff_wait=240.0)
    waits = [wait for step, wait in _waits(events) if step == "review"]
    mean = sum(waits) / len(waits)
    assert abs(mean - 240.0) <= 4 * 0.5 * 240.0 / math.sqrt(len(waits)), mean


def test_the_cli_reads_the_handoff_wait_as_a_duration(tmp_path, capsys):
    path = tmp_path / "p.yaml"
    path.write_text(HANDOFF, encoding="utf-8")
    status, out, err = procmap(capsys, "simulate", str(path), "-n", "20", "--handoff-wait", "4h")
    assert (status, err) == (0, "")
    events = simulate_log(_process(tmp_path, HANDOFF, "q.yaml"), cases=20, handoff_wait=240.0)
    assert out == render_log(events, "csv")


def test_a_loop_heavy_process_terminates(tmp_path):
    process = _process(tmp_path, LOOP)
    events = simulate_log(process, cases=300)
    cases = _cases(events)
    assert len(cases) == 300
    assert all(case[-1].step == "finish" for case in cases.values())
    assert max(sum(e.step == "try" for e in case) for case in cases.values()) > 3


def test_a_case_that_never_ends_stops_after_max_steps(tmp_path):
    process = _with(_process(tmp_path, LOOP), again={"shares": {"again": 1, "retry": 1}})
    events = simulate_log(process, cases=3)
    for case in _cases(events).values():
        assert case[-1].step == "try"
        # start, then try and again alternating: MAX_STEPS steps, half of the rest tries
        assert len(case) == 1 + MAX_STEPS // 2


def test_the_activity_is_the_declared_one_else_the_name(tmp_path):
    process = _with(
        _process(tmp_path, DECISION),
        work={"activity": ["Worked", "Work done"]},
        ship={"activity": "Shipment sent"},
    )
    names = {e.step: e.activity for e in simulate_log(process, cases=50)}
    assert names["work"] == "Worked"
    assert names["ship"] == "Shipment sent"
    assert names["bin"] == "Bin it"


def test_xes_is_well_formed_with_a_trace_per_case(tmp_path):
    events = simulate_log(_process(tmp_path, DECISION), cases=40)
    root = ET.fromstring(render_log(events, "xes").encode("utf-8"))
    ns = "{http://www.xes-standard.org/}"
    assert root.tag == f"{ns}log"
    traces = root.findall(f"{ns}trace")
    assert len(traces) == 40
    assert sum(len(t.findall(f"{ns}event")) for t in traces) == len(events)
    first = traces[0]
    assert first.find(f"{ns}string[@key='concept:name']").get("value") == "case-0001"
    expected = [e for e in events if e.case == "case-0001"]
    got = [
        (
            ev.find(f"{ns}string[@key='concept:name']").get("value"),
            ev.find(f"{ns}date[@key='time:timestamp']").get("value"),
        )
        for ev in first.findall(f"{ns}event")
    ]
    assert got == [
        (e.activity, e.timestamp.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z") for e in expected
    ]
    names = {ev.get("value") for ev in root.iter(f"{ns}string") if ev.get("key") == "concept:name"}
    assert 'Ship <it> & "tell"' in names  # escaped, and read back as written


@pytest.mark.parametrize("suffix", [".csv.gz", ".xes.gz"])
def test_gzip_output_is_deterministic(tmp_path, suffix):
    events = simulate_log(_process(tmp_path, DECISION), cases=30)
    log_format = suffix[1:4]
    one, two = tmp_path / f"one{suffix}", tmp_path / f"two{suffix}"
    save(events, one, log_format)
    save(events, two, log_format)
    data = one.read_bytes()
    assert data == two.read_bytes()
    assert data[4:8] == b"\0\0\0\0"  # mtime 0
    assert gzip.decompress(data).decode("utf-8") == render_log(events, log_format)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["p.yaml", one.name, two.name])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ({"cases": 0}, "--cases"),
        ({"rate": 0.0}, "--rate"),
        ({"rate": math.inf}, "--rate"),
        ({"distribution": "normal"}, "--distribution"),
        ({"handoff_wait": -1.0}, "--handoff-wait"),
        ({"handoff_wait": math.nan}, "--handoff-wait"),
    ],
)
def test_the_library_refuses_bad_settings(tmp_path, call, message):
    with pytest.raises(SimulationError, match=message):
        simulate_log(_process(tmp_path, DECISION), **call)


def test_start_times_are_read_as_utc():
    assert parse_start("2026-01-05T10:00:00+01:00") == parse_start("2026-01-05T09:00:00Z")
    assert parse_start("2026-01-05") == parse_start("2026-01-05T00:00:00Z")
    with pytest.raises(SimulationError, match="--start"):
        parse_start("next monday")


def test_the_cli_writes_the_same_log_to_stdout_and_to_a_file(tmp_path, capsys):
    path = tmp_path / "p.yaml"
    path.write_text(DECISION, encoding="utf-8")
    args = ["simulate", str(path), "-n", "25", "--seed", "4", "--rate", "5"]
    status, out, err = procmap(capsys, *args)
    assert (status, err) == (0, "")
    assert len(_rows(out)) > 25 * 3
    status, _, _ = procmap(capsys, *args, "-o", str(tmp_path / "log.csv"))
    assert status == 0
    assert (tmp_path / "log.csv").read_text(encoding="utf-8") == out
    status, out_xes, _ = procmap(capsys, *args, "--format", "xes", "--start", "2026-03-01")
    assert status == 0
    assert "2026-03-01T00:00:00.000Z" in out_xes
    status, out_fixed, _ = procmap(capsys, *args, "--distribution", "fixed")
    assert status == 0 and out_fixed != out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv", "p.yaml"]


@pytest.mark.parametrize(
    "args",
    [
        ["--start", "yesterday"],
        ["--cases", "0"],
        ["--rate", "0"],
        ["--distribution", "normal"],
        ["--format", "json"],
        ["--handoff-wait", "soon"],
    ],
)
def test_cli_usage_errors_are_one_line_and_exit_2(tmp_path, capsys, args):
    path = tmp_path / "p.yaml"
    path.write_text(DECISION, encoding="utf-8")
    status, out, err = procmap(capsys, "simulate", str(path), *args)
    assert status == 2
    assert out == ""
    assert err.startswith(f"procmap: {args[0]}")
    assert err.count("\n") == 1


@pytest.mark.parametrize("target", ["missing.yaml", "."])
def test_cli_refuses_a_missing_file_or_a_folder(tmp_path, capsys, monkeypatch, target):
    monkeypatch.chdir(tmp_path)
    status, out, err = procmap(capsys, "simulate", target)
    assert (status, out) == (2, "")
    assert err.startswith("procmap: ") and err.count("\n") == 1


def test_an_invalid_process_exits_1_with_its_problems(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(DECISION.replace("kind: decision", "kind: question"), encoding="utf-8")
    status, out, err = procmap(capsys, "simulate", str(path))
    assert status == 1
    assert out == ""
    assert re.search(rf"{re.escape(str(path))}:\d+:\d+: S\d+ ", err), err
    assert err.endswith("invalid; fix the errors above\n")


def test_the_readme_example_shows_what_procmap_prints(capsys):
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    command = "$ procmap simulate processes/lead-handoff.yaml --cases 3 | head -4\n"
    shown = readme[readme.index(command) + len(command) :].split("```")[0].splitlines()
    repo = Path(__file__).parents[1]
    status, out, _ = procmap(
        capsys, "simulate", str(repo / "processes" / "lead-handoff.yaml"), "--cases", "3"
    )
    assert status == 0
    assert out.splitlines()[:4] == shown


def test_the_declared_shares_and_activities_of_a_bundled_process_are_used():
    # processes/webinar-funnel.yaml declares shares {yes: 6, no: 94} on `booked` and
    # `activity: [Consultation held, Discovery call]` on `consult`: the real fields.
    from procmap.lint import validate_paths

    path = str(REPO / "processes" / "webinar-funnel.yaml")
    process = validate_paths([path], keep=True).processes[path]
    events = simulate_log(process, cases=4000, seed=5)
    consults = [e for e in events if e.step == "consult"]
    assert _share_within(len(consults), 4000, 0.06), len(consults)
    assert {e.activity for e in consults} == {"Consultation held"}

"""procmap's figures against pm4py's on the same logs: the test oracle of `procmap measure`.

pm4py is AGPL-3.0: it is a test oracle (here) and a benchmark peer (`make bench`), never a
dependency of procmap. It is installed only by `make test-oracle`, into .venv-oracle from
requirements/oracle.lock; `make test` has no pm4py and skips this file.

Each log is measured by procmap from the file, and given to pm4py as a pandas frame of
the same rows with the activity replaced by the step id (the rows procmap leaves out — a
missing case id — left out too; an activity that maps to no step kept as it is: procmap
keeps it in its case, off the map, so the events around it are not consecutive), then
compared:

- directly-follows counts: `pm4py.discover_dfg`, on the pairs of mapped steps;
- directly-follows times, mean and median: `pm4py.discover_performance_dfg`; p90: pm4py
  has none, so numpy's default percentile (linear interpolation, what procmap documents)
  on pm4py's own per-pair lists (`perf_aggregation_key="raw_values"`);
- throughput: mean, median and p90 of `pm4py.get_all_case_durations`, and the number of
  cases;
- variants and their counts: `pm4py.get_variants`.

Where the two legitimately differ, the frame given to pm4py is shaped so that both
answer the same question, and each test says so:

- Start times. With a `start_timestamp` column, pm4py's performance DFG measures from
  A's timestamp to B's *start* (its "flow time"), and sorts each case by start time
  first; procmap measures timestamp to timestamp and orders by timestamp (the start
  belongs to processing and waiting time). pm4py 2.7's `get_all_case_durations` also
  fails on such a frame (KeyError 'start_timestamp': it selects the case and timestamp
  columns, then reads the start column). So pm4py gets the log without the start column;
  `test_pm4py_with_start_times_answers_another_question` pins the difference.
- Ties (equal timestamps in a case) keep file order in both: pm4py's `format_dataframe`
  sorts by case, timestamp and the original row index, and `discover_dfg` sorts again by
  case and timestamp with pandas' multi-column sort, which is stable; procmap orders by
  timestamp, then row. The hand-written log puts ties in an order that a sort by
  activity would change.
- Lifecycle transitions. procmap's activity instances are a lifecycle log's `complete`
  events, its processing time the paired `start`'s: pm4py gets the events its own
  `filter_event_attribute_values(..., "lifecycle:transition", ["complete"])` keeps, and
  its interval conversion (`interval_lifecycle.to_interval`, which pairs starts first in
  first out too) for processing times, on logs without aborts: it knows no `ate_abort`,
  and pairs the aborted instance's start with the next `complete`.
- Resolution. procmap reads timestamps to the microsecond (DuckDB truncates the rest),
  pandas to the nanosecond: two events less than a microsecond apart are a tie for
  procmap (file order) and ordered by time for pm4py.
  `test_sub_microsecond_order_is_a_tie_for_procmap` pins it; no export we know of
  writes nanoseconds.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

pm4py = pytest.importorskip(
    "pm4py",
    reason="pm4py (AGPL-3.0, the test oracle) is not installed: `make test-oracle` installs"
    " it into .venv-oracle and runs these tests",
)
np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

from conftest import REPO  # noqa: E402
from procmap.lint import validate_paths  # noqa: E402
from procmap.measure import measure_log, simulate_log, write_csv  # noqa: E402

CASE, ACTIVITY, TIMESTAMP, START, TRANSITION = (
    "case:concept:name",
    "concept:name",
    "time:timestamp",
    "start_timestamp",
    "lifecycle:transition",
)


def _process(path: Path) -> Any:
    report = validate_paths([str(path)], None, jobs=1, keep=True)
    assert not report.errors, report.problems
    (process,) = report.processes.values()
    return process


def _pm4py_frame(rows: list[dict[str, str]], *, start: bool = False) -> Any:
    """Rows (case, step id, timestamp[, start]) in file order, as pm4py formats a log."""
    columns = [CASE, ACTIVITY, TIMESTAMP] + ([START] if start else [])
    frame = pd.DataFrame([{k: row[k] for k in columns} for row in rows], columns=columns)
    return pm4py.format_dataframe(
        frame,
        case_id=CASE,
        activity_key=ACTIVITY,
        timestamp_key=TIMESTAMP,
        start_timestamp_key=START,
        timest_format="ISO8601",
    )


def _pm4py_figures(frame: Any) -> dict[str, Any]:
    dfg, _, _ = pm4py.discover_dfg(frame)
    performance, _, _ = pm4py.discover_performance_dfg(frame, perf_aggregation_key="all")
    raw, _, _ = pm4py.discover_performance_dfg(frame, perf_aggregation_key="raw_values")
    durations = pm4py.get_all_case_durations(frame)
    variants = pm4py.get_variants(frame)
    return {
        "dfg": {pair: int(count) for pair, count in dfg.items()},
        "mean": {pair: float(figures["mean"]) for pair, figures in performance.items()},
        "median": {pair: float(figures["median"]) for pair, figures in performance.items()},
        "p90": {pair: float(np.percentile(values, 90)) for pair, values in raw.items()},
        "durations": [float(d) for d in durations],
        "variants": {tuple(v): int(k) for v, k in variants.items()},
    }


def _close(value: float | None) -> Any:
    """procmap rounds to microseconds; pm4py computes in float seconds."""
    return pytest.approx(value, rel=1e-9, abs=1e-6)


def _compare(mine: dict[str, Any], theirs: dict[str, Any]) -> None:
    directly = {(d["from"], d["to"]): d for d in mine["directly_follows"]}
    steps = {s["id"] for s in mine["steps"]}
    mapped = {pair: k for pair, k in theirs["dfg"].items() if set(pair) <= steps}
    assert {pair: d["count"] for pair, d in directly.items()} == mapped
    for pair, d in directly.items():
        assert d["mean"] == _close(theirs["mean"][pair]), pair
        assert d["p50"] == _close(theirs["median"][pair]), pair
        assert d["p90"] == _close(theirs["p90"][pair]), pair
    durations = theirs["durations"]
    assert mine["cases"] == len(durations)
    assert mine["throughput"]["mean"] == _close(float(np.mean(durations)))
    assert mine["throughput"]["p50"] == _close(float(np.median(durations)))
    assert mine["throughput"]["p90"] == _close(float(np.percentile(durations, 90)))
    assert {tuple(v["steps"]): v["cases"] for v in mine["variants"]} == theirs["variants"]


# Simulated logs: several processes, seeds and step-time distributions, with loops back
# for rework (content-production, client-onboarding, seo-keyword-research) and many cases in
# flight at once (a high arrival rate interleaves them in the file).
SIMULATED = [
    ("content-production", 1500, 1, "lognormal", 40.0),
    ("content-production", 700, 9, "exponential", 400.0),
    ("client-onboarding", 1000, 2, "lognormal", 60.0),
    ("lead-handoff", 1200, 3, "exponential", 200.0),
    ("seo-keyword-research", 600, 4, "lognormal", 5.0),
    ("webinar-funnel", 900, 5, "fixed", 120.0),
    ("lead-scoring", 800, 6, "fixed", 1000.0),
]


@pytest.mark.parametrize(("name", "cases", "seed", "distribution", "rate"), SIMULATED)
def test_simulated_logs_agree_with_pm4py(tmp_path, name, cases, seed, distribution, rate):
    path = REPO / "processes" / f"{name}.yaml"
    process = _process(path)
    events = simulate_log(process, cases=cases, seed=seed, distribution=distribution, rate=rate)
    log = tmp_path / f"{name}.csv"
    with log.open("w", encoding="utf-8", newline="") as out:
        write_csv(events, out)
    mine = measure_log(process, log)
    # the truth of the mapping: the step each simulated event stands for
    with log.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(events)
    for row, event in zip(rows, events, strict=True):
        row[ACTIVITY] = event.step
    theirs = _pm4py_figures(_pm4py_frame(rows))
    _compare(mine, theirs)
    # the logs exercise what they are meant to
    assert mine["events"] == len(events) and not mine["unmapped_activities"]
    assert len(mine["variants"]) > 1
    if name in ("content-production", "client-onboarding", "seo-keyword-research"):
        assert mine["rework"]["cases"] > 0, "a loop back for rework was taken"


# Export date forms: the same simulated log with its timestamps written as a US, a
# European and a German export writes them. procmap must read each column in the one
# format that fits every value (issue 17: a US log was read day-first where the day was
# 12 or less, and the rest skipped); pm4py is given the ISO 8601 original.
DATE_FORMS = [
    ("us", "%m/%d/%Y %H:%M:%S.%f"),
    ("day-first", "%d/%m/%Y %H:%M:%S.%f"),
    ("german", "%d.%m.%Y %H:%M:%S.%f"),
]


@pytest.mark.parametrize(("label", "form"), DATE_FORMS)
def test_export_date_forms_agree_with_pm4py(tmp_path, label, form):
    import datetime as dt

    process = _process(REPO / "processes" / "lead-handoff.yaml")
    # 800 cases at 20 a day: a month of days, most of them past the 12th
    events = simulate_log(process, cases=800, seed=31, distribution="lognormal", rate=20.0)
    iso = tmp_path / "iso.csv"
    with iso.open("w", encoding="utf-8", newline="") as out:
        write_csv(events, out)
    with iso.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    exported = tmp_path / f"{label}.csv"
    with exported.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            written = dict(row)
            for column in (TIMESTAMP, START):
                if written.get(column):
                    written[column] = dt.datetime.fromisoformat(written[column]).strftime(form)
            writer.writerow(written)
    mine = measure_log(process, exported)
    assert mine["skipped_rows"]["count"] == 0
    for row, event in zip(rows, events, strict=True):
        row[ACTIVITY] = event.step
    _compare(mine, _pm4py_figures(_pm4py_frame(rows)))
    assert mine == {**measure_log(process, iso), "log": mine["log"]}


# Lifecycle logs (`simulate --lifecycle`): start and complete rows; with `full`, schedule
# rows and aborted instances too. Work waits at handoffs, so starts are not completes.
LIFECYCLE = [
    ("client-onboarding", 600, 21, "full"),
    ("content-production", 500, 22, "start-complete"),
    ("lead-handoff", 400, 23, "full"),
    ("seo-keyword-research", 300, 24, "start-complete"),
]


@pytest.mark.parametrize(("name", "cases", "seed", "model"), LIFECYCLE)
def test_lifecycle_logs_agree_with_pm4py_on_complete_events(tmp_path, name, cases, seed, model):
    from pm4py.objects.log.util import interval_lifecycle

    process = _process(REPO / "processes" / f"{name}.yaml")
    events = simulate_log(
        process, cases=cases, seed=seed, rate=50.0, handoff_wait=240.0, lifecycle=model
    )
    log = tmp_path / f"{name}.csv"
    with log.open("w", encoding="utf-8", newline="") as out:
        write_csv(events, out, lifecycle=True)
    mine = measure_log(process, log)
    with log.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row, event in zip(rows, events, strict=True):
        row[ACTIVITY] = event.step
    frame = pm4py.format_dataframe(
        pd.DataFrame(rows, columns=[CASE, ACTIVITY, TIMESTAMP, TRANSITION]),
        case_id=CASE,
        activity_key=ACTIVITY,
        timestamp_key=TIMESTAMP,
        timest_format="ISO8601",
    )
    complete = pm4py.filter_event_attribute_values(
        frame, TRANSITION, ["complete"], level="event", retain=True
    )
    _compare(mine, _pm4py_figures(complete))
    assert mine["events"] == len(complete) == sum(e.transition == "complete" for e in events)
    assert mine["lifecycle"]["handling"] == "start-complete"
    assert (mine["lifecycle"]["aborted"]["count"] > 0) == (model == "full")
    if model == "full":
        return
    # processing times: pm4py's interval log, each complete with its start
    interval = interval_lifecycle.to_interval(pm4py.convert_to_event_log(frame))
    durations: dict[str, list[float]] = {}
    for trace in interval:
        for event in trace:
            durations.setdefault(event[ACTIVITY], []).append(float(event["@@duration"]))
    timed = [s for s in mine["steps"] if s["events"]]
    assert {s["id"] for s in timed} == set(durations)
    for step in timed:
        theirs = durations[step["id"]]
        assert step["events"] == len(theirs), step["id"]
        assert step["processing"]["mean"] == _close(float(np.mean(theirs))), step["id"]
        assert step["processing"]["p50"] == _close(float(np.median(theirs))), step["id"]
        assert step["processing"]["p90"] == _close(float(np.percentile(theirs, 90))), step["id"]
    assert any(s["processing"]["mean"] > 0 for s in timed)


PROCESS = """\
procmap: 1
id: tickets
name: Support tickets
steps:
  - id: open
    kind: start
    name: Ticket opened
    next: triage
  - id: triage
    name: Triage
    next: fix
  - id: fix
    name: Fix
    next: review
  - id: review
    name: Review
    next: ok
  - id: ok
    kind: decision
    name: Fixed?
    branches:
      yes: close
      no: fix
  - id: close
    kind: end
    name: Closed
"""

# Interleaved cases; ties inside a case in an order that sorting by activity would change
# (t2: review before fix at 10:00; t3: close before review, both at 12:00, then a
# self-loop); an activity that maps to no step (kept in its case by procmap, off the map,
# and given to pm4py as it is: t1's fix and review around it are not consecutive in
# either); a row with no case id (skipped by procmap, dropped by pm4py's format_dataframe
# alike); ties across cases; a case of one event; the same moment written with an offset.
HAND = """\
case:concept:name,concept:name,time:timestamp
t1,open,2026-03-02T09:00:00Z
t2,open,2026-03-02T09:00:00Z
t1,triage,2026-03-02T09:30:00Z
t2,triage,2026-03-02T09:45:00Z
t3,open,2026-03-02T09:45:00Z
t2,review,2026-03-02T10:00:00Z
t2,fix,2026-03-02T10:00:00Z
t1,fix,2026-03-02T11:00:00Z
t3,triage,2026-03-02T11:00:00+01:00
t1,Email customer,2026-03-02T11:05:00Z
,fix,2026-03-02T11:10:00Z
t3,fix,2026-03-02T11:30:00Z
t1,review,2026-03-02T12:00:00Z
t3,close,2026-03-02T12:00:00Z
t3,review,2026-03-02T12:00:00Z
t3,review,2026-03-02T12:20:00Z
t2,review,2026-03-02T13:00:00Z
t1,fix,2026-03-02T13:00:00Z
t2,close,2026-03-02T14:00:00Z
t4,open,2026-03-02T14:00:00Z
t1,review,2026-03-02T15:30:00Z
t1,close,2026-03-02T16:00:00Z
t5,open,2026-03-02T16:00:00Z
t5,triage,2026-03-02T16:00:00Z
t5,triage,2026-03-02T16:00:00Z
t5,fix,2026-03-03T08:00:00.250Z
t5,close,2026-03-03T08:00:00.250Z
"""


@pytest.fixture
def hand(tmp_path: Path) -> tuple[dict[str, Any], list[dict[str, str]]]:
    process_path = tmp_path / "tickets.yaml"
    process_path.write_text(PROCESS, encoding="utf-8")
    log = tmp_path / "tickets.csv"
    log.write_text(HAND, encoding="utf-8")
    mine = measure_log(_process(process_path), log)
    rows = [row for row in csv.DictReader(io.StringIO(HAND)) if row[CASE]]
    return mine, rows


def test_a_hand_written_log_with_ties_agrees_with_pm4py(hand):
    mine, rows = hand
    theirs = _pm4py_figures(_pm4py_frame(rows))
    _compare(mine, theirs)
    # the ties kept file order in both (sorted by activity, t2 would read fix, review
    # and t3 close before review)
    assert theirs["variants"] == {
        ("open", "triage", "fix", "Email customer", "review", "fix", "review", "close"): 1,  # t1
        ("open", "triage", "review", "fix", "review", "close"): 1,  # t2
        ("open", "triage", "fix", "close", "review", "review"): 1,  # t3
        ("open",): 1,  # t4
        ("open", "triage", "triage", "fix", "close"): 1,  # t5
    }
    assert mine["unmapped_activities"] == [{"activity": "Email customer", "events": 1}]
    assert mine["skipped_rows"]["count"] == 1
    # t3's triage at 11:00+01:00 is 10:00Z: 15 minutes after its open at 09:45
    assert theirs["mean"][("open", "triage")] == pytest.approx((30 + 45 + 15 + 0) * 60 / 4)


def test_pm4py_with_start_times_answers_another_question(tmp_path):
    """Why pm4py gets no start column: with one, its directly-follows time runs from A's
    timestamp to B's start, which is procmap's waiting time before B, not the time
    between the two events."""
    process = _process(REPO / "processes" / "webinar-funnel.yaml")
    events = simulate_log(process, cases=200, seed=11)
    rows = [
        {
            CASE: e.case,
            ACTIVITY: e.step,
            TIMESTAMP: e.timestamp.isoformat(),
            START: e.start.isoformat(),
        }
        for e in events
    ]
    without = _pm4py_figures(_pm4py_frame(rows))
    with_start = _pm4py_frame(rows, start=True)
    performance, _, _ = pm4py.discover_performance_dfg(with_start, perf_aggregation_key="mean")
    tasks = {s.id for s in process.steps if s.kind not in ("start", "end", "decision")}
    # simulated steps follow each other without waiting: B starts when A ends, so from
    # A's timestamp to B's start is 0, while timestamp to timestamp is B's processing time
    into_task = [pair for pair in performance if pair[1] in tasks]
    assert into_task
    for pair in into_task:
        assert performance[pair] == pytest.approx(0.0, abs=1e-9)
        assert without["mean"][pair] > 0
    with pytest.raises(KeyError, match="start_timestamp"):
        pm4py.get_all_case_durations(with_start)


def test_sub_microsecond_order_is_a_tie_for_procmap(tmp_path):
    """Two events 100 ns apart, written in reverse: pm4py orders them by time, procmap
    (microseconds) sees a tie and keeps file order."""
    process_path = tmp_path / "tickets.yaml"
    process_path.write_text(PROCESS, encoding="utf-8")
    text = (
        "case:concept:name,concept:name,time:timestamp\n"
        "t1,open,2026-03-02T09:00:00Z\n"
        "t1,fix,2026-03-02T09:00:01.0000002Z\n"
        "t1,triage,2026-03-02T09:00:01.0000001Z\n"
    )
    log = tmp_path / "ns.csv"
    log.write_text(text, encoding="utf-8")
    mine = measure_log(_process(process_path), log)
    rows = list(csv.DictReader(io.StringIO(text)))
    theirs = _pm4py_figures(_pm4py_frame(rows))
    assert [v["steps"] for v in mine["variants"]] == [["open", "fix", "triage"]]
    assert theirs["variants"] == {("open", "triage", "fix"): 1}


def test_cases_that_end_or_begin_through_silent_steps_agree_with_pm4py(tmp_path):
    """A case's first event is reached from the start, and its last goes on to an end,
    through the steps that never occur in the log: the arrows out of the start and into
    the ends count pm4py's start and end activities."""
    here = REPO / "tests" / "measure_logs"
    mine = measure_log(_process(here / "receipt.yaml"), here / "receipt.csv")
    step = {"Register": "register", "Confirm receipt": "confirm", "Request documents": "request"}
    with (here / "receipt.csv").open(encoding="utf-8") as handle:
        rows = [
            {CASE: r["case_id"], ACTIVITY: step[r["activity"]], TIMESTAMP: r["timestamp"]}
            for r in csv.DictReader(handle)
        ]
    frame = _pm4py_frame(rows)
    _compare(mine, _pm4py_figures(frame))
    starts = pm4py.get_start_activities(frame)
    ends = pm4py.get_end_activities(frame)
    arrows = {(a["from"], a["to"]): a["count"] for a in mine["arrows"]}
    assert arrows[("channel", "register")] == starts["register"]
    assert arrows[("channel", "confirm")] == starts["confirm"]
    assert arrows[("missing", "done")] == ends["confirm"]
    assert arrows[("request", "closed")] == ends["request"]


# -- parallel blocks: fitting cases against pm4py's token-based replay (issue 18) ----------

PARALLEL = [
    REPO / "tests/cases/valid/invoice-chase-waits-and-escalation/invoice-chase.yaml",
    REPO / "tests/cases/valid/parallel-block-in-decision-loop-in-strand/client-setup.yaml",
]


def _petri_net(process: Any) -> tuple[Any, Any, Any]:
    """The process as a Petri net built with pm4py's own objects, independently of
    procmap's replay: a place in front of each step (a join: one per arrow into it, each
    strand's), a source and a sink; each task, start and end a transition labelled with
    its step id (what the frame's activity is), a start taking the source's token and an
    end putting one on the sink; a decision an invisible transition per branch; a split an
    invisible transition putting a token in front of every strand; a join an invisible
    transition taking one from each arrow into it."""
    from pm4py.objects.petri_net.obj import Marking, PetriNet
    from pm4py.objects.petri_net.utils import petri_utils

    net = PetriNet(process.id)
    places: dict[str, Any] = {}

    def place(name: str) -> Any:
        if name not in places:
            places[name] = PetriNet.Place(name)
            net.places.add(places[name])
        return places[name]

    steps = {step.id: step for step in process.steps}

    def into(source: str, target: str) -> Any:
        """The place an arrow source -> target puts its token on."""
        return place(f"{source}->{target}" if steps[target].kind == "join" else f"at:{target}")

    def transition(name: str, label: str | None, takes: list[Any], puts: list[Any]) -> None:
        made = PetriNet.Transition(name, label)
        net.transitions.add(made)
        for taken in takes:
            petri_utils.add_arc_from_to(taken, made, net)
        for put in puts:
            petri_utils.add_arc_from_to(made, put, net)

    source, sink = place("source"), place("sink")
    for step in process.steps:
        targets = [target for _, target in step.targets()]
        if step.kind == "decision":
            for target in targets:
                transition(
                    f"{step.id}=>{target}", None, [place(f"at:{step.id}")], [into(step.id, target)]
                )
            continue
        if step.kind == "join":
            incoming = [s.id for s in process.steps if step.id in [t for _, t in s.targets()]]
            takes = [place(f"{s}->{step.id}") for s in incoming]
        else:
            takes = [source if step.kind == "start" else place(f"at:{step.id}")]
        puts = [sink] if step.kind == "end" else [into(step.id, t) for t in targets]
        visible = step.kind not in ("parallel", "join")
        transition(step.id, step.id if visible else None, takes, puts)
    initial, final = Marking(), Marking()
    initial[source] = 1
    final[sink] = 1
    return net, initial, final


def _damaged(events: list[Any]) -> list[Any]:
    """The simulated events with a few long cases (those that pass a block) broken, each
    a different way: stopped before its last two steps, an event dropped (two ways), the
    steps of two events swapped (their times kept), an event repeated at its time."""
    from dataclasses import replace

    cases: dict[str, list[Any]] = {}
    for event in events:
        cases.setdefault(event.case, []).append(event)
    names = sorted(cases)
    a, b, c, d, e = (cases[name] for name in [n for n in names if len(cases[n]) >= 7][:5])
    swapped = [
        *d[:1],
        replace(d[1], step=d[2].step, activity=d[2].activity, resource=d[2].resource),
        replace(d[2], step=d[1].step, activity=d[1].activity, resource=d[1].resource),
        *d[3:],
    ]
    broken = {a[0].case: a[:-2], b[0].case: b[:3] + b[4:], c[0].case: c[:2] + c[3:]}
    broken[d[0].case] = swapped
    broken[e[0].case] = [*e[:3], e[2], *e[3:]]
    kept: list[Any] = []
    for case in names:
        kept.extend(broken.get(case, cases[case]))
    return kept


@pytest.mark.parametrize("path", PARALLEL, ids=lambda p: p.stem)
def test_fitting_cases_of_a_parallel_process_are_those_pm4py_replays(tmp_path, path):
    """procmap's fitting cases are the cases pm4py's token-based replay fits on the Petri
    net of the same map. procmap lists up to 5 example cases for each deviation and for
    the incomplete ones: the damage is spread so that no list is cut, and the cases that
    do not fit are exactly those listed."""
    process = _process(path)
    events = _damaged(simulate_log(process, cases=200, seed=11))
    log = tmp_path / "log.csv"
    with log.open("w", encoding="utf-8", newline="") as out:
        write_csv(events, out)
    conformance = measure_log(process, log)["conformance"]
    groups = [(d["count"], d["examples"]) for d in conformance["deviations"]]
    groups.append((conformance["incomplete"], conformance["incomplete_examples"]))
    assert all(count == len(examples) for count, examples in groups), groups
    cases = sorted({event.case for event in events})
    not_fitting = {case for _, examples in groups for case in examples}
    mine = {case for case in cases if case not in not_fitting}
    assert conformance["fitting"] == len(mine)
    assert 0 < len(not_fitting) <= 5

    rows = [{CASE: e.case, ACTIVITY: e.step, TIMESTAMP: e.timestamp.isoformat()} for e in events]
    eventlog = pm4py.convert_to_event_log(_pm4py_frame(rows))
    net, initial, final = _petri_net(process)
    from pm4py.algo.conformance.tokenreplay import algorithm as token_replay

    replayed = token_replay.apply(eventlog, net, initial, final)
    theirs = {
        trace.attributes["concept:name"]
        for trace, result in zip(eventlog, replayed, strict=True)
        if result["trace_is_fit"]
    }
    assert mine == theirs

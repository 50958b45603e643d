"""`procmap simulate` of parallel work and waits (issue 18): at a split every strand runs,
at once, each with its own times; the join is passed when the last strand is done; a
`wait:` delays its step by exactly the declared time, with no event; a case's events are
in time order, so the strands interleave; the same seed gives the same bytes."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from typing import Any

import pytest

from conftest import REPO, load
from procmap.measure import render_log, simulate_log

CASES = REPO / "tests" / "cases" / "valid"
CLIENT_SETUP = CASES / "parallel-block-in-decision-loop-in-strand" / "client-setup.yaml"
INVOICE_CHASE = CASES / "invoice-chase-waits-and-escalation" / "invoice-chase.yaml"
DAY = dt.timedelta(days=1)


def _cases(process: Any, **settings: Any) -> dict[str, list[Any]]:
    cases: dict[str, list[Any]] = defaultdict(list)
    for event in simulate_log(process, **settings):
        cases[event.case].append(event)
    return cases


def _of(events: list[Any], step: str) -> list[Any]:
    return [event for event in events if event.step == step]


def test_every_strand_runs_from_the_split_at_once():
    cases = _cases(load(CLIENT_SETUP), cases=200, seed=3)
    finished = [events for events in cases.values() if _of(events, "done")]
    assert len(finished) == 200
    for events in finished:
        accounts, (invoice,), (paid,) = (
            _of(events, "accounts"),
            _of(events, "invoice"),
            _of(events, "wait-pay"),
        )
        assert accounts and paid
        # both strands begin when the split is passed: the end of the event before it
        assert accounts[0].start == invoice.start


def test_the_join_is_passed_when_the_last_strand_is_done():
    cases = _cases(load(INVOICE_CHASE), cases=300, seed=5)
    escalated = [events for events in cases.values() if _of(events, "call")]
    assert len(escalated) > 20
    later = {"call": 0, "pause": 0}
    for events in escalated:
        (call,), (pause,), (collect,) = (
            _of(events, "call"),
            _of(events, "pause"),
            _of(events, "collect"),
        )
        assert call.start == pause.start
        last = max(call, pause, key=lambda event: event.timestamp)
        later[last.step] += 1
        # `collect` waits 7d after the join, which waits for the slower strand
        assert collect.start == last.timestamp + 7 * DAY
    assert later["call"] and later["pause"]  # each strand is sometimes the slower


def test_a_wait_delays_its_step_by_the_declared_time_without_an_event():
    cases = _cases(load(CLIENT_SETUP), cases=200, seed=4)
    chased = 0
    for events in cases.values():
        (invoice,), (paid,) = _of(events, "invoice"), _of(events, "wait-pay")
        assert paid.start == invoice.timestamp + 14 * DAY  # wait: 14d, in its strand
        ordered = sorted(events, key=lambda event: event.start)
        for before, chase in itertools.pairwise(ordered):
            if chase.step == "chase":  # wait: 7d after the step before it
                assert chase.start == before.timestamp + 7 * DAY
                chased += 1
        # the waits add no event: start, kickoff, the chases, the strands' steps,
        # the welcome pack and the end
        expected = {"start", "kickoff", "chase", "accounts", "invoice", "wait-pay"}
        assert {event.step for event in events} <= expected | {"welcome", "done"}
    assert chased > 20


def test_a_case_s_events_are_in_time_order_and_the_strands_interleave():
    cases = _cases(load(CLIENT_SETUP), cases=200, seed=3)
    interleaved = 0
    for events in cases.values():
        stamps = [event.timestamp for event in events]
        assert stamps == sorted(stamps)
        steps = [event.step for event in events]
        # a step of the accounts strand between the invoice strand's two steps
        first, second = steps.index("invoice"), steps.index("wait-pay")
        interleaved += "accounts" in steps[first:second]
    assert 0 < interleaved < 200


@pytest.mark.parametrize("path", [CLIENT_SETUP, INVOICE_CHASE], ids=lambda p: p.stem)
def test_the_same_seed_gives_the_same_bytes(path):
    process = load(path)
    for log_format in ("csv", "xes"):
        first = render_log(simulate_log(process, cases=80, seed=7), log_format)
        assert render_log(simulate_log(process, cases=80, seed=7), log_format) == first
        assert render_log(simulate_log(process, cases=80, seed=8), log_format) != first

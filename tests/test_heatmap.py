"""The measured map: the authored map as a heat map of a hand-built measure result."""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import GOLDEN, Golden
from procmap.format.loader import load_file
from procmap.format.loader import load_text as load_text_file
from procmap.format.model import Process
from procmap.format.schema import validate_document
from procmap.measure import heatmap, measured_dot, measured_svg, write_measured
from procmap.render import flowmap

ROOT = Path(__file__).parent.parent
H, D = 3600.0, 86400.0
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")


def load_text(text: str) -> Process:
    result = load_text_file("fixture.yaml", text)
    assert result.document is not None, result.problems
    process, problems = validate_document(result.document)
    assert process is not None, problems
    return process


def webinar() -> Process:
    result = load_file(str(ROOT / "processes" / "webinar-funnel.yaml"))
    assert result.document is not None
    process, problems = validate_document(result.document)
    assert process is not None, problems
    return process


def figures(p50: float, p90: float) -> dict[str, float]:
    return {"mean": p50, "p50": p50, "p90": p90}


def step(sid: str, cases: int, wait90: float | None, work50: float | None = None) -> dict:
    return {
        "id": sid,
        "name": sid,
        "cases": cases,
        "events": cases,
        "processing": None if work50 is None else figures(work50, work50 * 2),
        "waiting": None if wait90 is None else figures(wait90 / 2, wait90),
    }


def arrow(source: str, target: str, count: int, *, label=None, share=None, p50=None) -> dict:
    return {
        "from": source,
        "to": target,
        "label": label,
        "count": count,
        "share": share,
        "p50": p50,
    }


WEBINAR: dict[str, Any] = {
    "process": "webinar-funnel",
    "log": "webinar.csv",
    "cases": 1200,
    "events": 3900,
    "span": {"first": "2026-01-05T09:00:00Z", "last": "2026-03-30T17:00:00Z"},
    "unmapped_activities": [],
    "skipped_rows": {"count": 0, "examples": []},
    "steps": [
        step("webinar", 1200, None),
        step("nurture", 1190, 4 * H),
        step("cta", 1180, 6.2 * D),
        step("booked", 0, None),
        step("downsell", 1100, 45 * 60),
        step("consult", 80, 3.4 * D, work50=45 * 60),
        step("signed", 0, None),
        step("onboard", 30, 20 * H, work50=1.2 * D),
        step("client", 0, None),
        step("nurtured", 0, None),
    ],
    "directly_follows": [],
    "arrows": [
        arrow("webinar", "nurture", 1190, p50=1.5 * H),
        arrow("nurture", "cta", 1180, p50=5 * D),
        arrow("cta", "booked", 1180, p50=3 * D),
        arrow("booked", "consult", 80, label="yes", share=80 / 1180, p50=1.8 * D),
        arrow("booked", "downsell", 1100, label="no", share=1100 / 1180, p50=600),
        arrow("downsell", "nurtured", 0),
        arrow("consult", "signed", 76, p50=7 * H),
        arrow("signed", "onboard", 30, label="yes", share=30 / 76, p50=7 * H),
        arrow("signed", "nurtured", 46, label="no", share=46 / 76),
        arrow("onboard", "client", 0),
    ],
    "branches": [
        {
            "decision": "booked",
            "label": "yes",
            "to": "consult",
            "count": 80,
            "share": 80 / 1180,
            "expected": 6,
        },
        {
            "decision": "booked",
            "label": "no",
            "to": "downsell",
            "count": 1100,
            "share": 1100 / 1180,
            "expected": 94,
        },
    ],
    "throughput": figures(7 * D, 14 * D),
    "conformance": {
        "fitting": 1100,
        "deviating": 60,
        "incomplete": 40,
        "fitness": 1100 / 1200,
        "deviations": [
            {"from": "webinar", "to": "consult", "count": 12, "examples": ["c1"]},
            {"from": "consult", "to": "consult", "count": 4, "examples": ["c9"]},
        ],
        "unobserved_steps": ["booked", "signed", "client", "nurtured"],
    },
    "rework": {"cases": 4, "rate": 4 / 1200},
    "variants": [],
    "metrics": [],
    "control": [],
}

ODD = """\
procmap: 1
id: odd
name: 'Odd <b>names</b> & "quotes" ] \\N'
owner: ops
roles: {ops: Ops}
steps:
  - id: begin
    kind: start
    name: 'Start <here> & ]'
    owner: ops
    next: check
  - id: check
    kind: decision
    name: 'Ok? <&>'
    branches:
      'yes <1>': work
      'no ]': done
  - id: work
    name: 'Work "a" \\G'
    owner: ops
    next: done
  - id: done
    kind: end
    name: Done
"""


def odd_result() -> dict[str, Any]:
    return {
        "process": "odd",
        "cases": 10,
        "events": 20,
        "span": {"first": "2026-01-01T00:00:00Z", "last": "2026-01-01T06:00:00Z"},
        "steps": [
            step("begin", 10, None),
            step("check", 0, None),
            step("work", 0, None),
            step("done", 10, 90.0),
        ],
        "arrows": [
            arrow("begin", "check", 10, p50=60.0),
            arrow("check", "work", 0, label="yes <1>", share=0.0),
            arrow("check", "done", 10, label="no ]", share=1.0, p50=60.0),
            arrow("work", "done", 0),
        ],
        "branches": [],
        "conformance": {
            "fitness": 1.0,
            "deviations": [
                {"from": "done", "to": "begin", "count": 3, "examples": ["a"]},
                {"from": "<ghost>", "to": "done", "count": 2, "examples": ["b"]},
            ],
            "unobserved_steps": ["check", "work"],
        },
    }


def nodes(dot: str) -> dict[str, str]:
    """Each step's DOT line by the first line of its name."""
    found = {}
    for line in dot.splitlines():
        match = re.match(r"\s+(n\d+) \[(.*)\];$", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def node_of(dot: str, name: str) -> str:
    [line] = [attrs for attrs in nodes(dot).values() if name in attrs]
    return line


def edge_of(dot: str, source: str, target: str) -> str:
    return next(line for line in dot.splitlines() if f" {source} -> {target} " in line)


def ids_by_step(process: Process) -> dict[str, str]:
    from procmap.format.graph import Flow

    return {sid: f"n{i}" for i, sid in enumerate(Flow(process).order)}


# --- figures on arrows --------------------------------------------------------------


def test_arrows_carry_counts_shares_and_median_times():
    process = webinar()
    dot = measured_dot(process, WEBINAR)
    n = ids_by_step(process)
    first = edge_of(dot, n["webinar"], n["nurture"])
    assert "1,190×" in first and "median 1.5h" in first and "%" not in first
    yes = edge_of(dot, n["booked"], n["consult"])
    assert "<B>yes</B>" in yes and "80× · 7% (plan 6%)" in yes and "median 1.8d" in yes
    no = edge_of(dot, n["booked"], n["downsell"])
    assert "1,100× · 93% (plan 94%)" in no and "median 10m" in no
    # A share without a plan, and an arrow with no median time.
    signed_no = edge_of(dot, n["signed"], n["nurtured"])
    assert "46× · 61%" in signed_no and "plan" not in signed_no and "median" not in signed_no


def test_pen_width_grows_with_count():
    process = webinar()
    dot = measured_dot(process, WEBINAR)
    n = ids_by_step(process)

    def width(source: str, target: str) -> float:
        return float(re.search(r"penwidth=([\d.]+)", edge_of(dot, n[source], n[target]))[1])

    assert width("webinar", "nurture") == heatmap.MAX_PEN  # the busiest arrow
    assert width("booked", "downsell") > width("booked", "consult") > width("signed", "onboard")
    assert width("signed", "onboard") > heatmap.MIN_PEN
    assert heatmap.pen_width(0, 100) == heatmap.MIN_PEN == heatmap.pen_width(5, 0)


def test_arrows_never_taken_are_grey_and_dashed():
    process = webinar()
    dot = measured_dot(process, WEBINAR)
    n = ids_by_step(process)
    line = edge_of(dot, n["downsell"], n["nurtured"])
    assert "never taken" in line and 'style="dashed"' in line and flowmap.REMOVED in line


# --- shading of steps ---------------------------------------------------------------


def test_more_waiting_is_darker():
    dot = measured_dot(webinar(), WEBINAR)

    def shade(name: str) -> int:
        fill = re.search(r'fillcolor="(#[0-9A-F]{6})"', node_of(dot, name))[1]
        return heatmap.SHADES.index(fill)

    # p90 waits: downsell 45m < nurture 4h < onboard 20h < consult 3.4d < cta 6.2d
    order = ["Add to the downsell", "Send the email", "Onboard the new", "Hold the consult"]
    shades = [shade(name) for name in order]
    assert shades == sorted(shades) and shades[0] == 0
    assert shade("Invite to book") == len(heatmap.SHADES) - 1
    assert shades[0] < shades[-1]


def test_steps_that_never_wait_stay_white_and_the_legend_says_so():
    result = copy.deepcopy(WEBINAR)
    for entry in result["steps"]:
        if entry["id"] == "downsell":
            entry["waiting"] = figures(0.0, 0.0)
    dot = measured_dot(webinar(), result)
    node = node_of(dot, "Add to the downsell")
    assert "1,100 cases · no wait" in node and 'fillcolor="white"' in node
    assert not any(f'fillcolor="{shade}"' in node for shade in heatmap.SHADES)
    assert ">none<" in dot.split("p90 wait before the step:", 1)[1].split("</TR>", 1)[0]
    # The shortest positive wait keeps the lightest shade; without a zero, no "none" cell.
    assert ">none<" not in measured_dot(webinar(), WEBINAR)


def test_without_start_times_the_legend_says_waits_need_them():
    # issue 17: a log without start times drew one shade labelled "any" after "p90 wait
    # before the step:", as though every step waited some unknown time.
    result = copy.deepcopy(WEBINAR)
    for entry in result["steps"]:
        entry["waiting"] = None
    dot = measured_dot(webinar(), result)
    assert ">any<" not in dot
    assert "waiting times need start times" in dot
    assert not any(f'BGCOLOR="{shade}"' in dot for shade in heatmap.SHADES)
    # with waits, the shades' legend as before
    assert "waiting times need start times" not in measured_dot(webinar(), WEBINAR)


def test_steps_carry_their_figures():
    dot = measured_dot(webinar(), WEBINAR)
    assert "80 cases · p90 wait 3.4d" in node_of(dot, "Hold the consult")
    assert "median work 45m" in node_of(dot, "Hold the consult")
    assert "median work" not in node_of(dot, "Send the email")  # no start times: unknown
    start = node_of(dot, "Webinar held")
    assert "1,200 cases" in start and "p90 wait" not in start and 'fillcolor="white"' in start
    # The authored details (owner, tools, KPIs) make way for the figures.
    assert "Zoom webinars" not in dot and "KPI:" not in dot


def test_steps_never_observed_are_grey_and_dashed():
    dot = measured_dot(webinar(), WEBINAR)
    client = node_of(dot, "Client onboarded")
    assert 'style="rounded,dashed"' in client and "never in the log" in client
    assert flowmap.REMOVED in client
    # Reached by a taken arrow, though without events of its own: not greyed.
    for name in ("In the future email", "Consultation", "Proposal signed?"):
        assert "never in the log" not in node_of(dot, name)
        assert "dashed" not in node_of(dot, name)
    odd = measured_dot(load_text(ODD), odd_result())
    work = node_of(odd, "Work")
    assert 'style="dashed"' in work and "never in the log" in work


def test_legend_explains_shades_and_arrows():
    dot = measured_dot(webinar(), WEBINAR)
    assert "p90 wait before the step:" in dot
    for shade in heatmap.SHADES:
        assert f'BGCOLOR="{shade}"' in dot
    assert "up to " in dot and "over " in dot
    assert "thicker = more" in dot and "Grey dashed: never in the log." in dot
    assert "Red dashed: taken in the log but not on the map." in dot
    heading = dot.split("  label=<", 1)[1]
    assert "Webinar lead funnel" in heading
    assert "1,200 cases, 2026-01-05 – 2026-03-30 (84 days) · 92% followed the map" in heading


def test_shade_bounds_are_round_and_increasing():
    bounds = heatmap.shade_bounds([45 * 60, 4 * H, 20 * H, 3.4 * D, 6.2 * D])
    assert bounds == sorted(set(bounds)) and len(bounds) == len(heatmap.SHADES) - 1
    assert all(b in heatmap._NICE for b in bounds)
    assert heatmap.shade_bounds([]) == [] == heatmap.shade_bounds([5.0, 5.0])
    assert heatmap.shade_of(1.0, []) == 0


# --- deviations ---------------------------------------------------------------------


def test_deviations_are_dashed_warning_arrows_with_counts():
    process = webinar()
    dot = measured_dot(process, WEBINAR)
    n = ids_by_step(process)
    line = edge_of(dot, n["webinar"], n["consult"])
    assert "off the map" in line and "12×" in line
    assert 'style="dashed"' in line and heatmap.WARNING in line and "constraint=false" in line
    loop = next(ln for ln in dot.splitlines() if f" {n['consult']} -> {n['consult']} " in ln)
    assert "4×" in loop


def test_deviations_off_the_map_steps_are_listed_not_drawn():
    dot = measured_dot(load_text(ODD), odd_result())
    assert "Also off the map: &lt;ghost&gt; → Done" not in dot  # ids, not names
    assert "Also off the map: &lt;ghost&gt; → done (2×)" in dot


def test_without_deviations_there_is_no_warning_legend():
    result = copy.deepcopy(WEBINAR)
    result["conformance"]["deviations"] = []
    dot = measured_dot(webinar(), result)
    assert "Red dashed" not in dot and heatmap.WARNING not in dot


# --- escaping, determinism, golden ---------------------------------------------------


def test_odd_labels_are_escaped():
    dot = measured_dot(load_text(ODD), odd_result())
    assert "<b>names</b>" not in dot and "&lt;b&gt;names&lt;/b&gt;" in dot
    assert "yes &lt;1&gt;" in dot and "no &#93;" in dot
    assert "\\N" not in dot.replace("\\\\N", "") and "\\G" not in dot.replace("\\\\G", "")


@needs_dot
def test_odd_map_draws():
    svg = measured_svg(load_text(ODD), odd_result())
    assert svg.startswith(b"<?xml") and b"off the map" in svg


def test_deterministic():
    process = webinar()
    assert measured_dot(process, WEBINAR) == measured_dot(webinar(), copy.deepcopy(WEBINAR))


def test_without_overlay_the_authored_map_is_unchanged():
    process = webinar()
    assert flowmap.to_dot(process) == flowmap.to_dot(process, overlay=None)
    golden = (GOLDEN / "flowmap" / "webinar-funnel.dot").read_text(encoding="utf-8")
    assert flowmap.to_dot(process) == golden


def test_golden_measured_dot(golden: Golden):
    golden("heatmap/webinar-funnel.measured.dot", measured_dot(webinar(), WEBINAR))


# --- drawing and writing ------------------------------------------------------------


@needs_dot
def test_svg_is_drawn():
    svg = measured_svg(webinar(), WEBINAR)
    assert svg.startswith(b"<?xml") and b"Webinar lead funnel" in svg
    assert b"1,190\xc3\x97" in svg


@needs_dot
def test_write_measured_writes_svg_and_markdown(tmp_path):
    out = tmp_path / "out"
    paths = write_measured(webinar(), WEBINAR, out, markdown="# Report\n")
    assert paths == [out / "webinar-funnel.measured.svg", out / "webinar-funnel.measure.md"]
    assert paths[0].read_bytes().startswith(b"<?xml")
    assert paths[1].read_text(encoding="utf-8") == "# Report\n"
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)  # no .tmp
    assert write_measured(webinar(), WEBINAR, out) == [paths[0]]


def test_human_units():
    assert [heatmap.human_duration(s) for s in (30, 45 * 60, 3.2 * H, 2.1 * D, 21 * D)] == [
        "30s",
        "45m",
        "3.2h",
        "2.1d",
        "3w",
    ]
    assert heatmap.human_duration(3 * H) == "3h" and heatmap.human_duration(8 * D) == "8d"
    assert heatmap.percent(0.004) == "<1%" and heatmap.percent(0.0) == "0%"
    assert heatmap.percent(80 / 1180) == "7%"


def test_legend_of_marks_drops_the_automated_fill():
    # Boxes are shaded by waiting, so a pale blue sample for "automated" would mislead.
    dot = measured_dot(webinar(), WEBINAR)
    assert "⚙ automated" in dot and flowmap.AUTOMATED_FILL not in dot
    assert flowmap.AUTOMATED_FILL in flowmap.to_dot(webinar())


# --- parallel blocks and waits (issue 18) ------------------------------------------------

CLIENT_SETUP = (
    ROOT / "tests" / "cases" / "valid" / "parallel-block-in-decision-loop-in-strand"
) / "client-setup.yaml"


def client_setup() -> Process:
    result = load_file(str(CLIENT_SETUP))
    assert result.document is not None
    process, problems = validate_document(result.document)
    assert process is not None, problems
    return process


#: A hand-built result for client-setup: arrows inside the block counted per strand, the
#: split and the join without events of their own, waits before `chase` and `wait-pay`.
CLIENT: dict[str, Any] = {
    "process": "client-setup",
    "cases": 100,
    "events": 700,
    "span": {"first": "2026-01-05T09:00:00Z", "last": "2026-03-30T17:00:00Z"},
    "steps": [
        step("start", 100, None),
        step("kickoff", 100, 2 * H, work50=30 * 60),
        step("paid", 0, None),
        step("chase", 40, 7.5 * D, work50=15 * 60),
        step("split", 0, None),
        step("accounts", 130, 1 * H, work50=H),
        step("check", 0, None),
        step("invoice", 100, 3 * H, work50=20 * 60),
        step("wait-pay", 100, 16 * D, work50=5 * 60),
        step("joined", 0, None),
        step("welcome", 100, 4 * H, work50=10 * 60),
        step("done", 100, None),
    ],
    "arrows": [
        arrow("start", "kickoff", 100, p50=H),
        arrow("kickoff", "paid", 140, p50=D),
        arrow("paid", "split", 100, label="Yes", share=100 / 140),
        arrow("paid", "chase", 40, label="No", share=40 / 140, p50=7.2 * D),
        arrow("chase", "paid", 40),
        arrow("split", "accounts", 100, p50=2 * H),
        arrow("split", "invoice", 100, p50=H),
        arrow("accounts", "check", 130),
        arrow("check", "joined", 100, label="Yes", share=100 / 130),
        arrow("check", "accounts", 30, label="No", share=30 / 130, p50=3 * H),
        arrow("invoice", "wait-pay", 100, p50=14.5 * D),
        arrow("wait-pay", "joined", 100),
        arrow("joined", "welcome", 100, p50=4 * H),
        arrow("welcome", "done", 100, p50=60.0),
    ],
    "branches": [],
    "conformance": {"fitting": 100, "deviating": 0, "incomplete": 0, "fitness": 1.0},
}


def test_the_measured_map_draws_gateways_and_clocks_with_the_figures_unchanged():
    process = client_setup()
    n = ids_by_step(process)
    dot = measured_dot(process, CLIENT)
    lines = dot.splitlines()
    for sid in ("split", "joined"):
        line = next(line for line in lines if line.startswith(f"  {n[sid]} ["))
        assert "shape=diamond" in line and "<B>+</B>" in line
    # The arrow into a waiting step ends at its clock and keeps its figures; the clock's
    # arrow says the declared wait, as thick as the arrow into it.
    into = edge_of(dot, n["invoice"], f"{n['wait-pay']}w")
    assert "100×" in into and f"median {heatmap.human_duration(14.5 * D)}" in into
    pen = re.search(r"penwidth=[\d.]+", into)
    assert pen is not None
    (after,) = [
        line for line in lines if line.startswith(f"  {n['wait-pay']}w -> {n['wait-pay']} [")
    ]
    assert "wait 14\N{NO-BREAK SPACE}days" in after and pen.group(0) in after
    chase = edge_of(dot, n["paid"], f"{n['chase']}w")
    assert (
        "<B>No</B>" in chase
        and "40× · 29%" in chase
        and f"median {heatmap.human_duration(7.2 * D)}" in chase
    )
    # The steps' own figures are the result's, whatever the clocks and gateways.
    assert f"p90 wait {heatmap.human_duration(16 * D)}" in node_of(dot, "Record payment")
    assert "130 cases" in node_of(dot, "Create accounts")
    heading = lines[-2]
    assert "the join waits for all" in heading and "nobody works" in heading


def test_golden_measured_dot_of_a_parallel_process_with_waits(golden: Golden):
    golden("heatmap/client-setup.measured.dot", measured_dot(client_setup(), CLIENT))
    golden(
        "heatmap/client-setup.TB.lanes.measured.dot",
        measured_dot(client_setup(), CLIENT, direction="TB", lanes=True),
    )


@needs_dot
def test_the_measured_map_of_a_parallel_process_draws():
    svg = measured_svg(client_setup(), CLIENT, direction="TB", lanes=True)
    assert b"wait 14\xc2\xa0days" in svg and b"100\xc3\x97" in svg

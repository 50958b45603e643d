"""Mermaid flow maps: golden files, the notation, and escaping of hostile labels."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import REPO, Golden, example, load
from procmap.format.graph import Flow
from procmap.render import mermaid
from procmap.render.dottext import duration_text

HERE = Path(__file__).parent / "flowmap"
NODE = re.compile(r'^  (n\d+w?)(\(\["|\[\["|\{"|\["|\(\(")([^"]*)("\]\)|"\]\]|"\}|"\]|"\)\))$')
EDGE = re.compile(r'^  (n\d+w?) -->(?:\|"([^"]*)"\|)? (n\d+w?)$')
SHAPES = {"start": '(["', "end": '(["', "decision": '{"', "subprocess": '[["', "task": '["'}


def decode(text: str) -> str:
    """What Mermaid shows for a label: entity codes back to characters."""
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), text)


def parse(chart: str) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str | None, str]]]:
    """Nodes (id -> (opening bracket, label)) and edges of a chart; fails on any other line."""
    nodes: dict[str, tuple[str, str]] = {}
    edges: list[tuple[str, str | None, str]] = []
    lines = chart.splitlines()
    assert lines[0] == "---" and lines[1].startswith("title: ") and lines[2] == "---"
    assert lines[3] in ("flowchart LR", "flowchart TB")
    for line in lines[4:]:
        if node := NODE.match(line):
            nodes[node.group(1)] = (node.group(2), node.group(3))
        elif edge := EDGE.match(line):
            edges.append((edge.group(1), edge.group(2), edge.group(3)))
        else:
            assert re.match(r"^  (classDef \w+ [\w:#,.\- ]+|class [nw\d,]+ \w+)$", line), line
    return nodes, edges


@pytest.mark.parametrize("name", ["webinar-funnel", "seo-keyword-research"])
def test_golden_mermaid(name: str, golden: Golden) -> None:
    golden(f"mermaid/{name}.mmd", mermaid.to_mermaid(example(name)))


@pytest.mark.parametrize("name", ["webinar-funnel", "seo-keyword-research"])
def test_notation(name: str) -> None:
    process = example(name)
    flow = Flow(process)
    nodes, edges = parse(mermaid.to_mermaid(process))
    ids = {sid: f"n{i}" for i, sid in enumerate(flow.order)}
    assert set(nodes) == set(ids.values())
    for sid, step in flow.steps.items():
        shape, label = nodes[ids[sid]]
        assert shape == SHAPES[step.kind], step.id
        assert step.name in decode(label).split("<br/>")
    expected = sorted((ids[e.source], e.label, ids[e.target]) for e in flow.edges)
    assert sorted(edges) == expected


def test_marks_and_details() -> None:
    process = example("webinar-funnel")
    chart = mermaid.to_mermaid(process)
    nodes, _ = parse(chart)
    ids = {sid: f"n{i}" for i, sid in enumerate(Flow(process).order)}
    consult = decode(nodes[ids["consult"]][1])
    assert consult.startswith("! critical<br/>Hold the consultation call<br/>")
    assert "<small>Sales rep · 1\N{NO-BREAK SPACE}h</small>" in consult
    assert "<small>KPI: Consultation booking rate</small>" in decode(nodes[ids["cta"]][1])
    critical = ",".join(ids[s] for s in ("cta", "consult", "onboard"))
    automated = ",".join(ids[s] for s in ("nurture", "downsell"))
    assert f"class {critical} critical" in chart and f"class {automated} automated" in chart
    assert "classDef critical stroke:#D55E00,stroke-width:3px" in chart
    assert "automatable" not in chart  # classDefs only for marks in use


def test_direction() -> None:
    process = example("seo-keyword-research")
    assert "\nflowchart TB\n" in mermaid.to_mermaid(process, direction="TB")
    with pytest.raises(ValueError):
        mermaid.to_mermaid(process, direction="BT")


def test_subprocess_is_a_subroutine_box() -> None:
    nodes, _ = parse(mermaid.to_mermaid(load(HERE / "subprocess.yaml")))
    shape, label = nodes["n1"]
    assert shape == '[["' and "runs process lead-scoring" in label


def test_hostile_labels_stay_labels() -> None:
    process = load(HERE / "hostile.yaml")
    chart = mermaid.to_mermaid(process)
    nodes, edges = parse(chart)  # every line is a node, an edge or a class line
    ids = {sid: f"n{i}" for i, sid in enumerate(Flow(process).order)}
    assert set(nodes) == set(ids.values()) and len(edges) == len(Flow(process).edges)
    for step in process.steps:
        _shape, label = nodes[ids[step.id]]
        # Syntax characters only as entity codes; Mermaid shows the text exactly.
        tagged = step.critical or step.automated or step.automatable
        user_part = label.split("<br/>")[1 if tagged else 0]
        assert not set(user_part) & set('"<>[]{}()|`\\'), user_part
        assert decode(user_part) == step.name
    branches = process.step("ask").branches  # type: ignore[union-attr]
    assert sorted(decode(label or "") for _s, label, _t in edges if label) == sorted(branches)
    # The tool, role and metric names are escaped the same way.
    everything = decode(chart)
    for text in ['Ops <b>lead</b> & "co"', 'Tool ]; n9 [URL="http://evil.example"]']:
        assert text in everything
    title = json.loads(chart.splitlines()[1].removeprefix("title: "))
    assert title == process.name
    assert (
        "<script" not in chart
        and "`" not in chart
        and "-->" not in "".join(label for _shape, label in nodes.values())
    )


def test_title_cannot_close_a_code_fence() -> None:
    process = example("seo-keyword-research").model_copy(update={"name": "```\n---\n<b>x</b>"})
    line = mermaid.to_mermaid(process).splitlines()[1]
    assert "`" not in line and "<" not in line and "\n" not in line
    assert json.loads(line.removeprefix("title: ")) == "``` --- <b>x</b>"


def test_deterministic() -> None:
    assert mermaid.to_mermaid(example("webinar-funnel")) == mermaid.to_mermaid(
        example("webinar-funnel")
    )


# --- parallel blocks and waits (issue 18) ------------------------------------------------

CASES = Path(__file__).parent / "cases" / "valid"
PARALLEL = {
    "client-setup": CASES / "parallel-block-in-decision-loop-in-strand" / "client-setup.yaml",
    "invoice-chase": REPO / "processes" / "invoice-chase.yaml",
}


@pytest.mark.parametrize("name", sorted(PARALLEL))
@pytest.mark.parametrize("direction", ["LR", "TB"])
def test_golden_mermaid_parallel_and_waits(name: str, direction: str, golden: Golden) -> None:
    chart = mermaid.to_mermaid(load(PARALLEL[name]), direction=direction)
    golden(f"mermaid/{name}.{direction}.mmd", chart)


@pytest.mark.parametrize("path", [*PARALLEL.values(), HERE / "waits.yaml"])
def test_gateways_and_waits_keep_every_line_mermaid(path: Path) -> None:
    """Split and join are diamonds headed by a big bold +; a wait is a dashed circle on the
    way into its step (out of a join), and the chart has only node, arrow and class lines."""
    process = load(path)
    flow = Flow(process)
    nodes, edges = parse(mermaid.to_mermaid(process))
    ids = {sid: f"n{i}" for i, sid in enumerate(flow.order)}
    waiting = {sid for sid, step in flow.steps.items() if step.wait is not None}
    assert set(nodes) == set(ids.values()) | {f"{ids[sid]}w" for sid in waiting}
    for sid, step in flow.steps.items():
        shape, label = nodes[ids[sid]]
        if step.kind in ("parallel", "join"):
            assert shape == '{"' and label.startswith(
                "<b style='font-size:1.6em'>+</b><br/>" + step.name
            ), label
        if sid in waiting:
            shape, label = nodes[f"{ids[sid]}w"]
            assert shape == '(("' and decode(label) == f"wait {duration_text(step.wait)}"
    # Each arrow of the map is there, through the clock of a waiting step (out of a join's).
    tail = {
        sid: ids[sid] + ("w" if sid in waiting and flow.steps[sid].kind == "join" else "")
        for sid in flow.steps
    }
    head = {
        sid: ids[sid] + ("w" if sid in waiting and flow.steps[sid].kind != "join" else "")
        for sid in flow.steps
    }
    expected = [(tail[e.source], e.label, head[e.target]) for e in flow.edges]
    expected += [
        (ids[sid], None, f"{ids[sid]}w")
        if flow.steps[sid].kind == "join"
        else (f"{ids[sid]}w", None, ids[sid])
        for sid in waiting
    ]
    assert sorted(edges, key=str) == sorted(
        ((a, None if b is None else _encoded(b), c) for a, b, c in expected), key=str
    )


def _encoded(label: str) -> str:
    return "".join(f"#{ord(ch)};" if ch in '"#&<>[]{}()|`\\' else ch for ch in label)


def test_the_wait_class_marks_only_the_clocks() -> None:
    chart = mermaid.to_mermaid(load(PARALLEL["invoice-chase"]))
    assert "classDef wait " in chart
    (line,) = [line for line in chart.splitlines() if line.endswith(" wait")]
    assert sorted(line.split()[1].split(",")) == ["n2w", "n5w", "n9w"]
    assert "classDef wait" not in mermaid.to_mermaid(example("webinar-funnel"))

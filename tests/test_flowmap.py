"""Flow maps: golden DOT, the notation in the drawn SVG, escaping, the diff overlay, draw()."""

from __future__ import annotations

import os
import re
import shutil
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, Golden, example, load
from procmap.format.graph import Flow
from procmap.format.model import Process
from procmap.format.values import visible
from procmap.render import flowmap

HERE = Path(__file__).parent / "flowmap"
ROOT = Path(__file__).parent.parent
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
EXAMPLES = ["webinar-funnel", "seo-keyword-research"]

HAVE_DOT = shutil.which("dot") is not None
if not HAVE_DOT and os.environ.get("PROCMAP_REQUIRE_DOT") == "1":
    raise RuntimeError("PROCMAP_REQUIRE_DOT=1 but Graphviz 'dot' is not on PATH")
needs_dot = pytest.mark.skipif(
    not HAVE_DOT, reason="Graphviz 'dot' is not installed (set PROCMAP_REQUIRE_DOT=1 to fail)"
)


def svg_of(dot_source: str) -> ET.Element:
    return ET.fromstring(flowmap.draw(dot_source, "svg"))


def groups(svg: ET.Element, kind: str) -> dict[str, ET.Element]:
    """Node, edge or cluster groups of a Graphviz SVG by their <title>."""
    found = {}
    for group in svg.iter(f"{SVG}g"):
        if group.get("class") == kind:
            title = group.find(f"{SVG}title")
            assert title is not None
            found[title.text or ""] = group
    return found


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def squash(text: str) -> str:
    """Text with all whitespace removed: wrapped lines compare equal to the original."""
    return "".join(text.split())


def node_ids(process: Process) -> dict[str, str]:
    """Step id -> DOT node id: generated in reading order, n0, n1, ..."""
    return {sid: f"n{index}" for index, sid in enumerate(Flow(process).order)}


def points(shape: ET.Element) -> set[tuple[float, float]]:
    raw = shape.get("points", "").split()
    return {(float(x), float(y)) for x, y in (p.split(",") for p in raw)}


# --- golden DOT ------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
def test_golden_dot(name: str, golden: Golden) -> None:
    golden(f"flowmap/{name}.dot", flowmap.to_dot(example(name)))


def test_golden_dot_lanes(golden: Golden) -> None:
    golden(
        "flowmap/webinar-funnel.lanes.dot", flowmap.to_dot(example("webinar-funnel"), lanes=True)
    )


def test_golden_dot_previous(golden: Golden) -> None:
    previous = load(HERE / "webinar-funnel.previous.yaml")
    golden(
        "flowmap/webinar-funnel.previous.dot",
        flowmap.to_dot(example("webinar-funnel"), previous=previous),
    )


def test_dot_is_deterministic() -> None:
    process = example("webinar-funnel")
    assert flowmap.to_dot(process, lanes=True) == flowmap.to_dot(
        example("webinar-funnel"), lanes=True
    )


def test_direction_is_checked() -> None:
    process = example("seo-keyword-research")
    assert "rankdir=TB" in flowmap.to_dot(process, direction="TB")
    with pytest.raises(ValueError, match="LR, TB"):
        flowmap.to_dot(process, direction="RL")


# --- what the map says -----------------------------------------------------------------


def test_details_marks_and_legend_in_dot() -> None:
    dot = flowmap.to_dot(example("webinar-funnel"))
    consult = next(line for line in dot.splitlines() if "Hold the consultation" in line)
    assert "penwidth=3" in consult and "! critical" in consult
    assert "Sales rep · 1\N{NO-BREAK SPACE}h" in consult and ">CRM<" in consult
    nurture = next(line for line in dot.splitlines() if "Send the email nurture" in line)
    assert "⚙ automated" in nurture and "5\N{NO-BREAK SPACE}days" in nurture
    assert "KPI: Consultation booking rate" in dot
    heading = dot.splitlines()[-2]
    assert "Webinar lead funnel" in heading and "Goal: Turn webinar attendees" in heading
    # The legend explains the marks used, and only those.
    assert "check every time" in heading and "runs without a person" in heading
    assert "could run without a person" not in heading and "double border" not in heading
    assert "added" not in heading


def test_long_names_wrap_at_word_boundaries() -> None:
    dot = flowmap.to_dot(example("webinar-funnel"))
    assert "In the future email<BR/>automation bucket" in dot
    assert "Pull search volume and<BR/>ranking difficulty" in flowmap.to_dot(
        example("seo-keyword-research")
    )


def test_loops_are_drawn_backwards_not_reranked() -> None:
    process = example("seo-keyword-research")
    ids = node_ids(process)
    dot = flowmap.to_dot(process)
    # enough --no--> brainstorm closes a loop: written forwards, drawn back.
    assert f"  {ids['brainstorm']} -> {ids['enough']} [label=<no>, dir=back];" in dot


def test_lanes_follow_roles_and_unowned_steps_join_a_neighbour() -> None:
    process = load(HERE / "subprocess.yaml")
    dot = flowmap.to_dot(process, lanes=True)
    titles = re.findall(r"label=<<B>(.*?)</B>>", dot)
    assert titles == ["Marketing lead", "Sales rep", "No owner"]
    lanes = dot.split("subgraph cluster_lane")[1:]
    ids = node_ids(process)
    # The unowned start and decision sit with their neighbour; the unowned task shows.
    assert f"  {ids['begin']} [" in lanes[0] and f"  {ids['hot']} [" in lanes[0]
    assert f"  {ids['done']} [" in lanes[1] and f"  {ids['file']} [" in lanes[2]
    # Lanes name the owner, so boxes do not repeat it.
    assert "Sales rep ·" not in dot and "30\N{NO-BREAK SPACE}min" in dot


def test_subprocess_links_only_through_link() -> None:
    process = load(HERE / "subprocess.yaml")
    assert "URL=" not in flowmap.to_dot(process)
    dot = flowmap.to_dot(process, link=lambda pid: f"{pid}.runbook.md")
    assert dot.count("URL=") == 1 and 'URL="lead-scoring.runbook.md"' in dot
    assert "peripheries=2" in dot and "runs process lead-scoring" in dot
    assert "URL=" not in flowmap.to_dot(process, link=lambda pid: None)


# --- previous version overlay ------------------------------------------------------------


def test_previous_marks_added_removed_and_changed() -> None:
    process = example("webinar-funnel")
    previous = load(HERE / "webinar-funnel.previous.yaml")
    lines = flowmap.to_dot(process, previous=previous).splitlines()

    def line_of(text: str) -> str:
        return next(line for line in lines if text in line and "->" not in line)

    added = line_of("Add to the downsell")
    assert "+ added" in added and f'color="{flowmap.ADDED}"' in added
    removed = line_of("Send a reminder email")
    assert "− removed" in removed and 'style="dashed"' in removed
    renamed = line_of("Invite to book a")
    assert "~ changed" in renamed and "was: Ask them to book a call" in renamed
    reowned = line_of("Hold the consultation")
    assert "~ changed" in reowned and "owner was: Founder" in reowned
    unchanged = line_of("Webinar held")
    assert "added" not in unchanged and "changed" not in unchanged
    # Arrows: the new route through the downsell campaign, the dropped reminder route.
    ids = {sid: f"n{i}" for i, sid in enumerate(Flow(process).order)}
    ids["reminder"] = f"n{len(ids)}"
    arrows = {line.split("[")[0].strip(" ;"): line for line in lines if "->" in line}
    assert "dashed" in arrows[f"{ids['cta']} -> {ids['reminder']}"]
    assert "dashed" in arrows[f"{ids['booked']} -> {ids['nurtured']}"]
    assert "penwidth=2.4" in arrows[f"{ids['booked']} -> {ids['downsell']}"]
    assert "color" not in arrows[f"{ids['webinar']} -> {ids['nurture']}"]
    legend = lines[-2]
    assert "new in this version" in legend and "gone in this version" in legend
    assert "name, owner or kind changed" in legend


def test_previous_identical_marks_nothing() -> None:
    process = example("seo-keyword-research")
    dot = flowmap.to_dot(process, previous=example("seo-keyword-research"))
    assert "added" not in dot and "removed" not in dot and "changed" not in dot


def test_previous_with_a_new_step_id_marks_nothing() -> None:
    """A step that only got a new id is the same step on the map, arrows included."""
    process = example("webinar-funnel")
    before = process.model_copy(
        update={
            "steps": [
                step.model_copy(
                    update={
                        "id": "call" if step.id == "consult" else step.id,
                        "branches": {
                            label: "call" if target == "consult" else target
                            for label, target in step.branches.items()
                        }
                        if step.branches
                        else step.branches,
                    }
                )
                for step in process.steps
            ]
        }
    )
    dot = flowmap.to_dot(process, previous=before)
    assert "added" not in dot and "removed" not in dot and "changed" not in dot
    assert "dashed" not in dot


# --- escaping in DOT ---------------------------------------------------------------------


def test_hostile_labels_cannot_leave_their_label() -> None:
    process = load(HERE / "hostile.yaml")
    dot = flowmap.to_dot(process, lanes=True, link=lambda pid: 'x" onclick="alert(1)\\ <y>')
    # Node statements are exactly the generated ids (plus the lane anchors).
    statements = re.findall(r"^\s+(\w+) \[", dot, flags=re.MULTILINE)
    steps = [s for s in statements if s not in ("graph", "node", "edge") and "lane" not in s]
    assert sorted(steps) == sorted(f"n{i}" for i in range(len(process.steps)))
    # User text only ever appears escaped: no raw quote, angle bracket or bare backslash.
    for line in dot.splitlines():
        for label in re.findall(r"label=<(.*)>", line):
            assert "<script" not in label and '"pwn"' not in label and "<b>" not in label
    assert dot.count(', URL="') == 1  # the tool named `[URL="..."]` stays inside its label
    assert 'URL="x%22%20onclick=%22alert(1)%5C%20%3Cy%3E"' in dot
    assert "\\\\N" in dot and "\\\\G" in dot  # backslashes doubled so Graphviz keeps them


# --- the drawn SVG -----------------------------------------------------------------------


@needs_dot
@pytest.mark.parametrize("name", EXAMPLES)
def test_svg_notation(name: str) -> None:
    process = example(name)
    flow = Flow(process)
    ids = node_ids(process)
    svg = svg_of(flowmap.to_dot(process))
    nodes = groups(svg, "node")
    assert set(nodes) == set(ids.values())
    for sid, step in flow.steps.items():
        node = nodes[ids[sid]]
        polygons = list(node.iter(f"{SVG}polygon"))
        if step.kind == "decision":
            (diamond,) = polygons
            corners = points(diamond)
            assert len(corners) == 4
            assert len({x for x, _ in corners}) == 3 and len({y for _, y in corners}) == 3
        elif step.kind in ("start", "end"):
            assert not polygons and list(node.iter(f"{SVG}path")), "terminals are rounded"
        else:
            (box,) = polygons
            corners = points(box)
            assert len({x for x, _ in corners}) == 2 and len({y for _, y in corners}) == 2
        assert squash(step.name) in squash("".join(texts(node))), step.name
    edges = groups(svg, "edge")
    assert len(edges) == len(flow.edges)
    labels = [t for edge in edges.values() for t in texts(edge)]
    assert sorted(labels) == sorted(e.label for e in flow.edges if e.label is not None)
    title = texts(svg)[0]
    assert title == process.name


@needs_dot
def test_svg_lanes_are_clusters_in_roles_order() -> None:
    process = example("webinar-funnel")
    svg = svg_of(flowmap.to_dot(process, lanes=True))
    clusters = groups(svg, "cluster")
    assert sorted(clusters) == ["cluster_lane0", "cluster_lane1", "cluster_lane2"]
    names = [texts(clusters[f"cluster_lane{i}"])[0] for i in range(3)]
    assert names == ["Marketing lead", "Sales rep", "Client success"]
    tops = []
    for i in range(3):
        frame = clusters[f"cluster_lane{i}"].find(f"{SVG}polygon")
        assert frame is not None
        tops.append(min(y for _, y in points(frame)))
    assert tops == sorted(tops), "lanes stacked top to bottom in roles order"


@needs_dot
def test_svg_subprocess_is_double_boxed_and_linked() -> None:
    process = load(HERE / "subprocess.yaml")
    svg = svg_of(flowmap.to_dot(process, link=lambda pid: f"{pid}.runbook.md"))
    node = groups(svg, "node")[node_ids(process)["score"]]
    assert len(list(node.iter(f"{SVG}polygon"))) == 2
    links = list(svg.iter(f"{SVG}a"))
    assert [a.get(f"{XLINK}href") for a in links] == ["lead-scoring.runbook.md"]


@needs_dot
def test_svg_hostile_labels_appear_literally_and_inject_nothing() -> None:
    process = load(HERE / "hostile.yaml")
    hostile_link = 'x" onclick="alert(1)'
    svg_bytes = flowmap.draw(flowmap.to_dot(process, link=lambda pid: hostile_link), "svg")
    svg = ET.fromstring(svg_bytes)
    nodes = groups(svg, "node")
    ids = node_ids(process)
    assert set(nodes) == set(ids.values()), "no extra nodes"
    for step in process.steps:
        assert squash(step.name) in squash("".join(texts(nodes[ids[step.id]]))), step.name
    labels = sorted(squash("".join(texts(edge))) for edge in groups(svg, "edge").values())
    branches = process.step("ask").branches  # type: ignore[union-attr]
    assert sorted(squash(b) for b in branches) == [label for label in labels if label]
    everything = squash("".join(texts(svg)))
    for text in [
        process.name,
        process.goal,
        'Ops <b>lead</b> & "co"',
        'Tool ]; n9 [URL="http://evil.example"]',
        'KPI: Rate of <i>tags</i> & "quotes"',
        "키워드 조사 🚀 Zażółć gęślą jaźń مرحبا",
        "\\N \\G",
        "End \\l \\N \\G ]; }",
    ]:
        assert squash(text or "") in everything, text
    # Nothing executable or clickable came from user text.
    tags = {element.tag for element in svg.iter()}
    assert f"{SVG}script" not in tags and f"{SVG}foreignObject" not in tags
    anchors = list(svg.iter(f"{SVG}a"))
    assert len(anchors) == 1
    assert anchors[0].get(f"{XLINK}href") == "x%22%20onclick=%22alert(1)"
    for element in svg.iter():
        assert not any(name.lower().startswith("on") for name in element.attrib), element.attrib
    assert b"<script" not in svg_bytes and b"<b>" not in svg_bytes


@needs_dot
def test_svg_is_deterministic() -> None:
    dot = flowmap.to_dot(example("webinar-funnel"), lanes=True)
    assert flowmap.draw(dot, "svg") == flowmap.draw(dot, "svg")


@needs_dot
@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_draw_binary_formats(fmt: str, magic: bytes) -> None:
    assert flowmap.draw(flowmap.to_dot(example("seo-keyword-research")), fmt).startswith(magic)


# --- draw() errors -----------------------------------------------------------------------


def fake_dot(folder: Path, script: str) -> None:
    path = folder / "dot"
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_draw_without_dot_says_how_to_install(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(flowmap.DrawError, match=r"apt-get install graphviz.*brew install graphviz"):
        flowmap.draw("digraph { a }")


def test_draw_too_slow_is_stopped(tmp_path: Path, monkeypatch) -> None:
    fake_dot(tmp_path, "exec sleep 10")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    with pytest.raises(flowmap.DrawError, match=r"longer than 0\.2 s"):
        flowmap.draw("digraph { a }", timeout=0.2)


def test_draw_failure_gives_first_stderr_line(tmp_path: Path, monkeypatch) -> None:
    fake_dot(
        tmp_path,
        "cat >/dev/null; echo 'Error: <stdin>: syntax error in line 1' >&2; echo more >&2; exit 1",
    )
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    with pytest.raises(flowmap.DrawError) as caught:
        flowmap.draw("digraph { a }")
    assert str(caught.value) == "Graphviz 'dot' failed: Error: <stdin>: syntax error in line 1"


@needs_dot
def test_draw_real_syntax_error() -> None:
    with pytest.raises(flowmap.DrawError, match=r"Graphviz 'dot' failed: .*syntax error"):
        flowmap.draw("digraph { a -> }")


def test_draw_unknown_format() -> None:
    with pytest.raises(flowmap.DrawError, match="svg, png, pdf"):
        flowmap.draw("digraph { a }", "gif")


# --- robustness ---------------------------------------------------------------------------


def test_empty_and_startless_processes_still_draw_as_dot() -> None:
    empty = Process.model_validate({"procmap": 1, "id": "x", "name": "Empty", "steps": []})
    loop = Process.model_validate(
        {
            "procmap": 1,
            "id": "y",
            "name": "Loop",
            "steps": [
                {"id": "a", "name": "A", "next": "b", "owner": "ghost"},
                {"id": "b", "name": "B", "next": "a"},
            ],
        }
    )
    for process in (empty, loop):
        for options in ({}, {"lanes": True}, {"previous": empty}):
            dot = flowmap.to_dot(process, **options)  # type: ignore[arg-type]
            assert dot.startswith("digraph procmap {") and dot.endswith("}\n")
    # An owner missing from roles still gets a lane, named by its id.
    assert "<B>ghost</B>" in flowmap.to_dot(loop, lanes=True)


# Any text that shows something: a name with no visible character is S014 (issue 15).
names = st.text(min_size=1, max_size=30).filter(visible)


@needs_dot
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(step_name=names, label=names, role=names)
def test_any_text_is_drawn_literally(step_name: str, label: str, role: str) -> None:
    process = Process.model_validate(
        {
            "procmap": 1,
            "id": "any",
            "name": step_name,
            "roles": {"r": role},
            "steps": [
                {"id": "s", "kind": "start", "name": "Go", "next": "d"},
                {"id": "d", "kind": "decision", "name": step_name, "branches": {label: "t"}},
                {"id": "t", "name": step_name, "owner": "r", "next": "e"},
                {"id": "e", "kind": "end", "name": "Done"},
            ],
        }
    )
    svg = svg_of(flowmap.to_dot(process))
    nodes = groups(svg, "node")
    assert sorted(nodes) == ["n0", "n1", "n2", "n3"]
    expected = squash(flowmap.clean_text(step_name))
    assert expected in squash("".join(texts(nodes["n1"])))
    assert squash(flowmap.clean_text(role)) in squash("".join(texts(nodes["n2"])))
    edge_text = [squash("".join(texts(edge))) for edge in groups(svg, "edge").values()]
    assert squash(flowmap.clean_text(label)) in edge_text
    assert not list(svg.iter(f"{SVG}a")) and not list(svg.iter(f"{SVG}script"))


def test_clean_text_replaces_exactly_unicodes_control_and_surrogate_characters():
    import sys
    import unicodedata

    from procmap.render.flowmap import clean_text

    every = "".join(chr(c) for c in range(sys.maxunicode + 1))
    expected = "".join(" " if unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in every)
    assert clean_text(every) == expected


@given(st.text(max_size=40), st.integers(min_value=1, max_value=40))
def test_wrap_of_short_text_is_textwraps(text, width):
    import textwrap

    from procmap.render.flowmap import _wrap, clean_text

    expected = textwrap.wrap(clean_text(text), width=width, break_on_hyphens=False) or [""]
    assert _wrap(text, width) == expected


# --- parallel blocks and waits (issue 18) ------------------------------------------------

CASES = ROOT / "tests" / "cases" / "valid"
PARALLEL = {
    "client-setup": CASES / "parallel-block-in-decision-loop-in-strand" / "client-setup.yaml",
    "invoice-chase": REPO / "processes" / "invoice-chase.yaml",
}
LAYOUTS = [("LR", False), ("LR", True), ("TB", False), ("TB", True)]


def layout_name(direction: str, lanes: bool) -> str:
    return direction + (".lanes" if lanes else "")


@pytest.mark.parametrize("name", sorted(PARALLEL))
@pytest.mark.parametrize("direction, lanes", LAYOUTS)
def test_golden_dot_parallel_and_waits(
    name: str, direction: str, lanes: bool, golden: Golden
) -> None:
    dot = flowmap.to_dot(load(PARALLEL[name]), direction=direction, lanes=lanes)
    golden(f"flowmap/{name}.{layout_name(direction, lanes)}.dot", dot)


def node_line(dot: str, node: str) -> str:
    return next(line for line in dot.splitlines() if line.strip().startswith(f"{node} ["))


def test_split_and_join_are_diamonds_with_a_plus_and_their_name() -> None:
    process = load(PARALLEL["client-setup"])
    ids = node_ids(process)
    dot = flowmap.to_dot(process)
    for sid, name in (("split", "Set up in parallel"), ("joined", "All set up")):
        line = node_line(dot, ids[sid])
        assert "shape=diamond" in line, line
        assert 'label=<<FONT POINT-SIZE="24"><B>+</B></FONT><BR/>' + name in line, line
    # The legend explains the gateway, and only on a map that has one.
    heading = dot.splitlines()[-2]
    assert "parallel: all its strands run, in any order; the join waits for all" in heading
    assert "parallel:" not in flowmap.to_dot(example("webinar-funnel")).splitlines()[-2]


def test_a_wait_is_a_clock_on_the_way_into_its_step() -> None:
    process = load(PARALLEL["invoice-chase"])
    ids = node_ids(process)
    dot = flowmap.to_dot(process)
    clock = f"{ids['paid-1']}w"
    assert 'style="wedged"' in node_line(dot, clock) and 'label=""' in node_line(dot, clock)
    lines = dot.splitlines()
    # reminder-1 -> clock -> paid-1, the wait on the clock's arrow into the step.
    assert f"  {ids['reminder-1']} -> {clock};" in lines
    (into,) = [line for line in lines if line.startswith(f"  {clock} -> {ids['paid-1']} [")]
    assert "wait 7\N{NO-BREAK SPACE}days" in into
    assert f"  {ids['reminder-1']} -> {ids['paid-1']};" not in lines
    assert dot.count("wait 14\N{NO-BREAK SPACE}days") == 1
    assert dot.count("wait 7\N{NO-BREAK SPACE}days") == 2  # paid-1 and collect
    heading = lines[-2]
    assert "wait …" in heading and "a quarter shaded): time passes, nobody works" in heading
    assert "wait …" not in flowmap.to_dot(example("webinar-funnel"))


def test_a_step_reached_two_ways_shows_its_wait_once_and_a_join_waits_after() -> None:
    process = load(HERE / "waits.yaml")
    ids = node_ids(process)
    dot = flowmap.to_dot(process)
    lines = dot.splitlines()
    pack, ok, both = ids["pack"], ids["ok"], ids["both"]
    # Both ways into `pack` (the start, and the loop back from `ok`) go through one clock.
    assert f"  {ids['begin']} -> {pack}w;" in lines
    assert f"  {pack}w -> {ok} [label=<no>, dir=back];" in lines
    assert dot.count("wait 2\N{NO-BREAK SPACE}h") == 1
    # The join's wait starts when its last strand arrives: the clock is on its way out.
    assert f"  {ids['ship']} -> {both};" in lines and f"  {ids['bill']} -> {both};" in lines
    assert f"  {both}w -> {ids['done']};" in lines
    (after,) = [line for line in lines if line.startswith(f"  {both} -> {both}w [")]
    assert "wait 1\N{NO-BREAK SPACE}day<" in after


def test_in_lanes_a_clock_and_an_unowned_gateway_sit_with_their_step() -> None:
    process = load(HERE / "waits.yaml")
    ids = node_ids(process)
    dot = flowmap.to_dot(process, lanes=True)
    warehouse, finance = dot.split("subgraph cluster_lane")[1:]
    for node in (ids["pack"], f"{ids['pack']}w", ids["split"], ids["both"], f"{ids['both']}w"):
        assert f"    {node} [" in warehouse, node
    assert f"    {ids['bill']} [" in finance


def test_a_new_step_with_a_wait_gets_an_added_clock() -> None:
    before = load(HERE / "waits.yaml")
    steps = [s for s in before.steps if s.id != "pack"]
    steps[0] = steps[0].model_copy(update={"next": "ok"})
    previous = before.model_copy(update={"steps": steps})
    ids = node_ids(before)
    dot = flowmap.to_dot(before, previous=previous)
    clock = node_line(dot, f"{ids['pack']}w")
    assert f'color="{flowmap.ADDED}"' in clock and 'style="wedged"' in clock
    into = f"  {ids['pack']}w -> {ids['pack']} ["
    (line,) = [line for line in dot.splitlines() if line.startswith(into)]
    assert f'color="{flowmap.ADDED}"' in line


def test_the_measured_overlay_of_the_one_arrow_into_a_clock_carries_on_after_it() -> None:
    process = load(PARALLEL["invoice-chase"])
    ids = node_ids(process)
    key = ("reminder-1", "paid-1", None)
    overlay = flowmap.Overlay(edge_labels={key: "200×"}, edge_attrs={key: ["penwidth=6.00"]})
    lines = flowmap.to_dot(process, overlay=overlay).splitlines()
    clock = f"{ids['paid-1']}w"
    assert f"  {ids['reminder-1']} -> {clock} [label=<200×>, penwidth=6.00];" in lines
    (into,) = [line for line in lines if line.startswith(f"  {clock} -> {ids['paid-1']} [")]
    assert "penwidth=6.00" in into and "wait 7\N{NO-BREAK SPACE}days" in into


@needs_dot
@pytest.mark.parametrize("name", sorted(PARALLEL))
@pytest.mark.parametrize("direction, lanes", LAYOUTS)
def test_svg_gateways_and_clocks_in_every_layout(name: str, direction: str, lanes: bool) -> None:
    process = load(PARALLEL[name])
    ids = node_ids(process)
    svg = svg_of(flowmap.to_dot(process, direction=direction, lanes=lanes))
    nodes = groups(svg, "node")
    for step in process.steps:
        node = nodes[ids[step.id]]
        if step.kind in ("parallel", "join"):
            (diamond,) = node.iter(f"{SVG}polygon")
            assert len(points(diamond)) == 4
            assert texts(node)[0] == "+" and squash(step.name) in squash("".join(texts(node)))
        if step.wait is not None:
            clock = nodes[f"{ids[step.id]}w"]
            assert not texts(clock)
            # the dial and its shaded quarter: a circle and a filled wedge
            assert len(list(clock.iter(f"{SVG}path"))) >= 2 or list(clock.iter(f"{SVG}ellipse"))
    waits = [t for edge in groups(svg, "edge").values() for t in texts(edge) if "wait" in t]
    expected = [flowmap.duration_text(s.wait) for s in process.steps if s.wait is not None]
    assert sorted(waits) == sorted(f"wait {text}" for text in expected)


@needs_dot
@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_gateways_and_clocks_draw_as_png_and_pdf(fmt: str, magic: bytes) -> None:
    for direction, lanes in LAYOUTS:
        dot = flowmap.to_dot(load(HERE / "waits.yaml"), direction=direction, lanes=lanes)
        assert flowmap.draw(dot, fmt).startswith(magic)


def test_a_wait_added_removed_or_changed_marks_its_clock() -> None:
    process = load(HERE / "waits.yaml")
    waits = {"pack": "3h", "ship": "1d", "both": None}  # changed, added, removed
    previous = process.model_copy(
        update={
            "steps": [s.model_copy(update={"wait": waits.get(s.id, s.wait)}) for s in process.steps]
        }
    )
    # Before: pack waited 3h (now 2h), ship 1d (now not at all), both not at all (now 1d).
    ids = node_ids(process)
    lines = flowmap.to_dot(process, previous=previous).splitlines()

    def clock_arrow(sid: str) -> str:
        clock = f"{ids[sid]}w"
        pair = (f"  {ids[sid]} -> {clock} [", f"  {clock} -> {ids[sid]} [")
        (line,) = [line for line in lines if line.startswith(pair)]
        return line

    changed = clock_arrow("pack")
    assert "wait 2\N{NO-BREAK SPACE}h, was 3\N{NO-BREAK SPACE}h" in changed
    assert f'color="{flowmap.CHANGED}"' in changed
    gone = clock_arrow("ship")
    assert "wait 1\N{NO-BREAK SPACE}day<" in gone and f'color="{flowmap.REMOVED}"' in gone
    assert 'style="wedged,dashed"' in node_line("\n".join(lines), f"{ids['ship']}w")
    new = clock_arrow("both")
    assert "wait 1\N{NO-BREAK SPACE}day<" in new and f'color="{flowmap.ADDED}"' in new
    # The steps themselves are unchanged: only their clocks are marked.
    assert "~ changed" not in node_line("\n".join(lines), ids["pack"])
    legend = lines[-2]
    assert "new in this version" in legend and "gone in this version" in legend
    # Against itself, nothing is marked.
    same = flowmap.to_dot(process, previous=load(HERE / "waits.yaml"))
    assert not {flowmap.ADDED, flowmap.CHANGED, flowmap.REMOVED} & set(re.findall(r"#\w{6}", same))

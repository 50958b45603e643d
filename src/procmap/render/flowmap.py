"""Flow maps: a process as Graphviz DOT, and DOT drawn to SVG, PNG or PDF.

Owns: the map notation of shared/DOMAIN.md section 2 in DOT (terminals for start and end,
rectangles for tasks, diamonds for decisions, double boxes for subprocesses, labelled
arrows), with BPMN's for parallel work and waiting (a parallel split and its join as a
diamond headed by a big `+`, with its name; a wait as a clock, a small circle with a
shaded quarter drawn by Graphviz, on the way into the step that waits, with "wait 7 days"
on its arrow), the quiet details on each step (owner, duration, tools, KPIs), the marks
(critical, automated, could automate, and the added/removed/changed overlay against a
previous version) with a legend of the marks used (the gateway and the clock among them),
and swimlanes per role. Drawing the DOT is `dotrun`'s (`draw`, `stop_drawings`,
`DrawError`), re-exported here.

Must not know: files, command-line options, Markdown documents, or how problems are
printed. Every user string reaches DOT only through `dottext`'s `html_text` (inside
HTML-like labels, entities and doubled backslashes) or `quoted_text` (a quoted DOT string,
used for links after `url_text` percent-encodes them); node ids are generated (n0, n1,
..., and n3w for the clock of n3).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..format import Flow, ProcessLike, StepLike, renamed_steps
from .dotrun import DRAW_FORMATS as DRAW_FORMATS
from .dotrun import DrawError as DrawError
from .dotrun import draw as draw
from .dotrun import stop_drawings as stop_drawings
from .dottext import clean_text as clean_text
from .dottext import duration_text as duration_text
from .dottext import html_text as _html
from .dottext import last_wins as _last_wins
from .dottext import quoted_text as _quoted
from .dottext import url_text as _url
from .dottext import wrap_items as _wrap_items
from .dottext import wrap_text as _wrap

DIRECTIONS = ("LR", "TB")

# Okabe-Ito accents on greys: readable by colour-blind readers, and every accent also has
# a non-colour mark (a tag, a heavier or dashed border) so black-and-white print works.
INK = "#1F2328"
QUIET = "#59636E"
LINE = "#424A53"
TERMINAL_FILL = "#E6EAEF"
DECISION_FILL = "#F6F8FA"
LANE_FILL = "#F6F8FA"
LANE_LINE = "#D0D7DE"
CRITICAL = "#D55E00"  # vermillion
AUTOMATED_FILL = "#E3EFF8"  # pale blue
AUTOMATED = "#0072B2"  # blue
ADDED = "#009E73"  # bluish green
REMOVED = "#8C959F"  # grey
CHANGED = "#AA3377"  # purple (Paul Tol), far from the critical vermillion
FONT = "Helvetica"
#: The steps drawn as the BPMN parallel gateway: a diamond with a plus.
GATEWAYS = ("parallel", "join")
_ANCHOR = 'shape=point, style=invis, width=0, height=0, label=""'

NAME_WIDTH = 24
DECISION_WIDTH = 18
DETAIL_WIDTH = 30
TITLE_WIDTH = 90
LEGEND_COLUMNS = 4

# Legend entries: mark -> (sample text, sample cell attributes, explanation).
_LEGEND: dict[str, tuple[str, str, str]] = {
    "critical": (
        "! critical",
        f'BORDER="3" COLOR="{CRITICAL}"',
        "check every time: a mistake here costs most",
    ),
    "automated": (
        "⚙ automated",
        f'BORDER="1" COLOR="{LINE}" BGCOLOR="{AUTOMATED_FILL}"',
        "runs without a person",
    ),
    "automatable": (
        "⚙ could automate",
        f'BORDER="1" COLOR="{LINE}"',
        "could run without a person",
    ),
    "subprocess": (
        "subprocess",
        f'BORDER="1" COLOR="{LINE}"',
        "double border: a whole process of its own",
    ),
    "parallel": (
        "+",
        f'BORDER="1" COLOR="{LINE}" BGCOLOR="{DECISION_FILL}"',
        "parallel: all its strands run, in any order; the join waits for all",
    ),
    "wait": (
        "wait …",
        f'BORDER="1" COLOR="{LINE}"',
        "after a clock (a circle, a quarter shaded): time passes, nobody works",
    ),
    "kpi": ("KPI: …", f'BORDER="1" COLOR="{LINE}"', "metric recorded at this step"),
    "added": ("+ added", f'BORDER="2" COLOR="{ADDED}"', "new in this version"),
    "changed": ("~ changed", f'BORDER="2" COLOR="{CHANGED}"', "name, owner or kind changed"),
    "removed": ("− removed", f'BORDER="1" COLOR="{REMOVED}"', "gone in this version (dashed)"),
}
_TAG_COLORS = {
    "critical": CRITICAL,
    "automated": AUTOMATED,
    "automatable": AUTOMATED,
    "added": ADDED,
    "changed": CHANGED,
    "removed": REMOVED,
}


_Arrow = tuple[str, str, str | None, str, bool]


ArrowKey = tuple[str, str, str | None]


@dataclass(frozen=True, slots=True)
class Overlay:
    """Figures drawn over the authored map (the measured map of `procmap.measure`).

    Steps are keyed by id and arrows by (source, target, label) as the map has them.
    Strings are DOT already: label parts are HTML-like text the caller escaped with
    `_html`, attributes are settings such as `penwidth=2.5`, and they win over the map's
    own. `to_dot` without an overlay is the authored map, byte for byte.
    """

    details: bool = True  # the authored details in each box: owner, duration, tools, KPIs
    #: False when the overlay colours the boxes itself: the legend then shows the marks
    #: without the map's own fills (pale blue for automated), which would mislead.
    fills: bool = True
    node_lines: Mapping[str, Sequence[str]] = field(default_factory=dict)
    node_attrs: Mapping[str, Sequence[str]] = field(default_factory=dict)
    edge_labels: Mapping[ArrowKey, str] = field(default_factory=dict)
    edge_attrs: Mapping[ArrowKey, Sequence[str]] = field(default_factory=dict)
    #: Arrows the map does not have (source id, target id, attributes), drawn last.
    extra_edges: Sequence[tuple[str, str, Sequence[str]]] = ()
    #: Rows of the heading table, under the title and goal, above the legend of marks.
    heading_rows: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class _Box:
    """One step as drawn: the step, the process it comes from, and its diff status."""

    step: StepLike
    owner: ProcessLike
    status: str  # "same", "added", "removed" or "changed"
    before: StepLike | None = None  # the previous version of a changed step
    #: the wait the step had in the previous version, when there is one and it differs
    #: ("" when it had none): its clock is then marked
    wait_before: str | None = None


def to_dot(
    process: ProcessLike,
    *,
    direction: str = "LR",
    lanes: bool = False,
    link: Callable[[str], str | None] | None = None,
    previous: ProcessLike | None = None,
    overlay: Overlay | None = None,
) -> str:
    """The flow map of `process` as DOT source (deterministic for the same input).

    `direction` is LR (default) or TB; `lanes` draws one swimlane per role; `link` maps a
    subprocess's process id to the URL its box links to in SVG; `previous`, an older
    version of the same process, draws the union with added, removed and changed marks;
    `overlay` adds figures, styles and arrows on top (see `Overlay`).
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    flow = Flow(process)
    boxes, edges = _union(process, flow, previous)
    ids = {sid: f"n{index}" for index, sid in enumerate(boxes)}
    marks: set[str] = set()
    node_lines = {
        sid: _node(ids[sid], box, link, marks, lanes, overlay) for sid, box in boxes.items()
    }
    clocks = _clocks(boxes, edges, ids, overlay)
    if clocks.nodes:
        marks.update({"wait", *clocks.marks})

    out = [
        "digraph procmap {",
        f'  graph [rankdir={direction}, newrank=true, fontname="{FONT}", fontcolor="{INK}",'
        " labelloc=t, labeljust=l, nodesep=0.35, ranksep=0.45, pad=0.3,"
        ' bgcolor="white"];',
        f'  node [fontname="{FONT}", fontsize=12, fontcolor="{INK}", color="{LINE}",'
        ' penwidth=1.2, margin="0.14,0.08"];',
        f'  edge [fontname="{FONT}", fontsize=10, fontcolor="{INK}", color="{LINE}",'
        " arrowsize=0.7, penwidth=1.1];",
    ]
    if lanes and boxes:
        forward = [(e[0], e[1]) for e in edges if not e[4]]
        depth = _depths(boxes, forward)
        first = min(boxes, key=lambda sid: depth[sid])
        last = max(boxes, key=lambda sid: depth[sid])
        swimlanes = _lanes(boxes, process)
        out.extend(_lane_lines(swimlanes, node_lines, ids, first, last, clocks.nodes))
    else:
        for sid in boxes:
            out.append(node_lines[sid])
            out.extend(clocks.nodes.get(sid, ()))
    for source, target, label, status, back in edges:
        key = (source, target, label)
        tail = clocks.out_of.get(source, ids[source])
        head = clocks.into.get(target, ids[target])
        out.append(_edge(tail, head, label, status, back, marks, overlay, key))
    out.extend(clocks.edges)
    if overlay is not None:
        out.extend(
            f"  {ids[source]} -> {ids[target]} [{', '.join(_last_wins(list(attrs)))}];"
            for source, target, attrs in overlay.extra_edges
            if source in ids and target in ids
        )
    rows = overlay.heading_rows if overlay is not None else ()
    fills = overlay is None or overlay.fills
    out.append(f"  label=<{_heading(process, marks, previous is not None, rows, fills)}>;")
    out.append("}")
    return "\n".join(out) + "\n"


# --- the union of two versions -------------------------------------------------------


def _union(
    process: ProcessLike, flow: Flow[StepLike], previous: ProcessLike | None
) -> tuple[dict[str, _Box], list[_Arrow]]:
    """Boxes in drawing order and arrows (source, target, label, status, closes a loop)."""
    boxes: dict[str, _Box] = {}
    if previous is None:
        for sid in flow.order:
            boxes[sid] = _Box(flow.steps[sid], process, "same")
        return boxes, [
            (e.source, e.target, e.label, "same", (e.source, e.target) in flow.back_edges)
            for e in flow.edges
        ]

    old = Flow(previous)
    new_id = renamed_steps(old.steps, flow.steps)  # a new id alone is no change on the map
    old_id = {b: a for a, b in new_id.items()}
    for sid in flow.order:
        step = flow.steps[sid]
        before = old.steps.get(old_id.get(sid, sid))
        if before is None:
            status = "added"
        elif before.name != step.name or before.owner != step.owner or before.kind != step.kind:
            status = "changed"
        else:
            status = "same"
        wait_before = None
        if before is not None and before.wait_minutes != step.wait_minutes:
            wait_before = before.wait or ""
        boxes[sid] = _Box(
            step, process, status, before if status == "changed" else None, wait_before
        )
    for sid in old.order:
        if sid not in boxes and sid not in new_id:
            boxes[sid] = _Box(old.steps[sid], previous, "removed")

    def now(sid: str) -> str:
        return new_id.get(sid, sid)

    old_edges = {(now(e.source), now(e.target), e.label) for e in old.edges}
    new_edges = {(e.source, e.target, e.label) for e in flow.edges}
    edges = [
        (
            e.source,
            e.target,
            e.label,
            "same" if (e.source, e.target, e.label) in old_edges else "added",
            (e.source, e.target) in flow.back_edges,
        )
        for e in flow.edges
    ]
    edges.extend(
        (now(e.source), now(e.target), e.label, "removed", (e.source, e.target) in old.back_edges)
        for e in old.edges
        if (now(e.source), now(e.target), e.label) not in new_edges
    )
    return boxes, edges


def _lane_lines(
    swimlanes: list[tuple[str, list[str]]],
    node_lines: dict[str, str],
    ids: dict[str, str],
    first: str,
    last: str,
    clocks: Mapping[str, Sequence[str]],
) -> list[str]:
    """One cluster per lane, stretched across the map, written in roles order; a step's
    clock (`clocks`) in the step's lane.

    Each lane holds two invisible anchors, all heads on one rank just before the first
    step and all tails on one rank just after the last, so every lane spans the whole map
    with no long invisible arrows (their hidden bends push real arrows round the lanes).
    Graphviz has no hard cluster order: it keeps the written order unless moving a lane
    saves crossings. Forcing the order (tried) made arrows detour far outside the lanes.
    """
    heads = [f"lane{i}a" for i in range(len(swimlanes))]
    tails = [f"lane{i}z" for i in range(len(swimlanes))]
    out: list[str] = []
    for index, (title, members) in enumerate(swimlanes):
        out.append(f"  subgraph cluster_lane{index} {{")
        out.append(
            f'    graph [label=<<B>{_html(title)}</B>>, style="filled", fillcolor="{LANE_FILL}",'
            f' color="{LANE_LINE}", fontsize=11, fontcolor="{QUIET}", labeljust=l];'
        )
        out.append(f"    {heads[index]} [{_ANCHOR}];")
        out.append(f"    {tails[index]} [{_ANCHOR}];")
        for sid in members:
            out.append(f"  {node_lines[sid]}")
            out.extend(f"  {line}" for line in clocks.get(sid, ()))
        out.append("  }")
    out.append(f"  {{ rank=same; {'; '.join(heads)}; }}")
    out.append(f"  {{ rank=same; {'; '.join(tails)}; }}")
    lane_of = {sid: index for index, (_title, members) in enumerate(swimlanes) for sid in members}
    out.append(f"  {heads[lane_of[first]]} -> {ids[first]} [style=invis];")
    out.append(f"  {ids[last]} -> {tails[lane_of[last]]} [style=invis];")
    return out


def _depths(boxes: dict[str, _Box], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Longest chain of arrows leading to each box (loops ignored): its column on the map."""
    succ: dict[str, list[str]] = {sid: [] for sid in boxes}
    indegree = dict.fromkeys(boxes, 0)
    for source, target in edges:
        succ[source].append(target)
        indegree[target] += 1
    depth = dict.fromkeys(boxes, 0)
    queue = deque(sid for sid in boxes if indegree[sid] == 0)
    while queue:
        sid = queue.popleft()
        for target in succ[sid]:
            depth[target] = max(depth[target], depth[sid] + 1)
            indegree[target] -= 1
            if indegree[target] == 0:
                queue.append(target)
    return depth


def _lanes(boxes: dict[str, _Box], process: ProcessLike) -> list[tuple[str, list[str]]]:
    """Swimlanes in roles declaration order, then undeclared owners, then steps with none.

    A start, decision, parallel split, join or end without an owner sits in the lane of
    the step next to it (the one before it; after it for a start), as in BPMN; a task without
    an owner goes to the "No owner" lane, where it shows.
    """
    pred: dict[str, list[str]] = {sid: [] for sid in boxes}
    succ: dict[str, list[str]] = {sid: [] for sid in boxes}
    for sid, box in boxes.items():
        for _label, target in box.step.targets():
            if target in boxes:
                succ[sid].append(target)
                pred[target].append(sid)
    lane: dict[str, str | None] = {}
    for sid, box in boxes.items():
        lane[sid] = box.step.owner
        if lane[sid] is None and box.step.kind in ("decision", "end", *GATEWAYS):
            lane[sid] = next((lane[p] for p in pred[sid] if lane.get(p)), None)
    for sid, box in boxes.items():
        if lane[sid] is None and box.step.kind == "start":
            lane[sid] = next((lane[t] for t in succ[sid] if lane.get(t)), None)
    members: dict[str | None, list[str]] = {}
    for sid in boxes:
        members.setdefault(lane[sid], []).append(sid)
    order: list[str | None] = [role for role in process.roles if role in members]
    order.extend(role for role in members if role is not None and role not in order)
    if None in members:
        order.append(None)
    return [
        ("No owner" if role is None else process.role_name(role) or role, members[role])
        for role in order
    ]


# --- waits -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Clocks:
    """The clocks of the steps that wait: the node each arrow into a waiting step ends at
    (`into`), or leaves a waiting join from (`out_of`), each clock's node line by its
    step (`nodes`), and the arrows between a clock and its step, with the wait (`edges`)."""

    into: dict[str, str] = field(default_factory=dict)
    out_of: dict[str, str] = field(default_factory=dict)
    nodes: dict[str, list[str]] = field(default_factory=dict)
    edges: list[str] = field(default_factory=list)
    marks: set[str] = field(default_factory=set)  # the change marks the clocks use


def _clocks(
    boxes: Mapping[str, _Box],
    edges: Sequence[_Arrow],
    ids: Mapping[str, str],
    overlay: Overlay | None,
) -> _Clocks:
    """A clock for each step with a `wait`: a small node on the way into the step, with
    "wait 7 days" on its arrow into the step; the arrows that led to the step lead to the
    clock, so a step reached several ways shows its wait once. A join's wait starts when
    its last strand arrives: its clock is on the way out. A drawn clock, not a character,
    so that every font shows it. On a measured map, the arrow from the clock takes the
    look of the one arrow into it (its width by count)."""
    clocks = _Clocks()
    for sid, box in boxes.items():
        shown = _clock_status(box)
        if shown is None:
            continue
        status, text = shown
        if status != "same":
            clocks.marks.add(status)
        clock = f"{ids[sid]}w"
        after = box.step.kind == "join"
        arrows = [e for e in edges if e[0 if after else 1] == sid]
        attrs = [f"label=<{_on_white(_html(text))}>", *_status_look(status)]
        if overlay is not None and len(arrows) == 1:
            attrs = _last_wins(attrs + list(overlay.edge_attrs.get(arrows[0][:3], ())))
        if after:
            clocks.out_of[sid] = clock
            clocks.edges.append(f"  {ids[sid]} -> {clock} [{', '.join(attrs)}];")
        else:
            clocks.into[sid] = clock
            clocks.edges.append(f"  {clock} -> {ids[sid]} [{', '.join(attrs)}];")
        clocks.nodes[sid] = [f"  {clock} [{', '.join(_clock_look(status))}];"]
    return clocks


def _clock_status(box: _Box) -> tuple[str, str] | None:
    """How a step's clock is drawn against the previous version: its status and its
    arrow's text; None when the step waits in neither version."""
    now, then = duration_text(box.step.wait), box.wait_before
    if then is None or box.status in ("added", "removed"):  # the wait is as the step is
        status = box.status if box.status in ("added", "removed") else "same"
        return None if now is None else (status, f"wait {now}")
    if now is None:  # the step no longer waits
        return "removed", f"wait {duration_text(then)}"
    if not then:
        return "added", f"wait {now}"
    return "changed", f"wait {now}, was {duration_text(then)}"


def _on_white(html: str) -> str:
    """A label on a white ground, so that an arrow drawn through it (a thick one on the
    measured map) never crosses out the wait."""
    return (
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1" BGCOLOR="white">'
        f"<TR><TD>{html}</TD></TR></TABLE>"
    )


def _clock_look(status: str) -> list[str]:
    """A clock face: a small circle with its first quarter shaded (as the character ◔,
    which few fonts have)."""
    color = REMOVED if status == "removed" else QUIET
    attrs = [
        "shape=circle",
        'style="wedged"',
        f'fillcolor="{color};0.25:white"',
        "width=0.3",
        "height=0.3",
        "fixedsize=true",
        'label=""',
    ]
    if status in ("added", "changed"):
        attrs += [f'color="{ADDED if status == "added" else CHANGED}"', "penwidth=2.4"]
    elif status == "removed":
        attrs += ['style="wedged,dashed"', f'color="{REMOVED}"']
    return _last_wins(attrs)


def _status_look(status: str) -> list[str]:
    """The colours of an added or removed arrow (of a changed wait: only a clock's)."""
    if status in ("added", "changed"):
        color = ADDED if status == "added" else CHANGED
        return [f'color="{color}"', f'fontcolor="{color}"', "penwidth=2.4"]
    if status == "removed":
        return [f'color="{REMOVED}"', f'fontcolor="{REMOVED}"', 'style="dashed"']
    return []


# --- nodes and edges -------------------------------------------------------------------


def _node(
    node_id: str,
    box: _Box,
    link: Callable[[str], str | None] | None,
    marks: set[str],
    lanes: bool,
    overlay: Overlay | None = None,
) -> str:
    """A step's DOT node: its label (tags, name, details, overlay lines) and attributes."""
    step = box.step
    tags = _tags(box)
    details = _details(box, lanes, marks) if overlay is None or overlay.details else []
    label_parts = _label(step, tags, details)
    marks.update(tags)
    if step.kind in GATEWAYS:
        marks.add("parallel")
    attrs = _shape(step)
    if overlay is not None:
        label_parts.extend(overlay.node_lines.get(step.id, ()))
    attrs += _emphasis(box, link, marks)
    if overlay is not None:
        attrs.extend(overlay.node_attrs.get(step.id, ()))
    attrs.append(f"label=<{'<BR/>'.join(label_parts)}>")
    return f"  {node_id} [{', '.join(_last_wins(attrs))}];"


def _tags(box: _Box) -> list[str]:
    """The legend tags a step shows above its name: its change, critical, automation."""
    step = box.step
    tags: list[str] = []
    if box.status != "same":
        tags.append(box.status)
    if step.critical:
        tags.append("critical")
    if step.automated:
        tags.append("automated")
    elif step.automatable:
        tags.append("automatable")
    return tags


def _label(step: StepLike, tags: list[str], details: list[list[str]]) -> list[str]:
    """The parts of a step's HTML label: tags, the wrapped name, the process it runs and
    the quiet detail lines."""
    width = DECISION_WIDTH if step.kind in ("decision", *GATEWAYS) else NAME_WIDTH
    label_parts = []
    if step.kind in GATEWAYS:
        label_parts.append('<FONT POINT-SIZE="24"><B>+</B></FONT>')
    if tags:
        label_parts.append(
            "  ".join(
                f'<FONT POINT-SIZE="9" COLOR="{_TAG_COLORS[tag]}"><B>{_html(_LEGEND[tag][0])}</B></FONT>'
                for tag in tags
            )
        )
    label_parts.append("<BR/>".join(_html(line) for line in _wrap(step.name, width)))
    if step.kind == "subprocess" and step.process:
        label_parts.append(
            f'<FONT POINT-SIZE="9" COLOR="{QUIET}">runs process {_html(step.process)}</FONT>'
        )
    for detail in details:
        if not "".join(detail).strip():
            continue
        lines = "<BR/>".join(_html(line) for line in detail)
        label_parts.append(f'<FONT POINT-SIZE="9" COLOR="{QUIET}">{lines}</FONT>')
    return label_parts


def _shape(step: StepLike) -> list[str]:
    """A step's shape and fill by its kind."""
    if step.kind in ("start", "end"):
        return ["shape=box", 'style="rounded,filled"', f'fillcolor="{TERMINAL_FILL}"']
    if step.kind in ("decision", *GATEWAYS):
        return [
            "shape=diamond",
            'style="filled"',
            f'fillcolor="{DECISION_FILL}"',
            'margin="0.02,0.02"',
        ]
    fill = AUTOMATED_FILL if step.automated else "white"
    return ["shape=box", 'style="filled"', f'fillcolor="{fill}"']


def _emphasis(box: _Box, link: Callable[[str], str | None] | None, marks: set[str]) -> list[str]:
    """A step's other attributes: the double border and link of a subprocess, the thick
    border of a critical step, and the colours of a change."""
    step = box.step
    attrs: list[str] = []
    if step.kind == "subprocess":
        attrs.append("peripheries=2")
        marks.add("subprocess")
        url = link(step.process) if (link is not None and step.process) else None
        if url:
            tooltip = _quoted(f"Open {step.process}")
            attrs += [f"URL={_quoted(_url(url))}", 'target="_top"', f"tooltip={tooltip}"]
    if step.critical:
        attrs += ["penwidth=3", f'color="{CRITICAL}"']
    if box.status == "added":
        attrs += ["penwidth=3" if step.critical else "penwidth=2.4", f'color="{ADDED}"']
    elif box.status == "changed":
        attrs += ["penwidth=3" if step.critical else "penwidth=2.4", f'color="{CHANGED}"']
    elif box.status == "removed":
        style = "rounded,dashed" if step.kind in ("start", "end") else "dashed"
        attrs += [f'style="{style}"', f'color="{REMOVED}"', f'fontcolor="{REMOVED}"']
    return attrs


def _details(box: _Box, lanes: bool, marks: set[str]) -> list[list[str]]:
    """The quiet lines under a step's name: owner and duration, tools, what it was, KPIs."""
    step = box.step
    details: list[list[str]] = []
    # In lanes the lane names the owner already.
    owner = None if lanes else box.owner.role_name(step.owner)
    head = [part for part in (owner, duration_text(step.duration)) if part and part.strip()]
    if head:
        details.append(_wrap(" · ".join(head), DETAIL_WIDTH))
    if step.tools:
        details.append(_wrap_items([box.owner.tools.get(t, t) for t in step.tools]))
    if box.before is not None:
        details.extend(_wrap(line, DETAIL_WIDTH) for line in _was(box.before, step, box.owner))
    for metric_id in step.metrics:
        metric = box.owner.metrics.get(metric_id)
        details.append(
            _wrap(f"KPI: {metric.name if metric is not None else metric_id}", DETAIL_WIDTH)
        )
        marks.add("kpi")
    return details


def _edge(
    source: str,
    target: str,
    label: str | None,
    status: str,
    back: bool,
    marks: set[str],
    overlay: Overlay | None = None,
    key: ArrowKey | None = None,
) -> str:
    attrs: list[str] = []
    text = overlay.edge_labels.get(key) if overlay is not None and key is not None else None
    if text is not None:
        attrs.append(f"label=<{text}>")
    elif label is not None:
        attrs.append(f"label=<{'<BR/>'.join(_html(line) for line in _wrap(label, NAME_WIDTH))}>")
    if back:
        # A loop goes back against the flow: written forwards and drawn backwards, so it
        # never pulls a later step in front of an earlier one.
        source, target = target, source
        attrs.append("dir=back")
    attrs += _status_look(status)
    if status in ("added", "removed"):
        marks.add(status)
    if overlay is not None and key is not None:
        attrs = _last_wins(attrs + list(overlay.edge_attrs.get(key, ())))
    suffix = f" [{', '.join(attrs)}]" if attrs else ""
    return f"  {source} -> {target}{suffix};"


def _heading(
    process: ProcessLike,
    marks: set[str],
    diff: bool,
    extra: Sequence[str] = (),
    fills: bool = True,
) -> str:
    """Title, goal, `extra` rows and the legend of the marks used, as one HTML-like table."""
    rows = [
        f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="18"><B>{_html(process.name)}</B></FONT></TD></TR>'
    ]
    if process.goal:
        goal = '<BR ALIGN="LEFT"/>'.join(_html(line) for line in _wrap(process.goal, TITLE_WIDTH))
        rows.append(
            f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="11" COLOR="{QUIET}">Goal: {goal}'
            '<BR ALIGN="LEFT"/></FONT></TD></TR>'
        )
    if diff:
        rows.append(
            f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="11" COLOR="{QUIET}">'
            "Changes against the previous version are marked.</FONT></TD></TR>"
        )
    rows.extend(extra)
    used = [mark for mark in _LEGEND if mark in marks]
    if used:
        grid = []
        for start in range(0, len(used), LEGEND_COLUMNS):
            cells = [_legend_item(mark, fills) for mark in used[start : start + LEGEND_COLUMNS]]
            grid.append(f"<TR>{''.join(cells)}</TR>")
        rows.append(
            '<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4"'
            f' CELLPADDING="1">{"".join(grid)}</TABLE></TD></TR>'
        )
    return (
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">'
        + "".join(rows)
        + "</TABLE>"
    )


def _legend_item(mark: str, fills: bool = True) -> str:
    """Two cells: a sample of the mark as drawn, and what it means."""
    sample, cell, meaning = _LEGEND[mark]
    if not fills:
        cell = re.sub(r' BGCOLOR="[^"]*"', "", cell)
    color = _TAG_COLORS.get(mark, QUIET)
    inner = f'<FONT POINT-SIZE="9" COLOR="{color}"><B>{_html(sample)}</B></FONT>'
    if mark == "subprocess":
        inner = (
            f'<TABLE BORDER="1" COLOR="{LINE}" CELLBORDER="0" CELLPADDING="1"'
            f' CELLSPACING="0"><TR><TD>{inner}</TD></TR></TABLE>'
        )
    elif mark == "removed":
        cell += ' STYLE="dashed"'
    elif mark == "parallel":
        inner = '<FONT POINT-SIZE="14"><B>+</B></FONT>'
    return (
        f'<TD {cell} CELLPADDING="3">{inner}</TD>'
        f'<TD ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="{QUIET}">{_html(meaning)}</FONT></TD>'
    )


def _was(before: StepLike, step: StepLike, process: ProcessLike) -> list[str]:
    """Quiet lines saying what a changed step was before."""
    lines = []
    if before.name != step.name:
        lines.append(f"was: {before.name}")
    if before.owner != step.owner:
        lines.append(f"owner was: {process.role_name(before.owner) or 'nobody'}")
    if before.kind != step.kind:
        lines.append(f"was a {before.kind}")
    return lines

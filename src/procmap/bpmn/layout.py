"""Diagram interchange (BPMNDI) positions from Graphviz's layout of the flow.

Owns: the placement of every flow node, lane and the pool, and the waypoints of every
sequence flow, in BPMN coordinates (pixels, top-left origin). Graphviz's `dot` lays out
the same graph left to right (`dot -Tjson`, shapes at BPMN's standard sizes), which gives
each node its column and the order of nodes within a column; lanes are then stacked as
horizontal bands, one per role, and within its lane a node keeps Graphviz's order,
moved down a row only where it would overlap another node. Flows are drawn as
orthogonal lines: forwards out of the right side (out of the top or bottom of a
gateway), backwards (loops) along the gap under the row.

Must not know: BPMN element names or XML (that is `export`).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

#: BPMN's standard sizes (bpmn-js and bpmnlint's `standard-size`).
SIZES = {"event": (36, 36), "gateway": (50, 50), "activity": (100, 80)}
ROW = 110  # height of a row in a lane
GAP = 30  # at least this much space between two nodes of one row
HEADER = 30  # the name column of the pool and of each lane
MARGIN = 40  # inside the pool or lane, around the nodes
ORIGIN = (160, 80)  # top-left corner of the pool
SCALE = 1.0  # Graphviz points to BPMN pixels


@dataclass
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass
class Layout:
    pool: Box
    lanes: dict[str, Box]
    nodes: dict[str, Box]
    edges: dict[str, list[tuple[float, float]]]


def _dot(nodes: dict[str, str], edges: list[tuple[str, str, str]]) -> str:
    lines = [
        "digraph bpmn {",
        "  graph [rankdir=LR, nodesep=0.5, ranksep=0.6];",
        '  node [shape=box, fixedsize=true, label=""];',
    ]
    for index, (node, shape) in enumerate(nodes.items()):
        width, height = SIZES[shape]
        lines.append(f'  n{index} [width={width / 72:.4f}, height={height / 72:.4f}, id="{node}"];')
    number = {node: f"n{i}" for i, node in enumerate(nodes)}
    for _flow, source, target in edges:
        lines.append(f"  {number[source]} -> {number[target]};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def graphviz_positions(
    nodes: dict[str, str], edges: list[tuple[str, str, str]]
) -> dict[str, tuple[float, float]]:
    """Node -> (x, y) of its centre as `dot` places it (points, y downwards)."""
    from ..render import draw

    out = json.loads(draw(_dot(nodes, edges), "json"))
    height = float(out["bb"].split(",")[3])
    names = list(nodes)
    found: dict[str, tuple[float, float]] = {}
    for obj in out.get("objects", []):
        name = obj.get("name", "")
        if name.startswith("n") and name[1:].isdigit() and "pos" in obj:
            x, y = (float(v) for v in obj["pos"].split(","))
            found[names[int(name[1:])]] = (x * SCALE, (height - y) * SCALE)
    return found


def lay_out(
    nodes: dict[str, str],
    lane_of: dict[str, str | None],
    lanes: list[str],
    edges: list[tuple[str, str, str]],
) -> Layout:
    """Positions for `nodes` (id -> event, gateway or activity) in `lanes` (ids in order;
    empty for a pool without lanes), `lane_of` each node, and `edges` (flow, source, target)."""
    centre = graphviz_positions(nodes, edges)
    bands = lanes or [""]
    left = ORIGIN[0] + HEADER + (HEADER if lanes else 0) + MARGIN
    xs = {n: left + centre[n][0] for n in nodes}
    rows: dict[str, int] = {}
    lane_rows: dict[str, int] = {}
    for band in bands:
        members = [n for n in nodes if (lane_of.get(n) or "") == band or not lanes]
        members.sort(key=lambda n: (centre[n][1], centre[n][0]))
        taken: list[list[tuple[float, float]]] = []
        for node in members:
            width = SIZES[nodes[node]][0]
            span = (xs[node] - width / 2 - GAP / 2, xs[node] + width / 2 + GAP / 2)
            for index, used in enumerate(taken):
                if all(span[1] <= a or span[0] >= b for a, b in used):
                    used.append(span)
                    rows[node] = index
                    break
            else:
                taken.append([span])
                rows[node] = len(taken) - 1
        lane_rows[band] = max(1, len(taken))
    top: float = ORIGIN[1]
    lane_boxes: dict[str, Box] = {}
    boxes: dict[str, Box] = {}
    right = max((xs[n] + SIZES[nodes[n]][0] / 2 for n in nodes), default=left) + MARGIN
    lane_x = ORIGIN[0] + HEADER
    for band in bands:
        height = lane_rows[band] * ROW + 2 * (MARGIN / 2)
        lane_boxes[band] = Box(lane_x, top, right - lane_x, height)
        for node in nodes:
            if (lane_of.get(node) or "") == band or not lanes:
                width, tall = SIZES[nodes[node]]
                cy = top + MARGIN / 2 + rows[node] * ROW + ROW / 2
                boxes[node] = Box(xs[node] - width / 2, cy - tall / 2, width, tall)
        top += height
    pool = Box(ORIGIN[0], ORIGIN[1], right - ORIGIN[0], top - ORIGIN[1])
    routes: dict[str, list[tuple[float, float]]] = {}
    ends: tuple[set[tuple[float, float]], set[tuple[float, float]]] = (set(), set())
    for flow, s, t in edges:
        others = [b for n, b in boxes.items() if n not in (s, t)]
        route = _route(boxes[s], boxes[t], nodes[s], others, ends)
        ends[0].add(route[0])
        ends[1].add(route[-1])
        routes[flow] = route
    return Layout(pool, lane_boxes if lanes else {}, boxes, routes)


def _route(
    source: Box,
    target: Box,
    kind: str,
    others: list[Box],
    ends: tuple[set[tuple[float, float]], set[tuple[float, float]]] = (set(), set()),
) -> list[tuple[float, float]]:
    """Orthogonal waypoints from `source` to `target`: the first of the usual routes that
    crosses no other shape (`others`), else the first of them. A route does not leave
    where an earlier flow arrives, nor arrive where one leaves (`ends`: the starts and
    the ends of the routes so far), so that no arrow seems to point both ways (a loop
    back into a merge that then leaves downwards for a join)."""
    candidates: list[list[tuple[float, float]]] = []
    if target.x >= source.right + 10:  # forwards
        if abs(source.cy - target.cy) < 1:
            candidates.append([(source.right, source.cy), (target.x, target.cy)])
        if kind == "gateway":  # out of the top or bottom corner, as modelers draw it
            y = source.y if target.cy < source.cy else source.bottom
            candidates.append([(source.cx, y), (source.cx, target.cy), (target.x, target.cy)])
        for turn in (
            (source.right + target.x) / 2,
            target.x - 15,
            source.right + 15,
        ):
            candidates.append(
                [
                    (source.right, source.cy),
                    (turn, source.cy),
                    (turn, target.cy),
                    (target.x, target.cy),
                ]
            )
    # backwards or in the same column: along the gap under (or over) the rows
    for below in (max(source.cy, target.cy) + ROW / 2, min(source.cy, target.cy) - ROW / 2):
        out_y = source.bottom if below > source.cy else source.y
        in_y = target.bottom if below > target.cy else target.y
        candidates.append(
            [(source.cx, out_y), (source.cx, below), (target.cx, below), (target.cx, in_y)]
        )
    starts, arrivals = ends
    usable = [r for r in candidates if r[0] not in arrivals and r[-1] not in starts]
    for route in usable:
        if not any(_crosses(route, box) for box in others):
            return route
    return (usable or candidates)[0]


def _crosses(route: list[tuple[float, float]], box: Box) -> bool:
    """Whether a segment of the orthogonal `route` passes through the inside of `box`."""
    margin = 2
    for (x1, y1), (x2, y2) in itertools.pairwise(route):
        left, right = min(x1, x2), max(x1, x2)
        top, bottom = min(y1, y2), max(y1, y2)
        if (
            left < box.right - margin
            and right > box.x + margin
            and top < box.bottom - margin
            and bottom > box.y + margin
        ):
            return True
    return False

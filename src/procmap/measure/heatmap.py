"""The measured map: the authored flow map as a heat map of what an event log shows.

Owns: turning a measure result (the dict `procmap measure --format json` prints) into
figures on the authored map: arrows labelled with how often they were taken, their share
after a decision and their median time, pen width by count; steps shaded by their p90
waiting time on a sequential scale with a legend (steps that never wait stay white),
with their figures in the box (a join's block, its time from split to join; a step
with a `wait:`, the waiting measured before it beside the declared one); steps
the log never reached greyed and dashed (a decision or an end reached by the cases that
end there is reached); arrows the log took that the map does not have, dashed in a
warning colour, counting every such transition (`conformance.off_map`), and in words those
whose steps are not on the map (an unmapped activity, a case's first event that no start
leads to). Writing `<id>.measured.svg` (and the Markdown report) atomically.

Must not know: logs or how the figures are computed (it reads the result), options, exit
statuses. The layout, shapes and escaping are the flow map's (`procmap.render.to_dot`
with an `Overlay`): every user string reaches DOT through `html_text`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .._files import write_atomic
from ..format import Flow, ProcessLike, StepLike
from ..render import (
    INK,
    LINE,
    QUIET,
    REMOVED,
    Overlay,
    draw,
    html_text,
    human_duration,
    to_dot,
    wrap_text,
)

if TYPE_CHECKING:
    from ..render import ArrowFigures, Deviation, MeasureResult, OffMap, Span, StepFigures

#: Light to dark: p90 waiting before a step, the more the darker (ColorBrewer Purples,
#: kept light enough that dark text stays readable on the darkest, contrast above 5:1).
#: Purple, because the map's other accents are blue (automated) and red (critical).
SHADES = ("#F4F3F9", "#DFDDEE", "#C6C4E1", "#ADA9D3", "#9691C6")
#: Arrows the log took that the map does not have: a deep red, 6.5:1 on white.
WARNING = "#B42318"
PLAIN_FILL = "white"
MIN_PEN = 1.0
MAX_PEN = 6.0
LABEL_WIDTH = 24

#: Round class boundaries for the legend, in seconds: 1m 5m 15m 30m 1h 2h 4h 8h 1d 2d 3d
#: 1w 2w 4w 8w 13w 26w 52w.
_NICE = (
    60,
    300,
    900,
    1800,
    3600,
    7200,
    14400,
    28800,
    86400,
    172800,
    259200,
    604800,
    1209600,
    2419200,
    4838400,
    7862400,
    15724800,
    31449600,
)


def percent(share: float) -> str:
    """A fraction 0..1 as a whole percent; a share under one percent is `<1%`, not `0%`."""
    value = share * 100
    return "<1%" if 0 < value < 0.5 else f"{value:.0f}%"


#: An arrow of the map: (from, to, label).
_Key = tuple[str, str, str | None]


def measured_dot(
    process: ProcessLike, result: MeasureResult, *, direction: str = "LR", lanes: bool = False
) -> str:
    """The authored map of `process` with the figures of `result` on it, as DOT source.

    `result` is a measure result (what `procmap measure --format json` prints: durations
    in seconds, shares 0..1); only its figures are drawn, nothing is recomputed. Steps
    with no cases that no taken arrow touches are drawn grey and dashed, "never in the
    log". Deterministic: the same process and result give the same bytes.
    """
    flow = Flow(process)
    arrows = {(a["from"], a["to"], a.get("label")): a for a in result.get("arrows", [])}
    conformance = result.get("conformance") or {}
    # every transition off the map; a result of before it had only each case's first
    leaving: Sequence[OffMap | Deviation] = (
        conformance["off_map"] if "off_map" in conformance else conformance.get("deviations", [])
    )
    deviations = [d for d in leaving if d.get("count", 0) > 0]
    counts = [a.get("count", 0) for a in arrows.values()] + [d["count"] for d in deviations]
    most = max(counts, default=0)
    steps = {entry["id"]: entry for entry in result.get("steps", [])}
    waits = {
        sid: float(p90)
        for sid, entry in steps.items()
        if entry.get("cases", 0) > 0
        and (wait := entry.get("waiting")) is not None
        and (p90 := wait.get("p90")) is not None
    }
    bounds = shade_bounds(sorted(waits.values()))
    nodes = _Nodes(waits, bounds)
    nodes.add_steps(flow, steps, _reached(arrows))
    nodes.add_timings(result)
    edge_labels, edge_attrs = _edges(flow, arrows, _expected(result), most)
    extra_edges, missing = _off_map(flow, deviations, most)
    overlay = Overlay(
        details=False,
        fills=False,
        node_lines=nodes.lines,
        node_attrs=nodes.attrs,
        edge_labels=edge_labels,
        edge_attrs=edge_attrs,
        extra_edges=extra_edges,
        heading_rows=_heading_rows(
            result,
            bounds,
            bool(extra_edges),
            missing,
            idle=0.0 in waits.values(),
            timed=bool(waits),
        ),
    )
    return to_dot(process, direction=direction, lanes=lanes, overlay=overlay)


def _reached(arrows: Mapping[_Key, ArrowFigures]) -> set[str]:
    """Decisions, and ends without an event, have no cases of their own: a step counts as
    reached when it has cases or a taken arrow touches it; the others are greyed."""
    return {
        sid
        for (source, target, _label), a in arrows.items()
        if a.get("count", 0) > 0
        for sid in (source, target)
    }


def _expected(result: MeasureResult) -> dict[_Key, float | None]:
    """The declared share of each decision's branch, by arrow."""
    return {
        (b["decision"], b["to"], b.get("label")): b.get("expected")
        for b in result.get("branches", [])
    }


class _Nodes:
    """The figures in each step's box (`lines`) and its look (`attrs`): shaded by its p90
    wait among `waits` on the scale of `bounds`."""

    def __init__(self, waits: Mapping[str, float], bounds: Sequence[float]) -> None:
        self.waits = waits
        self.bounds = bounds
        self.lines: dict[str, list[str]] = {}
        self.attrs: dict[str, list[str]] = {}

    def add_steps(
        self, flow: Flow[StepLike], steps: Mapping[str, StepFigures], reached: set[str]
    ) -> None:
        for sid, step in flow.steps.items():
            entry = steps.get(sid)
            cases = int(entry.get("cases", 0)) if entry is not None else 0
            terminal = step.kind in ("start", "end")
            if cases == 0 and sid not in reached:
                self._never(sid, terminal)
            elif cases:  # else a decision or an end without events: its arrows carry figures
                assert entry is not None
                self._measured(sid, entry, cases, terminal)

    def add_timings(self, result: MeasureResult) -> None:
        """Under each join, its block's time from split to join; under each step with a
        `wait:`, the waiting measured before it beside the declared wait."""
        for block in result.get("blocks", []):
            time = block.get("time")
            if time is not None and time.get("p50") is not None:
                text = f"split to join: median {human_duration(time['p50'])}"
                text += f", p90 {human_duration(time['p90'])}"
                self._add(block["join"] or block["split"], text)
        for wait in result.get("waits", []):
            measured = wait.get("measured")
            if measured is not None and measured.get("p50") is not None:
                declared = human_duration(wait["declared"])
                text = f"waited: median {human_duration(measured['p50'])} (declared {declared})"
                self._add(wait["step"], text)

    def _add(self, sid: str, text: str) -> None:
        self.lines.setdefault(sid, []).append(_small(html_text(text), INK))

    def _never(self, sid: str, terminal: bool) -> None:
        style = "rounded,dashed" if terminal else "dashed"
        self.attrs[sid] = [
            f'style="{style}"',
            f'color="{REMOVED}"',
            f'fontcolor="{REMOVED}"',
            f'fillcolor="{PLAIN_FILL}"',
            "penwidth=1.2",
        ]
        self.lines[sid] = [_small("never in the log", REMOVED)]

    def _measured(self, sid: str, entry: StepFigures, cases: int, terminal: bool) -> None:
        waits = self.waits
        figures = [f"{cases:,} cases"]
        self.attrs[sid] = [f'fillcolor="{PLAIN_FILL}"']  # white: no shade, no wait
        if waits.get(sid) == 0:
            figures.append("no wait")  # white, like a step without start times
        elif sid in waits:
            figures.append(f"p90 wait {human_duration(waits[sid])}")
            fill = SHADES[shade_of(waits[sid], self.bounds)]
            style = "rounded,filled" if terminal else "filled"
            self.attrs[sid] = [f'style="{style}"', f'fillcolor="{fill}"']
        lines = [" · ".join(figures)]
        processing = entry.get("processing")
        if processing is not None and processing.get("p50") is not None:
            lines.append(f"median work {human_duration(processing['p50'])}")
        self.lines[sid] = [_small("<BR/>".join(html_text(line) for line in lines), INK)]


def _edges(
    flow: Flow[StepLike],
    arrows: Mapping[_Key, ArrowFigures],
    expected: Mapping[_Key, float | None],
    most: int,
) -> tuple[dict[_Key, str], dict[_Key, list[str]]]:
    """Each arrow's label (its branch, how often taken, share, median) and look."""
    labels: dict[_Key, str] = {}
    attrs: dict[_Key, list[str]] = {}
    for edge in flow.edges:
        key = (edge.source, edge.target, edge.label)
        arrow = arrows.get(key)
        count = int(arrow.get("count", 0)) if arrow is not None else 0
        parts = []
        if edge.label is not None:
            text = "<BR/>".join(html_text(line) for line in wrap_text(edge.label, LABEL_WIDTH))
            parts.append(f"<B>{text}</B>")
        if arrow is None or count == 0:
            parts.append(html_text("never taken"))
            attrs[key] = [f'color="{REMOVED}"', f'fontcolor="{REMOVED}"', 'style="dashed"']
        else:
            parts += _taken(arrow, count, expected.get(key))
            attrs[key] = [f"penwidth={pen_width(count, most):.2f}"]
        labels[key] = _on_white("<BR/>".join(parts))
    return labels, attrs


def _taken(arrow: ArrowFigures, count: int, plan: float | None) -> list[str]:
    """The label lines of an arrow taken `count` times."""
    taken = f"{count:,}×"
    share = arrow.get("share")
    if share is not None:
        taken += f" · {percent(share)}"
        if plan is not None:
            taken += f" (plan {plan:g}%)"
    parts = [html_text(taken)]
    if arrow.get("p50") is not None:
        parts.append(html_text(f"median {human_duration(arrow['p50'])}"))
    return parts


def _off_map(
    flow: Flow[StepLike], deviations: Sequence[OffMap | Deviation], most: int
) -> tuple[list[tuple[str, str, list[str]]], list[str]]:
    """The arrows the log took that the map does not have, dashed in the warning colour;
    and, in words, those whose steps are not on the map (by id, or the activity that maps
    to no step): "12 cases began at review" (a first event no start leads to), "review →
    Email sent (7×)"."""
    extra_edges = []
    missing = []
    for deviation in deviations:
        source, target, count = deviation["from"], deviation["to"], int(deviation["count"])
        if source is None:
            missing.append(f"{count:,} case{'' if count == 1 else 's'} began at {target}")
            continue
        if source not in flow.steps or target not in flow.steps:
            missing.append(f"{source} → {target} ({count:,}×)")
            continue
        label = _on_white("<BR/>".join([html_text("off the map"), html_text(f"{count:,}×")]))
        extra_edges.append(
            (
                source,
                target,
                [
                    f"label=<{label}>",
                    'style="dashed"',
                    f'color="{WARNING}"',
                    f'fontcolor="{WARNING}"',
                    f"penwidth={pen_width(count, most):.2f}",
                    "constraint=false",
                ],
            )
        )
    return extra_edges, missing


def measured_svg(
    process: ProcessLike, result: MeasureResult, *, direction: str = "LR", lanes: bool = False
) -> bytes:
    """The measured map drawn by Graphviz (raises the flow map's DrawError)."""
    return draw(measured_dot(process, result, direction=direction, lanes=lanes), "svg")


def write_measured(
    process: ProcessLike, result: MeasureResult, out_dir: Path, markdown: str | None = None
) -> list[Path]:
    """Write `<id>.measured.svg`, and `<id>.measure.md` when `markdown` is given, into
    `out_dir` (made if missing), each completely or not at all; the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    svg = measured_svg(process, result)  # drawn before anything is written
    written = [out_dir / f"{process.id}.measured.svg"]
    write_atomic(written[0], svg)
    if markdown is not None:
        written.append(out_dir / f"{process.id}.measure.md")
        write_atomic(written[1], markdown.encode("utf-8"))
    return written


# --- scales --------------------------------------------------------------------------


def pen_width(count: int, most: int) -> float:
    """Arrow width for `count` times taken, `most` being the busiest arrow: by square root,
    so that the area of ink follows the count, from MIN_PEN to MAX_PEN."""
    if most <= 0 or count <= 0:
        return MIN_PEN
    return MIN_PEN + (MAX_PEN - MIN_PEN) * math.sqrt(min(count, most) / most)


def shade_bounds(waits: Sequence[float]) -> list[float]:
    """Upper bounds of the shades below the darkest, as round durations in seconds.

    Spread evenly on a log scale between the shortest and the longest p90 wait (waits of
    a few minutes and of days are both common, and a linear scale would make every step
    but the slowest the lightest shade), then snapped to the round values of `_NICE`, so
    the legend reads "1h – 4h" rather than "57m – 3.8h". At most len(SHADES) - 1 bounds.
    """
    positive = [w for w in waits if w > 0]
    if len(set(positive)) < 2:
        return []
    low, high = min(positive), max(positive)
    classes = min(len(SHADES), len(set(positive)))
    bounds: list[float] = []
    for index in range(1, classes):
        raw = low * (high / low) ** (index / classes)
        nice = min(_NICE, key=lambda value: (abs(math.log(value / raw)), value))
        if (not bounds or nice > bounds[-1]) and nice < high:
            bounds.append(float(nice))
    return bounds


def shade_of(wait: float, bounds: Sequence[float]) -> int:
    """Index in SHADES: how many bounds `wait` exceeds, spread over the scale so that the
    longest waits always get the darkest shade and short ones the lightest."""
    if not bounds:
        return 0
    rank = sum(1 for bound in bounds if wait > bound)
    return round(rank * (len(SHADES) - 1) / len(bounds))


# --- heading -------------------------------------------------------------------------


def _on_white(html: str) -> str:
    """An arrow label on a white ground: Graphviz may run a straight arrow through its
    label in LR maps, and a thick arrow then crosses out the figures."""
    return (
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1" BGCOLOR="white">'
        f"<TR><TD>{html}</TD></TR></TABLE>"
    )


def _small(html: str, color: str) -> str:
    return f'<FONT POINT-SIZE="9" COLOR="{color}">{html}</FONT>'


def _row(html: str) -> str:
    return f'<TR><TD ALIGN="LEFT">{html}</TD></TR>'


def _span_text(span: Span | None) -> str | None:
    if not span or not span.get("first") or not span.get("last"):
        return None
    first, last = str(span["first"]), str(span["last"])
    try:
        start = datetime.fromisoformat(first.replace("Z", "+00:00"))
        end = datetime.fromisoformat(last.replace("Z", "+00:00"))
    except ValueError:
        return f"{first} – {last}"
    days = (end - start).total_seconds() / 86400
    length = f"{days:.0f} days" if days >= 2 else human_duration((end - start).total_seconds())
    return f"{start.date().isoformat()} – {end.date().isoformat()} ({length})"


#: The legend's line for a log without start times: no step has a waiting time.
NO_WAITS = (
    "p90 wait before the step: not measured; waiting times need start times"
    " (a start timestamp column, or lifecycle start events)"
)


def _heading_rows(
    result: MeasureResult,
    bounds: Sequence[float],
    deviations: bool,
    missing: list[str],
    idle: bool = False,
    timed: bool = True,
) -> list[str]:
    """What was measured, then the legend of shades (`timed`: some step has a waiting
    time; else the legend says what waiting times need) and of arrows."""
    cases = int(result.get("cases", 0))
    summary = f"Measured from the event log: {cases:,} cases"
    span = _span_text(result.get("span"))
    if span is not None:
        summary += f", {span}"
    fitness = (result.get("conformance") or {}).get("fitness")
    if fitness is not None:
        summary += f" · {percent(fitness)} followed the map"
    rows = [_row(f'<FONT POINT-SIZE="12">{html_text(summary)}</FONT>')]
    rows.append(_wait_legend(bounds, idle) if timed else _row(_small(html_text(NO_WAITS), QUIET)))
    arrows = [
        "Arrows: times taken (thicker = more), share after a decision, median time.",
        "Grey dashed: never in the log.",
    ]
    if deviations:
        arrows.append("Red dashed: taken in the log but not on the map.")
    rows.append(_row(_small(html_text(" ".join(arrows[:2])), QUIET)))
    if deviations:
        rows.append(_row(_small(html_text(arrows[2]), WARNING)))
    if missing:
        text = "Also off the map: " + ", ".join(missing)
        lines = '<BR ALIGN="LEFT"/>'.join(html_text(line) for line in wrap_text(text, 90))
        rows.append(_row(_small(lines + '<BR ALIGN="LEFT"/>', WARNING)))
    return rows


def _wait_legend(bounds: Sequence[float], idle: bool) -> str:
    """The legend of the shades: the p90 wait each stands for."""
    cells = [f'<TD ALIGN="LEFT">{_small(html_text("p90 wait before the step:"), QUIET)}</TD>']
    if idle:  # steps that never wait stay white
        cells.append(
            f'<TD BORDER="1" COLOR="{LINE}" BGCOLOR="{PLAIN_FILL}" CELLPADDING="3">'
            f"{_small(html_text('none'), INK)}</TD>"
        )
    for low, high in _classes(bounds):
        shade = SHADES[shade_of(high if high is not None else math.inf, bounds)]
        if low is None and high is None:
            text = "some" if idle else "any"
        elif low is None:
            text = f"up to {human_duration(high or 0)}"
        elif high is None:
            text = f"over {human_duration(low)}"
        else:
            text = f"{human_duration(low)} – {human_duration(high)}"
        cells.append(
            f'<TD BORDER="1" COLOR="{LINE}" BGCOLOR="{shade}" CELLPADDING="3">'
            f"{_small(html_text(text), INK)}</TD>"
        )
    return _legend(cells)


def _classes(bounds: Sequence[float]) -> list[tuple[float | None, float | None]]:
    edges: list[float | None] = [None, *bounds, None]
    return [(edges[i], edges[i + 1]) for i in range(len(edges) - 1)]


def _legend(cells: list[str]) -> str:
    return _row(
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="1">'
        f"<TR>{''.join(cells)}</TR></TABLE>"
    )

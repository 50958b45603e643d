"""Rendering: flow maps (DOT, SVG, PNG, PDF, Mermaid) and Markdown documents.

Offers the render run (`render`: which outputs each process gets, written atomically and
recorded in a manifest (`MANIFEST`) under the output folder's lock (`LOCK`; `RenderBusy`
when another run keeps it)), the flow map and Mermaid builders, the computed facts behind the
documents (`analysis`) and the template environment (`documents`). For maps drawn over
the authored one (`procmap.measure`): `to_dot` with an `Overlay`, `draw`, the escaping
and wrapping of user text (`html_text`, `wrap_text`, `quoted_text`, `url_text`), the
palette; the one spelling of measured figures (`human_duration`,
`figure`, `metric_figure`, `percent`) and, for `procmap render` with a declared log, a `Measurement` per
process (a measure result and the outputs drawn from it) that the run puts into the DMAIC
worksheet (`measured_facts`) and writes beside the authored map; the shape of a measure
result (`MeasureResult` and its parts, TypedDicts), for the engine and every reader. For the portfolio: the
facts of one process (`analyze`).

Imports `procmap.git`, `procmap.lint` and `procmap.format` (docs/architecture.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

attach(
    __name__,
    {
        "analyze": "analysis",
        "format_minutes": "analysis",
        "INK": "flowmap",
        "LINE": "flowmap",
        "QUIET": "flowmap",
        "REMOVED": "flowmap",
        "DrawError": "flowmap",
        "Overlay": "flowmap",
        "draw": "flowmap",
        "html_text": "dottext",
        "quoted_text": "dottext",
        "url_text": "dottext",
        "to_dot": "flowmap",
        "wrap_text": "dottext",
        "ArrowFigures": "measureresult",
        "BlockFigures": "measureresult",
        "Branch": "measureresult",
        "CaseCount": "measureresult",
        "Conformance": "measureresult",
        "ControlFigures": "measureresult",
        "Deviation": "measureresult",
        "DirectlyFollows": "measureresult",
        "Lifecycle": "measureresult",
        "MeasureResult": "measureresult",
        "MetricFigures": "measureresult",
        "OffMap": "measureresult",
        "Rework": "measureresult",
        "SkippedRow": "measureresult",
        "SkippedRows": "measureresult",
        "Span": "measureresult",
        "Stats": "measureresult",
        "StepFigures": "measureresult",
        "TransitionCount": "measureresult",
        "Unmapped": "measureresult",
        "UnmappedMore": "measureresult",
        "Variant": "measureresult",
        "WaitFigures": "measureresult",
        "Measured": "measured",
        "Home": "options",
        "Measurement": "options",
        "figure": "measured",
        "metric_figure": "measured",
        "human_duration": "measured",
        "measured_facts": "measured",
        "percent": "measured",
        "LOCK": "folder",
        "MANIFEST": "manifest",
        "Options": "options",
        "RenderBusy": "options",
        "RenderError": "options",
        "check_options": "options",
        "parse_formats": "options",
        "render": "run",
        "terminal_progress": "run",
    },
)

if TYPE_CHECKING:
    from .analysis import analyze, format_minutes
    from .dottext import html_text, quoted_text, url_text, wrap_text
    from .flowmap import INK, LINE, QUIET, REMOVED, DrawError, Overlay, draw, to_dot
    from .folder import LOCK
    from .manifest import MANIFEST
    from .measured import (
        Measured,
        figure,
        human_duration,
        measured_facts,
        metric_figure,
        percent,
    )
    from .measureresult import (
        ArrowFigures,
        BlockFigures,
        Branch,
        CaseCount,
        Conformance,
        ControlFigures,
        Deviation,
        DirectlyFollows,
        Lifecycle,
        MeasureResult,
        MetricFigures,
        OffMap,
        Rework,
        SkippedRow,
        SkippedRows,
        Span,
        Stats,
        StepFigures,
        TransitionCount,
        Unmapped,
        UnmappedMore,
        Variant,
        WaitFigures,
    )
    from .options import (
        Home,
        Measurement,
        Options,
        RenderBusy,
        RenderError,
        check_options,
        parse_formats,
    )
    from .run import render, terminal_progress

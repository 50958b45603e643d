"""Rendering: flow maps (DOT, SVG, PNG, PDF, Mermaid) and Markdown documents.

Offers the render run (`render`: which outputs each process gets, written atomically and
recorded in a manifest), the flow map and Mermaid builders, the computed facts behind the
documents (`analysis`) and the template environment (`documents`).

Imports `procmap.git`, `procmap.lint` and `procmap.format` (docs/architecture.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "Options": "run",
        "RenderError": "run",
        "check_options": "run",
        "parse_formats": "run",
        "render": "run",
        "terminal_progress": "run",
    },
)

if TYPE_CHECKING:
    from .run import Options, RenderError, check_options, parse_formats, render, terminal_progress

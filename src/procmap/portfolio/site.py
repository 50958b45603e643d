"""The portfolio for the site's home page (`procmap render --format html`).

Owns: `site_home`, the render run's `Home`: the Markdown report and the system map whose
boxes link to the process pages (`<id>.html`).

Must not know: HTML (the render run converts and places it), files, options.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..format import ProcessLike
from ..render import DrawError, Home
from .analysis import Settings, analyse
from .report import format_markdown
from .systemmap import system_map_svg


def site_home(processes: Mapping[str, ProcessLike], settings: Settings | None = None) -> Home:
    """The portfolio of `processes` (input path -> validated process) for the home page;
    without the map when Graphviz cannot draw it (the pages' own maps report that)."""
    portfolio = analyse(processes, settings)
    links = {process.id: f"{process.id}.html" for process in processes.values()}
    try:
        picture = system_map_svg(portfolio, links)
    except DrawError:
        picture = None
    return Home(format_markdown(portfolio), picture)

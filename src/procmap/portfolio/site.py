"""The portfolio for the site's home page (`procmap render --format html`).

Owns: `site_home`, the render run's `Home`: the Markdown report (its notes, the score's
formula first, at the end) and the system map, top to bottom, whose boxes link to the
process pages (`<id>.html`), and the site's title.

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
        # Top to bottom, the hourglass's own shape: narrow enough for a page, so its
        # labels keep their size (at least 12 px) where the stages side by side would
        # shrink to fit.
        picture = system_map_svg(portfolio, links, direction="TB")
    except DrawError:
        picture = None
    title = settings.site_title if settings is not None else ""
    return Home(format_markdown(portfolio, notes_at_end=True), picture, title)

"""The portfolio: every process of a business at a glance (issue 10).

Offers `analyse` (validated processes in, a `Portfolio` of plain dataclasses out: the
ranking by the seed's prioritization questions, hours per role, the RACI matrix, coverage
of the hourglass and the gaps), `Settings` (`[tool.procmap.portfolio]`), the reports
(`REPORT_FORMATS`, `format_portfolio`, `as_json`: text, Markdown, JSON; `sections`, the
titled tables both reports print, for the HTML site to print as well) and the system
map (`system_map_dot`, `system_map_svg`, with a link per process for the HTML site;
`write_outputs`, portfolio.svg and portfolio.md written atomically), and `site_home`: the
portfolio on the site's home page, with the map's boxes linking to the process pages.

Imports `procmap.render`, `procmap.lint` and `procmap.format` at most
(docs/architecture.md): it reads validated processes and draws with render's Graphviz.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

attach(
    __name__,
    {
        "FACTORS": "analysis",
        "site_home": "site",
        "Gap": "analysis",
        "Link": "analysis",
        "Portfolio": "analysis",
        "PortfolioError": "analysis",
        "ProcessFigures": "analysis",
        "Raci": "analysis",
        "RoleLoad": "analysis",
        "Settings": "analysis",
        "StepLoad": "analysis",
        "analyse": "analysis",
        "visits": "analysis",
        "work_hours": "analysis",
        "REPORT_FORMATS": "report",
        "Section": "report",
        "sections": "report",
        "as_json": "report",
        "format_portfolio": "report",
        "system_map_dot": "systemmap",
        "system_map_svg": "systemmap",
        "write_outputs": "systemmap",
    },
)

if TYPE_CHECKING:
    from .analysis import (
        FACTORS,
        Gap,
        Link,
        Portfolio,
        PortfolioError,
        ProcessFigures,
        Raci,
        RoleLoad,
        Settings,
        StepLoad,
        analyse,
        visits,
        work_hours,
    )
    from .report import REPORT_FORMATS, Section, as_json, format_portfolio, sections
    from .site import site_home
    from .systemmap import system_map_dot, system_map_svg, write_outputs

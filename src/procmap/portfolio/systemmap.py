"""The system map: the whole business in one picture (`portfolio.svg`).

Owns: the DOT of a portfolio, every process as a box placed left to right by the first
hourglass stage it serves, inside the marketing system (know to try) and the operations
system (buy to refer); arrows where a process feeds another (solid) or calls it as a
subprocess (dashed); gaps marked (a dashed placeholder for a stage no process serves, a
heavy vermillion border on a marketing process no operations process picks up); and a
link per process for the HTML site (`links`: process id -> URL). Writing the picture and
the Markdown report beside it, atomically (`write_outputs`).

Must not know: options, exit statuses. Every user string reaches DOT through render's
`html_text` (labels), `quoted_text` (attributes) or `url_text` (links).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..format import STAGES
from .analysis import MARKETING_STAGES, STAGE_QUESTIONS, Portfolio, ProcessFigures
from .report import format_markdown, number

INK = "#1F2328"
QUIET = "#59636E"
LINE = "#424A53"
GAP = "#D55E00"  # vermillion, as critical steps on the flow maps
# Okabe-Ito accents for the two systems, with pale fills: readable by colour-blind
# readers, and the system is also written in the cluster's title for print.
MARKETING = "#E69F00"
MARKETING_FILL = "#FDF3E1"
OPERATIONS = "#009E73"
OPERATIONS_FILL = "#E0F3EC"
OTHER = "#8C959F"
OTHER_FILL = "#F6F8FA"
FONT = "Helvetica"
NAME_WIDTH = 24
PICTURE = "portfolio.svg"
REPORT = "portfolio.md"


def _colors(system: str | None) -> tuple[str, str]:
    if system == "marketing":
        return MARKETING, MARKETING_FILL
    if system == "operations":
        return OPERATIONS, OPERATIONS_FILL
    return OTHER, OTHER_FILL


def _box(figures: ProcessFigures, portfolio: Portfolio, owner: str | None, gap: bool) -> str:
    from ..render import html_text, wrap_text

    accent, fill = _colors(figures.system)
    quiet = f'<FONT POINT-SIZE="9" COLOR="{QUIET}">'
    name = '<BR ALIGN="LEFT"/>'.join(
        html_text(line) for line in wrap_text(figures.name, NAME_WIDTH)
    )
    details = []
    if owner:
        details.append(owner)
    details.append(
        f"{number(figures.runs_per_month)} runs/month" if figures.runs else "runs: how often?"
    )
    second = []
    if len(figures.stages) > 1:
        second.append(f"{figures.stages[0]} → {figures.stages[-1]}")
    elif figures.stages:
        second.append(figures.stages[0])
    if figures.hours_per_month is not None:
        second.append(f"{number(figures.hours_per_month)} h of work/month")
    rows = [
        f'<TR><TD ALIGN="LEFT">{quiet}#{figures.rank} · score {figures.score:.1f}</FONT></TD></TR>',
        f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="12" COLOR="{INK}"><B>{name}<BR ALIGN="LEFT"/>'
        "</B></FONT></TD></TR>",
        f'<TR><TD ALIGN="LEFT">{quiet}{html_text(" · ".join(details))}</FONT></TD></TR>',
    ]
    if second:
        rows.append(f'<TR><TD ALIGN="LEFT">{quiet}{html_text(" · ".join(second))}</FONT></TD></TR>')
    if gap:
        rows.append(
            f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="{GAP}"><B>! no operations process'
            '<BR ALIGN="LEFT"/>picks up its output</B></FONT></TD></TR>'
        )
    border, color = ("3", GAP) if gap else ("1", accent)
    return (
        f'<TABLE BORDER="{border}" COLOR="{color}" BGCOLOR="{fill}" STYLE="rounded"'
        f' CELLBORDER="0" CELLSPACING="0" CELLPADDING="3">{"".join(rows)}</TABLE>'
    )


# The two systems of the hourglass, each drawn as a cluster of its stages' clusters.
_SYSTEMS = (
    ("Marketing system", MARKETING_STAGES, MARKETING, MARKETING_FILL),
    (
        "Operations system",
        tuple(s for s in STAGES if s not in MARKETING_STAGES),
        OPERATIONS,
        OPERATIONS_FILL,
    ),
)


@dataclass(frozen=True)
class _Places:
    """Where each process's box goes, and what it needs to be drawn."""

    portfolio: Portfolio
    links: Mapping[str, str]
    by_id: dict[str, ProcessFigures]
    owners: dict[str, str]  # role id -> name
    unmatched: set[str]  # the marketing processes no operations process picks up from
    node: dict[str, str]  # process id -> DOT node id, in the order of the ids
    placed: dict[str, list[str]]  # stage -> the processes whose first stage it is
    unplaced: list[str]  # the processes on no stage

    @classmethod
    def of(cls, portfolio: Portfolio, links: Mapping[str, str]) -> _Places:
        ordered = sorted(portfolio.processes, key=lambda p: p.id)
        placed: dict[str, list[str]] = {stage: [] for stage in STAGES}
        unplaced = []
        for p in ordered:
            if p.stages:
                placed[p.stages[0]].append(p.id)
            else:
                unplaced.append(p.id)
        return cls(
            portfolio,
            links,
            {p.id: p for p in portfolio.processes},
            {role.id: role.name for role in portfolio.roles},
            set(portfolio.unmatched),
            {p.id: f"p{i}" for i, p in enumerate(ordered)},
            placed,
            unplaced,
        )

    def also(self, stage: str) -> list[str]:
        """The processes serving `stage` whose box stands at another stage (their first)."""
        return [pid for pid in self.portfolio.coverage[stage] if pid not in self.placed[stage]]


def system_map_dot(
    portfolio: Portfolio, links: Mapping[str, str] | None = None, direction: str = "LR"
) -> str:
    """The system map as DOT; `links` maps a process id to the URL its box opens (the HTML
    site gives `<id>.html`); `direction` LR puts the stages side by side, TB one under
    the other (the site's, narrow enough for a page); the same portfolio gives the same
    bytes."""
    places = _Places.of(portfolio, links or {})
    out = [
        'digraph "The business at a glance" {',  # the title of the SVG, for screen readers
        f"  graph [rankdir={'TB' if direction == 'TB' else 'LR'}, newrank=true, nodesep=0.3,"
        f' ranksep=0.55, fontname="{FONT}",'
        ' labelloc=t, labeljust=l, pad=0.3, bgcolor="white"];',
        f'  node [shape=plain, fontname="{FONT}"];',
        f'  edge [fontname="{FONT}", fontsize=9, color="{LINE}", fontcolor="{QUIET}",'
        " arrowsize=0.7];",
    ]
    for system, stages, accent, fill in _SYSTEMS:
        key = system.split()[0].lower()
        out.append(f"  subgraph cluster_{key} {{")
        out.append(
            f'    label=<<FONT POINT-SIZE="14"><B>{system}</B></FONT>>; style="rounded,filled";'
            f' color="{accent}"; fillcolor="{fill}"; penwidth=1.5; fontcolor="{INK}";'
        )
        for stage in stages:
            out += _stage_cluster(places, stage, "    ")
        out.append("  }")
    if places.unplaced:
        out += _unplaced_cluster(places)
    out += _ranks(places)
    for link in portfolio.links:
        if link.kind == "feeds":
            style = 'label="feeds", penwidth=1.4, constraint=false'
        else:
            style = 'label="calls", style="dashed", constraint=false'
        out.append(f"  {places.node[link.source]} -> {places.node[link.target]} [{style}];")
    out.append(f"  label=<{_heading(portfolio)}>;")
    out.append("}")
    return "\n".join(out) + "\n"


def _process_node(places: _Places, pid: str, tooltip: bool) -> str:
    """A process's box as a DOT node statement, with its link; `tooltip` adds its rank."""
    from ..render import quoted_text, url_text

    p = places.by_id[pid]
    owner = places.owners.get(p.owner) if p.owner else None
    attrs = [f"label=<{_box(p, places.portfolio, owner, pid in places.unmatched)}>"]
    if tooltip:
        attrs.append(f"tooltip={quoted_text(f'{p.name}: rank {p.rank}, score {p.score:.1f}')}")
    if pid in places.links:
        attrs += [f"URL={quoted_text(url_text(places.links[pid]))}", 'target="_top"']
    return f"{places.node[pid]} [{', '.join(attrs)}];"


def _stage_cluster(places: _Places, stage: str, indent: str) -> list[str]:
    """A stage's cluster: its processes' boxes, a note naming the processes that also
    serve it, and a dashed placeholder when no process serves it."""
    from ..render import html_text, wrap_text

    lines = [
        f"{indent}subgraph cluster_{stage} {{",
        f'{indent}  label=<<B>{stage.capitalize()}</B>>; style="rounded"; color="#D0D7DE";'
        f' fontsize=12; fontcolor="{INK}"; bgcolor="white";',
        f'{indent}  s_{stage} [shape=point, style=invis, width=0, height=0, label=""];',
    ]
    lines += [f"{indent}  {_process_node(places, pid, True)}" for pid in places.placed[stage]]
    spanning = [places.by_id[pid].name for pid in places.also(stage)]
    if spanning:
        text = f"Also served by {', '.join(spanning)}"
        label = '<BR ALIGN="LEFT"/>'.join(html_text(line) for line in wrap_text(text, 26))
        lines.append(
            f'{indent}  also_{stage} [shape=plaintext, margin="0.05,0.02",'
            f' label=<<FONT POINT-SIZE="9" COLOR="{QUIET}"><I>{label}</I>'
            '<BR ALIGN="LEFT"/></FONT>>];'
        )
    if not places.portfolio.coverage[stage]:
        text = f"No process yet: {STAGE_QUESTIONS[stage]}"
        label = '<BR ALIGN="LEFT"/>'.join(html_text(line) for line in wrap_text(text, 22))
        lines.append(
            f'{indent}  gap_{stage} [shape=box, style="rounded,dashed", color="{GAP}",'
            f' penwidth=1.5, margin="0.12,0.08", label=<<FONT POINT-SIZE="10" COLOR="{GAP}">'
            f'{label}<BR ALIGN="LEFT"/></FONT>>];'
        )
    lines.append(f"{indent}}}")
    return lines


def _unplaced_cluster(places: _Places) -> list[str]:
    """The processes on no stage of the hourglass, in a dashed cluster after the stages."""
    return [
        "  subgraph cluster_unplaced {",
        f'    label=<<B>Not on the hourglass</B>>; style="rounded,dashed"; color="{OTHER}";'
        f' fontcolor="{INK}";',
        '    s_unplaced [shape=point, style=invis, width=0, height=0, label=""];',
        *(f"    {_process_node(places, pid, False)}" for pid in places.unplaced),
        "  }",
    ]


def _ranks(places: _Places) -> list[str]:
    """The stages left to right: an invisible chain of the stages' anchors, and each
    stage's boxes, note and placeholder in the rank of its anchor."""
    unplaced = places.unplaced
    anchors = [f"s_{stage}" for stage in STAGES] + (["s_unplaced"] if unplaced else [])
    lines = [f"  {' -> '.join(anchors)} [style=invis, weight=100];"]
    for stage in STAGES:
        members = [places.node[pid] for pid in places.placed[stage]]
        if places.also(stage):
            members.append(f"also_{stage}")
        if not places.portfolio.coverage[stage]:
            members.append(f"gap_{stage}")
        lines.append(f"  {{ rank=same; s_{stage}; {'; '.join(members)}; }}")
    if unplaced:
        lines.append(
            f"  {{ rank=same; s_unplaced; {'; '.join(places.node[p] for p in unplaced)}; }}"
        )
    return lines


def _heading(portfolio: Portfolio) -> str:
    count = len(portfolio.processes)
    quiet = f'<FONT POINT-SIZE="10" COLOR="{QUIET}">'

    def sample(border: str, color: str, fill: str, text: str) -> str:
        return (
            f'<TD BORDER="{border}" COLOR="{color}" BGCOLOR="{fill}" STYLE="rounded"'
            f' CELLPADDING="3">{quiet}{text}</FONT></TD>'
        )

    legend = [
        sample("1", MARKETING, MARKETING_FILL, "marketing"),
        sample("1", OPERATIONS, OPERATIONS_FILL, "operations"),
        f"<TD>{quiet}→ feeds: picks up its output</FONT></TD>",
        f"<TD>{quiet}⇢ calls it as a subprocess</FONT></TD>",
    ]
    if portfolio.unmatched:
        legend.append(
            sample("3", GAP, "white", f'<FONT COLOR="{GAP}">! no operations process</FONT>')
        )
    if any(not served for served in portfolio.coverage.values()):
        legend.append(
            f'<TD BORDER="1" COLOR="{GAP}" STYLE="dashed" CELLPADDING="3">'
            f'<FONT POINT-SIZE="10" COLOR="{GAP}">a stage with no process</FONT></TD>'
        )
    return (
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">'
        f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="20"><B>The business at a glance</B></FONT></TD></TR>'
        f'<TR><TD ALIGN="LEFT">{quiet}{count} process{"es" if count != 1 else ""} on the'
        " customer journey, placed by the first hourglass stage they serve; #rank by score"
        " (where to start improving).</FONT></TD></TR>"
        '<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="6" CELLPADDING="0">'
        f"<TR>{''.join(legend)}</TR></TABLE></TD></TR></TABLE>"
    )


def system_map_svg(
    portfolio: Portfolio, links: Mapping[str, str] | None = None, direction: str = "LR"
) -> bytes:
    """The system map drawn by Graphviz (render's `draw`: a timeout, one-line errors)."""
    from ..render import draw

    return draw(system_map_dot(portfolio, links, direction), "svg")


def write_outputs(portfolio: Portfolio, out_dir: Path) -> list[Path]:
    """Write `portfolio.svg` and `portfolio.md` (the Markdown report showing the map) into
    `out_dir`, each atomically; the paths written."""
    from .._files import write_atomic

    picture = system_map_svg(portfolio)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    write_atomic(out_dir / PICTURE, picture)
    written.append(out_dir / PICTURE)
    report = format_markdown(portfolio, picture=PICTURE).encode("utf-8")
    write_atomic(out_dir / REPORT, report)
    written.append(out_dir / REPORT)
    return written

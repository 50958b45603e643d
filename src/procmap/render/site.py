"""The HTML site (`procmap render --format html`): a page per process and a home page,
plain static files that work opened from disk and on any static host.

Owns: Markdown to HTML (markdown-it-py, CommonMark with tables: the raw HTML of the
templates is kept, user text arrives escaped by the Markdown filters), the ids of the
headings (a step's section is `step-<id>`; the rest get their section's prefix and a
slug, unique on the page), the levels of the headings (a document's `#` sits under the
page's own `<h1>`), the runbook's checkboxes, and the flow map inlined as SVG: each step
links to its section of the runbook, each subprocess box to its process's page; it gets a
title and a description, and Graphviz's node ids (`n0`) no longer show as tooltips.

Must not know: which processes are rendered or where files go (`run`), what the
documents say (templates), how a log is measured.
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from ..format import Process
from .dottext import quoted_text as _quoted
from .flowmap import Overlay

STYLESHEET = "procmap.css.j2"
STYLESHEET_NAME = "procmap.css"

_STEP_HEADING = re.compile(r"^(\d+)\.\s")
_TASK = re.compile(r"<li>\[( |x|X)\] ")
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_TITLE = re.compile(r"<title>[^<]*</title>\n?")
_COMMENT = re.compile(r"<!--.*?-->\n?", re.S)


def page_name(process_id: str) -> str:
    return f"{process_id}.html"


def step_anchor(step_id: str) -> str:
    """The id of a step's section of the runbook on its process's page."""
    return f"step-{step_id}"


def slug(text: str) -> str:
    """A heading as an id, as GitHub makes them: lower case, letters, digits, hyphens."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return re.sub(r"[ ]", "-", text.strip()) or "section"


#: Held while Markdown is parsed and rendered. The render run makes pages on several
#: threads, and markdown-it's URL tables (mdurl's encode and decode caches) are filled in
#: place on first use with no lock: another thread can index a half-filled table and fail
#: with IndexError (seen in the site's browser test under load). Parsing is cheap next to
#: drawing, so one page at a time costs nothing noticeable.
_MARKDOWN = threading.Lock()


@lru_cache(maxsize=2)
def _parser(raw_html: bool = True) -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": raw_html}).enable("table")


def markdown_html(
    text: str,
    *,
    section: str,
    steps: Mapping[int, str] | None = None,
    taken: set[str] | None = None,
    raw_html: bool = True,
) -> str:
    """`text` (a procmap document's Markdown) as HTML for a page.

    Headings go one level down (the page has its own `<h1>`) and get ids: `### 4. Name`
    becomes `step-<id>` when `steps` maps 4 to a step id, the others `<section>-<slug>`.
    `taken` collects the ids used on the page, so that no two are the same. `raw_html`
    False shows any HTML in `text` as text: for Markdown whose user text is not escaped
    (the portfolio's report escapes only pipes).
    """
    md = _parser(raw_html)
    with _MARKDOWN:
        tokens = md.parse(text)
    taken = taken if taken is not None else set()
    for index, token in enumerate(tokens):
        if token.type not in ("heading_open", "heading_close"):
            continue
        level = min(int(token.tag[1]) + 1, 6)
        token.tag = f"h{level}"
        if token.type == "heading_close":
            continue
        inline = tokens[index + 1].content if index + 1 < len(tokens) else ""
        ident = None
        match = _STEP_HEADING.match(inline)
        if steps and match and int(match[1]) in steps:
            ident = step_anchor(steps[int(match[1])])
        if ident is None or ident in taken:
            base = f"{section}-{slug(inline)}"
            ident, n = base, 2
            while ident in taken:
                ident, n = f"{base}-{n}", n + 1
        taken.add(ident)
        token.attrSet("id", ident)
    with _MARKDOWN:
        out = md.renderer.render(tokens, md.options, {})
    return _TASK.sub(_task, out)


def _task(match: re.Match[str]) -> str:
    done = match[1] != " "
    mark = "☑" if done else "☐"
    return f'<li class="task"><span class="box" aria-hidden="true">{mark}</span> '


def step_links(process: Process, linked: Mapping[str, str]) -> Overlay:
    """The overlay that makes each box of the map a link: a subprocess to its process's
    page when that is rendered (`linked`: process id -> page), every other step to its
    section of the runbook."""
    attrs: dict[str, list[str]] = {}
    for step in process.steps:
        if step.kind == "subprocess" and step.process and step.process in linked:
            continue  # the flow map's own subprocess link
        attrs[step.id] = [
            f'URL="#{step_anchor(step.id)}"',
            'target="_top"',
            f"tooltip={_quoted(step.name)}",
        ]
    return Overlay(node_attrs=attrs)


def inline_svg(svg: bytes, ident: str, title: str, description: str) -> str:
    """Graphviz's SVG as an element of the page: no prolog, no comments, Graphviz's own
    titles (`procmap`, `n0`, `n0->n1`) replaced by one title and description."""
    text = svg.decode("utf-8")
    start = text.find("<svg")
    if start < 0:
        raise ValueError("not an SVG drawing")
    text = _COMMENT.sub("", text[start:])
    text = _TITLE.sub("", text)
    opening = _SVG_OPEN.search(text)
    assert opening is not None
    head = opening.group(0)[:-1] + f' aria-labelledby="{ident}-title {ident}-desc">'
    label = (
        f'<title id="{ident}-title">{html.escape(title)}</title>'
        f'<desc id="{ident}-desc">{html.escape(description)}</desc>'
    )
    return text[: opening.start()] + head + label + text[opening.end() :]


def map_description(process: Process) -> str:
    """One sentence for the map's `<desc>`: what a reader without the picture needs."""
    counts: dict[str, int] = {}
    for step in process.steps:
        counts[step.kind] = counts.get(step.kind, 0) + 1
    tasks = counts.get("task", 0) + counts.get("subprocess", 0)
    waits = sum(1 for step in process.steps if step.wait is not None)
    parts = [f"{tasks} task{'s' if tasks != 1 else ''}"]
    for count, noun in (
        (counts.get("decision", 0), "decision"),
        (counts.get("parallel", 0), "parallel block"),
        (waits, "wait"),
    ):
        if count:
            parts.append(f"{count} {noun}{'s' if count != 1 else ''}")
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"The flow of {process.name}: {listed}. Each box links to its step in the runbook below."

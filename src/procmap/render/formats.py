"""The format table of the render run: one record per format a user can ask for.

Owns: for each format (`svg`, `png`, `pdf`, `dot`, `mermaid`, `bpmn`, `runbook`, `dmaic`,
`html`) its output suffix, its cost (`slow`: a drawing by `dot`, a plugged maker or a
page, started first), what enters its cache key beside the input (its options; the
templates' digest; the process's measure result) and its maker; the names derived from
the table (`FORMATS`, `SUFFIXES`, `PLUGGED`) and the output names of a process.

Must not know: how a map, a document or a page is drawn (the maker is a method of the
run's `Makers`, given at call time), the manifest, or the order of a run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..format import Process
    from .makers import Makers


@dataclass(frozen=True)
class Format:
    """One format: the file it writes, its cost, its key and its maker."""

    name: str
    #: Appended to the process id to name the output (`<id>.runbook.md`).
    suffix: str
    #: What the format's options put in the output's key (beside input, source, version).
    options: Callable[[Makers, Process], dict[str, Any]]
    #: The output's bytes, from the run's makers, the input path and the process.
    make: Callable[[Makers, str, Process], bytes]
    #: Slow to make (`dot`, a plugged maker, a page): queued before the quick ones.
    slow: bool = False
    #: The templates' digest enters the key (the documents and the pages).
    templates: bool = False
    #: The process's measure result enters the key (what shows measured figures).
    measured: bool = False
    #: Made by a layer above the render run, plugged in as `Options.makers[name]`.
    plugged: bool = False


def _drawing(name: str, suffix: str) -> Format:
    """A map drawn by Graphviz `dot` in format `name`."""
    return Format(
        name,
        suffix,
        options=lambda run, process: {**run.graph, "format": name, "linked": run.linked(process)},
        make=lambda run, path, process: run.drawing(process, name),
        slow=True,
    )


def _document(name: str) -> Format:
    """A Markdown document from the template `<name>.md.j2`."""
    return Format(
        name,
        f".{name}.md",
        options=lambda run, process: {
            "direction": run.options.direction,
            "formats": list(run.options.formats),
            "linked": run.linked(process),
        },
        make=lambda run, path, process: run.document(f"{name}.md.j2", path, process),
        templates=True,
        measured=True,
    )


TABLE: tuple[Format, ...] = (
    _drawing("svg", ".svg"),
    _drawing("png", ".png"),
    _drawing("pdf", ".pdf"),
    Format(
        "dot",
        ".dot",
        options=lambda run, process: {**run.graph, "linked": run.linked(process)},
        make=lambda run, path, process: run.dot(process).encode("utf-8"),
    ),
    Format(
        "mermaid",
        ".mmd",
        options=lambda run, process: {"direction": run.options.direction},
        make=lambda run, path, process: run.mermaid(process).encode("utf-8"),
    ),
    Format(
        "bpmn",
        ".bpmn",
        options=lambda run, process: {"format": "bpmn"},
        make=lambda run, path, process: run.options.makers["bpmn"](process),
        slow=True,
        plugged=True,
    ),
    _document("runbook"),
    _document("dmaic"),
    Format(
        "html",
        ".html",
        options=lambda run, process: {
            **run.graph,
            "index": run.options.index,
            "linked": run.site_linked(process),
            "title": run.site_title,
        },
        make=lambda run, path, process: run.page(path, process),
        slow=True,
        templates=True,
        measured=True,
    ),
)

BY_NAME: dict[str, Format] = {f.name: f for f in TABLE}
FORMATS: tuple[str, ...] = tuple(BY_NAME)
DEFAULT_FORMATS = ("svg", "runbook", "dmaic")
SUFFIXES: dict[str, str] = {f.name: f.suffix for f in TABLE}
#: Formats made by a layer above this one (`bpmn`: `procmap.bpmn`), which the caller
#: plugs in as `Options.makers` so that the render run never imports that layer.
PLUGGED: tuple[str, ...] = tuple(f.name for f in TABLE if f.plugged)
INDEX = "index.md"
#: The site's home page and stylesheet, written with the `html` format.
HOME = "index.html"
DIFF_SUFFIX = ".diff.svg"


def output_names(process_id: str, formats: tuple[str, ...]) -> dict[str, str | None]:
    """Format -> output file name (None for formats not rendered)."""
    return {f: (process_id + SUFFIXES[f] if f in formats else None) for f in FORMATS}

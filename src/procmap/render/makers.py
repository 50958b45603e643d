"""What the outputs of a render run are made from, and the makers of their bytes.

Owns: `Makers`, one per run: the run's processes and options, what an output's key takes
from them (the input's hash and file, the templates' digest, the links and names of the
other processes of the run) and the makers the format table calls: the DOT text and its
drawing, Mermaid, the documents, the site's pages and stylesheet, the index and the map
against an old version (`--diff`). Facts and digests are computed once per run, on first
use, so a run with nothing to make never analyses a process or renders a template.

Must not know: which outputs a run makes (`plan`, `formats`), the manifest, how files are
written, how a map is drawn (`flowmap`, `mermaid`) or what the documents say
(`analysis`, `documents`, templates).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..format import Process
from .formats import FORMATS, HOME, SUFFIXES, output_names
from .manifest import file_sha, relative
from .options import Home, Measurement, Options

if TYPE_CHECKING:
    from .analysis import Analysis


def shown_name(path: str) -> str:
    """The file name of `path` as text a document can hold: bytes that are not UTF-8 (a
    name Python decoded with surrogate escapes) are shown as backslash escapes."""
    return os.fsencode(Path(path).name).decode("utf-8", "backslashreplace")


class Makers:
    """The run's processes and options, what the outputs' keys take from them, and the
    makers of the outputs' bytes. Thread-safe: outputs are made on several threads."""

    options: Options  # declared here: `formats` reads it through a Makers it only names
    site_title: str  # and this too

    def __init__(
        self,
        processes: dict[str, Process],
        options: Options,
        measured: dict[str, Measurement] | None = None,
        home: Home | None = None,
    ) -> None:
        from .documents import search_path

        self.home_section = home
        #: The site's title, the business's name ("" when not configured).
        self.site_title = home.title if home is not None else ""
        self.options = options
        self.processes = processes
        self.measured = measured or {}
        self.folders = search_path(options.templates)
        self.rendered = {p.id for p in processes.values()}
        self.names = {p.id: p.name for p in processes.values()}
        #: Processes with outputs in the folder that this run leaves out (set by the run
        #: from the manifest): id -> (file name, input sha256). See `plan.index_kept`.
        self.others: dict[str, tuple[str, str]] = {}
        self._inputs: dict[str, str] = {}
        self._analysis: dict[str, Analysis] = {}
        self._lock = threading.Lock()
        self._templates: str | None = None
        self._sources: dict[str, str] = {}
        #: The options every map's key holds.
        self.graph: dict[str, Any] = {"direction": options.direction, "lanes": options.lanes}

    # --- keys --------------------------------------------------------------------------
    def origin(self, path: str, process: Process) -> dict[str, str]:
        """Where an output comes from: the input's hash, its file (relative to the output
        folder, so the manifest is the same on every machine) and the process id; the last
        two let a later run find outputs whose process is gone."""
        return {
            "input": self.input_sha(path),
            "source": self.source(path),
            "process": process.id,
        }

    def source(self, path: str) -> str:
        """The input file relative to the output folder, once per file."""
        if path not in self._sources:
            self._sources[path] = relative(path, self.options.out_dir)
        return self._sources[path]

    def input_sha(self, path: str) -> str:
        if path not in self._inputs:
            self._inputs[path] = file_sha(Path(path)) or ""
        return self._inputs[path]

    def templates_sha(self) -> str:
        if self._templates is None:
            from .documents import templates_digest

            self._templates = templates_digest(self.folders)
        return self._templates

    def links(self, process: Process) -> dict[str, str]:
        """Process id -> runbook file, for the subprocesses of `process` rendered in this run."""
        if "runbook" not in self.options.formats:
            return {}
        ids = [pid for pid in process.called() if pid in self.rendered]
        return {pid: pid + SUFFIXES["runbook"] for pid in ids}

    def linked(self, process: Process) -> dict[str, Any]:
        """What `process`'s outputs take from the other processes of the run (for the keys):
        the runbooks its subprocess boxes link to, and those processes' names."""
        ids = [pid for pid in process.called() if pid in self.names]
        return {"links": self.links(process), "names": [[pid, self.names[pid]] for pid in ids]}

    def site_linked(self, process: Process) -> dict[str, Any]:
        """What `process`'s page takes from the other processes of the run (for its key)."""
        ids = [pid for pid in process.called() if pid in self.names]
        return {"links": self.site_links(process), "names": [[pid, self.names[pid]] for pid in ids]}

    def site_links(self, process: Process) -> dict[str, str]:
        """Process id -> page, for the subprocesses of `process` rendered in this run."""
        from .site import page_name

        ids = [pid for pid in process.called() if pid in self.rendered]
        return {pid: page_name(pid) for pid in ids}

    def site_analysis(self, process: Process) -> Analysis:
        from .analysis import analyze

        key = process.id + "\0site"
        with self._lock:
            found = self._analysis.get(key)
        if found is None:
            found = analyze(process, self.site_links(process), self.names)
            with self._lock:
                self._analysis[key] = found
        return found

    def analysis(self, process: Process) -> Analysis:
        with self._lock:
            found = self._analysis.get(process.id)
        if found is None:
            from .analysis import analyze

            found = analyze(process, self.links(process), self.names)
            with self._lock:
                self._analysis[process.id] = found
        return found

    # --- makers ------------------------------------------------------------------------
    def dot(self, process: Process, previous: Process | None = None) -> str:
        from .flowmap import to_dot

        links = self.links(process)
        return to_dot(
            process,
            direction=self.options.direction,
            lanes=self.options.lanes,
            link=links.get,
            previous=previous,
        )

    def mermaid(self, process: Process) -> str:
        from .mermaid import to_mermaid

        return to_mermaid(process, direction=self.options.direction)

    def document(self, template: str, path: str, process: Process) -> bytes:
        from .documents import context, render

        names = output_names(process.id, self.options.formats)
        analysis = self.analysis(process)
        measurement = self.measured.get(process.id)
        facts = None
        if measurement is not None:
            from .measured import measured_facts

            maps = [n for n in measurement.outputs if n.endswith(".svg")]
            facts = measured_facts(analysis, measurement.result, maps[0] if maps else None)
        ctx = context(
            process,
            analysis,
            files=names,
            source=shown_name(path),
            mermaid=self.mermaid(process),
            extra={"measured": facts},
        )
        return render(template, ctx, self.folders).encode("utf-8")

    def page(self, path: str, process: Process) -> bytes:
        """`<id>.html`: the map with its steps as links, the measured map, the runbook and
        the worksheet as HTML."""
        from markupsafe import Markup

        from .documents import PAGE, context, render
        from .flowmap import draw
        from .site import (
            STYLESHEET_NAME,
            inline_svg,
            map_description,
            markdown_html,
        )

        analysis = self.site_analysis(process)
        files: dict[str, str | None] = {f: None for f in FORMATS}
        files.update(runbook="#runbook", dmaic="#dmaic", html=process.id + SUFFIXES["html"])
        measurement = self.measured.get(process.id)
        facts = None
        if measurement is not None:
            from .measured import measured_facts

            facts = measured_facts(analysis, measurement.result)
        ctx = context(
            process,
            analysis,
            files=files,
            source=shown_name(path),
            extra={"measured": facts},
        )
        numbers = {view.number: view.id for view in analysis.steps}
        taken: set[str] = {"map-heading", "measured-heading", "map", "measured"}
        runbook = markdown_html(
            render("runbook.md.j2", ctx, self.folders),
            section="runbook",
            steps=numbers,
            taken=taken,
        )
        dmaic = markdown_html(
            render("dmaic.md.j2", ctx, self.folders), section="dmaic", taken=taken
        )
        dot = self._site_dot(process)
        map_svg = inline_svg(
            draw(dot, "svg"), "map", f"Flow map of {process.name}", map_description(process)
        )
        measured_svg = None
        if measurement is not None:
            maker = next(
                (m for n, m in sorted(measurement.outputs.items()) if n.endswith(".svg")), None
            )
            if maker is not None:
                measured_svg = inline_svg(
                    maker(self.options),
                    "measured-map",
                    f"Measured map of {process.name}",
                    "The map with the figures of the event log: each arrow with how often it"
                    " was taken and its median time, each step with its cases and waiting.",
                )
        page = {
            **ctx,
            "map_svg": Markup(map_svg),
            "measured_svg": Markup(measured_svg) if measured_svg else None,
            "runbook": Markup(runbook),
            "dmaic": Markup(dmaic),
            "stylesheet": STYLESHEET_NAME,
            "home": HOME if self.options.index else None,
            "site_title": self.site_title,
        }
        return render(PAGE, page, self.folders).encode("utf-8")

    def _site_dot(self, process: Process) -> str:
        from .flowmap import to_dot
        from .site import step_links

        links = self.site_links(process)
        return to_dot(
            process,
            direction=self.options.direction,
            lanes=self.options.lanes,
            link=links.get,
            overlay=step_links(process, links),
        )

    def home(self) -> bytes:
        """`index.html`: the catalog (the index document) as a page."""
        from markupsafe import Markup

        from ..format import STAGES, SYSTEMS
        from .documents import HOME as TEMPLATE
        from .documents import INDEX as CATALOG
        from .documents import render
        from .site import STYLESHEET_NAME, inline_svg, markdown_html

        entries = []
        for path, process in sorted(
            self.processes.items(), key=lambda item: (item[1].name.lower(), item[1].id)
        ):
            page = process.id + SUFFIXES["html"]
            files: dict[str, str | None] = {f: None for f in FORMATS}
            files.update(svg=page + "#map", runbook=page + "#runbook", dmaic=page + "#dmaic")
            entries.append(
                {
                    "process": process,
                    "analysis": self.site_analysis(process),
                    "files": files,
                    "source": Path(path).name,
                }
            )
        ctx = {"entries": entries, "stages": STAGES, "systems": SYSTEMS, "version": __version__}
        taken: set[str] = {"portfolio", "catalog", "system-map"}
        catalog = markdown_html(render(CATALOG, ctx, self.folders), section="catalog", taken=taken)
        portfolio = system_map = None
        if self.home_section is not None:
            portfolio = Markup(
                markdown_html(
                    self.home_section.markdown, section="portfolio", taken=taken, raw_html=False
                )
            )
            if self.home_section.map_svg:
                system_map = Markup(
                    inline_svg(
                        self.home_section.map_svg,
                        "system-map",
                        "System map of the business",
                        "Every process as a box placed by its hourglass stage, with arrows where"
                        " one feeds or calls another. Each box links to its process's page.",
                    )
                )
        home = {
            "site_title": self.site_title,
            "pages": entries,
            "portfolio": portfolio,
            "system_map": system_map,
            "catalog": Markup(catalog),
            "stylesheet": STYLESHEET_NAME,
            "version": __version__,
        }
        return render(TEMPLATE, home, self.folders).encode("utf-8")

    def stylesheet(self) -> bytes:
        from .documents import render
        from .site import STYLESHEET

        return render(STYLESHEET, {}, self.folders).encode("utf-8")

    def index(self) -> bytes:
        from ..format import STAGES, SYSTEMS
        from .documents import INDEX as TEMPLATE
        from .documents import render

        entries = [
            {
                "process": process,
                "analysis": self.analysis(process),
                "files": output_names(process.id, self.options.formats),
                "source": Path(path).name,
            }
            for path, process in sorted(
                self.processes.items(), key=lambda item: (item[1].name.lower(), item[1].id)
            )
        ]
        ctx = {"entries": entries, "stages": STAGES, "systems": SYSTEMS, "version": __version__}
        return render(TEMPLATE, ctx, self.folders).encode("utf-8")

    def drawing(self, process: Process, fmt: str) -> bytes:
        """The map of `process` drawn by Graphviz in `fmt` (svg, png, pdf)."""
        from .flowmap import draw

        return draw(self.dot(process), fmt)

    def diff_map(self, path: str, process: Process, top: Path, commit: str) -> bytes:
        """`<id>.diff.svg`: the map of `process` against its version at `commit`."""
        from ..git import previous_version
        from .flowmap import draw

        previous = previous_version(path, process, top, commit)
        return draw(self.dot(process, previous), "svg")

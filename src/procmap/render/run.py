"""The render run: which outputs each valid process gets, writing them safely, skipping
unchanged ones, removing those of processes that are gone, drawing in parallel, and the
progress bar.

Owns: output names (`<id>.svg`, `<id>.runbook.md`, ..., `index.md`), the manifest in the
output folder (`.procmap-manifest.json`: for each output, the sha256 of its input, the
input file and process id, the sha256 of the templates, the procmap version, the options,
and the sha256 of the bytes written), the refusal to
overwrite a file procmap did not write (unless forced), atomic writes (a temporary file in
the folder, then `os.replace`), reading the previous version of a file from git for
`--diff`, and spreading the work over threads (the slow part, `dot`, runs in
subprocesses, so threads keep every core busy; never more threads than CPUs).

Distrusts the output folder: a manifest entry whose path is not a plain name inside the
folder is ignored with a warning (never deleted as stale), a symlink at an output path
is refused unless forced, and a run holds an exclusive lock on the folder (LOCK, with
`fcntl.flock`; none on Windows) so that two runs never lose each other's manifest entries.

Interruptions cost only the time: the manifest is saved atomically every
CHECKPOINT_SECONDS while outputs are written, an output the manifest does not vouch for
is made again and adopted when its bytes are exactly what procmap writes now (so a run
killed with -9 never makes the next one refuse its outputs), and on Ctrl-C the queued
work is cancelled, running `dot` processes are killed, and the manifest is saved to
match what is on disk before the KeyboardInterrupt goes on.

Must not know: validation (it gets validated processes), how a map is drawn (`flowmap`,
`mermaid`), what the documents say (`analysis`, `documents`, templates) or exit statuses.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .. import __version__
from .._files import not_regular, read_regular
from .._paths import inside, source_form
from ..format import Process

FORMATS = ("svg", "png", "pdf", "dot", "mermaid", "bpmn", "runbook", "dmaic", "html")
DEFAULT_FORMATS = ("svg", "runbook", "dmaic")
SUFFIXES = {
    "svg": ".svg",
    "png": ".png",
    "pdf": ".pdf",
    "dot": ".dot",
    "mermaid": ".mmd",
    "bpmn": ".bpmn",
    "runbook": ".runbook.md",
    "dmaic": ".dmaic.md",
    "html": ".html",
}
DRAWN = ("svg", "png", "pdf")
#: Formats made by a layer above this one (`bpmn`: `procmap.bpmn`), which the caller
#: plugs in as `Options.makers` so that the render run never imports that layer.
PLUGGED = ("bpmn",)
INDEX = "index.md"
#: The site's home page and stylesheet, written with the `html` format.
HOME = "index.html"
DIFF_SUFFIX = ".diff.svg"
MANIFEST = ".procmap-manifest.json"
#: The lock file a run holds in the output folder (`fcntl.flock`), so that two runs into
#: one folder take turns with the manifest. Never an output, never stale, never served.
LOCK = ".procmap.lock"
#: How long a run waits for another run's lock on its output folder (seconds).
LOCK_SECONDS = 60.0
#: Runs with at least this many outputs show a progress bar (on a terminal only).
PROGRESS_THRESHOLD = 24
#: While outputs are written, the manifest is saved at most this often (seconds), so a
#: run killed part-way leaves a manifest that knows nearly all it wrote.
CHECKPOINT_SECONDS = 0.5


class RenderError(Exception):
    """The run cannot start: a bad option, an unusable output folder or git revision."""


class RenderBusy(RenderError):
    """Another run held the output folder's lock for LOCK_SECONDS."""


@dataclass(frozen=True)
class Options:
    out_dir: Path = Path("out")
    formats: tuple[str, ...] = DEFAULT_FORMATS
    direction: str = "LR"
    lanes: bool = False
    templates: Path | None = None
    force: bool = False
    jobs: int | None = None
    index: bool = True
    diff: str | None = None
    #: Format -> the function that makes its bytes from a process, for the PLUGGED
    #: formats (given by the caller: `procmap.cli` plugs in `procmap.bpmn.to_bpmn`).
    makers: Mapping[str, Callable[[Process], bytes]] = field(default_factory=dict)


@dataclass(frozen=True)
class Measurement:
    """A measure result for one process and the outputs drawn from it, given to the run by
    the caller (`procmap.measure` computes both; the run only shows and writes them).

    `result` is the dict `procmap measure --format json` prints: the DMAIC worksheet shows
    its figures. `outputs` maps an output name (`<id>.measured.svg`) to what makes its bytes
    from the run's options. Both enter the outputs' keys through a digest of `result`, so
    a new log redraws them and an unchanged one skips them like any unchanged output.
    """

    result: dict[str, Any]
    outputs: dict[str, Callable[[Options], bytes]] = field(default_factory=dict)

    def digest(self) -> str:
        return sha256(json.dumps(self.result, sort_keys=True, default=str).encode("utf-8"))


@dataclass(frozen=True)
class Home:
    """The portfolio on the site's home page, given by the caller (`procmap.portfolio`
    makes it; the run only shows it): its report in Markdown and the system map's SVG,
    whose boxes link to the process pages."""

    markdown: str
    map_svg: bytes | None = None

    def digest(self) -> str:
        return sha256(self.markdown.encode("utf-8") + b"\0" + (self.map_svg or b""))


@dataclass
class Outcome:
    """What the run did: outputs written, outputs skipped as unchanged, stale outputs
    removed, one-line problems, and one-line warnings (entries of the manifest ignored),
    which do not make the run fail."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.problems)


@dataclass
class _Job:
    name: str
    key: dict[str, Any]
    make: Callable[[], bytes]
    slow: bool = False
    #: The sha256 of a file already at the output path that the manifest does not vouch
    #: for: made anyway, and kept (adopted) only when procmap would write these bytes now.
    claim: str | None = None


#: What `perform` returns for a job it did not finish because the run was interrupted.
_CANCELLED = "cancelled"
#: ... and for a file already there with exactly the bytes the job makes.
_ADOPTED = "adopted"


def parse_formats(values: list[str] | None) -> tuple[str, ...]:
    """Formats from repeatable, comma-separated values, in canonical order."""
    from ..format import suggest

    chosen: set[str] = set()
    for value in values or []:
        for part in value.split(","):
            word = part.strip().lower()
            if not word:
                continue
            if word not in FORMATS:
                hint = suggest(word, FORMATS)
                tail = f"; did you mean {hint!r}?" if hint else ""
                raise RenderError(
                    f"unknown format {part.strip()!r}: choose from {', '.join(FORMATS)}{tail}"
                )
            chosen.add(word)
    if not chosen:
        return DEFAULT_FORMATS
    return tuple(f for f in FORMATS if f in chosen)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha(path: Path) -> str | None:
    try:
        return sha256(read_regular(path))
    except OSError:
        return None


def read_manifest(out_dir: Path, warnings: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Output name -> record; an unreadable or foreign manifest counts as empty.

    The manifest may come from anyone (a repository can commit one), so every path in it
    is checked before use: an entry whose output name is not a plain path inside the
    output folder (`procmap._paths.inside`), or whose `source` is not in the form procmap
    records, is ignored, with a warning in `warnings` naming the manifest and the entry.
    """
    path = out_dir / MANIFEST
    if path.is_symlink():  # what it points to is no record of this folder; replaced
        if warnings is not None:
            warnings.append(f"{path}: is a symbolic link; ignored")
        return {}
    try:
        data = json.loads(read_regular(path).decode("utf-8"))
    except (OSError, ValueError):
        return {}
    outputs = data.get("outputs") if isinstance(data, dict) else None
    if not isinstance(outputs, dict):
        return {}
    kept = {}
    for name, record in outputs.items():
        if not isinstance(record, dict):
            continue
        reason = _untrusted(out_dir, name, record)
        if reason is None:
            kept[name] = record
        elif warnings is not None:
            warnings.append(f"{path}: entry {name!r} ignored: {reason}")
    return kept


def _untrusted(out_dir: Path, name: str, record: dict[str, Any]) -> str | None:
    """Why a manifest entry must not be used, or None."""
    if name in (MANIFEST, LOCK):
        return "names a file procmap keeps for itself"
    reason = inside(out_dir, name)
    if reason is not None:
        return f"its output {reason}"
    source = record.get("source")
    if source is not None and (reason := source_form(source)) is not None:
        return f"its source {source!r} is {reason}"
    return None


def write_manifest(out_dir: Path, manifest: dict[str, dict[str, Any]], mode: int) -> None:
    """Write the manifest atomically (a kill leaves the old one or the new one, whole)."""
    body = {"procmap": __version__, "outputs": dict(sorted(manifest.items()))}
    text = json.dumps(body, indent=2, sort_keys=True) + "\n"
    write_atomic(out_dir / MANIFEST, text.encode("utf-8"), mode)


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write `data` to `path` completely or not at all (temporary file, then os.replace)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _remove_leftovers(out_dir: Path, names: set[str]) -> None:
    """Delete the temporary files (`.<name>.XXXXXXXX.tmp`) a killed run left behind for
    the outputs of this run; nothing else."""
    try:
        entries = os.listdir(out_dir)
    except OSError:
        return
    for entry in entries:
        if entry.startswith(".") and entry.endswith(".tmp"):
            name, dot, _ = entry[1:-4].rpartition(".")
            if dot and name in names:
                with contextlib.suppress(OSError):
                    os.unlink(out_dir / entry)


def _file_mode() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the platform has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _workers(jobs: int | None) -> int:
    """Threads for the run, and so `dot` processes at once: `jobs`, by default one per CPU
    (at most 16), and never more than the CPUs whatever `jobs` says (`-j 100000` would
    otherwise start 100000 threads and as many `dot`s as there are maps)."""
    cpus = _cpus()
    return max(1, min(jobs or min(cpus, 16), cpus))


def _relative(path: str, out_dir: Path) -> str:
    try:
        return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(out_dir))).as_posix()
    except ValueError:  # another drive on Windows
        return Path(os.path.abspath(path)).as_posix()


def stale_outputs(
    manifest: dict[str, dict[str, Any]],
    processes: dict[str, Process],
    out_dir: Path,
    produced: set[str],
) -> list[str]:
    """Outputs an earlier run wrote for a process that is gone: its file was deleted or
    moved, or now holds a process with another id. Outputs of a file that exists but is
    not in this run (invalid today, or not named) are kept: they are not known to be stale.
    """
    ids = {os.path.abspath(path): process.id for path, process in processes.items()}
    stale = []
    for name, record in manifest.items():
        source, was = record.get("source"), record.get("process")
        if name in produced or not isinstance(source, str) or not isinstance(was, str):
            continue
        path = os.path.abspath(os.path.join(out_dir, source))
        if not os.path.exists(path) or ids.get(path, was) != was:
            stale.append(name)
    return sorted(stale)


def shown_name(path: str) -> str:
    """The file name of `path` as text a document can hold: bytes that are not UTF-8 (a
    name Python decoded with surrogate escapes) are shown as backslash escapes."""
    return os.fsencode(Path(path).name).decode("utf-8", "backslashreplace")


def output_names(process_id: str, formats: tuple[str, ...]) -> dict[str, str | None]:
    """Format -> output file name (None for formats not rendered)."""
    return {f: (process_id + SUFFIXES[f] if f in formats else None) for f in FORMATS}


class _Run:
    def __init__(
        self,
        processes: dict[str, Process],
        options: Options,
        measured: dict[str, Measurement] | None = None,
        home: Home | None = None,
    ) -> None:
        from .documents import search_path

        self.home_section = home
        self.options = options
        self.processes = processes
        self.measured = measured or {}
        self.folders = search_path(options.templates)
        self.rendered = {p.id for p in processes.values()}
        self.names = {p.id: p.name for p in processes.values()}
        self._inputs: dict[str, str] = {}
        self._analysis: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._templates: str | None = None

    # --- keys --------------------------------------------------------------------------
    def origin(self, path: str, process: Process) -> dict[str, str]:
        """Where an output comes from: the input's hash, its file (relative to the output
        folder, so the manifest is the same on every machine) and the process id; the last
        two let a later run find outputs whose process is gone."""
        return {
            "input": self.input_sha(path),
            "source": _relative(path, self.options.out_dir),
            "process": process.id,
        }

    def input_sha(self, path: str) -> str:
        if path not in self._inputs:
            self._inputs[path] = _file_sha(Path(path)) or ""
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
        ids = sorted({s.process for s in process.steps if s.process and s.process in self.rendered})
        return {pid: pid + SUFFIXES["runbook"] for pid in ids}

    def linked(self, process: Process) -> dict[str, Any]:
        """What `process`'s outputs take from the other processes of the run (for the keys):
        the runbooks its subprocess boxes link to, and those processes' names."""
        ids = sorted({s.process for s in process.steps if s.process and s.process in self.names})
        return {"links": self.links(process), "names": [[pid, self.names[pid]] for pid in ids]}

    def site_links(self, process: Process) -> dict[str, str]:
        """Process id -> page, for the subprocesses of `process` rendered in this run."""
        from .site import page_name

        ids = sorted({s.process for s in process.steps if s.process and s.process in self.rendered})
        return {pid: page_name(pid) for pid in ids}

    def site_analysis(self, process: Process) -> Any:
        from .analysis import analyze

        key = process.id + "\0site"
        with self._lock:
            found = self._analysis.get(key)
        if found is None:
            found = analyze(process, self.site_links(process), self.names)
            with self._lock:
                self._analysis[key] = found
        return found

    def analysis(self, process: Process) -> Any:
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
        page = {
            "pages": entries,
            "portfolio": portfolio,
            "system_map": system_map,
            "catalog": Markup(catalog),
            "stylesheet": STYLESHEET_NAME,
            "version": __version__,
        }
        return render(TEMPLATE, page, self.folders).encode("utf-8")

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

    # --- jobs --------------------------------------------------------------------------
    def jobs(self) -> list[_Job]:
        opts = self.options
        jobs: list[_Job] = []
        graph = {"direction": opts.direction, "lanes": opts.lanes}
        docs_opts = {"direction": opts.direction, "formats": list(opts.formats)}
        for path, process in self.processes.items():
            base = {**self.origin(path, process), "version": __version__}
            linked = self.linked(process)
            measurement = self.measured.get(process.id)
            for fmt in opts.formats:
                name = process.id + SUFFIXES[fmt]
                if fmt in DRAWN:
                    key = {**base, "options": {**graph, "format": fmt, "linked": linked}}
                    make = self._drawer(process, fmt)
                elif fmt == "dot":
                    key = {**base, "options": {**graph, "linked": linked}}
                    make = self._text(lambda p=process: self.dot(p))
                elif fmt == "mermaid":
                    key = {**base, "options": {"direction": opts.direction}}
                    make = self._text(lambda p=process: self.mermaid(p))
                elif fmt in PLUGGED:
                    key = {**base, "options": {"format": fmt}}
                    make = self._plugged(opts.makers[fmt], process)
                elif fmt == "html":
                    key = {
                        **base,
                        "templates": self.templates_sha(),
                        "options": {
                            **graph,
                            "index": opts.index,
                            "linked": self.site_linked(process),
                        },
                    }
                    if measurement is not None:
                        key["measured"] = measurement.digest()
                    make = self._page(path, process)
                else:
                    key = {
                        **base,
                        "templates": self.templates_sha(),
                        "options": {**docs_opts, "linked": linked},
                    }
                    if measurement is not None:
                        key["measured"] = measurement.digest()
                    template = f"{fmt}.md.j2"
                    make = self._doc(template, path, process)
                jobs.append(
                    _Job(name, key, make, slow=fmt in DRAWN or fmt in PLUGGED or fmt == "html")
                )
            if measurement is not None:
                for name, maker in sorted(measurement.outputs.items()):
                    key = {**base, "measured": measurement.digest(), "options": graph}
                    jobs.append(_Job(name, key, self._extra(maker), slow=True))
        if opts.index:
            listing = sorted(
                (p.id, Path(path).name, self.input_sha(path)) for path, p in self.processes.items()
            )
            key = {
                "input": sha256(json.dumps(listing).encode()),
                "version": __version__,
                "templates": self.templates_sha(),
                "options": {"formats": list(opts.formats)},
            }
            jobs.append(_Job(INDEX, key, self.index))
        if "html" in opts.formats:
            from .site import STYLESHEET_NAME

            version = {"version": __version__, "templates": self.templates_sha()}
            jobs.append(_Job(STYLESHEET_NAME, version, self.stylesheet))
            if opts.index:
                listing = sorted(
                    (p.id, Path(path).name, self.input_sha(path))
                    for path, p in self.processes.items()
                )
                key = {**version, "input": sha256(json.dumps(listing).encode())}
                if self.home_section is not None:
                    key["portfolio"] = self.home_section.digest()
                jobs.append(_Job(HOME, key, self.home, slow=True))
        if opts.diff is not None:
            jobs.extend(self._diff_jobs(opts.diff, graph))
        return jobs

    def _drawer(self, process: Process, fmt: str) -> Callable[[], bytes]:
        def make() -> bytes:
            from .flowmap import draw

            return draw(self.dot(process), fmt)

        return make

    def _extra(self, maker: Callable[[Options], bytes]) -> Callable[[], bytes]:
        return lambda: maker(self.options)

    @staticmethod
    def _plugged(maker: Callable[[Process], bytes], process: Process) -> Callable[[], bytes]:
        return lambda: maker(process)

    @staticmethod
    def _text(source: Callable[[], str]) -> Callable[[], bytes]:
        return lambda: source().encode("utf-8")

    def _page(self, path: str, process: Process) -> Callable[[], bytes]:
        return lambda: self.page(path, process)

    def site_linked(self, process: Process) -> dict[str, Any]:
        ids = sorted({s.process for s in process.steps if s.process and s.process in self.names})
        return {"links": self.site_links(process), "names": [[pid, self.names[pid]] for pid in ids]}

    def _doc(self, template: str, path: str, process: Process) -> Callable[[], bytes]:
        return lambda: self.document(template, path, process)

    def _diff_jobs(self, rev: str, graph: dict[str, Any]) -> list[_Job]:
        from ..git import GitError, resolve_commit, toplevel

        tops: dict[str, tuple[Path, str]] = {}
        jobs = []
        for path, process in self.processes.items():
            folder = os.path.dirname(os.path.abspath(path))
            if folder not in tops:
                try:
                    top = toplevel(folder)
                    tops[folder] = (top, resolve_commit(top, rev))
                except GitError as error:
                    raise RenderError(f"--diff {rev}: {error}") from None
            top, commit = tops[folder]
            key = {
                **self.origin(path, process),
                "version": __version__,
                "options": {**graph, "diff": commit, "linked": self.linked(process)},
            }
            jobs.append(
                _Job(
                    process.id + DIFF_SUFFIX,
                    key,
                    self._diff_maker(path, process, top, commit),
                    True,
                )
            )
        return jobs

    def _diff_maker(
        self, path: str, process: Process, top: Path, commit: str
    ) -> Callable[[], bytes]:
        def make() -> bytes:
            from ..git import previous_version
            from .flowmap import draw

            previous = previous_version(path, process, top, commit)
            return draw(self.dot(process, previous), "svg")

        return make


def check_options(options: Options) -> None:
    """Raise RenderError for options that cannot work, before any file is read."""
    out_dir = options.out_dir
    if out_dir.exists() and not out_dir.is_dir():
        raise RenderError(f"{out_dir}: is a file, not a folder")
    if options.direction not in ("LR", "TB"):
        raise RenderError(f"unknown direction {options.direction!r}: choose LR or TB")
    if options.templates is not None:
        if not options.templates.is_dir():
            raise RenderError(f"--templates {options.templates}: no such folder")
        _readable(options.templates)
    for fmt in options.formats:
        if fmt not in FORMATS:
            raise RenderError(f"unknown format {fmt!r}: choose from {', '.join(FORMATS)}")
        if fmt in PLUGGED and fmt not in options.makers:
            raise RenderError(f"format {fmt!r} needs its maker in Options.makers")


def _readable(templates: Path) -> None:
    """RenderError when the templates folder, or a folder in it, cannot be listed: the
    template lookup would skip it without a word, and the packaged templates win unseen."""

    def fail(error: OSError) -> None:
        raise RenderError(
            f"--templates {templates}: cannot read {error.filename}: {error.strerror}"
        )

    for _ in os.walk(templates, onerror=fail):
        pass


def render(
    processes: dict[str, Process],
    options: Options,
    progress: Callable[[int], Progress | None] | None = None,
    measured: dict[str, Measurement] | None = None,
    home: Home | None = None,
    waiting: Callable[[], None] | None = None,
) -> Outcome:
    """Render every process in `processes` (input path -> validated process) into
    `options.out_dir`. `progress(total)` may return a Progress told about each output;
    `measured` (process id -> Measurement) fills the worksheets of measured processes and
    adds the outputs drawn from their logs; `home` puts the portfolio on the site's home
    page. The run holds the output folder's lock (LOCK) throughout; when another run holds
    it, `waiting()` is called once and the run waits, raising RenderBusy after
    LOCK_SECONDS."""
    check_options(options)
    out_dir = options.out_dir
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RenderError(f"{out_dir}: cannot create the folder: {error.strerror}") from None
    with _folder_lock(out_dir, waiting):
        return _render(processes, options, progress, measured, home)


@contextlib.contextmanager
def _folder_lock(out_dir: Path, waiting: Callable[[], None] | None) -> Iterator[None]:
    """Hold the lock on `out_dir` (an exclusive `flock` on LOCK) while the block runs.

    Where `fcntl` is missing (Windows) the run goes on unlocked, as it does when the lock
    file cannot be made in a read-only folder (where the run cannot write anything either)
    or the file system refuses locks. The lock file is opened without following a
    symlink and must be a regular file, so a planted link or FIFO is refused.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no flock; concurrent runs there are not serialized
        yield
        return
    flags = os.O_RDWR | os.O_CREAT
    for extra in ("O_NOFOLLOW", "O_NONBLOCK", "O_CLOEXEC"):
        flags |= getattr(os, extra, 0)
    path = out_dir / LOCK
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            yield
            return
        why = "it is a symbolic link" if error.errno == errno.ELOOP else error.strerror
        raise RenderError(f"{path}: cannot lock the output folder: {why}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise RenderError(f"{path}: cannot lock the output folder: not a regular file")
        _acquire(fcntl, fd, out_dir, waiting)
        yield
    finally:
        os.close(fd)  # releases the lock


def _acquire(fcntl: Any, fd: int, out_dir: Path, waiting: Callable[[], None] | None) -> None:
    """Take the exclusive lock on `fd`, polling; `waiting()` once if another run holds it."""
    deadline = None
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        except OSError:  # a file system without locks (some network mounts): go on
            return
        now = time.monotonic()
        if deadline is None:
            deadline = now + LOCK_SECONDS
            if waiting is not None:
                waiting()
        elif now >= deadline:
            raise RenderBusy(
                f"{out_dir}: another procmap render has held the folder for"
                f" {LOCK_SECONDS:g} s; nothing rendered, run again when it ends"
            )
        time.sleep(0.05)


def _render(
    processes: dict[str, Process],
    options: Options,
    progress: Callable[[int], Progress | None] | None,
    measured: dict[str, Measurement] | None,
    home: Home | None,
) -> Outcome:
    """The run itself, with the output folder made and locked."""
    from ..git import GitError
    from .documents import TemplateProblem
    from .flowmap import DrawError

    out_dir = options.out_dir
    run = _Run(processes, options, measured, home)
    outcome = Outcome()
    manifest = read_manifest(out_dir, outcome.warnings)
    todo: list[_Job] = []
    try:
        jobs = run.jobs()
    except (OSError, TemplateProblem) as error:
        raise RenderError(f"cannot read the templates: {error}") from None
    _remove_leftovers(out_dir, {job.name for job in jobs} | {MANIFEST})
    for job in jobs:
        target = out_dir / job.name
        reason = not_regular(target)
        if reason is not None:  # a FIFO, a folder...: never read, never replaced
            outcome.problems.append(f"{target}: {reason}; not overwritten")
            continue
        if target.is_symlink() and not options.force:
            # Live or dangling: never written through, adopted or replaced unasked.
            missing = "" if target.exists() else " to a missing file"
            outcome.problems.append(
                f"{target}: is a symbolic link{missing}, not an output procmap wrote;"
                " not overwritten, use --force to replace the link"
            )
            continue
        record = manifest.get(job.name)
        # A link (only with --force here) is replaced, whatever its target holds.
        current = _file_sha(target) if target.exists() and not target.is_symlink() else None
        ours = record is not None and current is not None and record.get("output") == current
        if current is not None and not ours and not options.force:
            # Not in the manifest, or not as recorded: a file of the user's, or one that
            # a run killed part-way wrote before it could record it. Made again and
            # compared in `perform`: identical bytes are ours, anything else is refused.
            job.claim = current
            todo.append(job)
            continue
        if (
            ours
            and record is not None
            and {**record, "output": None} == {**job.key, "output": None}
        ):
            outcome.unchanged.append(job.name)
            continue
        todo.append(job)

    mode = _file_mode()
    for name in stale_outputs(manifest, processes, out_dir, {job.name for job in jobs}):
        record = manifest.pop(name)
        target = out_dir / name
        if _file_sha(target) == record.get("output"):
            try:
                target.unlink()
            except OSError as error:
                manifest[name] = record
                outcome.problems.append(f"{target}: cannot remove: {error.strerror or error}")
                continue
            outcome.removed.append(name)
        # An output edited since procmap wrote it is the user's now: kept, and forgotten.
    bar = progress(len(todo)) if progress is not None and todo else None
    lock = threading.Lock()
    cancelled = threading.Event()
    saved = [time.monotonic()]

    def record(job: _Job, data: bytes) -> None:
        """Note the output in the manifest, and save the manifest now and then: a run
        killed part-way (kill -9, a crash, a power cut) then leaves a manifest that vouches
        for what it wrote, and the bytes check in `perform` adopts the last few."""
        with lock:
            manifest[job.name] = {**job.key, "output": sha256(data)}
            if time.monotonic() - saved[0] >= CHECKPOINT_SECONDS:
                with contextlib.suppress(OSError):  # the final save reports trouble
                    write_manifest(out_dir, manifest, mode)
                saved[0] = time.monotonic()

    def perform(job: _Job) -> tuple[str, str | None]:
        if cancelled.is_set():
            return job.name, _CANCELLED
        target = out_dir / job.name
        try:
            data = job.make()
            if job.claim is not None:
                if sha256(data) != job.claim:
                    return job.name, (
                        f"{target}: exists and was not written by procmap (or was edited"
                        " since); not overwritten, use --force to replace it"
                    )
                record(job, data)
                return job.name, _ADOPTED
            write_atomic(target, data, mode)
        except (DrawError, TemplateProblem, GitError) as error:
            if cancelled.is_set():  # its `dot` was stopped by the interruption
                return job.name, _CANCELLED
            return job.name, f"{target}: {error}"
        except OSError as error:
            return job.name, f"{target}: cannot write: {error.strerror or error}"
        record(job, data)
        return job.name, None

    todo.sort(key=lambda j: (not j.slow, j.name))  # start the slow drawings first
    results: list[tuple[str, str | None]] = []
    try:
        if len(todo) <= 1 or _workers(options.jobs) == 1:
            for job in todo:
                results.append(perform(job))
                if bar:
                    bar.advance()
        else:
            _in_parallel(todo, perform, _workers(options.jobs), cancelled, results, bar)
    finally:
        if bar:
            bar.close()
        if todo or outcome.removed or outcome.warnings:  # warnings: purge what was ignored
            try:
                write_manifest(out_dir, manifest, mode)
            except OSError as error:
                outcome.problems.append(
                    f"{out_dir / MANIFEST}: cannot write: {error.strerror or error};"
                    " the next run will check those outputs byte for byte"
                )
    for name, problem in results:
        if problem is None:
            outcome.written.append(name)
        elif problem == _ADOPTED:
            outcome.unchanged.append(name)
        elif problem != _CANCELLED:
            outcome.problems.append(problem)
    outcome.written.sort()
    outcome.unchanged.sort()
    outcome.removed.sort()
    outcome.problems.sort()
    return outcome


def _in_parallel(
    todo: list[_Job],
    perform: Callable[[_Job], tuple[str, str | None]],
    workers: int,
    cancelled: threading.Event,
    results: list[tuple[str, str | None]],
    bar: Progress | None,
) -> None:
    """Run `perform` over `todo` on `workers` threads, appending to `results`.

    On Ctrl-C (KeyboardInterrupt in this, the main thread) or any other exception: the
    queued jobs are cancelled, the running `dot` processes killed, and the jobs already
    running are waited for (they finish at once, and what they completed is recorded),
    so the caller saves a manifest that matches the folder; then the exception goes on.
    """
    from .flowmap import stop_drawings

    pool = ThreadPoolExecutor(workers)
    futures = [pool.submit(perform, job) for job in todo]
    try:
        for future in as_completed(futures):
            results.append(future.result())
            if bar:
                bar.advance()
    except BaseException:
        cancelled.set()
        pool.shutdown(wait=False, cancel_futures=True)
        pending = [f for f in futures if not f.cancelled()]
        while not all(f.done() for f in pending):
            stop_drawings()  # again and again: a job may have started `dot` just now
            wait(pending, timeout=0.05)
        raise
    finally:
        pool.shutdown(wait=True)


class Progress(Protocol):
    """What the run reports to: one `advance()` per output done, `close()` at the end."""

    def advance(self) -> None: ...

    def close(self) -> None: ...


class _Bar:
    """A transient rich progress bar; gone from the terminal when the run ends."""

    def __init__(self, stream: Any, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
        from rich.progress import Progress as RichProgress

        self._bar = RichProgress(
            TextColumn("rendering"),
            BarColumn(),
            MofNCompleteColumn(),
            console=Console(file=stream),
            transient=True,
        )
        self._task = self._bar.add_task("render", total=total)
        self._bar.start()

    def advance(self) -> None:
        self._bar.advance(self._task)

    def close(self) -> None:
        self._bar.stop()


def terminal_progress(stream: Any) -> Callable[[int], Progress | None] | None:
    """A progress bar on `stream` for runs of PROGRESS_THRESHOLD outputs or more, only when
    `stream` is a terminal (never in pipes, files or CI)."""
    if not (hasattr(stream, "isatty") and stream.isatty()) or os.environ.get("CI"):
        return None
    return lambda total: _Bar(stream, total) if total >= PROGRESS_THRESHOLD else None

"""What a caller gives the render run and what it gets back.

Owns: the run's `Options` and their checks (`check_options`, `parse_formats`), what the
caller hands over from the layers above (`Measurement`: a measure result and the outputs
drawn from it; `Home`: the portfolio on the site's home page), what the run did
(`Outcome`), and the errors that stop it before anything is written (`RenderError`,
`RenderBusy`).

Must not know: how outputs are made or written, the manifest, or exit statuses.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..format import Process
from .formats import DEFAULT_FORMATS, FORMATS, PLUGGED
from .measureresult import MeasureResult


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
    #: The process files of the configured set that this run leaves out (the caller
    #: rendering a subset named on its command line): the index is then not rewritten,
    #: even into an empty folder, as for the processes an earlier run left there.
    left_out: tuple[str, ...] = ()
    #: Format -> the function that makes its bytes from a process, for the PLUGGED
    #: formats (given by the caller: `procmap.cli` plugs in `procmap.bpmn.to_bpmn`).
    makers: Mapping[str, Callable[[Process], bytes]] = field(default_factory=dict)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Measurement:
    """A measure result for one process and the outputs drawn from it, given to the run by
    the caller (`procmap.measure` computes both; the run only shows and writes them).

    `result` is the dict `procmap measure --format json` prints: the DMAIC worksheet shows
    its figures. `outputs` maps an output name (`<id>.measured.svg`) to what makes its bytes
    from the run's options. Both enter the outputs' keys through a digest of `result`, so
    a new log redraws them and an unchanged one skips them like any unchanged output.
    """

    result: MeasureResult
    outputs: dict[str, Callable[[Options], bytes]] = field(default_factory=dict)

    def digest(self) -> str:
        return _sha256(json.dumps(self.result, sort_keys=True, default=str).encode("utf-8"))


@dataclass(frozen=True)
class Home:
    """The portfolio on the site's home page, given by the caller (`procmap.portfolio`
    makes it; the run only shows it): its report in Markdown and the system map's SVG,
    whose boxes link to the process pages, and the site's title."""

    markdown: str
    map_svg: bytes | None = None
    #: The site's title, the business's name (`[tool.procmap.site] title`); "" for none.
    title: str = ""

    def digest(self) -> str:
        return _sha256(
            self.markdown.encode("utf-8")
            + b"\0"
            + (self.map_svg or b"")
            + b"\0"
            + self.title.encode("utf-8")
        )


@dataclass
class Outcome:
    """What the run did: outputs written, outputs skipped as unchanged, stale outputs
    removed, one-line problems, and one-line warnings (entries of the manifest ignored, an
    index left alone because the run renders part of the folder's processes), which do
    not make the run fail."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.problems)


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

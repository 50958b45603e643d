"""The logs declared in `[tool.procmap.logs]`, measured for `procmap render`.

Owns: finding the declared log of each rendered process, measuring it, and the
`Measurement` the render run takes: the result for the DMAIC worksheet and the measured
map (`<id>.measured.svg`), drawn with the run's direction and lanes, beside the authored
map.

Must not know: options, exit statuses, how the worksheet shows the figures (templates).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..format import ProcessLike
from ..render import Measurement, Options


def declared_measurements(
    processes: Mapping[str, ProcessLike],
    logs: Mapping[str, DeclaredLog],
    *,
    root: Path | None = None,
    draw_map: bool = True,
) -> tuple[dict[str, Measurement], list[str]]:
    """Process id -> Measurement for each process (input path -> validated process) with
    a declared log; and one line per log that could not be measured or was refused (more
    unreadable rows than its `max-bad-rows`, dates that read two ways: its process is
    then rendered without figures). `draw_map` adds the measured map to the outputs. The
    result names its log relative to `root` (the configuration's folder), so the
    documents are the same on every machine."""
    found: dict[str, Measurement] = {}
    problems: list[str] = []
    for path, process in sorted(processes.items()):
        declared = logs.get(process.id)
        if declared is None:
            continue
        # Imported only for a process with a log: a run whose logs are all of other
        # processes (or a repository's `procmap render` of other files) skips them.
        from .engine import measure_log
        from .errors import LogError, NothingMapsError, RefusedLogError

        try:
            result = measure_log(
                process,
                declared.path,
                source=path,
                columns=declared.columns,
                max_bad_rows=declared.max_bad_rows,
            )
        except NothingMapsError as error:  # the worksheet names the log's activities
            result = error.result
        except RefusedLogError as error:
            problems.append(
                f"{error} (the log of {process.id}, refused: `max-bad-rows` in"
                f" [tool.procmap.logs.{process.id}] allows more; rendered without figures)"
            )
            continue
        except LogError as error:
            problems.append(f"{error} (the log of {process.id}; rendered without figures)")
            continue
        if root is not None:
            result["log"] = _shown(declared.path, root)
        outputs = {}
        if draw_map:
            outputs[f"{process.id}.measured.svg"] = _map_maker(process, result)
        found[process.id] = Measurement(result, outputs)
    return found, problems


if TYPE_CHECKING:
    from ..config import DeclaredLog
    from ..render import MeasureResult


def _map_maker(process: ProcessLike, result: MeasureResult) -> Callable[[Options], bytes]:
    from .heatmap import measured_svg

    def make(options: Options) -> bytes:
        return measured_svg(process, result, direction=options.direction, lanes=options.lanes)

    return make


def _shown(path: str, root: Path) -> str:
    try:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    except ValueError:  # another drive on Windows
        return Path(path).as_posix()
    return Path(path).as_posix() if relative.startswith("..") else Path(relative).as_posix()

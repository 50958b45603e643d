"""The live preview: the processes as a site, rebuilt on every save (`procmap serve`).

Owns: the state between saves (the valid processes by file, the problems of each file,
the measured figures), a rebuild (validate the files that changed, with their ids
compared against the others; render the site, which redraws only the outputs whose
inputs changed; tell the open pages to reload), and the watcher (watchfiles, on the
process folders, the templates folder, the configuration and the declared logs).

A file with errors keeps its last good pages: the render run leaves the outputs of an
invalid file in place, and the server shows the problems in a banner over every page.

Must not know: HTTP (`server`), options parsing, exit statuses.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..config import Config
from ..format import Problem, Process
from ..lint import discover, validate_paths
from ..render import Options, render
from .server import Broadcast, make_server

#: Milliseconds the watcher waits for a burst of writes (an editor's save) to settle.
DEBOUNCE_MS = 40


class Preview:
    """The site of the processes under `paths`, served from `options.out_dir`."""

    def __init__(
        self,
        paths: list[str],
        config: Config,
        options: Options,
        *,
        measure: bool = True,
        say: Callable[[str], None] = lambda line: None,
    ) -> None:
        self.paths = paths
        self.config = config
        self.options = options
        self.measure = measure and bool(config.logs)
        self.say = say
        self.broadcast = Broadcast()
        self.processes: dict[str, Process] = {}
        self.problems: dict[str, list[Problem]] = {}
        self.measured: dict[str, Any] = {}
        self.log_problems: list[str] = []
        self._lock = threading.Lock()
        self._server: Any = None
        self._stop = threading.Event()

    # --- building ----------------------------------------------------------------------
    def build(self, changed: Iterable[str] | None = None) -> list[str]:
        """Validate (everything, or the process files in `changed`, given in any spelling),
        render, and tell the open pages to reload; the outputs written."""
        with self._lock:
            if changed is None:
                # The paths, not `discover`'s files: a folder that cannot be read is a
                # problem on the banner (Y013), not a site quietly missing its processes.
                report = validate_paths(self.paths, self.config, jobs=1, keep=True)
                self.processes = dict(report.processes)
                self.problems = {}
                for problem in report.problems:
                    self.problems.setdefault(problem.path, []).append(problem)
                touched = set(self.processes)
            else:
                touched = self._revalidate(changed)
            if self.measure:
                self._measure(touched if changed is not None else None)
            home = None
            if self.processes:
                from ..portfolio import Settings, site_home

                home = site_home(self.processes, Settings.from_config(self.config.portfolio))
            outcome = render(self.processes, self.options, None, self.measured, home)
            self.broadcast.bump()
            return outcome.written

    def _revalidate(self, changed: Iterable[str]) -> set[str]:
        """Validate the changed files; a file that now has errors keeps its last good
        process in the site (its pages, and the links and catalog entries to them)."""
        # One walk of the folders: the spelling `discover` gives each file (the keys of
        # `processes` and `problems`), by its absolute path.
        spelled = {os.path.abspath(p): p for p in discover(self.paths, self.config)}
        touched: set[str] = set()
        for path in sorted({spelled.get(os.path.abspath(p), p) for p in changed}):
            last_good = self.processes.pop(path, None)
            self.problems.pop(path, None)
            if os.path.abspath(path) not in spelled or not os.path.isfile(path):
                continue  # deleted, or not a process file of the preview
            report = validate_paths([path], self.config, jobs=1, keep=True, neighbours=True)
            for problem in report.problems:
                self.problems.setdefault(problem.path, []).append(problem)
            if report.processes:
                self.processes.update(report.processes)
                touched.update(report.processes)
            elif last_good is not None:
                self.processes[path] = last_good
        return touched

    def _measure(self, paths: set[str] | None) -> None:
        from ..measure import declared_measurements

        chosen = self.processes if paths is None else {p: self.processes[p] for p in paths}
        found, self.log_problems = declared_measurements(
            chosen, self.config.logs, root=self.config.root, draw_map=True
        )
        live = {process.id for process in self.processes.values()}
        self.measured = {pid: m for pid, m in self.measured.items() if pid in live}
        for process in chosen.values():
            self.measured.pop(process.id, None)
        self.measured.update(found)

    def problem_text(self) -> str:
        """The current errors (and unusable logs), as `procmap validate` prints them."""
        from ..lint import FORMATS

        errors = [p for ps in self.problems.values() for p in ps if p.severity == "error"]
        text = FORMATS["text"](errors, False) if errors else ""
        return text + "".join(f"{line}\n" for line in self.log_problems)

    # --- serving -----------------------------------------------------------------------
    def start(self, host: str, port: int) -> str:
        """Listen on `host`:`port` (raises ServeError) and serve in a thread; the URL."""
        self._server = make_server(
            self.options.out_dir, host, port, self.broadcast, self.problem_text
        )
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        bound_host, bound_port = self._server.server_address[:2]
        return f"http://{bound_host}:{bound_port}/"

    def stop(self) -> None:
        self._stop.set()
        self.broadcast.close()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def watched(self) -> list[Path]:
        """What the watcher looks at: the process paths, templates, configuration, logs."""
        found = [Path(p) for p in self.paths]
        if self.options.templates is not None:
            found.append(self.options.templates)
        if self.config.source is not None:
            found.append(self.config.source)
        if self.measure:
            found.extend(Path(declared.path) for declared in self.config.logs.values())
        return [p for p in found if p.exists()]

    def watch(self) -> None:
        """Rebuild on every change until `stop` (or Ctrl-C in the caller's thread)."""
        import watchfiles

        process_files = {os.path.abspath(p) for p in discover(self.paths, self.config)}
        for changes in watchfiles.watch(
            *self.watched(),
            debounce=DEBOUNCE_MS,
            step=DEBOUNCE_MS,
            stop_event=self._stop,
            raise_interrupt=True,
        ):
            started = time.perf_counter()
            paths = {os.path.abspath(path) for _, path in changes}
            yamls = {p for p in paths if p.endswith((".yaml", ".yml"))}
            process_files |= {p for p in yamls if _under(p, self.paths)}
            others = paths - yamls
            try:
                # templates, configuration or a log: everything may change
                written = self.build() if others else self.build(yamls & process_files)
            except Exception as error:
                self.say(f"procmap serve: rebuild failed: {error}")
                continue
            took = time.perf_counter() - started
            shown = ", ".join(written[:4]) + (" ..." if len(written) > 4 else "")
            self.say(f"Rebuilt in {took:.2f} s: {shown or 'nothing changed'}")
            text = self.problem_text()
            if text:
                self.say(text.rstrip())


def _under(path: str, roots: list[str]) -> bool:
    for root in roots:
        top = os.path.abspath(root)
        with contextlib.suppress(ValueError):
            if path == top or os.path.commonpath([path, top]) == top:
                return True
    return False

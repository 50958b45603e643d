"""Progress on stderr for the log commands, `procmap measure` and `procmap simulate`.

Owns: when progress shows (`shown`: stderr is a terminal, not CI, not `--quiet`) and how:
nothing at all for work under `DELAY` seconds, then a rich status line with a spinner
and the phase (`Status`, for `measure`: "reading the log", "measuring") or a bar of the
cases made (`Bar`, for `simulate`), both gone from the terminal when the work ends. A
timer thread starts them, so the work itself never waits on the terminal; rich is
imported only then.

Must not know: what is measured or simulated; typer.
"""

from __future__ import annotations

import os
import threading
from types import TracebackType
from typing import Any, Self, TextIO

#: Seconds of work before progress shows: a quick run prints nothing.
DELAY = 1.0


def shown(stream: TextIO, quiet: bool) -> bool:
    """Whether progress shows on `stream`: a terminal, not in CI, not `quiet`."""
    if quiet or os.environ.get("CI"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class _Delayed:
    """A rich live display on `stream` started after `delay` seconds by a timer thread
    (not at all when not `enabled`), stopped when the block ends."""

    def __init__(self, stream: TextIO, enabled: bool, delay: float | None = None) -> None:
        self._stream = stream
        self._enabled = enabled
        self._delay = DELAY if delay is None else delay
        self._lock = threading.Lock()
        self._live: Any = None
        self._done = False
        self._timer: threading.Timer | None = None

    def __enter__(self) -> Self:
        if self._enabled:
            self._timer = threading.Timer(self._delay, self._start)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._done = True
            if self._live is not None:
                self._live.stop()

    def _start(self) -> None:
        with self._lock:
            if self._done:
                return
            from rich.console import Console

            # `shown` found a terminal: rich need not check again (nor a test's stand-in)
            self._live = self._make(Console(file=self._stream, force_terminal=True))
            self._live.start()

    def _make(self, console: Any) -> Any:
        raise NotImplementedError

    def _update(self, **changes: Any) -> None:
        with self._lock:
            if self._live is not None:
                self._apply(self._live, **changes)

    def _apply(self, live: Any, **changes: Any) -> None:
        raise NotImplementedError


class Status(_Delayed):
    """A spinner and the phase of the work (`phase`, after `prefix`), on `stream` after
    `DELAY` seconds."""

    def __init__(
        self, stream: TextIO, enabled: bool, prefix: str = "", delay: float | None = None
    ) -> None:
        super().__init__(stream, enabled, delay)
        self._prefix = prefix
        self._text = f"{prefix}working"

    def phase(self, text: str) -> None:
        """What the work does now (shown at once if the line is up, else when it comes)."""
        self._text = self._prefix + text
        self._update(text=self._text)

    def _make(self, console: Any) -> Any:
        from rich.status import Status as RichStatus

        return RichStatus(self._text, console=console)

    def _apply(self, live: Any, **changes: Any) -> None:
        live.update(changes["text"])


class Bar(_Delayed):
    """A bar of the `total` cases made (`advance`), on `stream` after `DELAY` seconds."""

    def __init__(
        self, stream: TextIO, enabled: bool, total: int, delay: float | None = None
    ) -> None:
        super().__init__(stream, enabled, delay)
        self._total = total
        self._made = 0
        self._task: Any = None

    def advance(self, made: int) -> None:
        """`made` cases are made so far."""
        self._made = made
        if self._live is not None:  # read without the lock: a stale bar is harmless
            self._update(made=made)

    def _make(self, console: Any) -> Any:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        bar = Progress(
            TextColumn("simulating cases"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
        )
        self._task = bar.add_task("simulate", total=self._total, completed=self._made)
        return bar

    def _apply(self, live: Any, **changes: Any) -> None:
        live.update(self._task, completed=changes["made"])

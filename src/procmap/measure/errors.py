"""The errors of a measurement that procmap reports as one line.

Owns: `LogError` (an unusable event log: missing, empty, not a log, a column not found),
and `RefusedLogError`, a log that was read but would be measured wrong, refused rather
than guessed at: `NothingMapsError` (no activity maps to a step), `MemoryLimitError` (it
cannot be measured within the memory limit), a timestamp column that reads day-first and
month-first alike, more unreadable rows than allowed, and the refusals of `--strict`
(unreadable rows, unmapped activities); raised by every module that reads or measures a log.

Must not know: how a log is read or measured, exit statuses (`procmap.cli` maps them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..render import MeasureResult


class LogError(ValueError):
    """An unusable event log: one line naming the file and what is wrong."""


class RefusedLogError(LogError):
    """A log read but refused, because its figures would be wrong: the input's fault, not
    the command line's (`procmap measure` exits 1, as `validate` does for a bad file)."""


class MemoryLimitError(RefusedLogError):
    """A log that cannot be measured within the memory limit."""


class NothingMapsError(RefusedLogError):
    """A log of which no activity maps to a step: nothing to measure. `result` is its
    report of zeros, with the activities it has, for the DMAIC worksheet of a map whose
    activities are not named yet (`procmap render`); `procmap measure` refuses it."""

    def __init__(self, message: str, result: MeasureResult) -> None:
        super().__init__(message)
        self.result = result

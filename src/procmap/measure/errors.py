"""The errors of a measurement that procmap reports as one line.

Owns: `LogError` (an unusable event log), `LogContentError` (a log read but refused
for what it holds: timestamps that read two ways, too many unreadable rows) and
`MemoryLimitError` (a log that cannot be measured within the memory limit), raised by
every module that reads or measures a log.

Must not know: how a log is read or measured, exit statuses (`procmap.cli` maps them).
"""

from __future__ import annotations


class LogError(ValueError):
    """An unusable event log: one line naming the file and what is wrong."""


class MemoryLimitError(LogError):
    """A log that cannot be measured within the memory limit (`procmap measure` exits 1)."""


class LogContentError(LogError):
    """A log that was read but cannot be measured right as it is: a timestamp column that
    reads as day-first and month-first dates alike, more unreadable rows than allowed
    (`procmap measure` exits 1)."""

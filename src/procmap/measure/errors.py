"""The errors of a measurement that procmap reports as one line.

Owns: `LogError` (an unusable event log) and `MemoryLimitError` (a log that cannot be
measured within the memory limit), raised by every module that reads or measures a log.

Must not know: how a log is read or measured, exit statuses (`procmap.cli` maps them).
"""

from __future__ import annotations


class LogError(ValueError):
    """An unusable event log: one line naming the file and what is wrong."""


class MemoryLimitError(LogError):
    """A log that cannot be measured within the memory limit (`procmap measure` exits 1)."""

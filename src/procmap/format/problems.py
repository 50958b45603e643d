"""The Problem record: one finding about one place in one file.

Owns: the record, its ordering, and the error and warning counts of a result that holds
problems (`ProblemCounts`). Checks produce problems, reporters print them, the
CLI turns them into an exit status; this module does none of that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """A finding at a 1-based line and column of a file."""

    path: str
    line: int
    column: int
    code: str
    severity: Severity
    message: str

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.message)

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
        }


class ProblemCounts:
    """`errors` and `warnings` for a result with a `problems` list (a mixin)."""

    problems: list[Problem]

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity == "warning" for p in self.problems)

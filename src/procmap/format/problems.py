"""The Problem record: one finding about one place in one file.

Owns: the record, its ordering, the error and warning counts of a result that holds
problems (`ProblemCounts`), and a document's result against the schema (`Checked`, made
by `schema` and by the linter from the fast reader's records; here, so that the fast
path need not import pydantic). Checks produce problems, reporters print them, the
CLI turns them into an exit status; this module does none of that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, Literal, TypeVar

if TYPE_CHECKING:
    from .protocols import ProcessLike

Severity = Literal["error", "warning"]
#: The process of a `Checked`: the model's `Process` (`schema`) or the fast reader's
#: records (`fastcheck`), both a `ProcessLike`.
P = TypeVar("P", bound="ProcessLike", covariant=True)


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


@dataclass
class Checked(Generic[P]):
    """A document against the schema: the process, or None with one problem per error;
    with `recover`, also the partial process of `_recover` and the top-level sections it
    left out (`schema.check_document`). `Checked[Process]` from the model, the fast
    reader's records in a `Checked[ProcessLike]` (a `Checked[Process]` is one too)."""

    process: P | None
    problems: list[Problem]
    partial: P | None = None
    touched: set[str] = field(default_factory=set)

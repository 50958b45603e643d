"""Processes in git: reading old versions, the semantic diff, and review cadence.

Offers `gitio` (files as they were at a revision), the semantic diff of two versions
(`changes`, loading in `diff`, printing in `diffreport`) and review scheduling (`review`).

Imports `procmap.lint` and `procmap.format` (docs/architecture.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

attach(
    __name__,
    {
        "Change": "changes",
        "FileDiff": "changes",
        "KINDS": "changes",
        "compare": "changes",
        "DiffError": "diff",
        "check_version": "diff",
        "diff_files": "diff",
        "diff_since": "diff",
        "previous_process": "diff",
        "previous_version": "diff",
        "DIFF_FORMATS": "diffreport:FORMATS",
        "as_json": "diffreport",
        "as_markdown": "diffreport",
        "as_text": "diffreport",
        "render_text": "diffreport",
        "summary": "diffreport:summary",
        "GitError": "gitio",
        "resolve_commit": "gitio:commit",
        "toplevel": "gitio",
        "DoneError": "review",
        "EarlierError": "review",
        "REVIEW_FORMATS": "review:FORMATS",
        "record_done": "review",
        "run_review": "review",
        "text_problem": "review",
    },
)

if TYPE_CHECKING:
    from .changes import KINDS, Change, FileDiff, compare
    from .diff import (
        DiffError,
        check_version,
        diff_files,
        diff_since,
        previous_process,
        previous_version,
    )
    from .diffreport import FORMATS as DIFF_FORMATS
    from .diffreport import as_json, as_markdown, as_text, render_text, summary
    from .gitio import GitError, toplevel
    from .gitio import commit as resolve_commit
    from .review import FORMATS as REVIEW_FORMATS
    from .review import (
        DoneError,
        EarlierError,
        record_done,
        run_review,
        text_problem,
    )

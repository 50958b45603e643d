"""Validation: the checks, the validation run and its reports.

Offers the checks that run on a schema-valid process, the run over files and folders
(`validate_paths`), the problem formatters (text, json, github) and the rules reference
generated from the registry (`procmap.format`'s `RULES`).

Imports only `procmap.config` and `procmap.format` (docs/architecture.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

attach(
    __name__,
    {
        "PathError": "linter",
        "YAML_SUFFIXES": "linter",
        "check_file": "linter",
        "configured": "linter",
        "discover": "linter",
        "validate_paths": "linter",
        "FORMATS": "report",
        "summary": "report",
        "text": "report",
        "use_color": "report",
        "rules_json": "ruledocs",
        "rules_markdown": "ruledocs",
        "rules_text": "ruledocs",
        "run_checks": "rules",
        "vanity": "rules",
    },
)

if TYPE_CHECKING:
    from .linter import (
        YAML_SUFFIXES,
        PathError,
        check_file,
        configured,
        discover,
        validate_paths,
    )
    from .report import FORMATS, summary, text, use_color
    from .ruledocs import rules_json, rules_markdown, rules_text
    from .rules import run_checks, vanity

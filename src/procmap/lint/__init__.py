"""Validation: the rule registry, the checks, the validation run and its reports.

Offers the registry of rule codes, the checks that run on a schema-valid process, the run
over files and folders (`validate_paths`), project configuration (`[tool.procmap]`), and
the problem formatters (text, json, github).

Imports only `procmap.format` (docs/architecture.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

attach(
    __name__,
    {
        "Config": "config",
        "ConfigError": "config",
        "PORTFOLIO_WEIGHTS": "config",
        "load": "config",
        "PathError": "linter",
        "YAML_SUFFIXES": "linter",
        "check_file": "linter",
        "configured": "linter",
        "discover": "linter",
        "validate_paths": "linter",
        "RULES": "registry",
        "SelectorError": "registry",
        "expand": "registry",
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
    from .config import PORTFOLIO_WEIGHTS, Config, ConfigError, load
    from .linter import (
        YAML_SUFFIXES,
        PathError,
        check_file,
        configured,
        discover,
        validate_paths,
    )
    from .registry import RULES, SelectorError, expand
    from .report import FORMATS, summary, text, use_color
    from .ruledocs import rules_json, rules_markdown, rules_text
    from .rules import run_checks, vanity

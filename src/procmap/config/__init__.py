"""Project configuration: `[tool.procmap]` in pyproject.toml, or a procmap.toml.

Offers `Config` (what to check, which rules at which severity per file, the declared event
logs and the portfolio's settings), `LogColumns` (where a log keeps each role: the
configuration, `procmap measure`'s options and the measure engine all read it),
`DeclaredLog` (a declared log: its path, columns and `max-bad-rows`; `bad_row_share` reads that percent, `MAX_BAD_ROWS` is its default), `load` (find and read it from a
folder upwards) and `ConfigError`. Every capability may read it: validation asks it for severities and
excludes, `measure` and `render` for the declared logs, the portfolio and the site for
their weights and working week.

Imports only `procmap.format` (the rule registry names what selectors may name)
(docs/architecture.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

attach(
    __name__,
    {
        "Config": "project",
        "ConfigError": "project",
        "DeclaredLog": "project",
        "LogColumns": "project",
        "LOG_KEYS": "project",
        "MAX_BAD_ROWS": "project",
        "bad_row_share": "project",
        "PORTFOLIO_WEIGHTS": "project",
        "find": "project",
        "from_table": "project",
        "load": "project",
    },
)

if TYPE_CHECKING:
    from .project import (
        LOG_KEYS,
        MAX_BAD_ROWS,
        PORTFOLIO_WEIGHTS,
        Config,
        ConfigError,
        DeclaredLog,
        LogColumns,
        bad_row_share,
        find,
        from_table,
        load,
    )

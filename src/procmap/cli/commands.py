"""The `procmap` commands as a typer app: arguments in, one library call, output and exit out.

Owns: the list of commands, registered on `root`'s app in the order `procmap --help`
shows them. Each command is in the module for what it does: `checking` (validate,
rules, schema), `documents` (render, serve), `history` (diff, review), `project` (init,
new, import), `logs` (measure, simulate), `discover` and `portfolio`. Options shared by several
commands are declared once in `params`, every option's default in its command's
dataclass in `options`, and the bodies of `validate`, `measure` and `render` are the
typer-free `validate`, `measure` and `render` modules, which `procmap.cli.main` also
reaches without typer for a usual command line.

Library errors become messages in the commands and nowhere else; each command imports
what it needs when it runs, so `procmap validate` does not pay for rendering or git.
Exit statuses: 0 clean, 1 problems found, 2 usage, configuration or internal error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import checking, discover, documents, history, logs, portfolio, project
from .root import Command, app

#: Each command: its name, function, line in `procmap --help` (short enough not to be cut
#: at 80 columns) and examples at the end of its own help, in the order listed there.
COMMANDS: list[tuple[str, Callable[..., Any], str, list[str]]] = [
    (
        "validate",
        checking.validate,
        "Check process files; each problem with its line.",
        ["procmap validate", "procmap validate processes/onboarding.yaml -f github"],
    ),
    (
        "rules",
        checking.rules,
        "List the rules, and why each exists.",
        ["procmap rules P002", "procmap rules --format markdown > docs/rules.md"],
    ),
    (
        "diff",
        history.diff,
        "What changed in meaning between two versions.",
        ["procmap diff --since main", "procmap diff old.yaml new.yaml -f markdown"],
    ),
    (
        "render",
        documents.render,
        "Draw maps; write runbooks, worksheets, a site.",
        ["procmap render", "procmap render processes/onboarding.yaml -f svg,html -o site/"],
    ),
    (
        "review",
        history.review_command,
        "List the reviews due, or record one (--done).",
        ["procmap review --check", "procmap review --done processes/onboarding.yaml"],
    ),
    (
        "schema",
        checking.schema_command,
        "Print the JSON Schema of the process format.",
        ["procmap schema --output procmap.schema.json"],
    ),
    (
        "init",
        project.init_command,
        "Set up a process repository, new or existing.",
        ["procmap init", "procmap init acme-processes --from client-onboarding"],
    ),
    (
        "new",
        project.new_command,
        "Create a process file from a starter.",
        ["procmap new --list", "procmap new invoice-chase --from lead-handoff"],
    ),
    (
        "portfolio",
        portfolio.portfolio_command,
        "All processes at a glance: where to start.",
        ["procmap portfolio", "procmap portfolio -o out/ -f markdown"],
    ),
    (
        "import",
        project.import_command,
        "Turn a BPMN 2.0 file into process files.",
        ["procmap import onboarding.bpmn", "procmap import export.bpmn --process Onboarding"],
    ),
    (
        "simulate",
        logs.simulate_command,
        "Make a synthetic event log from a process.",
        ["procmap simulate processes/onboarding.yaml --cases 300 -o log.csv"],
    ),
    (
        "serve",
        documents.serve_command,
        "Preview the site on localhost, redrawn on save.",
        ["procmap serve", "procmap serve processes/onboarding.yaml --port 8001"],
    ),
    (
        "measure",
        logs.measure_command,
        "Measure a process against an event log.",
        ["procmap measure processes/onboarding.yaml log.csv", "procmap measure --check"],
    ),
    (
        "discover",
        discover.discover_command,
        "Draft a process map from an event log.",
        ["procmap discover log.csv -o processes/", "procmap discover log.csv --summary"],
    ),
]


def _epilog(examples: list[str]) -> str:
    """The examples as click keeps them: a paragraph marked \\b is not re-wrapped."""
    return "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in examples)


for _name, _function, _short, _examples in COMMANDS:
    app.command(_name, cls=Command, short_help=_short, epilog=_epilog(_examples))(_function)

__all__ = ["app"]

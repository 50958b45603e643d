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

from . import checking, discover, documents, history, logs, portfolio, project
from .root import app

app.command()(checking.validate)
app.command()(checking.rules)
app.command()(history.diff)
app.command()(documents.render)
app.command("review")(history.review_command)
app.command("schema")(checking.schema_command)
app.command("init")(project.init_command)
app.command("new")(project.new_command)
app.command("portfolio")(portfolio.portfolio_command)
app.command("import")(project.import_command)
app.command("simulate")(logs.simulate_command)
app.command("serve")(documents.serve_command)
app.command("measure")(logs.measure_command)
app.command("discover")(discover.discover_command)

__all__ = ["app"]

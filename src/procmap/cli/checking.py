"""The typer commands that check processes or describe the format: `validate`, `rules`,
`schema`.

Owns: their signatures (options shared with other commands come from `params`, defaults
from `options`) and their output and exit statuses. `validate`'s body is the typer-free
`run_validate` (module `validate`), which a usual command line reaches without typer.

Must not know: how a file is checked (`procmap.lint`), what the rules are (`procmap.format`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from .common import split
from .options import DocumentFormat, ProblemFormat, ValidateOptions
from .params import ColorOpt, ConfigOpt, JobsOpt, PathsArg, choice
from .root import fail, usage_errors

_V = ValidateOptions


def validate(
    paths: PathsArg = _V.paths,
    output_format: Annotated[
        ProblemFormat,
        typer.Option(
            "--format",
            "-f",
            help="text (default), json or github (annotations).",
            **choice(ProblemFormat),
        ),
    ] = _V.output_format,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = _V.strict,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore",
            metavar="RULES",
            help="Switch rules off: codes, prefixes or names, comma-separated.",
        ),
    ] = _V.ignore,
    warn: Annotated[
        list[str] | None,
        typer.Option("--warn", metavar="RULES", help="Report these rules as warnings only."),
    ] = _V.warn,
    config_path: ConfigOpt = _V.config_path,
    jobs: JobsOpt = _V.jobs,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary line.")] = _V.quiet,
    color: ColorOpt = _V.color,
) -> None:
    """Check process files and report every problem as path:line:column: CODE message.

    Exit status: 0 no errors (warnings allowed unless --strict), 1 errors, 2 usage error.

    """
    from .validate import run_validate

    options = ValidateOptions(
        paths=paths or None,
        output_format=output_format,
        strict=strict,
        ignore=ignore,
        warn=warn,
        config_path=config_path,
        jobs=jobs,
        quiet=quiet,
        color=color,
    )
    with usage_errors():
        status = run_validate(options)
    raise typer.Exit(status)


def rules(
    selectors: Annotated[
        list[str] | None, typer.Argument(help="Codes, prefixes or names (default: all rules).")
    ] = None,
    output_format: Annotated[
        DocumentFormat,
        typer.Option(
            "--format",
            "-f",
            help="text (default), markdown (the docs page) or json.",
            **choice(DocumentFormat),
        ),
    ] = DocumentFormat.text,
) -> None:
    """List the rules: code, name, default severity and why the rule exists."""
    from ..format import RULES, SelectorError, expand
    from ..lint import rules_json, rules_markdown, rules_text

    try:
        codes = [c for s in split(selectors) for c in expand(s)] if selectors else list(RULES)
    except SelectorError as error:
        raise fail(str(error)) from None
    chosen = [RULES[c] for c in dict.fromkeys(codes)]
    render = {"text": rules_text, "markdown": rules_markdown, "json": rules_json}
    sys.stdout.write(render[output_format.value](chosen))


def schema_command(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout."),
    ] = None,
) -> None:
    """Print the JSON Schema of the process format, for editors (VS Code YAML) and tools."""
    from ..format import schema_text

    content = schema_text()
    if output is None:
        sys.stdout.write(content)
        return
    try:
        output.write_text(content, encoding="utf-8")
    except OSError as error:
        raise fail(f"{output}: cannot write: {error.strerror or error}") from None
    sys.stderr.write(f"Wrote {output}\n")

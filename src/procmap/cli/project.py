"""The typer commands that start or fill a process repository: `init`, `new`, `import`.

Owns: their signatures, their messages and exit statuses.

Must not know: what a starter holds or how a repository is laid out (`procmap.scaffold`),
how BPMN is read (`procmap.bpmn`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from .options import ProblemFormat
from .root import fail


def init_command(
    directory: Annotated[
        Path, typer.Argument(help="Folder of the new process repository (default: .).")
    ] = Path("."),
    starter: Annotated[
        str | None,
        typer.Option(
            "--from", metavar="STARTER", help="The starter process (default: webinar-funnel)."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files that exist already.")
    ] = False,
) -> None:
    """Set up a process repository: a starter process, procmap.toml, pre-commit, CI workflows, editor schema and a README.

    Exit status: 0 done, 1 files exist (nothing is written), 2 bad starter.
    """
    from ..scaffold import (
        DEFAULT_STARTER,
        ExistsError,
        ScaffoldError,
        init_repository,
        install_requirement,
    )

    install = install_requirement()
    try:
        written = init_repository(directory, starter or DEFAULT_STARTER, force, install)
    except ExistsError as error:
        sys.stderr.write(f"procmap: {error}\n")
        raise typer.Exit(1) from None
    except ScaffoldError as error:
        raise fail(str(error)) from None
    sys.stdout.write(f"Created {len(written)} files in {directory}:\n")
    sys.stdout.write("".join(f"  {path.relative_to(directory).as_posix()}\n" for path in written))
    sys.stdout.write("Next: edit the process in processes/, then run `procmap validate`.\n")
    if not install:
        sys.stderr.write(
            "procmap: note: this procmap was installed from a local folder or file, which"
            " GitHub Actions cannot reach; set PROCMAP_INSTALL in .github/workflows/procmap.yml"
            " and procmap-review.yml to a pip requirement it can install procmap from\n"
        )


def new_command(
    process_id: Annotated[
        str | None,
        typer.Argument(metavar="ID", help="Id of the new process; the file is DIR/ID.yaml."),
    ] = None,
    starter: Annotated[
        str | None,
        typer.Option(
            "--from", metavar="STARTER", help="Starter to copy (default: webinar-funnel)."
        ),
    ] = None,
    folder: Annotated[
        Path, typer.Option("--dir", metavar="DIR", help="Folder to create the file in.")
    ] = Path("processes"),
    name: Annotated[
        str | None, typer.Option("--name", help="Name of the process (default: the starter's).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    list_starters: Annotated[
        bool, typer.Option("--list", help="List the starters, one a line, and exit.")
    ] = False,
) -> None:
    """Create a process file from a built-in starter (see --list).

    Exit status: 0 created, 1 the file exists, 2 bad id or starter.
    """
    from ..scaffold import DEFAULT_STARTER, ExistsError, ScaffoldError, new_process, starters

    if list_starters:
        known = starters()
        width = max(len(sid) for sid in known)
        for sid, found in known.items():
            mark = " (default)" if sid == DEFAULT_STARTER else ""
            sys.stdout.write(f"{sid:<{width}}  {found.name}{mark}: {found.goal}\n")
        return
    if process_id is None:
        raise fail("give the id of the new process, like `procmap new lead-handoff`")
    chosen = starter or DEFAULT_STARTER
    try:
        path = new_process(process_id, chosen, folder, name, force)
    except ExistsError as error:
        sys.stderr.write(f"procmap: {error}\n")
        raise typer.Exit(1) from None
    except ScaffoldError as error:
        raise fail(str(error)) from None
    sys.stdout.write(f"Created {path.as_posix()} from the {chosen} starter.\n")


def import_command(
    file: Annotated[Path, typer.Argument(metavar="FILE.bpmn", help="A BPMN 2.0 file.")],
    out_dir: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="Folder to write <id>.yaml into (default: processes/)."
        ),
    ] = Path("processes"),
    process: Annotated[
        str | None,
        typer.Option(
            "--process",
            metavar="ID",
            help="Import only this process of the file (its BPMN id, procmap id or name).",
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Refuse on any loss: write nothing if there is a warning."),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite existing process files.")
    ] = False,
    output_format: Annotated[
        ProblemFormat,
        typer.Option("--format", "-f", help="How problems are printed: text, json or github."),
    ] = ProblemFormat.text,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary line.")] = False,
) -> None:
    """Turn a BPMN 2.0 file (Camunda, bpmn.io, Signavio, ...) into procmap process files.

    What procmap's format cannot say is reported as FILE:LINE:COL: I0xx and replaced by
    the closest thing. Exit status: 0 imported (warnings allowed unless --strict), 1 nothing
    sensible to make, a loss with --strict, or a file that exists; 2 usage error.
    """
    from ..bpmn import ImportWriteError, import_bpmn, write_imported
    from ..lint import FORMATS

    if not file.exists():
        raise fail(f"{file}: no such file")
    if file.is_dir():
        raise fail(f"{file}: is a folder; give a .bpmn file")

    def exists(process_id: str) -> bool:
        return any((out_dir / f"{process_id}{suffix}").is_file() for suffix in (".yaml", ".yml"))

    result = import_bpmn(str(file), process, exists=exists)
    printed = FORMATS[output_format.value](result.problems, False)
    sys.stdout.write(printed)
    if result.errors or not result.processes:
        if not result.errors:  # else the problems printed say why
            sys.stderr.write(f"procmap: {file}: no process to import\n")
        raise typer.Exit(1)
    if strict and result.warnings:
        sys.stderr.write(
            f"procmap: {file}: {result.warnings} loss{'es' * (result.warnings != 1)}"
            " of meaning; nothing written (--strict)\n"
        )
        raise typer.Exit(1)
    try:
        written = write_imported(result, str(out_dir), force)
    except ImportWriteError as error:
        sys.stderr.write(f"procmap: {error}\n")
        raise typer.Exit(1) from None
    if not quiet and output_format is not ProblemFormat.json:
        for path in written:
            sys.stdout.write(f"Wrote {Path(path).as_posix()}\n")
        losses = (
            f", {result.warnings} warning{'s' * (result.warnings != 1)}" if result.warnings else ""
        )
        sys.stdout.write(
            f"Imported {len(written)} process{'es' * (len(written) != 1)} from {file}{losses}.\n"
        )

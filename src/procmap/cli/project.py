"""The typer commands that start or fill a process repository: `init`, `new`, `import`.

Owns: their signatures, their messages and exit statuses.

Must not know: what a starter holds or how a repository is laid out (`procmap.scaffold`),
how BPMN is read (`procmap.bpmn`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .options import ImportOptions, NewOptions, ProblemFormat
from .params import choice, complete_starters
from .root import fail

if TYPE_CHECKING:
    from ..scaffold import InitResult

_I = ImportOptions
_N = NewOptions


def init_command(
    directory: Annotated[
        Path,
        typer.Argument(
            metavar="DIR", help="Folder of the process repository, new or existing (default: .)."
        ),
    ] = Path("."),
    starter: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="STARTER",
            help="The starter process (default: webinar-funnel).",
            autocompletion=complete_starters,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files that exist (never the README).")
    ] = False,
    readme: Annotated[
        bool,
        typer.Option(
            "--readme",
            help="Add a section on the processes to an existing README.md (without it, the"
            " section is printed for you to paste).",
        ),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="Print only the README section to paste, if there is one."
        ),
    ] = False,
) -> None:
    """Set up a process repository, or add one to an existing repository: a starter
    process, procmap.toml, pre-commit, CI workflows, editor schema, a README and a
    .gitignore entry for out/.

    Files that exist are skipped and listed, never overwritten without --force.

    Exit status: 0 done, 2 bad starter or folder.
    """
    from ..scaffold import DEFAULT_STARTER, ScaffoldError, init_repository, install_requirement

    try:
        done = init_repository(
            directory, starter or DEFAULT_STARTER, force, install_requirement(), readme
        )
    except ScaffoldError as error:
        raise fail(str(error)) from None
    if not quiet:
        _init_summary(directory, done)
    if done.snippet:
        sys.stdout.write(
            "README.md exists, so it was left as it is: add this section to it, or run"
            " again with --readme to add it for you.\n\n" + done.snippet
        )


def _init_summary(directory: Path, done: InitResult) -> None:
    """The files written and skipped, and what to do next."""
    out = sys.stdout
    out.write(f"Wrote {len(done.written)} file{'s' * (len(done.written) != 1)} in {directory}:\n")
    out.write("".join(f"  {name}\n" for name in done.written))
    if done.readme == "added":
        out.write("  (README.md: a section on the processes added at its end)\n")
    if done.gitignore:
        out.write("Added out/ to .gitignore.\n")
    if done.skipped:
        out.write(
            f"Skipped {len(done.skipped)} that exist (--force overwrites all but README.md):\n"
        )
        out.write("".join(f"  {name}\n" for name in done.skipped))
    out.write("Next: edit the process in processes/, then run `procmap validate`.\n")


def new_command(
    process_id: Annotated[
        str | None,
        typer.Argument(metavar="ID", help="Id of the new process; the file is DIR/ID.yaml."),
    ] = _N.process_id,
    starter: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="STARTER",
            help="Starter to copy (default: webinar-funnel).",
            autocompletion=complete_starters,
        ),
    ] = _N.starter,
    folder: Annotated[
        Path,
        typer.Option(
            "--dir", metavar="DIR", help="Folder to create the file in (default: processes/)."
        ),
    ] = _N.folder,
    name: Annotated[
        str | None,
        typer.Option(
            "--name", metavar="NAME", help="Name of the process (default: the starter's)."
        ),
    ] = _N.name,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = _N.force,
    list_starters: Annotated[
        bool, typer.Option("--list", help="List the starters, one a line, and exit.")
    ] = _N.list_starters,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help='No "Created" line.')] = _N.quiet,
) -> None:
    """Create a process file from a built-in starter (see --list).

    Exit status: 0 created, 1 the file exists, 2 bad id or starter.

    """
    _new(
        NewOptions(
            process_id=process_id,
            starter=starter,
            folder=folder,
            name=name,
            force=force,
            list_starters=list_starters,
            quiet=quiet,
        )
    )


def _new(given: NewOptions) -> None:
    """List the starters, or create the process file from one."""
    from ..scaffold import DEFAULT_STARTER, ExistsError, ScaffoldError, new_process, starters

    if given.list_starters:
        known = starters()
        width = max(len(sid) for sid in known)
        for sid, found in known.items():
            mark = " (default)" if sid == DEFAULT_STARTER else ""
            sys.stdout.write(f"{sid:<{width}}  {found.name}{mark}: {found.goal}\n")
        return
    if given.process_id is None:
        raise fail("give the id of the new process, like `procmap new lead-handoff`")
    chosen = given.starter or DEFAULT_STARTER
    try:
        path = new_process(given.process_id, chosen, given.folder, given.name, given.force)
    except ExistsError as error:
        sys.stderr.write(f"procmap: {error}\n")
        raise typer.Exit(1) from None
    except ScaffoldError as error:
        raise fail(str(error)) from None
    if not given.quiet:
        sys.stdout.write(f"Created {path.as_posix()} from the {chosen} starter.\n")


def import_command(
    file: Annotated[Path, typer.Argument(metavar="FILE.bpmn", help="A BPMN 2.0 file.")],
    out_dir: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Folder to write <id>.yaml into (default: processes/).",
        ),
    ] = _I.out_dir,
    process: Annotated[
        str | None,
        typer.Option(
            "--process",
            metavar="ID",
            help="Import only this process of the file (its BPMN id, procmap id or name).",
        ),
    ] = _I.process,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Refuse on any loss: write nothing if there is a warning."),
    ] = _I.strict,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite existing process files.")
    ] = _I.force,
    output_format: Annotated[
        ProblemFormat,
        typer.Option(
            "--format",
            "-f",
            help="How problems are printed: text (default), json or github.",
            **choice(ProblemFormat),
        ),
    ] = _I.output_format,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary line.")] = _I.quiet,
) -> None:
    """Turn a BPMN 2.0 file (Camunda, bpmn.io, Signavio, ...) into procmap process files.

    What procmap's format cannot say is reported as FILE:LINE:COL: I0xx and replaced by
    the closest thing. Exit status: 0 imported (warnings allowed unless --strict), 1 nothing
    sensible to make, a loss with --strict, or a file that exists; 2 usage error.

    """
    _import(
        ImportOptions(
            file=file,
            out_dir=out_dir,
            process=process,
            strict=strict,
            force=force,
            output_format=output_format,
            quiet=quiet,
        )
    )


def _import(given: ImportOptions) -> None:
    """Import the BPMN file, write the process files; exit status 1 when nothing is written."""
    from ..bpmn import ImportWriteError, import_bpmn, write_imported
    from ..lint import FORMATS

    if not given.file.exists():
        raise fail(f"{given.file}: no such file")
    if given.file.is_dir():
        raise fail(f"{given.file}: is a folder; give a .bpmn file")

    def exists(process_id: str) -> bool:
        return any(
            (given.out_dir / f"{process_id}{suffix}").is_file() for suffix in (".yaml", ".yml")
        )

    result = import_bpmn(str(given.file), given.process, exists=exists)
    printed = FORMATS[given.output_format.value](result.problems, False)
    sys.stdout.write(printed)
    if result.errors or not result.processes:
        if not result.errors:  # else the problems printed say why
            sys.stderr.write(f"procmap: {given.file}: no process to import\n")
        raise typer.Exit(1)
    if given.strict and result.warnings:
        sys.stderr.write(
            f"procmap: {given.file}: {result.warnings} loss{'es' * (result.warnings != 1)}"
            " of meaning; nothing written (--strict)\n"
        )
        raise typer.Exit(1)
    try:
        written = write_imported(result, str(given.out_dir), given.force)
    except ImportWriteError as error:
        sys.stderr.write(f"procmap: {error}\n")
        raise typer.Exit(1) from None
    if not given.quiet and given.output_format is not ProblemFormat.json:
        for path in written:
            sys.stdout.write(f"Wrote {Path(path).as_posix()}\n")
        losses = (
            f", {result.warnings} warning{'s' * (result.warnings != 1)}" if result.warnings else ""
        )
        sys.stdout.write(
            f"Imported {len(written)} process{'es' * (len(written) != 1)} from {given.file}{losses}.\n"
        )

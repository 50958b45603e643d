"""New process files and new process repositories, from the starters shipped with procmap.

Owns: the built-in starters (`starters/*.yaml`, package data), `new_process` (a starter
copied verbatim with its id and name replaced by an exact text edit, so its teaching
comments survive), and `init_repository` (the files of a new process repository: a
starter, procmap.toml, the pre-commit config, the GitHub workflows, the editor settings
with the JSON Schema, and a README), which never overwrites a file unless forced.

Must not know: the command line, or how validation problems are printed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from .. import __version__
from ..format import ID_PATTERN, slugify

DEFAULT_STARTER = "webinar-funnel"
_ID = re.compile(ID_PATTERN)


class ScaffoldError(Exception):
    """The files cannot be created; the message says why and what to do."""


class ExistsError(ScaffoldError):
    """The files exist already, and overwriting them was not asked for."""


@dataclass(frozen=True)
class Starter:
    id: str
    name: str
    goal: str
    text: str


def _starters_dir() -> Traversable:
    return resources.files("procmap.scaffold") / "starters"


def _read(*parts: str) -> str:
    node = _starters_dir()
    for part in parts:
        node = node / part
    return node.read_text(encoding="utf-8")


def starters() -> dict[str, Starter]:
    """Every built-in starter by id, in alphabetical order."""
    from ..format import load_text

    found: dict[str, Starter] = {}
    names = sorted(p.name for p in _starters_dir().iterdir() if p.name.endswith(".yaml"))
    for name in names:
        text = _read(name)
        loaded = load_text(name, text)
        data = loaded.document.data if loaded.document is not None else {}
        sid = name.removesuffix(".yaml")
        found[sid] = Starter(sid, str(data.get("name", sid)), str(data.get("goal", "")), text)
    return found


def starter(starter_id: str) -> Starter:
    """The starter with this id, or a ScaffoldError that lists them."""
    known = starters()
    if starter_id not in known:
        from ..format import suggest

        hint = suggest(starter_id, list(known))
        tail = f"did you mean {hint!r}? " if hint else ""
        raise ScaffoldError(
            f"no starter called {starter_id!r}; {tail}the starters are: {', '.join(known)}"
        )
    return known[starter_id]


def check_id(process_id: str) -> None:
    """Raise ScaffoldError unless `process_id` is a valid process id (a slug)."""
    if not _ID.match(process_id):
        hint = slugify(process_id)
        tail = f", like {hint!r}" if hint else ""
        raise ScaffoldError(
            f"{process_id!r} is not a valid process id: use lowercase letters, digits and"
            f" single hyphens{tail}"
        )


def fill_in(text: str, process_id: str, name: str | None = None) -> str:
    """The starter's text with the top-level `id:` (and `name:`) values replaced in place."""
    from ..format import load_text
    from ..git import yaml_scalar

    loaded = load_text("<starter>", text)
    if loaded.document is None:
        raise ScaffoldError("the starter does not parse (a bug in procmap)")
    edits = []
    for key_node, value_node in loaded.document.root.value:
        value = {"id": process_id, "name": name}.get(key_node.value)
        if value is not None:
            edits.append((value_node.start_mark.index, value_node.end_mark.index, value))
    for start, end, value in sorted(edits, reverse=True):
        text = text[:start] + yaml_scalar(value) + text[end:]
    return text


def _check_text(path: str, text: str) -> None:
    """The new file must validate without errors before it is written."""
    from ..format import load_text, validate_document

    loaded = load_text(path, text)
    problems = list(loaded.problems)
    if loaded.document is not None:
        problems += validate_document(loaded.document)[1]
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        first = errors[0]
        raise ScaffoldError(f"the new file would not be valid: {first.code} {first.message}")


def new_process(
    process_id: str,
    starter_id: str = DEFAULT_STARTER,
    folder: str | os.PathLike[str] = "processes",
    name: str | None = None,
    force: bool = False,
) -> Path:
    """Create `folder/ID.yaml` from a starter; returns its path."""
    check_id(process_id)
    if name is not None and not name.strip():
        raise ScaffoldError("the name is empty")
    chosen = starter(starter_id)
    path = Path(folder) / f"{process_id}.yaml"
    if path.exists() and not force:
        raise ExistsError(f"{path} already exists; use --force to overwrite it")
    text = fill_in(chosen.text, process_id, name.strip() if name else None)
    _check_text(str(path), text)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return path


#: Files of a new repository: path in the repository -> packaged file under starters/repo
#: (named `.tmpl`, so that checking the starters folder never picks up a workflow file).
REPO_FILES = {
    "procmap.toml": "procmap.toml.tmpl",
    ".pre-commit-config.yaml": "pre-commit-config.yaml.tmpl",
    ".github/workflows/procmap.yml": "workflows/procmap.yml.tmpl",
    ".github/workflows/procmap-review.yml": "workflows/procmap-review.yml.tmpl",
    ".vscode/settings.json": "vscode-settings.json.tmpl",
    "README.md": "README.md.tmpl",
}


def repository_files(starter_id: str = DEFAULT_STARTER) -> dict[str, str]:
    """Path -> content of every file `procmap init` writes, in a stable order."""
    from ..format import schema_text

    chosen = starter(starter_id)
    files = {f"processes/{chosen.id}.yaml": chosen.text}
    for target, source in REPO_FILES.items():
        text = _read("repo", *source.split("/"))
        files[target] = text.replace("@VERSION@", __version__).replace("@STARTER@", chosen.id)
    files["procmap.schema.json"] = schema_text()
    return files


def workflow_files() -> dict[str, str]:
    """The GitHub workflow files by name, as `procmap init` writes them."""
    return {
        source.removeprefix("workflows/").removesuffix(".tmpl"): _read("repo", *source.split("/"))
        for source in REPO_FILES.values()
        if source.startswith("workflows/")
    }


def init_repository(
    folder: str | os.PathLike[str] = ".", starter_id: str = DEFAULT_STARTER, force: bool = False
) -> list[Path]:
    """Write a new process repository into `folder`; returns the files written.

    Refuses, listing them, when any of the files exist, unless `force`.
    """
    root = Path(folder)
    if root.exists() and not root.is_dir():
        raise ScaffoldError(f"{root} is not a folder")
    files = repository_files(starter_id)
    existing = [name for name in files if (root / name).exists()]
    if existing and not force:
        raise ExistsError(
            f"these files exist already in {root}: {', '.join(existing)}; use --force to"
            " overwrite them"
        )
    written = []
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        written.append(path)
    return written

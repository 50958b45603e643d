"""New process files and new process repositories, from the starters shipped with procmap.

Owns: the built-in starters (`starters/*.yaml`, package data), `new_process` (a starter
copied verbatim with its id and name replaced by an exact text edit, so its teaching
comments survive), and `init_repository` (the files of a new process repository: a
starter, procmap.toml, the pre-commit config, the GitHub workflows, the editor settings
with the JSON Schema, and a README), which never overwrites a file unless forced.

Must not know: the command line, or how validation problems are printed.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from importlib import metadata, resources
from importlib.resources.abc import Traversable
from pathlib import Path

from .. import __version__
from .._children import die_with_parent_preexec
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
    from ..format import load_text, yaml_scalar

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
    ".github/workflows/procmap-comment.yml": "workflows/procmap-comment.yml.tmpl",
    ".github/workflows/procmap-review.yml": "workflows/procmap-review.yml.tmpl",
    ".vscode/settings.json": "vscode-settings.json.tmpl",
    "README.md": "README.md.tmpl",
}


def requirement_from(direct_url: str | None, version: str) -> str:
    """The pip requirement that installs procmap from where it was installed, given its
    PEP 610 `direct_url.json` (None: it came from a package index), or "" when that
    source is a local folder or file, which a CI runner cannot reach."""
    if direct_url is None:
        return f"procmap=={version}"
    try:
        info = json.loads(direct_url)
    except ValueError:
        return ""
    url = info.get("url") if isinstance(info, dict) else None
    if not isinstance(url, str) or not url.startswith(("https://", "http://", "ssh://")):
        return ""
    vcs = info.get("vcs_info")
    if isinstance(vcs, dict) and isinstance(vcs.get("vcs"), str):
        revision = vcs.get("commit_id") or vcs.get("requested_revision")
        return f"procmap @ {vcs['vcs']}+{url}" + (f"@{revision}" if revision else "")
    archive = info.get("archive_info")
    if isinstance(archive, dict):
        hashes = archive.get("hashes")
        sha256 = hashes.get("sha256") if isinstance(hashes, dict) else None
        return f"procmap @ {url}" + (f"#sha256={sha256}" if isinstance(sha256, str) else "")
    return ""


#: Where procmap's source is published; `git_requirement` installs a release from it.
REPOSITORY_URL = "https://github.com/procmap/procmap"


def git_requirement(version: str = __version__) -> str:
    """The pip requirement of this release from procmap's git repository, at its tag."""
    return f"procmap @ git+{REPOSITORY_URL}.git@v{version}"


def install_requirement() -> str:
    """How CI should install procmap: from the same source as the procmap running now
    (see `requirement_from`), or, when that source is a local folder or file that a CI
    runner cannot reach, this release from procmap's git repository (`git_requirement`)."""
    try:
        distribution = metadata.distribution("procmap")
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        return git_requirement()
    found = requirement_from(distribution.read_text("direct_url.json"), distribution.version)
    return found or git_requirement(distribution.version)


def _render(text: str, starter_id: str, install: str, branch: str = "main") -> str:
    return (
        text.replace("@VERSION@", __version__)
        .replace("@STARTER@", starter_id)
        .replace("@INSTALL@", json.dumps(install))
        .replace("@REQUIREMENT@", install or "procmap")
        .replace("@BRANCH@", branch)
    )


def repository_files(
    starter_id: str = DEFAULT_STARTER, install: str | None = None, branch: str = "main"
) -> dict[str, str]:
    """Path -> content of every file `procmap init` writes, in a stable order.

    `install` is the pip requirement the workflows install procmap from (default:
    `install_requirement()`); `branch`, the default branch the check runs on pushes to.
    """
    from ..format import schema_text

    chosen = starter(starter_id)
    requirement = install_requirement() if install is None else install
    files = {f"processes/{chosen.id}.yaml": chosen.text}
    for target, source in REPO_FILES.items():
        text = _read("repo", *source.split("/"))
        files[target] = _render(text, chosen.id, requirement, branch)
    files["procmap.schema.json"] = schema_text()
    return files


def workflow_files(install: str | None = None) -> dict[str, str]:
    """The GitHub workflow files by name, as `procmap init` writes them when procmap is to
    be installed with `install` (docs/workflows/ holds them with the default: this
    release from procmap's git repository, `git_requirement`)."""
    requirement = git_requirement() if install is None else install
    return {
        source.removeprefix("workflows/").removesuffix(".tmpl"): _render(
            _read("repo", *source.split("/")), DEFAULT_STARTER, requirement
        )
        for source in REPO_FILES.values()
        if source.startswith("workflows/")
    }


#: The line `procmap init` adds to .gitignore: the folder `procmap render` writes into.
OUTPUT_IGNORE = "out/"


def readme_section(readme: str) -> str:
    """The generated README as a section to add to an existing README: its title a
    second-level heading, its sections third-level."""
    title, _, body = readme.partition("\n")
    lines = [f"#{line}" if line.startswith("## ") else line for line in body.splitlines()]
    return "\n".join([f"#{title}", *lines]) + "\n"


def default_branch(folder: Path) -> str:
    """The branch pushes go to in the git repository at `folder`: origin's HEAD, else the
    branch checked out; "main" when it is not a git repository (or git is missing)."""
    import subprocess

    for ref in ("refs/remotes/origin/HEAD", "HEAD"):
        try:
            done = subprocess.run(
                ["git", "-C", str(folder), "symbolic-ref", "--quiet", "--short", ref],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
                preexec_fn=die_with_parent_preexec(),  # git dies with procmap
            )
        except (OSError, subprocess.SubprocessError):
            return "main"
        name = done.stdout.strip().removeprefix("origin/")
        if done.returncode == 0 and name and re.fullmatch(r"[A-Za-z0-9._/-]+", name):
            return name
    return "main"


@dataclass(frozen=True)
class InitResult:
    """What `init_repository` did: `written` and `skipped` (they existed) are paths in the
    repository; `readme` is "written", "added" (a section appended to the existing
    README), "present" (the section is there already) or "skipped" (with `snippet`, the
    section to add by hand); `gitignore` is True when the output folder was added to it."""

    written: list[str]
    skipped: list[str]
    readme: str
    snippet: str
    gitignore: bool


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")


def _add_readme(path: Path, text: str, add: bool) -> tuple[str, str]:
    """The README: written when there is none, else the section appended when `add`."""
    if not path.exists():
        _write(path, text)
        return "written", ""
    section = readme_section(text)
    old = path.read_text(encoding="utf-8", errors="replace")
    if section.splitlines()[0] in old.splitlines():
        return "present", ""
    if not add:
        return "skipped", section
    separator = "" if not old or old.endswith("\n\n") else ("\n" if old.endswith("\n") else "\n\n")
    _write(path, old + separator + section)
    return "added", ""


def _add_gitignore(path: Path) -> bool:
    """Add the output folder to .gitignore unless a line ignores it already."""
    old = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    folder = OUTPUT_IGNORE.strip("/")
    if any(line.strip().strip("/") == folder for line in old.splitlines()):
        return False
    separator = "\n" if old and not old.endswith("\n") else ""
    _write(path, f"{old}{separator}# procmap render's output\n{OUTPUT_IGNORE}\n")
    return True


def init_repository(
    folder: str | os.PathLike[str] = ".",
    starter_id: str = DEFAULT_STARTER,
    force: bool = False,
    install: str | None = None,
    readme: bool = False,
) -> InitResult:
    """Write what is missing of a process repository into `folder`, an existing
    repository or a new folder.

    A file that exists is skipped (and listed) unless `force`; the README is never
    overwritten: with `readme` the section is added to it, else returned as `snippet`.
    The output folder is added to .gitignore. `install`: as in `repository_files`.
    """
    root = Path(folder)
    if root.exists() and not root.is_dir():
        raise ScaffoldError(f"{root} is not a folder")
    files = repository_files(starter_id, install, default_branch(root) if root.exists() else "main")
    readme_text = files.pop("README.md")
    written, skipped = [], []
    for name, text in files.items():
        path = root / name
        if path.exists() and not force:
            skipped.append(name)
            continue
        _write(path, text)
        written.append(name)
    state, snippet = _add_readme(root / "README.md", readme_text, readme)
    (written if state in ("written", "added") else skipped).append("README.md")
    gitignore = _add_gitignore(root / ".gitignore")
    return InitResult(written, skipped, state, snippet, gitignore)

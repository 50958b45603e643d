"""Paths that procmap reads from a file it did not just write, kept inside their folder.

Owns: the two rules for such paths. A name read from a manifest inside a folder
(`inside`) is a plain relative path under that folder: not absolute, normalized, without
`..`, NUL or a symlink anywhere on the way, so deleting or replacing it can never reach
outside. A path read from project configuration (`escapes`) stays in the project (the
git work tree of the configuration, else its folder: `project_root`): not absolute, and
neither `..` nor a symlink leads out of it.
Must not know any other part of procmap.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath


def _form(name: object) -> str | None:
    """Why `name` is not a relative path in normal form, or None."""
    if not isinstance(name, str) or not name:
        return "not a path"
    if "\0" in name:
        return "contains a NUL character"
    if "\\" not in name and ":" not in name and not name.startswith("/"):
        return None  # the usual name, read at once: neither a root nor a drive can start it
    if PurePosixPath(name).is_absolute() or PureWindowsPath(name).anchor:
        return "an absolute path"
    if os.name == "nt" and "\\" in name:
        return "not a normalized path"
    return None


def _under(top: str, path: str) -> bool:
    try:
        return os.path.commonpath([top, path]) == top
    except ValueError:  # another drive on Windows
        return False


def inside(folder: Path, name: object) -> str | None:
    """Why `name` (read from a file in `folder`) must not be used as a path in `folder`,
    or None when `folder / name` is a plain path under it: relative, normalized, no `..`
    and no symlink on the way (the name itself included), resolving inside `folder`."""
    reason = _form(name)
    if reason is not None:
        return reason
    assert isinstance(name, str)
    parts = name.split("/")
    if ".." in parts:
        return "goes up with '..'"
    if any(part in ("", ".") for part in parts):
        return "not a normalized path"
    path = folder
    for part in parts:
        path = path / part
        if os.path.islink(path):
            return "passes through a symlink"
    if len(parts) == 1:  # a name in `folder` that is no symlink resolves inside it
        return None
    top = os.path.realpath(folder)
    if not _under(top, os.path.realpath(path)):
        return "outside the folder"
    return None


def project_root(folder: Path) -> Path:
    """The project a configuration in `folder` belongs to: the nearest git work tree at or
    above it (a folder holding `.git`), else `folder` itself."""
    start = Path(os.path.realpath(folder))
    for candidate in (start, *start.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return start


def escapes(project: Path, base: Path, entry: str) -> str | None:
    """Why `entry` (a path read from configuration, relative to `base`) leads out of
    `project`, or None when `base / entry`, symlinks resolved, is inside `project`."""
    reason = _form(entry)
    if reason is not None:
        return reason
    top = os.path.realpath(project)
    joined = os.path.join(os.path.realpath(base), entry)
    if not _under(top, os.path.normpath(joined)):
        return "goes outside the project with '..'"
    if not _under(top, os.path.realpath(joined)):
        return "leads outside the project through a symlink"
    return None


def source_form(source: object) -> str | None:
    """Why `source` (an input file recorded relative to an output folder) is not in the
    form procmap records it, or None: relative, normalized, `..` only at the start."""
    reason = _form(source)
    if reason is not None:
        return reason
    assert isinstance(source, str)
    parts = source.split("/")
    ups = 0
    while ups < len(parts) and parts[ups] == "..":
        ups += 1
    rest = parts[ups:]
    if not rest or any(part in ("", ".", "..") for part in rest):
        return "not a normalized path"
    return None

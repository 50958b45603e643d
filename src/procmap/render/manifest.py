"""The manifest of an output folder (`.procmap-manifest.json`) and the trust put in it.

Owns: the record of each output (the sha256 of its input, the input file relative to the
output folder and the process id, the sha256 of the templates, the procmap version, the
options, and the sha256 of the bytes written), the manifest's bytes (sorted, indented
JSON), reading it back with every entry confined to the folder, and which recorded
outputs are stale (their process is gone).

Distrusts the manifest: it may come from anyone (a repository can commit one), so an entry
whose output name is not a plain path inside the folder (`procmap._paths.inside`), or
whose `source` is not in the form procmap records, is ignored with a warning, never
deleted as stale; a manifest that is a symlink is ignored and replaced.

Must not know: which formats there are, how outputs are made, or the order of a run.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .. import __version__
from .._files import read_regular
from .._paths import inside, source_form
from ..format import Process
from .folder import LOCK

MANIFEST = ".procmap-manifest.json"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha(path: Path) -> str | None:
    """The sha256 of a regular file's bytes, or None when it cannot be read."""
    try:
        return sha256(read_regular(path))
    except OSError:
        return None


def read_manifest(out_dir: Path, warnings: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Output name -> record; an unreadable or foreign manifest counts as empty.

    Every path in it is checked before use: an entry whose output name is not a plain path
    inside the output folder (`procmap._paths.inside`), or whose `source` is not in the
    form procmap records, is ignored, with a warning in `warnings` naming the manifest and
    the entry.
    """
    path = out_dir / MANIFEST
    if path.is_symlink():  # what it points to is no record of this folder; replaced
        if warnings is not None:
            warnings.append(f"{path}: is a symbolic link; ignored")
        return {}
    try:
        data = json.loads(read_regular(path).decode("utf-8"))
    except (OSError, ValueError):
        return {}
    outputs = data.get("outputs") if isinstance(data, dict) else None
    if not isinstance(outputs, dict):
        return {}
    kept = {}
    for name, record in outputs.items():
        if not isinstance(record, dict):
            continue
        reason = _untrusted(out_dir, name, record)
        if reason is None:
            kept[name] = record
        elif warnings is not None:
            warnings.append(f"{path}: entry {name!r} ignored: {reason}")
    return kept


def _untrusted(out_dir: Path, name: str, record: dict[str, Any]) -> str | None:
    """Why a manifest entry must not be used, or None."""
    if name in (MANIFEST, LOCK):
        return "names a file procmap keeps for itself"
    reason = inside(out_dir, name)
    if reason is not None:
        return f"its output {reason}"
    source = record.get("source")
    if source is not None and (reason := source_form(source)) is not None:
        return f"its source {source!r} is {reason}"
    return None


def manifest_bytes(manifest: dict[str, dict[str, Any]]) -> bytes:
    """The manifest file's bytes: the same records give the same bytes."""
    body = {"procmap": __version__, "outputs": dict(sorted(manifest.items()))}
    return (json.dumps(body, indent=2, sort_keys=True) + "\n").encode("utf-8")


def relative(path: str, out_dir: Path) -> str:
    """`path` relative to the output folder, with slashes: the same on every machine."""
    try:
        found = os.path.relpath(os.path.abspath(path), os.path.abspath(out_dir))
    except ValueError:  # another drive on Windows
        return Path(os.path.abspath(path)).as_posix()
    return found if os.sep == "/" else Path(found).as_posix()  # relpath's is normalized


def other_processes(
    manifest: dict[str, dict[str, Any]], processes: dict[str, Process], out_dir: Path
) -> dict[str, tuple[str, str]]:
    """The processes an earlier run rendered into the folder that this run leaves out,
    though their files are still there (a subset named on the command line, or a file
    invalid today): process id -> (its file's name, the sha256 of its input then). A run
    that leaves some out is not the whole catalog, and must not rewrite the index."""
    paths = {os.path.abspath(path) for path in processes}
    ids = {process.id for process in processes.values()}
    found: dict[str, tuple[str, str]] = {}
    for record in manifest.values():
        source, was = record.get("source"), record.get("process")
        if not isinstance(source, str) or not isinstance(was, str) or was in ids:
            continue
        path = os.path.abspath(os.path.join(out_dir, source))
        if path not in paths and os.path.isfile(path):
            found[was] = (Path(source).name, str(record.get("input", "")))
    return dict(sorted(found.items()))


def stale_outputs(
    manifest: dict[str, dict[str, Any]],
    processes: dict[str, Process],
    out_dir: Path,
    produced: set[str],
) -> list[str]:
    """Outputs an earlier run wrote for a process that is gone: its file was deleted or
    moved, or now holds a process with another id. Outputs of a file that exists but is
    not in this run (invalid today, or not named) are kept: they are not known to be stale.
    """
    ids = {os.path.abspath(path): process.id for path, process in processes.items()}
    stale = []
    for name, record in manifest.items():
        source, was = record.get("source"), record.get("process")
        if name in produced or not isinstance(source, str) or not isinstance(was, str):
            continue
        path = os.path.abspath(os.path.join(out_dir, source))
        if not os.path.exists(path) or ids.get(path, was) != was:
            stale.append(name)
    return sorted(stale)

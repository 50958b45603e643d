"""The plan of a render run: which outputs each process gets, their keys, and which of
them must be made; nothing is written.

Owns: the jobs (one per output: its name, its key, its maker and whether it is slow),
from the format table for each process, then the outputs drawn from a measured log, the
index, the site's stylesheet and home page and the `--diff` maps; and the comparison of
each job with the folder and the manifest: unchanged (recorded with the same key and
the file still holds the bytes recorded), to make, to make and compare (a file the
manifest does not vouch for: adopted when procmap would write exactly its bytes), or
refused (not a regular file, or a symlink without --force).

Must not know: how bytes are made (`Makers`), how files are written or the manifest
saved (`run`), or exit statuses.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from .. import __version__
from .._files import not_regular
from ..format import Process
from .formats import BY_NAME, DIFF_SUFFIX, HOME, INDEX
from .makers import Makers
from .manifest import file_sha, sha256
from .options import RenderError


@dataclass
class Job:
    name: str
    key: dict[str, Any]
    make: Callable[[], bytes]
    slow: bool = False
    #: The sha256 of a file already at the output path that the manifest does not vouch
    #: for: made anyway, and kept (adopted) only when procmap would write these bytes now.
    claim: str | None = None


@dataclass
class Plan:
    """Every output of the run (`jobs`), those to make (`todo`, the slow ones first),
    those unchanged, and one-line problems for the outputs refused."""

    jobs: list[Job]
    todo: list[Job] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def plan(run: Makers, manifest: dict[str, dict[str, Any]]) -> Plan:
    """What the run must do, from its jobs, the output folder and the manifest."""
    out_dir, force = run.options.out_dir, run.options.force
    result = Plan(jobs(run))
    for job in result.jobs:
        target = out_dir / job.name
        reason = not_regular(target)
        if reason is not None:  # a FIFO, a folder...: never read, never replaced
            result.refused.append(f"{target}: {reason}; not overwritten")
            continue
        link = target.is_symlink()
        if link and not force:
            # Live or dangling: never written through, adopted or replaced unasked.
            missing = "" if target.exists() else " to a missing file"
            result.refused.append(
                f"{target}: is a symbolic link{missing}, not an output procmap wrote;"
                " not overwritten, use --force to replace the link"
            )
            continue
        # A link (only with --force here) is replaced, whatever its target holds.
        current = None if link else file_sha(target)
        if _unchanged(job, manifest.get(job.name), current, force):
            result.unchanged.append(job.name)
            continue
        result.todo.append(job)
    result.todo.sort(key=lambda j: (not j.slow, j.name))  # start the slow drawings first
    return result


def _unchanged(job: Job, record: dict[str, Any] | None, current: str | None, force: bool) -> bool:
    """Whether the file at the job's output is as the manifest records it with the job's
    key. A file the manifest does not vouch for gets a `claim` (unless forced)."""
    ours = record is not None and current is not None and record.get("output") == current
    if current is not None and not ours and not force:
        # Not in the manifest, or not as recorded: a file of the user's, or one that a
        # run killed part-way wrote before it could record it. Made again and compared
        # when performed: identical bytes are ours, anything else is refused.
        job.claim = current
        return False
    return ours and record is not None and {**record, "output": None} == {**job.key, "output": None}


def jobs(run: Makers) -> list[Job]:
    """One job per output of the run, in a stable order."""
    found: list[Job] = []
    for path, process in run.processes.items():
        found.extend(_process_jobs(run, path, process))
    catalog = run.options.index and not run.others  # a subset never rewrites the index
    if catalog:
        found.append(_index_job(run))
    if "html" in run.options.formats:
        found.extend(_site_jobs(run, catalog))
    if run.options.diff is not None:
        found.extend(_diff_jobs(run, run.options.diff))
    return found


def _process_jobs(run: Makers, path: str, process: Process) -> list[Job]:
    """The outputs of one process: one per format asked for, then the measured ones."""
    base: dict[str, Any] = {**run.origin(path, process), "version": __version__}
    measurement = run.measured.get(process.id)
    found = []
    for name in run.options.formats:
        fmt = BY_NAME[name]
        key: dict[str, Any] = dict(base)
        if fmt.templates:
            key["templates"] = run.templates_sha()
        key["options"] = fmt.options(run, process)
        if fmt.measured and measurement is not None:
            key["measured"] = measurement.digest()
        make = partial(fmt.make, run, path, process)
        found.append(Job(process.id + fmt.suffix, key, make, slow=fmt.slow))
    if measurement is not None:
        for name, maker in sorted(measurement.outputs.items()):
            key = {**base, "measured": measurement.digest(), "options": run.graph}
            found.append(Job(name, key, partial(maker, run.options), slow=True))
    return found


def _listing(run: Makers) -> str:
    """The digest of the processes a listing shows: ids, file names and inputs; with the
    processes the run leaves out (`Makers.others`), as their outputs recorded them."""
    listing = [(p.id, Path(path).name, run.input_sha(path)) for path, p in run.processes.items()]
    listing.extend((pid, name, sha) for pid, (name, sha) in run.others.items())
    return sha256(json.dumps(sorted(listing)).encode())


def index_kept(run: Makers, manifest: dict[str, dict[str, Any]]) -> str | None:
    """The line saying why the run leaves the index alone (None when it writes it): it
    renders some of the processes in the folder only, so index.md (and index.html) keep
    the whole catalog of the last full run, current or out of date; or it writes
    index.md without the site, and the site's index.html lists other processes."""
    if not run.options.index:
        return None
    if not run.others:
        return _home_behind(run, manifest)
    names = [INDEX] + ([HOME] if HOME in manifest else [])
    count = len(run.processes) + len(run.others)
    head = (
        f"{run.options.out_dir / INDEX}{' and ' + HOME if len(names) > 1 else ''} not"
        f" rewritten: this run renders {len(run.processes)} of the {count} processes there"
    )
    record = manifest.get(INDEX)
    if record is not None and record.get("input") == _listing(run):
        return f"{head}; {'they list' if len(names) > 1 else 'it lists'} all {count}, up to date"
    left = ", ".join(run.others)
    return (
        f"{head} (not {left}); out of date until a render of them all (`procmap render`"
        " with no paths) rebuilds it"
    )


def _index_job(run: Makers) -> Job:
    key = {
        "input": _listing(run),
        "version": __version__,
        "templates": run.templates_sha(),
        "options": {"formats": list(run.options.formats)},
    }
    return Job(INDEX, key, run.index)


def _home_behind(run: Makers, manifest: dict[str, dict[str, Any]]) -> str | None:
    """The line saying index.html no longer agrees with the index.md this run writes,
    when the run does not make the site (None when it agrees, or there is none)."""
    record = manifest.get(HOME)
    if "html" in run.options.formats or record is None or record.get("input") == _listing(run):
        return None
    return (
        f"{run.options.out_dir / HOME}: lists the processes of the last html render, not"
        " those of index.md now; `procmap render -f html` brings the site up to date"
    )


def _site_jobs(run: Makers, catalog: bool) -> list[Job]:
    """The site's stylesheet, and its home page when the index is written."""
    from .site import STYLESHEET_NAME

    version = {"version": __version__, "templates": run.templates_sha()}
    found = [Job(STYLESHEET_NAME, version, run.stylesheet)]
    if catalog:
        key = {**version, "input": _listing(run)}
        if run.home_section is not None:
            key["portfolio"] = run.home_section.digest()
        found.append(Job(HOME, key, run.home, slow=True))
    return found


def _diff_jobs(run: Makers, rev: str) -> list[Job]:
    """`<id>.diff.svg` for every process: its map against git revision `rev`."""
    from ..git import GitError, resolve_commit, toplevel

    tops: dict[str, tuple[Path, str]] = {}
    found = []
    for path, process in run.processes.items():
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in tops:
            try:
                top = toplevel(folder)
                tops[folder] = (top, resolve_commit(top, rev))
            except GitError as error:
                raise RenderError(f"--diff {rev}: {error}") from None
        top, commit = tops[folder]
        key = {
            **run.origin(path, process),
            "version": __version__,
            "options": {**run.graph, "diff": commit, "linked": run.linked(process)},
        }
        make = partial(run.diff_map, path, process, top, commit)
        found.append(Job(process.id + DIFF_SUFFIX, key, make, slow=True))
    return found

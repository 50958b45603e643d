"""The semantic diff: what changed in meaning between two versions of a process.

Owns: comparing two validated `Process` models field by field into `Change` records (so
comments, key order, quoting, flow or block style and blank lines can never show up as
changes), the kinds of change and their summary words (`KINDS`), loading the two sides
(files on disk through the linter, old versions through `gitio`), matching files across a
revision (by path, and by process id for moved files), and the three output formats
(`FORMATS`: text with rich, markdown for a pull-request comment, json).

Must not know: command-line options or exit statuses (that is `cli`), or how git is run
(that is `gitio`).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from .config import Config
from .graph import renamed_steps
from .model import Dmaic, Process, Review, Scope, Step
from .problems import Problem

if TYPE_CHECKING:
    from rich.console import Console

Value = str | int | float | bool | None
T = TypeVar("T", bound=Hashable)


class DiffError(Exception):
    """The comparison cannot be made: a missing or invalid file, or git trouble.

    `problems` holds the validation problems of invalid inputs (empty for other trouble).
    """

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class Change:
    """One change of meaning. `old` is None for an addition, `new` None for a removal."""

    process: str
    kind: str
    what: str
    old: Value = None
    new: Value = None
    step: str | None = None

    @property
    def sign(self) -> str:
        """`+` added, `-` removed, `~` changed."""
        if self.old is None:
            return "+"
        if self.new is None:
            return "-"
        return "~"


@dataclass
class FileDiff:
    """The changes of one process file; `changes` is empty when its meaning is the same."""

    path: str
    process: str
    name: str
    changes: list[Change] = field(default_factory=list)
    old_path: str | None = None


def _kinds() -> dict[str, tuple[str, str]]:
    """Every change kind with its summary words (one, many), in summary order."""
    table: dict[str, tuple[str, str]] = {}

    def add(kind: str, one: str, many: str | None = None) -> None:
        table[kind] = (one, many or one)

    def counted(prefix: str, noun: str, nouns: str) -> None:
        add(f"{prefix}.added", f"{noun} added", f"{nouns} added")
        add(f"{prefix}.removed", f"{noun} removed", f"{nouns} removed")

    add("process.added", "process added")
    add("process.removed", "process removed")
    add("process.moved", "file moved")
    counted("step", "step", "steps")
    add("step.renamed", "step renamed", "steps renamed")
    add("step.id", "step id changed", "step ids changed")
    for name, one, many in [
        ("kind", "step kind changed", "step kinds changed"),
        ("description", "step description changed", "step descriptions changed"),
        ("owner", "owner changed", "owners changed"),
        ("duration", "duration changed", "durations changed"),
    ]:
        add(f"step.{name}", one, many)
    counted("step.tool", "step tool", "step tools")
    for flag in ("critical", "automated", "automatable"):
        add(f"step.{flag}", f"{flag} flag changed", f"{flag} flags changed")
    counted("step.checklist", "checklist item", "checklist items")
    counted("step.metric", "step metric", "step metrics")
    add("step.process", "subprocess changed", "subprocesses changed")
    counted("flow", "arrow", "arrows")
    add("flow.retargeted", "arrow retargeted", "arrows retargeted")
    add("flow.relabelled", "branch relabelled", "branches relabelled")
    add("process.id", "process id changed")
    add("process.name", "process renamed")
    for name in ("goal", "description", "owner", "system", "trigger", "outcome"):
        add(f"process.{name}", f"process {name} changed")
    counted("process.stage", "hourglass stage", "hourglass stages")
    counted("process.output", "output", "outputs")
    counted("scope.in", "scope item", "scope items")
    counted("scope.out", "out-of-scope item", "out-of-scope items")
    add("review.every", "review cadence changed")
    add("review.last", "review date changed")
    add("review.approver", "approver changed")
    counted("role", "role", "roles")
    add("role.renamed", "role renamed", "roles renamed")
    counted("tool", "tool", "tools")
    add("tool.renamed", "tool renamed", "tools renamed")
    counted("metric", "metric", "metrics")
    for name in ("name", "unit", "baseline", "target", "direction"):
        one = "metric renamed" if name == "name" else f"{name} changed"
        many = "metrics renamed" if name == "name" else f"{name}s changed"
        add(f"metric.{name}", one, many)
    counted("exception", "exception", "exceptions")
    add("exception.changed", "exception changed", "exceptions changed")
    counted("changelog", "changelog entry", "changelog entries")
    add("dmaic.problem", "problem statement changed")
    add("dmaic.goal", "improvement goal changed")
    counted("dmaic.root_cause", "root cause", "root causes")
    counted("dmaic.improvement", "improvement", "improvements")
    add("dmaic.improvement.status", "improvement status changed", "improvement statuses changed")
    counted("dmaic.control", "control point", "control points")
    add("dmaic.control.changed", "control point changed", "control points changed")
    return table


#: Change kind -> (summary words for one, for many); the order of the summary line.
KINDS: dict[str, tuple[str, str]] = _kinds()


# Comparing two processes ---------------------------------------------------------------


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _norm(value: T) -> T:
    """Text with its whitespace collapsed: how a block scalar wraps lines is layout."""
    return " ".join(value.split()) if isinstance(value, str) else value  # type: ignore[return-value]


def _items(old: Sequence[T], new: Sequence[T]) -> tuple[list[T], list[T]]:
    """(added, removed) between two lists treated as multisets, each in its own list's order."""

    def beyond(these: Sequence[T], those: Sequence[T]) -> list[T]:
        left = Counter(those)
        extra = []
        for item in these:
            if left[item] > 0:
                left[item] -= 1
            else:
                extra.append(item)
        return extra

    return beyond(new, old), beyond(old, new)


class _Changes:
    """Collects the changes of one process, in the order they are found."""

    def __init__(self, process: str) -> None:
        self.process = process
        self.found: list[Change] = []

    def add(
        self,
        kind: str,
        what: str,
        old: Value,
        new: Value,
        step: str | None = None,
        changed: bool | None = None,
    ) -> None:
        """Record a change when `changed` (default: when old and new differ)."""
        assert kind in KINDS, kind
        if changed is None:
            changed = _norm(old) != _norm(new) or type(old) is not type(new)
        if changed:
            self.found.append(Change(self.process, kind, what, old, new, step))

    def items(
        self,
        kind: str,
        old: Sequence[T],
        new: Sequence[T],
        added: str,
        removed: str,
        show_old: Callable[[T], str] = str,
        show_new: Callable[[T], str] = str,
        step: str | None = None,
    ) -> None:
        plus, minus = _items([_norm(x) for x in old], [_norm(x) for x in new])
        for item in plus:
            self.add(f"{kind}.added", added, None, show_new(item), step)
        for item in minus:
            self.add(f"{kind}.removed", removed, show_old(item), None, step)


def compare(old: Process, new: Process) -> list[Change]:
    """Every change of meaning from `old` to `new`: the steps in the new file's order, then
    removed steps, then the process-level fields in a fixed order."""
    found = _Changes(new.id)
    _steps(found, old, new)
    _process(found, old, new)
    return found.found


def _steps(found: _Changes, old: Process, new: Process) -> None:
    before = {s.id: s for s in reversed(old.steps)}
    after = {s.id: s for s in reversed(new.steps)}
    new_id = renamed_steps(before, after)
    old_id = {b: a for a, b in new_id.items()}

    def name(sid: str) -> str:
        step = after.get(sid) or before.get(sid)
        return step.name if step is not None else sid

    def then(step: Step) -> list[tuple[str | None, str]]:
        """An old step's arrows, in new ids: pointing at a renamed step is no change."""
        return [(label, new_id.get(target, target)) for label, target in step.targets()]

    for step in new.steps:
        if after[step.id] is not step:
            continue
        was = before.get(old_id.get(step.id, step.id))
        if was is None:
            found.add("step.added", f"{_kind_word(step)} added", None, step.name, step.id)
            _flows(found, step, [], step.targets(), name)
        else:
            found.add("step.id", f"id of {step.name}", was.id, step.id, step.id)
            _step(found, old, new, was, step, name, then(was))
    for step in old.steps:
        if step.id not in after and step.id not in new_id and before[step.id] is step:
            found.add("step.removed", f"{_kind_word(step)} removed", step.name, None, step.id)
            _flows(found, step, then(step), [], name)


def _kind_word(step: Step) -> str:
    return "step" if step.kind == "task" else step.kind


def _step(
    found: _Changes,
    old: Process,
    new: Process,
    a: Step,
    b: Step,
    name: Callable[[str], str],
    arrows: list[tuple[str | None, str]],
) -> None:
    """Changes of one step; `arrows` are `a`'s arrows with renamed steps' new ids."""
    sid, label = b.id, b.name
    found.add("step.renamed", "step renamed", a.name, b.name, sid)
    found.add("step.kind", f"kind of {label}", a.kind, b.kind, sid)
    found.add("step.description", f"description of {label}", a.description, b.description, sid)
    found.add(
        "step.owner",
        f"owner of {label}",
        old.role_name(a.owner),
        new.role_name(b.owner),
        sid,
        changed=a.owner != b.owner,
    )
    found.add(
        "step.duration",
        f"duration of {label}",
        a.duration,
        b.duration,
        sid,
        changed=a.minutes != b.minutes,
    )
    found.items(
        "step.tool",
        a.tools,
        b.tools,
        f"tool added to {label}",
        f"tool removed from {label}",
        lambda t: old.tools.get(t, t),
        lambda t: new.tools.get(t, t),
        sid,
    )
    for flag in ("critical", "automated", "automatable"):
        found.add(
            f"step.{flag}", f"{flag} flag of {label}", getattr(a, flag), getattr(b, flag), sid
        )
    found.items(
        "step.checklist",
        a.checklist,
        b.checklist,
        f"checklist item added to {label}",
        f"checklist item removed from {label}",
        step=sid,
    )
    found.items(
        "step.metric",
        a.metrics,
        b.metrics,
        f"metric added to {label}",
        f"metric removed from {label}",
        lambda m: old.metrics[m].name if m in old.metrics else m,
        lambda m: new.metrics[m].name if m in new.metrics else m,
        sid,
    )
    found.add("step.process", f"subprocess of {label}", a.process, b.process, sid)
    _flows(found, b, arrows, b.targets(), name)


def _flows(
    found: _Changes,
    source: Step,
    before: list[tuple[str | None, str]],
    after: list[tuple[str | None, str]],
    name: Callable[[str], str],
) -> None:
    """Arrows out of one step: retargeted and relabelled, then added, then removed."""
    sid, src = source.id, source.name
    was = dict(before)
    now = dict(after)
    gone = [(label, target) for label, target in before if label not in now]
    new_labels = [(label, target) for label, target in after if label not in was]
    relabelled: dict[str | None, str] = {}  # new label -> old label
    for old_label, target in gone:
        for new_label, new_target in new_labels:
            if (
                old_label is not None
                and new_label is not None
                and new_target == target
                and new_label not in relabelled
            ):
                relabelled[new_label] = old_label
                break
    for label, target in after:
        if label in was:
            what = f"next step after {src}" if label is None else f"branch '{label}' of {src}"
            found.add("flow.retargeted", what, name(was[label]), name(target), sid)
        elif label in relabelled:
            what = f"label of the branch from {src} to {name(target)}"
            found.add("flow.relabelled", what, relabelled[label], label, sid)
        else:
            what = (
                f"arrow added from {src}" if label is None else f"branch '{label}' added to {src}"
            )
            found.add("flow.added", what, None, name(target), sid)
    used = set(relabelled.values())
    for label, target in gone:
        if label is not None and label in used:
            continue
        what = (
            f"arrow removed from {src}" if label is None else f"branch '{label}' removed from {src}"
        )
        found.add("flow.removed", what, name(target), None, sid)


def _process(found: _Changes, old: Process, new: Process) -> None:
    found.add("process.id", "process id", old.id, new.id)
    found.add("process.name", "process name", old.name, new.name)
    found.add("process.goal", "goal", old.goal, new.goal)
    found.add("process.description", "description", old.description, new.description)
    found.add(
        "process.owner",
        "process owner",
        old.role_name(old.owner),
        new.role_name(new.owner),
        changed=old.owner != new.owner,
    )
    found.add("process.system", "system", old.system, new.system)
    found.items("process.stage", old.hourglass, new.hourglass, "stage added", "stage removed")
    found.add("process.trigger", "trigger", old.trigger, new.trigger)
    found.add("process.outcome", "outcome", old.outcome, new.outcome)
    a, b = old.scope or Scope(), new.scope or Scope()
    found.items("scope.in", a.in_, b.in_, "added to the scope", "removed from the scope")
    found.items("scope.out", a.out, b.out, "added to out of scope", "removed from out of scope")
    found.items("process.output", old.outputs, new.outputs, "output added", "output removed")
    _review(found, old, new)
    _names(found, "role", old.roles, new.roles)
    _names(found, "tool", old.tools, new.tools)
    _metrics(found, old, new)
    _exceptions(found, old, new)
    found.items(
        "changelog",
        [_entry(e.date.isoformat(), e.change, e.by) for e in old.changelog],
        [_entry(e.date.isoformat(), e.change, e.by) for e in new.changelog],
        "changelog entry added",
        "changelog entry removed",
    )
    _dmaic(found, old, new)


def _entry(date: str, change: str, by: str | None) -> str:
    return f"{date}: {change}" + (f" ({by})" if by else "")


def _review(found: _Changes, old: Process, new: Process) -> None:
    a, b = old.review or Review(), new.review or Review()
    found.add("review.every", "review cadence", a.every, b.every)
    found.add(
        "review.last",
        "last review",
        a.last.isoformat() if a.last else None,
        b.last.isoformat() if b.last else None,
    )
    found.add(
        "review.approver",
        "approver",
        old.role_name(a.approver),
        new.role_name(b.approver),
        changed=a.approver != b.approver,
    )


def _names(found: _Changes, kind: str, old: dict[str, str], new: dict[str, str]) -> None:
    for key in sorted(new.keys() - old.keys()):
        found.add(f"{kind}.added", f"{kind} added", None, new[key])
    for key in sorted(old.keys() - new.keys()):
        found.add(f"{kind}.removed", f"{kind} removed", old[key], None)
    for key in sorted(old.keys() & new.keys()):
        found.add(f"{kind}.renamed", f"{kind} renamed", old[key], new[key])


def _metrics(found: _Changes, old: Process, new: Process) -> None:
    for key in sorted(new.metrics.keys() - old.metrics.keys()):
        found.add("metric.added", "metric added", None, new.metrics[key].name)
    for key in sorted(old.metrics.keys() - new.metrics.keys()):
        found.add("metric.removed", "metric removed", old.metrics[key].name, None)
    for key in sorted(old.metrics.keys() & new.metrics.keys()):
        a, b = old.metrics[key], new.metrics[key]
        label = b.name + (f" ({b.unit})" if b.unit else "")
        found.add("metric.name", "metric renamed", a.name, b.name)
        found.add("metric.unit", f"unit of {b.name}", a.unit, b.unit)
        found.add(
            "metric.baseline", f"baseline of {label}", _number(a.baseline), _number(b.baseline)
        )
        found.add("metric.target", f"target of {label}", _number(a.target), _number(b.target))
        found.add("metric.direction", f"better direction of {b.name}", a.direction, b.direction)


def _exceptions(found: _Changes, old: Process, new: Process) -> None:
    def show(process: Process, when: str, then: str, step: str | None) -> str:
        where = process.step(step) if step else None
        at = f" (at {where.name if where else step})" if step else ""
        return f"{when}: {then}{at}"

    a = {_norm(e.when): e for e in reversed(old.exceptions)}
    b = {_norm(e.when): e for e in reversed(new.exceptions)}
    for e in new.exceptions:
        if b[_norm(e.when)] is not e:
            continue
        was = a.get(_norm(e.when))
        if was is None:
            found.add("exception.added", "exception added", None, show(new, e.when, e.then, e.step))
        elif (_norm(was.then), was.step) != (_norm(e.then), e.step):
            found.add(
                "exception.changed",
                f"what to do when {e.when}",
                show(old, "", was.then, was.step).removeprefix(": "),
                show(new, "", e.then, e.step).removeprefix(": "),
            )
    for e in old.exceptions:
        if _norm(e.when) not in b and a[_norm(e.when)] is e:
            found.add(
                "exception.removed", "exception removed", show(old, e.when, e.then, e.step), None
            )


def _dmaic(found: _Changes, old: Process, new: Process) -> None:
    a, b = old.dmaic or Dmaic(), new.dmaic or Dmaic()
    found.add("dmaic.problem", "problem statement", a.problem, b.problem)
    found.add("dmaic.goal", "improvement goal", a.goal, b.goal)
    found.items(
        "dmaic.root_cause", a.root_causes, b.root_causes, "root cause added", "root cause removed"
    )
    was = {_norm(i.change): i.status for i in reversed(a.improvements)}
    now = {_norm(i.change): i.status for i in reversed(b.improvements)}
    for change in dict.fromkeys(_norm(i.change) for i in b.improvements):
        if change not in was:
            found.add(
                "dmaic.improvement.added", "improvement added", None, f"{change} ({now[change]})"
            )
        else:
            found.add(
                "dmaic.improvement.status",
                f"status of improvement '{change}'",
                was[change],
                now[change],
            )
    for change in dict.fromkeys(_norm(i.change) for i in a.improvements):
        if change not in now:
            found.add(
                "dmaic.improvement.removed",
                "improvement removed",
                f"{change} ({was[change]})",
                None,
            )

    def metric(process: Process, mid: str) -> str:
        return process.metrics[mid].name if mid in process.metrics else mid

    def plan(every: str, threshold: float | None, reaction: str) -> str:
        at = f", threshold {_number(threshold)}" if threshold is not None else ""
        return f"check {every}{at}: {reaction}"

    ca = {c.metric: c for c in reversed(a.control)}
    cb = {c.metric: c for c in reversed(b.control)}
    for mid in dict.fromkeys(c.metric for c in b.control):
        c = cb[mid]
        if mid not in ca:
            found.add(
                "dmaic.control.added",
                f"control point added for {metric(new, mid)}",
                None,
                plan(c.every, c.threshold, c.reaction),
            )
        else:
            w = ca[mid]
            found.add(
                "dmaic.control.changed",
                f"control point for {metric(new, mid)}",
                plan(w.every, w.threshold, w.reaction),
                plan(c.every, c.threshold, c.reaction),
            )
    for mid in dict.fromkeys(c.metric for c in a.control):
        if mid not in cb:
            w = ca[mid]
            found.add(
                "dmaic.control.removed",
                f"control point removed for {metric(old, mid)}",
                plan(w.every, w.threshold, w.reaction),
                None,
            )


# Loading the two sides -----------------------------------------------------------------


def _errors(problems: Sequence[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def check_version(display: str, raw: bytes, config: Config) -> tuple[Process | None, list[Problem]]:
    """Validate the bytes of a file that is not on disk (an old version) as `procmap
    validate` would validate that file alone; the process is None when there are errors."""
    from .linter import configured
    from .loader import MAX_BYTES, decode, load_text
    from .rules import run_checks
    from .schema import validate_document

    if len(raw) > MAX_BYTES:
        message = f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}"
        return None, [Problem(display, 1, 1, "Y011", "error", message)]
    text, problem = decode(display, raw)
    if text is None:
        return None, [problem] if problem else []
    loaded = load_text(display, text)
    problems = list(loaded.problems)
    process = None
    if loaded.document is not None:
        process, schema_problems = validate_document(loaded.document)
        problems.extend(schema_problems)
        if process is not None and not _errors(problems):
            problems.extend(run_checks(loaded.document, process, config.enabled))
    problems = configured(problems, config)
    return (None if _errors(problems) else process), problems


def _invalid(problems: list[Problem]) -> DiffError:
    failed = list(dict.fromkeys(p.path for p in problems if p.severity == "error"))
    shown = [p for p in problems if p.path in failed]
    where = failed[0] if len(failed) == 1 else f"{len(failed)} files"
    return DiffError(f"cannot compare: {where} has errors; fix them first", shown)


def _validated(paths: list[str], config: Config) -> dict[str, Process]:
    from .linter import validate_paths

    report = validate_paths(paths, config, keep=True)
    if report.errors:
        raise _invalid(report.problems)
    return report.processes


def diff_files(old_path: str, new_path: str, config: Config | None = None) -> FileDiff:
    """Compare two process files on disk."""
    config = config or Config()
    for path in (old_path, new_path):
        if os.path.isdir(path):
            raise DiffError(f"{path}: is a folder; compare two files, or use --since REV")
        if not os.path.exists(path):
            raise DiffError(f"{path}: no such file")
    problems: list[Problem] = []
    sides = []
    for path in (old_path, new_path):
        try:
            sides.append(_validated([path], config)[path])
        except DiffError as error:
            problems.extend(error.problems)
    if problems:
        raise _invalid(problems)
    old, new = sides
    return FileDiff(new_path, new.id, new.name, compare(old, new))


def _git_error(error: Exception) -> DiffError:
    return DiffError(str(error))


def _under(path: str, given: str) -> bool:
    """Whether the top-relative `path` is `given` itself or a process file found under it
    the way `linter.discover` finds files in a folder (no hidden names, YAML suffixes)."""
    from .linter import YAML_SUFFIXES

    if path == given:
        return True
    if given != ".":
        if not path.startswith(given + "/"):
            return False
        path = path[len(given) + 1 :]
    parts = path.split("/")
    return parts[-1].endswith(YAML_SUFFIXES) and not any(p.startswith(".") for p in parts)


def _same_bytes(path: str, raw: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(raw) + 1) == raw
    except OSError:
        return False


def diff_since(
    rev: str, paths: list[str] | None = None, config: Config | None = None
) -> list[FileDiff]:
    """Compare every process file under `paths` (relative to the current folder; default:
    the configured paths) with its version at git revision `rev`, sorted by path.

    Files added or removed since `rev` are included, and a file whose process id now lives
    at another path is reported as moved. Unchanged files are in the result too, with no
    changes, so callers can count what was compared.
    """
    from . import gitio

    config = config or Config()
    try:
        top = gitio.toplevel()
        commit = gitio.commit(top, rev)
        if paths is None:
            base = config.root if config.source is not None else top
            paths = [os.path.relpath(base / entry) for entry in config.paths]
        given = {path: gitio.relative(top, path) for path in paths}
        listed = gitio.list_files(top, commit, list(dict.fromkeys(given.values())))
    except gitio.GitError as error:
        raise _git_error(error) from None
    old_files = [
        f
        for f in listed
        if any(_under(f, rel) for rel in given.values()) and not config.excluded(str(top / f))
    ]
    for path, rel in given.items():
        if not os.path.exists(path) and not any(_under(f, rel) for f in old_files):
            raise DiffError(f"{path}: no such file or folder, here or at {rev}")
    new = _validated([p for p in paths if os.path.exists(p)], config)
    try:
        now = {gitio.relative(top, path): (path, process) for path, process in new.items()}
        contents = gitio.read_files(top, commit, old_files)
    except gitio.GitError as error:
        raise _git_error(error) from None

    problems: list[Problem] = []
    before: dict[str, Process] = {}
    for rel in old_files:
        if rel in now and _same_bytes(now[rel][0], contents[rel]):
            before[rel] = now[rel][1]  # unchanged file: already validated on disk
            continue
        process, found = check_version(f"{rev}:{rel}", contents[rel], config)
        problems.extend(found)
        if process is not None:
            before[rel] = process
    if _errors(problems):
        raise _invalid(problems)

    def shown(rel: str) -> str:
        return os.path.relpath(top / rel)

    diffs: list[FileDiff] = []
    added = [rel for rel in sorted(now) if rel not in before]
    removed = [rel for rel in sorted(before) if rel not in now]
    for rel in sorted(now.keys() & before.keys()):
        path, process = now[rel]
        diffs.append(FileDiff(path, process.id, process.name, compare(before[rel], process)))
    for rel in added:
        path, process = now[rel]
        origin = next((r for r in removed if before[r].id == process.id), None)
        if origin is None:
            change = Change(process.id, "process.added", "process added", None, process.name)
            diffs.append(FileDiff(path, process.id, process.name, [change]))
            continue
        removed.remove(origin)
        moved = Change(process.id, "process.moved", "file moved", shown(origin), path)
        changes = [moved, *compare(before[origin], process)]
        diffs.append(FileDiff(path, process.id, process.name, changes, shown(origin)))
    for rel in removed:
        process = before[rel]
        change = Change(process.id, "process.removed", "process removed", process.name, None)
        diffs.append(FileDiff(shown(rel), process.id, process.name, [change]))
    diffs.sort(key=lambda d: (d.path, d.process))
    return diffs


def previous_process(path: str, rev: str, config: Config | None = None) -> Process | None:
    """The process in file `path` (relative to the current folder) as it was at git
    revision `rev`; None when the file did not exist there.

    Raises DiffError with a one-line message for git trouble or an invalid old version.
    """
    from . import gitio

    config = config or Config()
    folder = os.path.dirname(os.path.abspath(path))
    try:
        top = gitio.toplevel(folder if os.path.isdir(folder) else None)
        commit = gitio.commit(top, rev)
        rel = gitio.relative(top, path)
        if rel not in gitio.list_files(top, commit, [rel]):
            return None
        raw = gitio.read_file(top, commit, rel)
    except gitio.GitError as error:
        raise _git_error(error) from None
    process, problems = check_version(f"{rev}:{rel}", raw, config)
    if process is None:
        first = next(p for p in problems if p.severity == "error")
        raise DiffError(
            f"{first.path}:{first.line}:{first.column}: {first.code} {first.message}"
            " (the old version is not a valid process)"
        )
    return process


# Output --------------------------------------------------------------------------------


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def summary(changes: list[Change]) -> str:
    """'2 steps added, 1 owner changed': counts by summary words, in `KINDS` order."""
    counts: Counter[str] = Counter()
    words: dict[str, tuple[str, str]] = {}
    for change in changes:
        one, many = KINDS[change.kind]
        counts[one] += 1
        words[one] = (one, many)
    order = list(dict.fromkeys(one for one, _ in KINDS.values()))
    return ", ".join(
        f"{counts[one]} {one if counts[one] == 1 else words[one][1]}"
        for one in order
        if counts[one]
    )


def show(value: Value) -> str:
    """A value as people read it: yes/no, numbers without '.0', text on one line."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(_number(value))
    return " ".join(str(value).split())


def line(change: Change) -> str:
    """'owner of Hold the consultation call: Sales rep -> Founder' (without the sign)."""
    if change.old is None:
        return f"{change.what}: {show(change.new)}"
    if change.new is None:
        return f"{change.what}: {show(change.old)}"
    return f"{change.what}: {show(change.old)} -> {show(change.new)}"


def _totals(diffs: list[FileDiff]) -> str:
    changed = [d for d in diffs if d.changes]
    compared = _plural(len(diffs), "process", "processes")
    if not changed:
        return f"No changes of meaning ({compared} compared)."
    count = _plural(sum(len(d.changes) for d in changed), "change")
    if len(changed) == len(diffs):
        return f"{count} in {compared}."
    return f"{count} in {len(changed)} of {compared}."


_STYLES = {"+": "green", "-": "red", "~": "yellow"}


def render_text(diffs: list[FileDiff], console: Console) -> None:
    """A header per changed process, one line per change (+ green, - red, ~ yellow)."""
    from rich.text import Text

    for diff in diffs:
        if not diff.changes:
            continue
        header = Text(diff.name, style="bold")
        header.append(f" ({diff.path})", style="dim")
        console.print(header, soft_wrap=True)
        for change in diff.changes:
            row = Text("  ")
            row.append(f"{change.sign} {line(change)}", style=_STYLES[change.sign])
            console.print(row, soft_wrap=True)
        console.print()
    console.print(_totals(diffs), soft_wrap=True)


def as_text(diffs: list[FileDiff], since: str | None = None) -> str:
    """The text format without colour (what a pipe or a file receives)."""
    from io import StringIO

    from rich.console import Console

    out = StringIO()
    render_text(diffs, Console(file=out, color_system=None, soft_wrap=True, highlight=False))
    return out.getvalue()


_MD_ESCAPE = re.compile(r"([\\`*_\[\]|~])")


def md(text: str) -> str:
    """User text made safe in Markdown, table cells included: one line, no markup or HTML."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_ESCAPE.sub(r"\\\1", " ".join(text.split()))


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text.replace(chr(10), ' ')}{pad}{fence}"


def as_markdown(diffs: list[FileDiff], since: str | None = None) -> str:
    """A pull-request comment: a summary line per changed process, then the details."""
    title = "### Process changes" + (f" since {_code(since)}" if since else "")
    out = [title, ""]
    changed = [d for d in diffs if d.changes]
    if not changed:
        out.append(_totals(diffs))
        return "\n".join(out) + "\n"
    for diff in changed:
        out.append(f"- **{md(diff.name)}** ({_code(diff.path)}): {summary(diff.changes)}")
    out.append("")
    out.append(_totals(diffs))
    for diff in changed:
        if all(c.kind in ("process.added", "process.removed") for c in diff.changes):
            continue
        out += [
            "",
            "<details>",
            f"<summary><b>{md(diff.name)}</b>: {_plural(len(diff.changes), 'change')}</summary>",
            "",
            "| | Change | Before | After |",
            "|---|---|---|---|",
        ]
        for c in diff.changes:
            out.append(f"| {c.sign} | {md(c.what)} | {md(show(c.old))} | {md(show(c.new))} |")
        out += ["", "</details>"]
    return "\n".join(out) + "\n"


def as_json(diffs: list[FileDiff], since: str | None = None) -> str:
    """A list of changes: process, path, kind, step, what, old, new (sorted keys)."""
    rows = [
        {
            "process": c.process,
            "path": d.path,
            "kind": c.kind,
            "step": c.step,
            "what": c.what,
            "old": c.old,
            "new": c.new,
        }
        for d in diffs
        for c in d.changes
    ]
    return json.dumps(rows, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


#: Output formats of `procmap diff --format`; text is also rendered in colour by the CLI.
FORMATS: dict[str, Callable[[list[FileDiff], str | None], str]] = {
    "text": as_text,
    "markdown": as_markdown,
    "json": as_json,
}

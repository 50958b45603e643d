"""BPMN 2.0 files from the common modelers as procmap processes (`procmap import`).

Owns: reading a `.bpmn` file safely (`xmltext.parse`, in any encoding it declares),
its text made what YAML can hold (`xmltext.clean_tree`, I031), the names of its
messages, signals, errors, escalations and resources (`Report.refs`), its collaboration
(pool names, message flows, I015) and the choice of processes (`--process`, I005; a
process with no flow elements skipped, I029, and a file with none refused, I004), call
activities linked to the processes of the file by BPMN id, each made process checked
through the model with what its steps name declared (I024, I025), and writing the
processes as YAML files (`write_imported`). Every loss is a `Problem` with the BPMN
element's id and line (codes I001 to I034, the rule registry's family "I"; `CODES` is
its view; docs/bpmn.md is the table of what becomes of each element). The mapping of
one process is `builder`'s, in stages:

- `elements`: the children of a process (flow nodes, flows, lanes, boundary events);
- `kinds`: a handler per element: start events of every kind -> start steps; end events
  -> end steps; tasks of every type -> tasks (`serviceTask`, `scriptTask`,
  `businessRuleTask` with `automated: true`); `callActivity` -> a subprocess step
  (`process:` its `calledElement`); a collapsed `subProcess` -> a task; an expanded one
  -> a subprocess step and a process file of its own (its steps read as a process); an
  exclusive gateway that splits -> a decision; an event-based gateway -> a decision; an
  intermediate event -> a task, but a timer with a duration -> a wait (a date or a
  cycle, I026, or months, I027: a task keeping the value in its description);
- `waits`: each timer's duration the `wait:` of the step it holds up (`durations`: ISO
  8601);
- `parallel`: a parallel split -> `kind: parallel` and its join `kind: join` (a join
  added where branches meet at a task, I028; branches that never meet, a decision,
  I010), a task or event with several plain flows out -> a parallel split after it
  (I019), an inclusive split -> a decision (its branches are optional);
- `events`: link events paired by name; event subprocesses as exception entries (I034);
- `gateways`: a gateway that only merges is dropped and its flows joined; branch labels
  from the flow names (else the condition, else `otherwise` for the default flow or "to"
  and the target's name, reported, I018), a named branch's condition and the default
  in the decision's description;
- `steps`: the steps with their arrows; lanes -> roles and each step's owner (an
  unnamed lane named after the process and its position, I033; a performer the owner
  of its task, I032 when its lane says otherwise); a loop or multi-instance marker a
  line of the description (I030);
  `documentation` -> descriptions (and a Markdown task list -> the checklist);
  procmap's own extension elements -> their fields; a boundary event -> an exception
  entry on its task. Message flows, data objects, annotations are reported and left
  out.

Step ids are the slugs of the names (unique within the process); the steps keep the
order of the flow. Never raises for bad input.

Must not know: command-line options (that is `cli`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from ..format import MAX_BYTES as MAX_YAML_BYTES
from ..format import RULES, Problem, ProblemCounts, Severity, slugify
from .builder import Builder, Imported
from .elements import Report, label, name_of, procmap_element, slug
from .xmltext import BPMN, MAX_BYTES, Node, XmlError, clean_tree, declared_latin1, parse

#: code -> (name, severity, rationale) of the I0xx rules, read from the rule registry
#: (`procmap.lint`'s `RULES`, family "I"); the README's table is this one.
CODES: dict[str, tuple[str, Severity, str]] = {
    code: (rule.name, rule.severity, rule.rationale)
    for code, rule in RULES.items()
    if code.startswith("I")
}


#: Elements of `definitions` that events and performers refer to by id.
_NAMED = ("message", "signal", "error", "escalation", "resource")


@dataclass
class ImportResult(ProblemCounts):
    path: str
    processes: list[Imported] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def import_bpmn(
    path: str,
    only: str | None = None,
    display: str | None = None,
    exists: Callable[[str], bool] | None = None,
) -> ImportResult:
    """The processes of the BPMN file at `path` (only the one named `only`: its BPMN id,
    procmap id or name), with every problem found; never raises for bad input.

    `exists(id)` tells whether a process file with that id is already where the import
    goes: a modeler's call activity of a process that is neither there nor in the file
    becomes a task (I024), so that the result passes `procmap validate`."""
    shown = display or path
    result = ImportResult(shown)
    report = Report(shown)
    result.problems = report.problems  # as found, when the import stops early
    root = _root(path, report)
    if root is None:
        return result
    report.refs = {
        child.get("id") or "": name_of(child.get("name")) or (child.get("id") or "")
        for child in root.children
        if child.ns == BPMN and child.name in _NAMED
    }
    participants = _participants(root, report)
    processes = _chosen(root, only, participants, report)
    if processes is None:
        return result
    builder = Builder(report, set())
    for pnode in processes:
        made = builder.process(pnode, participants.get(pnode.get("id") or ""))
        if made is not None:
            result.processes.append(made)
    result.processes.extend(builder.made)
    if not result.processes and not any(p.severity == "error" for p in report.problems):
        report.add("I004", root, "no process of the file holds flow elements; nothing to import")
    others = {p.get("id") or "": _would_be(p, participants) for p in root.find(BPMN, "process")}
    _missing_calls(builder, result, exists, report, others)
    _check(result, report)
    result.problems = sorted(report.problems, key=Problem.sort_key)
    return result


def _root(path: str, report: Report) -> Node | None:
    """The file's BPMN `definitions`, or None: unreadable (I001) or not BPMN (I002)."""
    from .._files import not_regular, read_regular

    reason = not_regular(path)
    try:
        if reason is not None:
            raise OSError(reason)
        raw = read_regular(path, MAX_BYTES + 1)  # a larger file is refused unread
    except OSError as error:
        report.add("I001", None, f"cannot read the file: {error.strerror or error}")
        return None
    try:
        root = parse(raw)
    except XmlError as error:
        severity = RULES["I001"].severity
        report.problems.append(
            Problem(report.path, error.line, error.column, "I001", severity, str(error))
        )
        return None
    if root.ns != BPMN or root.name != "definitions":
        report.add("I002", root, f"the root element is {root.name!r}, not BPMN 2.0 definitions")
        return None
    for node, where, replaced in clean_tree(root, declared_latin1(raw)):
        report.add(
            "I031",
            node,
            f"{label(node)}: in {where}, characters a YAML file cannot hold replaced or removed:"
            f" {', '.join(replaced)}",
        )
    return root


def _participants(root: Node, report: Report) -> dict[str, str]:
    """The pools' names by process id; message flows between pools reported (I015)."""
    participants: dict[str, str] = {}
    for collaboration in root.find(BPMN, "collaboration"):
        for participant in collaboration.find(BPMN, "participant"):
            if participant.get("processRef"):
                participants[participant.get("processRef") or ""] = name_of(participant.get("name"))
        for message in collaboration.find(BPMN, "messageFlow"):
            report.add(
                "I015",
                message,
                f"message flow {message.get('id')!r} ({message.get('sourceRef')} -> {message.get('targetRef')}) left out: procmap's format has no messages between pools",
            )
    return participants


def _chosen(
    root: Node, only: str | None, participants: dict[str, str], report: Report
) -> list[Node] | None:
    """The processes to import: all, or the one named `only`; None when there is none
    (I002, I005)."""
    processes = root.find(BPMN, "process")
    if not processes:
        report.add("I002", root, "the file holds no BPMN process")
        return None
    if only is None:
        return processes
    chosen = [p for p in processes if only in _names_of(p, participants)]
    if not chosen:
        report.add(
            "I005",
            root,
            f"no process {only!r} in the file; it has: "
            + ", ".join(repr(p.get("id")) for p in processes),
        )
        return None
    return chosen


def _missing_calls(
    builder: Builder,
    result: ImportResult,
    exists: Callable[[str], bool] | None,
    report: Report,
    others: dict[str, str],
) -> None:
    """A call activity names a process of the file by its BPMN id: the id of the process
    made of it, or (not imported, `--process`) the id its import would have; a call of a
    process neither made here nor in the output folder becomes a task (I024)."""
    made_ids = {m.id for m in result.processes}
    by_bpmn_id = {**others, **{m.source_id: m.id for m in result.processes}}
    for step, node in builder.calls:
        ref = (node.get("calledElement") or "").split(":")[-1]
        if ref in by_bpmn_id:  # a process of the same file, by its BPMN id
            step["process"] = by_bpmn_id[ref]
        called = step.get("process")  # a subprocess step's, set with its kind
        if called is None or called in made_ids or (exists is not None and exists(called)):
            continue
        step["kind"] = "task"
        del step["process"]
        note = f"Calls the process {called!r} (a BPMN call activity)."
        step["description"] = "\n\n".join(t for t in (step.get("description"), note) if t)
        report.add(
            "I024",
            node,
            f"{label(node)} calls {called!r}, which is neither"
            + (" imported (`--process`)" if ref in others else " in the file")
            + " nor in the output folder: read as a task",
        )


def _would_be(pnode: Node, participants: dict[str, str]) -> str:
    """The procmap id the import gives the process of `pnode` (`Builder._record`), before
    a number makes it unique."""
    ext = procmap_element(pnode, "process")
    name = name_of(pnode.get("name")) or participants.get(pnode.get("id") or "", "")
    return (
        (ext.get("id") if ext is not None else None)
        or slug(name)
        or slug(pnode.get("id") or "")
        or "process"
    )


def _names_of(pnode: Node, participants: dict[str, str]) -> set[str]:
    ext = procmap_element(pnode, "process")
    names = {
        pnode.get("id") or "",
        name_of(pnode.get("name")),
        participants.get(pnode.get("id") or "", ""),
    }
    if ext is not None:
        names.add(ext.get("id") or "")
    return (
        {n for n in names if n} | {slugify(n) for n in names if n} | {slug(n) for n in names if n}
    )


def _check(result: ImportResult, report: Report) -> None:
    """Each imported process through the model: the data as it will be written."""
    from pydantic import ValidationError

    from ..format import Process

    kept = []
    for made in result.processes:
        _references(made, report)
        try:
            process = Process.model_validate(made.data)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            report.add(
                "I004", None, f"process {made.id!r} cannot be made valid: {where}: {first['msg']}"
            )
            continue
        made.data = _tidy(process.model_dump(mode="json", by_alias=True, exclude_defaults=True))
        kept.append(made)
    result.processes = kept


def _references(made: Imported, report: Report) -> None:
    """What the steps name must be declared: owners become roles (named by their id);
    tools and metrics that no declaration explains (a damaged procmap extension) are
    left out and reported; an exception on a step that was left out loses its `step`."""
    data = made.data
    roles = _mapping(data.setdefault("roles", {}))
    tools = _mapping(data.get("tools"))
    metrics = _mapping(data.get("metrics"))
    steps = [_mapping(s) for s in _sequence(data.get("steps"))]
    ids = {s.get("id") for s in steps}
    named_roles = [data.get("owner"), _mapping(data.get("review")).get("approver")]
    named_roles += [s.get("owner") for s in steps]
    for owner in named_roles:
        if isinstance(owner, str) and owner not in roles:
            roles[owner] = owner
    for step in steps:
        for key, declared in (("tools", tools), ("metrics", metrics)):
            named = step.get(key)
            if isinstance(named, list) and any(n not in declared for n in named):
                missing = [n for n in named if n not in declared]
                step[key] = [n for n in named if n in declared]
                report.add(
                    "I025",
                    None,
                    f"step {step.get('id')!r} of {made.id!r} names {key} that are not"
                    f" declared, left out: {', '.join(map(str, missing))}",
                )
    if not roles:
        del data["roles"]
    for entry in _sequence(data.get("exceptions")):
        if isinstance(entry, dict) and entry.get("step") not in ids:
            entry.pop("step", None)


def _mapping(value: object) -> dict[str, object]:
    """A mapping of the data before the model checked it (the same dict), else empty."""
    return value if isinstance(value, dict) else {}


def _sequence(value: object) -> list[object]:
    """A list of the data before the model checked it (the same list), else empty."""
    return value if isinstance(value, list) else []


_STEP_FIRST = ("id", "kind", "name")


def _tidy(data: dict[str, object]) -> dict[str, object]:
    """Steps as the starters write them: id, kind, name first."""
    steps = []
    for step in map(_mapping, _sequence(data.get("steps"))):
        head = {k: step[k] for k in _STEP_FIRST if k in step}
        steps.append({**head, **{k: v for k, v in step.items() if k not in head}})
    data["steps"] = steps
    return data


class ImportWriteError(Exception):
    """An output file cannot be written (exists without --force, or an OS error)."""


def write_imported(result: ImportResult, out_dir: str, force: bool = False) -> list[str]:
    """Write each imported process as `<id>.yaml` in `out_dir`; the paths written.

    Refuses (before writing anything) when a file exists and `force` is not set, and when
    a process's YAML is over the size limit of a process file (`MAX_YAML_BYTES`, the
    loader's, rule Y011), which `procmap validate` would refuse."""
    from .._files import write_atomic
    from .yamlout import to_yaml

    header = f"Imported by `procmap import` from {os.path.basename(result.path)}."
    targets = [
        (os.path.join(out_dir, f"{made.id}.yaml"), to_yaml(made.data, header).encode("utf-8"))
        for made in result.processes
    ]
    for target, data in targets:
        if len(data) > MAX_YAML_BYTES:
            raise ImportWriteError(
                f"{target}: the process imported from {result.path} would be {len(data):,}"
                f" bytes of YAML, over the {MAX_YAML_BYTES:,}-byte limit of a process file"
                " (Y011); nothing written: split the BPMN process into smaller ones"
            )
    if not force:
        there = [t for t, _ in targets if os.path.exists(t)]
        if there:
            raise ImportWriteError(
                f"{there[0]}: exists; not overwritten, use --force to replace it"
            )
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as error:
        raise ImportWriteError(f"{out_dir}: cannot create the folder: {error.strerror}") from None
    written = []
    from pathlib import Path

    for target, data in targets:
        try:
            write_atomic(Path(target), data)
        except OSError as error:
            raise ImportWriteError(f"{target}: cannot write: {error.strerror or error}") from None
        written.append(target)
    return written

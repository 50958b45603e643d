"""The items of a process as procmap steps: ids, fields, arrows, order, exceptions.

Owns: each item as a step (`make_steps`: ids unique slugs, descriptions, checklists,
owners from the lanes, procmap's extension fields), its arrows (`next`, or a decision's
`branches`), what the flow leaves implicit made explicit (an end after a flow that stops,
I021; a decision after a task with several flows out, I019; a start before the first
step, I023; no step to start from, I004), the reading order of the steps, the steps no
start reaches (`prune`, I022), and the boundary events' exception entries
(`exception_records`).

Must not know: the BPMN element classes (the items have their kinds) or files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Required, TypedDict

from ..format import duration_minutes
from .durations import procmap_wait
from .elements import (
    Boundary,
    ExceptionRecord,
    Item,
    Lanes,
    Report,
    article,
    documentation,
    label,
    name_of,
    procmap_element,
    slug,
    unique,
)
from .extension import Json, fields
from .gateways import condition_of
from .xmltext import Node


class Step(TypedDict, total=False):
    """A step as the import makes it: the keys of a process file's step that the import
    sets and reads. procmap's extension fields of the step are kept beside it
    (`Made.fields`)."""

    id: Required[str]
    name: Required[str]
    kind: str
    description: str
    checklist: list[str]
    owner: str
    automated: bool
    process: str
    wait: str
    next: str | list[str]
    branches: dict[str, str]


@dataclass
class Made:
    """The steps of one process being made: by item id (or `__end__`, `__start__` and
    the added decisions' ids), the step ids taken, and the subprocess steps made from a
    modeler's call activity (checked once all processes are made)."""

    steps: dict[str, Step] = field(default_factory=dict)
    taken: set[str] = field(default_factory=set)
    added: dict[str, Step] = field(default_factory=dict)
    calls: list[tuple[Step, Node]] = field(default_factory=list)
    #: step id -> procmap's extension fields of its element (a file procmap exported)
    fields: dict[str, dict[str, Json]] = field(default_factory=dict)


def _step(iid: str, item: Item, lanes: Lanes, made: Made) -> Step:
    ext = procmap_element(item.node, "step")
    sid = (ext.get("id") if ext is not None else None) or slug(item.name) or slug(iid)
    step: Step = {"id": unique(sid, made.taken), "name": item.name}
    if item.kind != "task":
        step["kind"] = item.kind
    description, checklist = documentation(item.node)
    notes = "\n\n".join(item.notes)
    if description or notes:
        step["description"] = "\n\n".join(t for t in (description, notes) if t)
    if checklist:
        step["checklist"] = checklist
    if iid in lanes.of and ext is None:  # procmap's own: the owner is in `ext`
        step["owner"] = lanes.of[iid]
    if item.automated:
        step["automated"] = True
    if item.process is not None:
        step["process"] = item.process
    own = fields(ext) if ext is not None else None
    if item.wait is not None:
        step["wait"] = _wait(item.wait, own)
    if own is not None:
        own.pop("wait", None)  # the timer is the wait: one a modeler removed is gone
        made.fields[step["id"]] = own
    elif item.node.name == "callActivity" and step.get("kind") == "subprocess":
        made.calls.append((step, item.node))
    return step


def _wait(minutes: float, own: dict[str, Json] | None) -> str:
    """The `wait:` of `minutes`: as procmap's extension spells it when it is the same time
    (a file procmap exported: `1w` stays `1w`), else in the largest whole unit."""
    written = (own or {}).get("wait")
    if isinstance(written, str) and _minutes(written) == minutes:
        return written
    return procmap_wait(minutes)


def _minutes(text: str) -> float | None:
    try:
        return duration_minutes(text)
    except (ValueError, KeyError, AttributeError):
        return None


def _end(made: Made) -> str:
    """The id of the one end step added after flows that stop."""
    if "__end__" not in made.added:
        eid = unique("end", made.taken)
        made.added["__end__"] = {"id": eid, "name": "End", "kind": "end"}
    return made.added["__end__"]["id"]


def _which_way(
    item: Item, step: Step, targets: list[tuple[str, str | None]], made: Made, report: Report
) -> None:
    """A decision added after a task with several flows out (I019)."""
    did = unique(f"{step['id']}-which-way", made.taken)
    report.add(
        "I019",
        item.node,
        f"{label(item.node)} has {len(targets)} flows going out: a decision {did!r} added after it",
    )
    labels: list[str] = []
    for t, text in targets:
        shown = text or (steps_name(made.steps, t) or t)
        while shown in labels:
            shown += " (again)"
        labels.append(shown)
    made.added[did] = {
        "id": did,
        "kind": "decision",
        "name": f"{item.name}: which way?",
        "branches": {lab: t for lab, (t, _) in zip(labels, targets, strict=True)},
    }
    said = [
        f"{text!r} when {condition}"
        for _, text, flow in item.out
        if (condition := condition_of(flow)) is not None and text is not None and text != condition
    ]
    if said:  # a named flow's condition
        made.added[did]["description"] = (
            "In the BPMN file the branches are taken: " + "; ".join(said) + "."
        )
    step["next"] = did


def _arrows(iid: str, item: Item, made: Made, report: Report) -> None:
    """The step's `next` or `branches`, from the item's flows out."""
    step = made.steps[iid]
    targets = [(made.steps[t]["id"], text) for t, text, _ in item.out if t in made.steps]
    if item.kind == "end":
        return
    if item.kind == "decision":
        # every branch is labelled (`gateways.label_decisions`)
        step["branches"] = {text: t for t, text in targets if text is not None}
        return
    if item.kind == "parallel":  # a strand per flow (`parallel.settle_parallel`)
        step["next"] = [t for t, _ in targets]
        return
    if not targets:
        report.add(
            "I021",
            item.node,
            f"{label(item.node)} has no flow going out: an end step added after it",
        )
        step["next"] = _end(made)
    elif len(targets) == 1:
        step["next"] = targets[0][0]
    else:
        _which_way(item, step, targets, made, report)


def _add_start(
    order: list[str], items: dict[str, Item], made: Made, pnode: Node, report: Report
) -> list[str] | None:
    """A start step before the first step nothing flows into (I023); None when there is
    no such step (I004)."""
    steps = made.steps
    heads = [
        i
        for i in order
        if i in items
        and not any(t == i for it in items.values() for t, _, _ in it.out)
        and steps[i].get("kind") != "end"
    ]
    if not heads:
        report.add(
            "I004",
            pnode,
            f"{label(pnode)} has no start event and no step to start from; nothing sensible to make",
        )
        return None
    sid = unique("start", made.taken)
    report.add(
        "I023",
        pnode,
        f"{label(pnode)} has no start event: a start step added before {steps[heads[0]]['name']!r}",
    )
    steps["__start__"] = {
        "id": sid,
        "name": "Start",
        "kind": "start",
        "next": steps[heads[0]]["id"],
    }
    return ["__start__", *order]


def make_steps(
    items: dict[str, Item],
    lanes: Lanes,
    own: bool,
    pnode: Node,
    report: Report,
    calls: list[tuple[Step, Node]],
) -> tuple[Made, list[str]] | None:
    """The steps of the items (joins dropped) and their order: the file's order for a
    process procmap exported (`own`), else the reading order; None when there is nothing
    to start from. The subprocess steps made from call activities join `calls`, even
    then (the file-level import turns the missing ones into tasks, I024)."""
    made = Made(calls=calls)
    order = [i for i, item in items.items() if item.kind != "merge"]
    for iid in order:
        made.steps[iid] = _step(iid, items[iid], lanes, made)
    for iid in order:
        _arrows(iid, items[iid], made, report)
    made.steps.update(made.added)
    added = list(made.added)
    order = [*order, *[k for k in added if k != "__end__"], *[k for k in added if k == "__end__"]]
    if not any(made.steps[i].get("kind") == "start" for i in order):
        started = _add_start(order, items, made, pnode, report)
        if started is None:
            return None
        order = started
    if not own:
        order = reading_order(order, made.steps)
    return made, order


def path(starts: list[str], items: dict[str, Item], outs: dict[str, list[Node]]) -> list[str]:
    """The elements from `starts` on, following each one's first flow, to an end or a loop."""
    found: list[str] = []
    for start in starts:
        current: str | None = start
        while current in items and current not in found:
            found.append(current)
            following = outs.get(current) or []
            current = following[0].get("targetRef") if following else None
    return found


def path_names(starts: list[str], items: dict[str, Item], outs: dict[str, list[Node]]) -> list[str]:
    return [items[i].name or i for i in path(starts, items, outs) if items[i].kind != "merge"]


def steps_name(steps: dict[str, Step], sid: str) -> str | None:
    for step in steps.values():
        if step["id"] == sid:
            return step["name"]
    return None


def _targets(step: Step) -> list[str]:
    following = step.get("next") or []
    found = [following] if isinstance(following, str) else list(following)
    return found + list((step.get("branches") or {}).values())


def reachable(steps: list[Step]) -> set[str]:
    """The ids of the steps some start reaches."""
    by_id = {s["id"]: s for s in steps}
    seen = {s["id"] for s in steps if s.get("kind") == "start"}
    stack = list(seen)
    while stack:
        for target in _targets(by_id[stack.pop()]):
            if target in by_id and target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def reading_order(order: list[str], steps: dict[str, Step]) -> list[str]:
    """Depth first from each start, `next` before branches, ends last (as `Flow.order`)."""
    key_of = {steps[k]["id"]: k for k in order}
    seen: list[str] = []
    ends: list[str] = []
    marked: set[str] = set()
    for start in [k for k in order if steps[k].get("kind") == "start"]:
        stack = [start]
        while stack:
            key = stack.pop()
            if key in marked:
                continue
            marked.add(key)
            (ends if steps[key].get("kind") == "end" else seen).append(key)
            stack.extend(
                reversed(
                    [
                        key_of[t]
                        for t in _targets(steps[key])
                        if t in key_of and key_of[t] not in marked
                    ]
                )
            )
    return seen + ends + [k for k in order if k not in marked]


def exception_records(
    exceptions: list[Boundary],
    items: dict[str, Item],
    outs: dict[str, list[Node]],
    ids: dict[str, str],
) -> list[ExceptionRecord]:
    """Each boundary event's exception entry: when, then (the path after it in words),
    and the step it is on."""
    records: list[ExceptionRecord] = []
    for entry in exceptions:
        event, attached = entry.event, entry.attached
        then = path_names(entry.after, items, outs)
        named = name_of(event.get("name"))
        what = named or " or ".join(entry.kinds)
        how = "" if entry.interrupting else "; the task goes on"
        record: ExceptionRecord = {
            "when": f"{what} ({', '.join(entry.kinds)}{how})"
            if named
            else f"{article(what).capitalize()} event happens{how}",
            "then": "Go on with: " + ", ".join(then) if then else "Stop here.",
        }
        if attached is not None and attached.node.get("id") in ids:
            record["step"] = ids[attached.node.get("id") or ""]
        records.append(record)
    return records


def prune(
    step_list: list[Step],
    order: list[str],
    made: Made,
    items: dict[str, Item],
    after_boundary: set[str],
    report: Report,
) -> list[Step]:
    """The steps some start reaches; the others are reported (I022) unless a boundary
    event leads to them, and arrows to them are dropped."""
    steps = made.steps
    seen = reachable(step_list)
    by_id = {s["id"]: s for s in step_list}
    after = set(after_boundary)
    stack = list(after)
    while stack:  # what the path after a boundary event leads to (an end added, I021)
        for target in _targets(by_id.get(stack.pop(), {"id": "", "name": ""})):
            if target not in after and target not in seen:
                after.add(target)
                stack.append(target)
    dropped = [s for s in step_list if s["id"] not in seen and s["id"] not in after]
    if dropped:
        gone = {d["id"] for d in dropped}
        first = next(
            (items[i].node for i in order if i in items and steps[i]["id"] in gone),
            next(iter(items.values())).node,
        )
        report.add(
            "I022",
            first,
            "not reached from a start, left out: " + ", ".join(repr(s["name"]) for s in dropped),
        )
    if len(seen) < len(step_list):
        step_list = [s for s in step_list if s["id"] in seen]
        kept = {s["id"] for s in step_list}
        for s in step_list:
            following = s.get("next")
            if isinstance(following, list):
                s["next"] = [t for t in following if t in kept]
            elif following and following not in kept:
                del s["next"]
            if s.get("branches"):
                s["branches"] = {k: v for k, v in s["branches"].items() if v in kept}
    return step_list

"""One BPMN process made into a procmap process: the steps in order, then the record.

Owns: `Builder.process`, which runs the import of one process in its stages (read the
elements, wire the flows, the boundary events, the kinds, the waits, the parallel splits
and joins, the flows and branch labels, the steps, the exceptions, the unreachable steps) and assembles the process record (`procmap: 1`, id,
name, description, procmap's extension fields, roles from the lanes, steps, exceptions);
the processes made of expanded subprocesses (`made`) and the subprocess steps made from
call activities (`calls`), which the file-level import checks once all are made.

Must not know: the file (reading, choosing processes, writing: `importer`), what each
element becomes (`kinds`, `gateways`, `steps`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .elements import (
    ExceptionRecord,
    Item,
    Lanes,
    Report,
    documentation,
    label,
    name_of,
    procmap_element,
    read_boundaries,
    read_elements,
    read_lanes,
    slug,
    unique,
    wire,
)
from .events import event_subprocess_records, pair_links
from .extension import fields
from .gateways import label_decisions, link_flows
from .kinds import assign_kinds
from .parallel import implicit_splits, settle_parallel
from .steps import Made, Step, exception_records, make_steps, path, prune
from .waits import settle_waits
from .xmltext import Node


@dataclass
class Imported:
    """One process read from the file: its data (as a process file holds it; checked
    through the model once every process is made, `importer`)."""

    id: str
    data: dict[str, object]
    source_id: str


class Builder:
    """The processes of one file, made one at a time, with the ids they take."""

    def __init__(self, report: Report, taken_ids: set[str]) -> None:
        self.report = report
        self.taken_ids = taken_ids  # process ids in this import
        self.made: list[Imported] = []  # processes of expanded subprocesses
        #: subprocess steps made from a modeler's callActivity, with their element
        self.calls: list[tuple[Step, Node]] = []
        self.lanes = Lanes()  # of the process being made

    def subprocess(self, node: Node, name: str) -> str | None:
        """An expanded subprocess as a process of its own (the `Maker` of `kinds`); its
        id, or None when nothing sensible can be made of it."""
        outer = self.lanes
        made = self.process(node, name)
        self.lanes = outer
        if made is None:
            return None
        self.made.append(made)
        return made.id

    def process(self, pnode: Node, name_hint: str | None) -> Imported | None:
        """The process of `pnode`, or None (reported) when nothing sensible can be made."""
        report = self.report
        own = procmap_element(pnode, "process") is not None
        found = read_elements(pnode, report)
        title = name_of(pnode.get("name")) or name_hint or pnode.get("id") or "Process"
        self.lanes = read_lanes(pnode, title, report)
        items = found.items
        if not items:
            report.add(
                "I029",
                pnode,
                f"{label(pnode)} has no flow elements (an empty pool, a modeler's main"
                " process): skipped",
            )
            return None
        for iid in pair_links(found):
            items[iid].linked = True
        wiring = wire(found, report)
        if wiring is None:
            return None
        exceptions = read_boundaries(found, report)
        assign_kinds(self, items, wiring)
        _performers(items, self.lanes, report)
        settle_waits(items, wiring, report)
        implicit_splits(items, wiring, report)
        settle_parallel(items, wiring, report)
        link_flows(items, wiring, report)
        label_decisions(items, report)
        built = make_steps(items, self.lanes, own, pnode, report, self.calls)
        if built is None:
            return None
        steps, order = built
        ids = {iid: s["id"] for iid, s in steps.steps.items()}
        records = exception_records(exceptions, items, wiring.outs, ids)
        records += event_subprocess_records(found, report)
        after_boundary = {
            ids[i] for e in exceptions for i in path(e.after, items, wiring.outs) if i in ids
        }
        step_list = [steps.steps[i] for i in order]
        step_list = prune(step_list, order, steps, items, after_boundary, report)
        pid, data = self._record(pnode, name_hint, _with_fields(step_list, steps), records)
        return Imported(pid, data, pnode.get("id") or pid)

    def _record(
        self,
        pnode: Node,
        name_hint: str | None,
        step_list: list[Mapping[str, object]],
        more: list[ExceptionRecord],
    ) -> tuple[str, dict[str, object]]:
        """The process id and record: id (procmap's own, else the slug of the name, unique in
        the import), name, description, extension fields, roles, steps, exceptions."""
        ext = procmap_element(pnode, "process")
        data: dict[str, object] = {"procmap": 1}
        ext_fields = fields(ext) if ext is not None else {}
        name = name_of(pnode.get("name")) or name_hint or pnode.get("id") or "Process"
        pid = (
            (ext.get("id") if ext is not None else None)
            or slug(name)
            or slug(pnode.get("id") or "")
            or "process"
        )
        pid = unique(pid, self.taken_ids)
        data["id"] = pid
        data["name"] = name
        description, _ = documentation(pnode)
        if description:
            data["description"] = description
        data.update(ext_fields)
        declared = data.get("roles")
        roles: dict[str, object] = dict(declared) if isinstance(declared, dict) else {}
        for role, title in self.lanes.roles.items():
            roles.setdefault(role, title)
        if roles:
            data["roles"] = roles
        data["steps"] = step_list
        if more:
            listed = data.get("exceptions")
            data["exceptions"] = [*(listed if isinstance(listed, list) else []), *more]
        return pid, data


def _performers(items: dict[str, Item], lanes: Lanes, report: Report) -> None:
    """A task's performer is its owner, unless its lane names another role: then the
    lane wins and the performer is kept in its description (I032)."""
    for iid, item in items.items():
        if item.performer is None:
            continue
        role = slug(item.performer) or "performer"
        lane = lanes.of.get(iid)
        if lane is None:
            lanes.of[iid] = role
            lanes.roles.setdefault(role, item.performer)
        elif lane != role and lanes.roles.get(lane) != item.performer:
            item.notes.append(f"In the BPMN file its performer is {item.performer!r}.")
            report.add(
                "I032",
                item.node,
                f"{label(item.node)} is performed by {item.performer!r} but drawn in the lane"
                f" of {lanes.roles.get(lane, lane)!r}: the lane is its owner, the performer"
                " kept in its description",
            )


def _with_fields(step_list: list[Step], made: Made) -> list[Mapping[str, object]]:
    """The steps as a process file holds them: procmap's extension fields of each step's
    element, then what the import made of the element (which BPMN itself carries). A step
    without them stays the same dict: a call activity's may still become a task (I024)."""
    return [
        {**made.fields[step["id"]], **step} if step["id"] in made.fields else step
        for step in step_list
    ]

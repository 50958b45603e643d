"""BPMN 2.0 files from the common modelers as procmap processes (`procmap import`).

Owns: reading a `.bpmn` file safely (`xmltext.parse`), mapping each of its processes to
the closest valid procmap process, and every loss as a `Problem` with the BPMN element's
id and line (codes I001 to I025, the rule registry's family "I"). The mapping:

- start events of every kind -> start steps; end events -> end steps; tasks of every
  type -> tasks (`serviceTask`, `scriptTask`, `businessRuleTask` with `automated: true`);
  `callActivity` -> a subprocess step (`process:` its `calledElement`); a collapsed
  `subProcess` -> a task; an expanded one -> a subprocess step and a process file of its
  own (its steps read as a process);
- an exclusive gateway that splits -> a decision, branch labels from the flow names
  (else the condition, else invented `yes`/`no` and reported); a gateway that only joins
  is dropped and its flows joined;
- lanes -> roles and each step's owner; `documentation` -> descriptions (and a Markdown
  task list -> the checklist); procmap's own extension elements -> their fields;
- what the format cannot say is reported and replaced by the closest thing: a parallel
  split -> a task "Do in parallel: A, B" followed by the branches one after another
  (when they meet again in one join), an inclusive split -> a decision (its branches
  are optional), an event-based gateway -> a decision, an
  intermediate event -> a task, a boundary event -> an exception entry on its task;
  message flows, data objects, annotations -> reported and left out.

Step ids are the slugs of the names (unique within the process); the steps keep the
order of the flow. Never raises for bad input.

Must not know: where the YAML is written or command-line options (that is `cli`).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..format import MAX_BYTES as MAX_YAML_BYTES
from ..format import Problem, ProblemCounts, Severity, slugify, visible
from ..lint import RULES
from .extension import fields
from .xmltext import BPMN, MAX_BYTES, PROCMAP, Node, XmlError, parse

#: code -> (name, severity, rationale) of the I0xx rules, read from the rule registry
#: (`procmap.lint`'s `RULES`, family "I"); the README's table is this one.
CODES: dict[str, tuple[str, Severity, str]] = {
    code: (rule.name, rule.severity, rule.rationale)
    for code, rule in RULES.items()
    if code.startswith("I")
}

TASKS = {
    "task",
    "userTask",
    "manualTask",
    "serviceTask",
    "scriptTask",
    "businessRuleTask",
    "sendTask",
    "receiveTask",
}
AUTOMATED = {"serviceTask", "scriptTask", "businessRuleTask"}
SUBPROCESSES = {"subProcess", "transaction", "adHocSubProcess"}
GATEWAYS = {
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "complexGateway",
    "eventBasedGateway",
}
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent"}
DATA = {
    "dataObject",
    "dataObjectReference",
    "dataStoreReference",
    "dataInputAssociation",
    "dataOutputAssociation",
    "association",
    "textAnnotation",
    "group",
    "ioSpecification",
}
ANNOTATIONS = {"textAnnotation", "association", "group"}
#: Children of a process that are no flow element and carry no meaning to lose.
QUIET = {
    "documentation",
    "extensionElements",
    "laneSet",
    "sequenceFlow",
    "property",
    "incoming",
    "outgoing",
    "category",
}
CHECKLIST_ITEM = ("- [ ] ", "- [x] ", "- [X] ")


@dataclass
class Imported:
    """One process read from the file: its data (as a process file holds it)."""

    id: str
    data: dict[str, Any]
    source_id: str


@dataclass
class ImportResult(ProblemCounts):
    path: str
    processes: list[Imported] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _Report:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(self, code: str, node: Node | None, message: str) -> None:
        line, column = (node.line, node.column) if node is not None else (1, 1)
        severity = RULES[code].severity
        self.problems.append(Problem(self.path, line, column, code, severity, message))


def _name_of(value: str | None) -> str:
    """A BPMN name as procmap reads a name: stripped, and "" when it shows nothing (only
    spaces, controls or invisible characters like a zero-width space, rule S014), so that
    the import falls back as for a missing name."""
    text = (value or "").strip()
    return text if visible(text) else ""


def _label(node: Node) -> str:
    name = _name_of(node.get("name"))
    return f"{node.name} {node.get('id')!r}" + (f" ({name!r})" if name else "")


def _procmap(node: Node, tag: str) -> Node | None:
    for ext in node.find(BPMN, "extensionElements"):
        for child in ext.children:
            if child.ns == PROCMAP and child.name == tag:
                return child
    return None


def _definitions(node: Node) -> list[str]:
    return [
        c.name.removesuffix("EventDefinition")
        for c in node.children
        if c.name.endswith("EventDefinition")
    ]


def _documentation(node: Node) -> tuple[str | None, list[str]]:
    texts: list[str] = []
    checklist: list[str] = []
    for doc in node.find(BPMN, "documentation"):
        lines = doc.text.split("\n")
        if (
            doc.get("textFormat") == "text/markdown"
            and lines
            and all(line.startswith(CHECKLIST_ITEM) for line in lines)
        ):
            checklist.extend(line[6:] for line in lines)
        elif doc.text.strip():
            texts.append(doc.text)
    return ("\n\n".join(texts) if texts else None), checklist


def _unique(base: str, taken: set[str]) -> str:
    base = base or "step"
    found, number = base, 1
    while found in taken:
        number += 1
        found = f"{base}-{number}"
    taken.add(found)
    return found


@dataclass
class _Item:
    """A BPMN flow node on its way to becoming a step."""

    node: Node
    kind: str  # start, task, decision, end, subprocess; or join (dropped)
    name: str
    out: list[tuple[str, str | None, Node]] = field(default_factory=list)  # target, label, flow
    extra: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class _Builder:
    def __init__(self, report: _Report, taken_ids: set[str]) -> None:
        self.report = report
        self.taken_ids = taken_ids  # process ids in this import
        self.made: list[Imported] = []
        #: subprocess steps made from a modeler's callActivity, with their element
        self.calls: list[tuple[dict[str, Any], Node]] = []

    # -- one process -------------------------------------------------------------------
    def process(self, pnode: Node, name_hint: str | None) -> Imported | None:
        report = self.report
        ext = _procmap(pnode, "process")
        items: dict[str, _Item] = {}
        flows: list[Node] = []
        boundaries: list[Node] = []
        self._read(pnode, items, flows, boundaries)
        own = ext is not None
        if not items:
            report.add("I004", pnode, f"{_label(pnode)} has no flow elements; nothing to import")
            return None
        # flows
        outs: dict[str, list[Node]] = {i: [] for i in items}
        ins: dict[str, list[Node]] = {i: [] for i in items}
        bad = False
        for flow in flows:
            source, target = flow.get("sourceRef"), flow.get("targetRef")
            missing = [
                r
                for r in (source, target)
                if r not in items and r not in {b.get("id") for b in boundaries}
            ]
            if missing:
                report.add(
                    "I003",
                    flow,
                    f"sequence flow {flow.get('id')!r} names {missing[0]!r}, which is not a flow node of the process",
                )
                bad = True
                continue
            if source in outs:
                outs[source].append(flow)
            if target in ins:
                ins[target].append(flow)
        if bad:
            return None
        exceptions: list[dict[str, Any]] = []
        boundary_starts: dict[str, Node] = {}
        for event in boundaries:
            attached = items.get(event.get("attachedToRef") or "")
            kinds = _definitions(event) or ["boundary"]
            after = [f.get("targetRef") for f in flows if f.get("sourceRef") == event.get("id")]
            for target in after:
                if target:
                    boundary_starts[target] = event
            exceptions.append(
                {"event": event, "attached": attached, "kinds": kinds, "after": after}
            )
            report.add(
                "I014",
                event,
                f"{_label(event)} ({', '.join(kinds)}) on {attached.name if attached else 'an unknown task'!r} kept as an exception entry; the path after it is written into it",
            )
        self._kinds(items, outs, ins)
        self._parallel(items, outs, ins)
        # labels and joined flows
        for iid, item in items.items():
            if item.kind == "join":
                continue
            for flow in outs[iid]:
                target = self._through_joins(flow.get("targetRef") or "", items, outs)
                item.out.append((target, self._flow_label(flow, item), flow))
        self._labels(items)
        steps, order = self._steps(items, outs, own, pnode)
        if steps is None:
            return None
        ids = {iid: s["id"] for iid, s in steps.items()}
        # exceptions from boundary events
        for entry in exceptions:
            event, attached = entry["event"], entry["attached"]
            then = _path_names(entry["after"], items, outs)
            what = _name_of(event.get("name")) or " or ".join(entry["kinds"])
            record: dict[str, Any] = {
                "when": f"{what} ({', '.join(entry['kinds'])} event)"
                if _name_of(event.get("name"))
                else f"A {what} event happens",
                "then": "Go on with: " + ", ".join(then) if then else "Stop here.",
            }
            if attached is not None and attached.node.get("id") in ids:
                record["step"] = ids[attached.node.get("id") or ""]
            entry["record"] = record
        # reachable from a start
        step_list = [steps[i] for i in order]
        reachable = _reachable(step_list)
        after_boundary = {
            ids[i] for e in exceptions for i in _path(e["after"], items, outs) if i in ids
        }
        dropped = [
            s for s in step_list if s["id"] not in reachable and s["id"] not in after_boundary
        ]
        if dropped:
            gone = {d["id"] for d in dropped}
            first = next(items[i].node for i in order if i in items and steps[i]["id"] in gone)
            report.add(
                "I022",
                first,
                "not reached from a start, left out: "
                + ", ".join(repr(s["name"]) for s in dropped),
            )
        if len(reachable) < len(step_list):
            step_list = [s for s in step_list if s["id"] in reachable]
            kept = {s["id"] for s in step_list}
            for s in step_list:
                if s.get("next") and s["next"] not in kept:
                    del s["next"]
                if s.get("branches"):
                    s["branches"] = {k: v for k, v in s["branches"].items() if v in kept}
        # the process record
        data: dict[str, Any] = {"procmap": 1}
        ext_fields = fields(ext) if ext is not None else {}
        name = _name_of(pnode.get("name")) or name_hint or pnode.get("id") or "Process"
        pid = (
            (ext.get("id") if ext is not None else None)
            or slugify(name)
            or slugify(pnode.get("id") or "")
            or "process"
        )
        pid = _unique(pid, self.taken_ids)
        data["id"] = pid
        data["name"] = name
        description, _ = _documentation(pnode)
        if description:
            data["description"] = description
        data.update(ext_fields)
        roles = dict(data.get("roles") or {})
        for role, title in self._lane_roles.items():
            roles.setdefault(role, title)
        if roles:
            data["roles"] = roles
        data["steps"] = step_list
        more = [e["record"] for e in exceptions]
        if more:
            data["exceptions"] = list(data.get("exceptions") or []) + more
        imported = Imported(pid, data, pnode.get("id") or pid)
        return imported

    # -- reading the elements ----------------------------------------------------------
    def _read(
        self, pnode: Node, items: dict[str, _Item], flows: list[Node], boundaries: list[Node]
    ) -> None:
        report = self.report
        for child in pnode.children:
            if child.ns != BPMN:
                continue
            name, iid = child.name, child.get("id") or ""
            label = _name_of(child.get("name"))
            if name == "sequenceFlow":
                flows.append(child)
            elif name == "boundaryEvent":
                boundaries.append(child)
            elif (
                name in TASKS
                or name in SUBPROCESSES
                or name in GATEWAYS
                or name in EVENTS
                or name == "callActivity"
            ):
                items[iid] = _Item(child, name, label)
                for sub in child.children:
                    if sub.ns == BPMN and sub.name in DATA:
                        report.add(
                            "I016", sub, f"{sub.name} {sub.get('id')!r} of {_label(child)} left out"
                        )
            elif name in DATA:
                what = "annotations" if name in ANNOTATIONS else "data objects"
                report.add(
                    "I016", child, f"{_label(child)} left out: procmap's format has no {what}"
                )
            elif name not in QUIET:
                report.add(
                    "I020", child, f"{_label(child)} left out: procmap's format has no place for it"
                )
        self._lane_roles: dict[str, str] = {}
        self._lane_of: dict[str, str] = {}
        own = _procmap(pnode, "process") is not None
        for lane_set in pnode.find(BPMN, "laneSet"):
            self._lanes(lane_set, own)

    def _lanes(self, lane_set: Node, own: bool) -> None:
        taken: set[str] = set(self._lane_roles)
        for lane in lane_set.find(BPMN, "lane"):
            children = lane.find(BPMN, "childLaneSet")
            if children:
                for child in children:
                    self._lanes(child, own)
                continue
            marker = _procmap(lane, "role")
            if marker is not None:
                role = marker.get("id") or ""
            elif own and lane.get("id") == "Lane__unassigned":
                continue
            else:
                title = _name_of(lane.get("name"))
                role = _unique(slugify(title) or slugify(lane.get("id") or "") or "role", taken)
            self._lane_roles[role] = _name_of(lane.get("name")) or role
            for ref in lane.find(BPMN, "flowNodeRef"):
                self._lane_of[ref.text.strip()] = role

    def _kinds(
        self, items: dict[str, _Item], outs: dict[str, list[Node]], ins: dict[str, list[Node]]
    ) -> None:
        report = self.report
        for iid, item in items.items():
            node, name = item.node, item.node.name
            definitions = _definitions(node)
            if name == "startEvent":
                item.kind = "start"
                item.name = item.name or "Start"
                if definitions:
                    report.add(
                        "I017",
                        node,
                        f"{_label(node)} starts on a {', '.join(definitions)}: kept in its description",
                    )
                    item.notes.append(f"Starts on a {', '.join(definitions)} event.")
            elif name == "endEvent":
                item.kind = "end"
                item.name = item.name or "End"
                if definitions:
                    report.add(
                        "I017",
                        node,
                        f"{_label(node)} is a {', '.join(definitions)} end: kept in its description",
                    )
                    item.notes.append(f"Ends with a {', '.join(definitions)} event.")
            elif name in ("intermediateCatchEvent", "intermediateThrowEvent"):
                item.kind = "task"
                kinds = ", ".join(definitions) or "none"
                verb = "Wait for" if name == "intermediateCatchEvent" else "Signal"
                item.name = item.name or f"{verb} {kinds}"
                item.notes.append(f"In the BPMN file: an intermediate {kinds} event ({name}).")
                report.add("I013", node, f"{_label(node)} ({kinds}) read as a task")
            elif name in TASKS:
                item.kind = "task"
                item.name = item.name or node.get("id") or "Task"
                if name in AUTOMATED:
                    item.extra["automated"] = True
            elif name == "callActivity":
                called = (node.get("calledElement") or "").split(":")[-1]
                item.name = item.name or called or "Subprocess"
                if called and slugify(called):
                    item.kind = "subprocess"
                    item.extra["process"] = slugify(called)
                else:
                    item.kind = "task"
            elif name in SUBPROCESSES:
                item.name = item.name or node.get("id") or "Subprocess"
                inner = [
                    c
                    for c in node.children
                    if c.ns == BPMN
                    and (
                        c.name in TASKS
                        or c.name in EVENTS
                        or c.name in GATEWAYS
                        or c.name in SUBPROCESSES
                        or c.name == "callActivity"
                    )
                ]
                if inner:
                    lanes = (self._lane_roles, self._lane_of)
                    made = self.process(node, item.name)
                    self._lane_roles, self._lane_of = lanes
                    if made is not None:
                        self.made.append(made)
                        item.kind = "subprocess"
                        item.extra["process"] = made.id
                    else:
                        item.kind = "task"
                else:
                    item.kind = "task"
            elif name in GATEWAYS:
                if len(outs[iid]) <= 1:
                    item.kind = "join"
                elif name == "exclusiveGateway":
                    item.kind = "decision"
                    item.name = item.name or "Which way?"
                elif name == "eventBasedGateway":
                    item.kind = "decision"
                    item.name = item.name or "What happens first?"
                    item.extra["event_labels"] = True
                    report.add(
                        "I012",
                        node,
                        f"{_label(node)} read as a decision; its branches are named after the events they wait for",
                    )
                else:
                    item.kind = name  # parallel, inclusive, complex: settled in _parallel
            if item.kind == "end" and outs[iid]:
                report.add("I020", node, f"{_label(node)} has flows going out of it; left out")
                outs[iid] = []

    def _through_joins(
        self, target: str, items: dict[str, _Item], outs: dict[str, list[Node]]
    ) -> str:
        seen: set[str] = set()
        while target in items and items[target].kind == "join" and target not in seen:
            seen.add(target)
            following = outs[target]
            if not following:
                items[target].kind = "end"
                items[target].name = items[target].name or "End"
                self.report.add(
                    "I021",
                    items[target].node,
                    f"{_label(items[target].node)} joins flows that stop there: read as an end",
                )
                return target
            target = following[0].get("targetRef") or ""
        return target

    def _parallel(
        self, items: dict[str, _Item], outs: dict[str, list[Node]], ins: dict[str, list[Node]]
    ) -> None:
        """Parallel splits: the branches one after another when they meet again in one
        join (a branch straight to the join adds nothing), else a decision; inclusive and
        complex splits: a decision ("Any of: A, B")."""
        for iid, item in items.items():
            if item.kind not in ("parallelGateway", "inclusiveGateway", "complexGateway"):
                continue
            node = item.node
            code = "I010" if item.kind == "parallelGateway" else "I011"
            targets = [f.get("targetRef") or "" for f in outs[iid]]
            names = [items[t].name or t for t in targets if t in items]
            ends: list[Node | None] = []  # each branch's flow into the join (None: empty)
            join: str | None = None
            for target in targets:
                current, last, steps = target, None, 0
                while steps < 10_000:
                    steps += 1
                    it = items.get(current)
                    if it is None:
                        break
                    if (
                        it.node.name in GATEWAYS
                        and it.node.name != "exclusiveGateway"
                        and len(ins[current]) > 1
                    ):
                        break
                    if len(outs[current]) != 1:
                        current = ""
                        break
                    last = outs[current][0]
                    current = last.get("targetRef") or ""
                if current and current in items and (join is None or join == current):
                    join = current
                    ends.append(last)
                else:
                    join = None
                    break
            # only parallel work is all done: an inclusive split's branches are optional,
            # so it stays a choice
            if code == "I010" and join is not None and len(ends) == len(targets):
                branches = [(t, last) for t, last in zip(targets, ends, strict=True) if last]
                names = [items[t].name or t for t, _ in branches] or names
                item.kind = "task"
                item.name = item.name or "Do in parallel: " + ", ".join(names)
                item.notes.append(
                    "In the BPMN file these branches run at the same time: "
                    + ", ".join(names)
                    + ". Here they are listed one after another."
                )
                # branch i's last flow now leads to branch i+1's first node; a branch
                # that goes straight to the join adds nothing
                for (_, last), (following, _) in itertools.pairwise(branches):
                    assert last is not None
                    last.attrib["targetRef"] = following
                    ins[join] = [f for f in ins[join] if f is not last]
                    ins[following].append(last)
                first = branches[0][0] if branches else join
                outs[iid] = [f for f in outs[iid] if f.get("targetRef") == first][:1]
                items[join].kind = "join"
                self.report.add(
                    code,
                    node,
                    f"{_label(node)}: the branches {', '.join(repr(n) for n in names)} run at the same time in BPMN; listed one after another",
                )
            else:
                item.kind = "decision"
                item.name = item.name or (
                    "In parallel: " if code == "I010" else "Any of: "
                ) + ", ".join(names)
                item.extra["event_labels"] = True
                self.report.add(
                    code,
                    node,
                    f"{_label(node)}: "
                    + (
                        "its branches do not meet again in one join"
                        if code == "I010"
                        else "any of its branches may run"
                    )
                    + f"; read as a decision between {', '.join(repr(n) for n in names)}",
                )
        for item in items.values():  # joins of parallel work
            if item.kind in ("parallelGateway", "inclusiveGateway", "complexGateway"):
                item.kind = "join"

    def _flow_label(self, flow: Node, item: _Item) -> str | None:
        name = _name_of(flow.get("name"))
        if name:
            return name
        for condition in flow.find(BPMN, "conditionExpression"):
            if condition.text.strip():
                return " ".join(condition.text.split())
        return None

    def _labels(self, items: dict[str, _Item]) -> None:
        for item in items.values():
            if item.kind != "decision":
                continue
            labels: list[str] = []
            default = item.node.get("default")
            missing = [i for i, (_, label, _) in enumerate(item.out) if label is None]
            invented = ["yes", "no"] if len(item.out) == 2 and len(missing) == 2 else None
            for index, (target, label, flow) in enumerate(item.out):
                if label is None:
                    if item.extra.get("event_labels") and target in items:
                        label = items[target].name  # reported with the gateway (I010 to I012)
                    elif flow.get("id") == default:
                        label = "otherwise"
                    elif invented is not None:
                        label = invented[index]
                    else:
                        label = f"option {index + 1}"
                    if not item.extra.get("event_labels"):
                        self.report.add(
                            "I018",
                            flow,
                            f"sequence flow {flow.get('id')!r} out of {_label(item.node)} has"
                            f" no name or condition: labelled {label!r}",
                        )
                base, number = label, 1
                while label in labels:
                    number += 1
                    label = f"{base} ({number})"
                labels.append(label)
                item.out[index] = (target, label, flow)
            item.extra.pop("event_labels", None)

    def _steps(
        self, items: dict[str, _Item], outs: dict[str, list[Node]], own: bool, pnode: Node
    ) -> tuple[dict[str, dict[str, Any]] | None, list[str]]:
        report = self.report
        taken: set[str] = set()
        steps: dict[str, dict[str, Any]] = {}
        order = [i for i, item in items.items() if item.kind != "join"]
        for iid in order:
            item = items[iid]
            ext = _procmap(item.node, "step")
            sid = (ext.get("id") if ext is not None else None) or slugify(item.name) or slugify(iid)
            step: dict[str, Any] = {"id": _unique(sid, taken), "name": item.name}
            if item.kind != "task":
                step["kind"] = item.kind
            description, checklist = _documentation(item.node)
            notes = "\n\n".join(item.notes)
            if description or notes:
                step["description"] = "\n\n".join(t for t in (description, notes) if t)
            if checklist:
                step["checklist"] = checklist
            if iid in self._lane_of and ext is None:  # procmap's own: the owner is in `ext`
                step["owner"] = self._lane_of[iid]
            step.update(item.extra)
            if ext is not None:
                step.update(fields(ext))
            elif item.node.name == "callActivity" and step.get("kind") == "subprocess":
                self.calls.append((step, item.node))
            steps[iid] = step
        extra: dict[str, dict[str, Any]] = {}
        end_id: list[str] = []

        def end() -> str:
            if not end_id:
                eid = _unique("end", taken)
                extra["__end__"] = {"id": eid, "name": "End", "kind": "end"}
                end_id.append(eid)
            return end_id[0]

        for iid in order:
            item, step = items[iid], steps[iid]
            targets = [
                (steps[t]["id"] if t in steps else None, label, flow) for t, label, flow in item.out
            ]
            targets = [t for t in targets if t[0] is not None]
            if item.kind == "end":
                continue
            if item.kind == "decision":
                step["branches"] = {label: t for t, label, _ in targets}
                continue
            if not targets:
                report.add(
                    "I021",
                    item.node,
                    f"{_label(item.node)} has no flow going out: an end step added after it",
                )
                step["next"] = end()
            elif len(targets) == 1:
                step["next"] = targets[0][0]
            else:
                did = _unique(f"{step['id']}-which-way", taken)
                report.add(
                    "I019",
                    item.node,
                    f"{_label(item.node)} has {len(targets)} flows going out: a decision {did!r} added after it",
                )
                labels: list[str] = []
                for t, label, _flow in targets:
                    text = label or (steps_name(steps, t) or t)
                    while text in labels:
                        text += " (again)"
                    labels.append(text)
                extra[did] = {
                    "id": did,
                    "kind": "decision",
                    "name": f"{item.name}: which way?",
                    "branches": {lab: t for lab, (t, _, _) in zip(labels, targets, strict=True)},
                }
                step["next"] = did
        steps.update(extra)
        order = [
            *order,
            *[k for k in extra if k != "__end__"],
            *([k for k in extra if k == "__end__"]),
        ]
        starts = [i for i in order if steps[i].get("kind") == "start"]
        if not starts:
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
                    f"{_label(pnode)} has no start event and no step to start from; nothing sensible to make",
                )
                return None, []
            sid = _unique("start", taken)
            report.add(
                "I023",
                pnode,
                f"{_label(pnode)} has no start event: a start step added before {steps[heads[0]]['name']!r}",
            )
            steps["__start__"] = {
                "id": sid,
                "name": "Start",
                "kind": "start",
                "next": steps[heads[0]]["id"],
            }
            order = ["__start__", *order]
        if not own:
            order = _reading_order(order, steps)
        return steps, order


def _path(starts: list[str], items: dict[str, _Item], outs: dict[str, list[Node]]) -> list[str]:
    """The elements from `starts` on, following each one's first flow, to an end or a loop."""
    found: list[str] = []
    for start in starts:
        current: str | None = start
        while current in items and current not in found:
            found.append(current)
            following = outs.get(current) or []
            current = following[0].get("targetRef") if following else None
    return found


def _path_names(
    starts: list[str], items: dict[str, _Item], outs: dict[str, list[Node]]
) -> list[str]:
    return [items[i].name or i for i in _path(starts, items, outs) if items[i].kind != "join"]


def steps_name(steps: dict[str, dict[str, Any]], sid: str) -> str | None:
    for step in steps.values():
        if step["id"] == sid:
            return str(step["name"])
    return None


def _targets(step: dict[str, Any]) -> list[str]:
    found = [step["next"]] if step.get("next") else []
    return found + list((step.get("branches") or {}).values())


def _reachable(steps: list[dict[str, Any]]) -> set[str]:
    by_id = {s["id"]: s for s in steps}
    seen = {s["id"] for s in steps if s.get("kind") == "start"}
    stack = list(seen)
    while stack:
        for target in _targets(by_id[stack.pop()]):
            if target in by_id and target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _reading_order(order: list[str], steps: dict[str, dict[str, Any]]) -> list[str]:
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


# -- the file -----------------------------------------------------------------------------


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
    from .._files import not_regular, read_regular

    shown = display or path
    result = ImportResult(shown)
    report = _Report(shown)
    reason = not_regular(path)
    try:
        if reason is not None:
            raise OSError(reason)
        raw = read_regular(path, MAX_BYTES + 1)  # a larger file is refused unread
    except OSError as error:
        report.add("I001", None, f"cannot read the file: {error.strerror or error}")
        result.problems = report.problems
        return result
    try:
        root = parse(raw)
    except XmlError as error:
        result.problems = [
            Problem(shown, error.line, error.column, "I001", RULES["I001"].severity, str(error))
        ]
        return result
    if root.ns != BPMN or root.name != "definitions":
        report.add("I002", root, f"the root element is {root.name!r}, not BPMN 2.0 definitions")
        result.problems = report.problems
        return result
    participants: dict[str, str] = {}
    for collaboration in root.find(BPMN, "collaboration"):
        for participant in collaboration.find(BPMN, "participant"):
            if participant.get("processRef"):
                participants[participant.get("processRef") or ""] = _name_of(
                    participant.get("name")
                )
        for message in collaboration.find(BPMN, "messageFlow"):
            report.add(
                "I015",
                message,
                f"message flow {message.get('id')!r} ({message.get('sourceRef')} -> {message.get('targetRef')}) left out: procmap's format has no messages between pools",
            )
    processes = root.find(BPMN, "process")
    if not processes:
        report.add("I002", root, "the file holds no BPMN process")
        result.problems = report.problems
        return result
    if only is not None:
        chosen = [p for p in processes if only in _names_of(p, participants)]
        if not chosen:
            report.add(
                "I005",
                root,
                f"no process {only!r} in the file; it has: "
                + ", ".join(repr(p.get("id")) for p in processes),
            )
            result.problems = report.problems
            return result
        processes = chosen
    builder = _Builder(report, set())
    for pnode in processes:
        made = builder.process(pnode, participants.get(pnode.get("id") or ""))
        if made is not None:
            result.processes.append(made)
    result.processes.extend(builder.made)
    made_ids = {m.id for m in result.processes}
    for step, node in builder.calls:
        called = step.get("process")
        if called in made_ids or (exists is not None and exists(called)):
            continue
        step["kind"] = "task"
        del step["process"]
        note = f"Calls the process {called!r} (a BPMN call activity)."
        step["description"] = "\n\n".join(t for t in (step.get("description"), note) if t)
        report.add(
            "I024",
            node,
            f"{_label(node)} calls {called!r}, which is neither in the file nor in the output folder: read as a task",
        )
    _check(result, report)
    result.problems = sorted(report.problems, key=Problem.sort_key)
    return result


def _names_of(pnode: Node, participants: dict[str, str]) -> set[str]:
    ext = _procmap(pnode, "process")
    names = {
        pnode.get("id") or "",
        _name_of(pnode.get("name")),
        participants.get(pnode.get("id") or "", ""),
    }
    if ext is not None:
        names.add(ext.get("id") or "")
    return {n for n in names if n} | {slugify(n) for n in names if n}


def _check(result: ImportResult, report: _Report) -> None:
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


def _references(made: Imported, report: _Report) -> None:
    """What the steps name must be declared: owners become roles (named by their id);
    tools and metrics that no declaration explains (a damaged procmap extension) are
    left out and reported; an exception on a step that was left out loses its `step`."""
    data = made.data
    roles = data.setdefault("roles", {})
    tools = data.get("tools") or {}
    metrics = data.get("metrics") or {}
    ids = {s.get("id") for s in data.get("steps", [])}
    review = data.get("review") if isinstance(data.get("review"), dict) else {}
    named_roles = [data.get("owner"), review.get("approver")]
    named_roles += [s.get("owner") for s in data.get("steps", [])]
    for owner in named_roles:
        if isinstance(owner, str) and owner not in roles:
            roles[owner] = owner
    for step in data.get("steps", []):
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
    for entry in data.get("exceptions") or []:
        if isinstance(entry, dict) and entry.get("step") not in ids:
            entry.pop("step", None)


_STEP_FIRST = ("id", "kind", "name")


def _tidy(data: dict[str, Any]) -> dict[str, Any]:
    """Steps as the starters write them: id, kind, name first."""
    steps = []
    for step in data.get("steps", []):
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
    from ..render import write_atomic
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

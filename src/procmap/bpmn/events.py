"""Events that leave the flow and come back to it: link events and event subprocesses.

Owns: link events paired by name (`pair_links`: a throwing link event goes on at the
catching one of the same name, the link's name else the event's, as BPMN means it; the
pair is stepped over like a merging gateway, so that what follows the catch is reached)
and event subprocesses (`event_subprocess_records`: a subprocess started by an event
anywhere in the process, `triggeredByEvent="true"`, has no place in the flow; it is an
exception entry of the process with its trigger and its steps in words, I034, never an
unreachable step or a process file of its own). A throwing link with no catching one of
its name stays a task that signals (I013, `kinds`).

Must not know: steps' fields, files.
"""

from __future__ import annotations

from .elements import (
    EVENTS,
    GATEWAYS,
    Elements,
    ExceptionRecord,
    Report,
    article,
    label,
    name_of,
    triggers,
)
from .xmltext import BPMN, Node


def _link_name(node: Node) -> str | None:
    """The name a link event is paired by (its link's, else its own); None for another
    event."""
    links = node.find(BPMN, "linkEventDefinition")
    if node.name not in ("intermediateThrowEvent", "intermediateCatchEvent") or not links:
        return None
    return name_of(links[0].get("name")) or name_of(node.get("name")) or None


def pair_links(found: Elements) -> set[str]:
    """A flow from each throwing link event to the catching one of its name (the first in
    the file); the ids of the events paired, which are stepped over."""
    catches: dict[str, str] = {}
    for iid, item in found.items.items():
        name = _link_name(item.node)
        if name is not None and item.node.name == "intermediateCatchEvent":
            catches.setdefault(name, iid)
    paired: set[str] = set()
    for iid, item in list(found.items.items()):
        name = _link_name(item.node)
        if name is None or item.node.name != "intermediateThrowEvent" or name not in catches:
            continue
        target = catches[name]
        flow = Node(BPMN, "sequenceFlow", {"id": f"{iid}__link"}, item.node.line, item.node.column)
        flow.attrib.update(sourceRef=iid, targetRef=target)
        found.flows.append(flow)
        paired |= {iid, target}
    return paired


def _inner_names(node: Node) -> list[str]:
    """The names of the work inside an event subprocess, in the file's order."""
    return [
        name_of(c.get("name")) or (c.get("id") or "")
        for c in node.children
        if c.ns == BPMN
        and c.name not in EVENTS
        and c.name not in GATEWAYS
        and c.name != "sequenceFlow"
        and c.get("name") is not None
        and c.name not in ("boundaryEvent", "documentation", "extensionElements")
    ]


def event_subprocess_records(found: Elements, report: Report) -> list[ExceptionRecord]:
    """Each event subprocess as an exception entry: when its start's trigger happens,
    its steps (I034)."""
    records: list[ExceptionRecord] = []
    for node in found.event_subprocesses:
        starts = node.find(BPMN, "startEvent")
        start = starts[0] if starts else node
        words = ", ".join(triggers(start, report.refs)) or "event"
        named = name_of(start.get("name")) or name_of(node.get("name"))
        how = "; the process goes on" if start.get("isInterrupting") == "false" else ""
        when = f"{named} ({words}{how})" if named else f"{article(words).capitalize()} happens{how}"
        then = _inner_names(node)
        records.append(
            {"when": when, "then": "Go on with: " + ", ".join(then) if then else "Stop here."}
        )
        report.add(
            "I034",
            node,
            f"{label(node)} is an event subprocess (started by {article(words)}{how}): kept as"
            " an exception entry with its steps in words",
        )
    return records

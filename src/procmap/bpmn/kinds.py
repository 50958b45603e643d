"""What each BPMN flow node becomes: a handler per element, keyed by its local name.

Owns: `HANDLERS` (element name -> handler) and `assign_kinds`, which runs them. Start and
end events become start and end steps (their triggers kept as text, I017), intermediate
events tasks (I013), tasks of every type tasks (`automated` for service, script and
business-rule tasks), a call activity a subprocess step, an expanded subprocess a
subprocess step and a process of its own (a collapsed one a task), an exclusive gateway
that splits a decision and an event-based one a decision (I012); a parallel gateway that
only joins is a join (kept when a split claims it, `parallel`), any other gateway that
only joins a merge, dropped later. Parallel, inclusive and complex splits keep their
element name as their kind, for `parallel.settle_parallel`. A timer catch event with a
duration is a `timer` (its minutes for `waits`); with a date or a cycle (I026), or a
duration in months or years or not ISO 8601 (I027), a task with the value in its
description.

Must not know: how the process is assembled (it asks its `Maker` for a subprocess's
process), files.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from .durations import read_duration
from .elements import (
    AUTOMATED,
    EVENTS,
    GATEWAYS,
    SUBPROCESSES,
    TASKS,
    Item,
    Report,
    Wiring,
    article,
    definitions,
    label,
    procmap_element,
    slug,
    triggers,
)
from .xmltext import BPMN, Node


class Maker(Protocol):
    """What a handler needs of the import: its report, and the process of a subprocess."""

    report: Report

    def subprocess(self, node: Node, name: str) -> str | None:
        """The id of the process made of an expanded subprocess, or None."""
        ...


#: A handler: the import, the item, the flows out of it.
Handler = Callable[[Maker, Item, list[Node]], None]


#: The id suffix of the message trigger procmap's export gives each of several starts.
START_TRIGGER = "_trigger"


def _start(maker: Maker, item: Item, outs: list[Node]) -> None:
    node, found = item.node, definitions(item.node)
    if procmap_element(node, "step") is not None and [
        c.get("id") for c in node.children if c.name.endswith("EventDefinition")
    ] == [f"{node.get('id')}{START_TRIGGER}"]:
        found = []  # procmap's own export of one of several starts: no trigger of its own
    item.kind = "start"
    item.name = item.name or "Start"
    value = timer_value(node)
    if value is not None and value[0] != "timeDuration":
        what, text = value
        maker.report.add(
            "I026",
            node,
            f"{label(node)} starts on a timer with a {what} of {text!r}: kept in its description",
        )
        item.notes.append(f"Starts on a timer event, {what} {text}.")
    elif found:
        words = ", ".join(triggers(node, maker.report.refs))
        maker.report.add(
            "I017", node, f"{label(node)} starts on {article(words)}: kept in its description"
        )
        item.notes.append(f"Starts on {article(words)} event.")


def timer_value(node: Node) -> tuple[str, str] | None:
    """The first value of an event's timer: (`timeDuration`, `timeDate` or `timeCycle`,
    its text), or None when it has no timer with a value."""
    for definition in node.find(BPMN, "timerEventDefinition"):
        for child in definition.children:
            if child.name in ("timeDuration", "timeDate", "timeCycle") and child.text.strip():
                return child.name, " ".join(child.text.split())
    return None


def _end(maker: Maker, item: Item, outs: list[Node]) -> None:
    node, found = item.node, definitions(item.node)
    item.kind = "end"
    item.name = item.name or "End"
    if found:
        words = ", ".join(triggers(node, maker.report.refs))
        maker.report.add(
            "I017", node, f"{label(node)} is {article(words)} end: kept in its description"
        )
        item.notes.append(f"Ends with {article(words)} event.")


def _intermediate(maker: Maker, item: Item, outs: list[Node]) -> None:
    node, name = item.node, item.node.name
    if item.linked:  # a link event paired by name (`events`): stepped over
        item.kind = "merge"
        return
    if name == "intermediateCatchEvent" and definitions(node) == ["timer"] and _timer(maker, item):
        return
    read_as_task(maker.report, item)


def read_as_task(report: Report, item: Item, why: str = "read as a task") -> None:
    """An intermediate event as a task that waits or signals (I013)."""
    node, name = item.node, item.node.name
    item.kind = "task"
    kinds = ", ".join(definitions(node)) or "none"
    words = ", ".join(triggers(node, report.refs)) or "none"
    verb = "Wait for" if name == "intermediateCatchEvent" else "Signal"
    item.name = item.name or f"{verb} {kinds}"
    item.notes.append(f"In the BPMN file: an intermediate {words} event ({name}).")
    report.add("I013", node, f"{label(node)} ({words}) {why}")


def _timer(maker: Maker, item: Item) -> bool:
    """A timer's duration: a wait (kind `timer`, settled in `waits`); a date, a cycle or
    a duration `wait:` cannot say: a task that keeps its value in its description
    (I026, I027). False for a timer with no value (read as any intermediate event)."""
    node = item.node
    found = timer_value(node)
    if found is None:
        return False
    what, value = found
    if what == "timeDuration":
        minutes = read_duration(value)
        if isinstance(minutes, float):
            item.kind = "timer"
            item.wait = minutes
            return True
        code, why = "I027", f"a timer of {value!r}: {minutes}"
    else:
        code, why = "I026", f"a timer with a {what} of {value!r}: `wait:` is a duration"
    item.kind = "task"
    item.name = item.name or f"Wait ({value})"
    item.notes.append(f"In the BPMN file: a timer event, {what} {value}.")
    maker.report.add(code, node, f"{label(node)} is {why}; read as a task, kept in its description")
    return True


def _task(maker: Maker, item: Item, outs: list[Node]) -> None:
    item.kind = "task"
    item.name = item.name or item.node.get("id") or "Task"
    if item.node.name in AUTOMATED:
        item.automated = True


def _call(maker: Maker, item: Item, outs: list[Node]) -> None:
    called = (item.node.get("calledElement") or "").split(":")[-1]
    item.name = item.name or called or "Subprocess"
    if called and slug(called):
        item.kind = "subprocess"
        item.process = slug(called)
    else:
        item.kind = "task"


def _subprocess(maker: Maker, item: Item, outs: list[Node]) -> None:
    """Expanded (it holds flow nodes): a process of its own; collapsed: a task."""
    node = item.node
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
    made = maker.subprocess(node, item.name) if inner else None
    if made is not None:
        item.kind = "subprocess"
        item.process = made
    else:
        item.kind = "task"


def _gateway(maker: Maker, item: Item, outs: list[Node]) -> None:
    node, name = item.node, item.node.name
    if len(outs) <= 1 and name == "parallelGateway":
        item.kind = "join"  # a step of its own, settled in gateways.settle_parallel
    elif len(outs) <= 1:
        item.kind = "merge"
    elif name == "exclusiveGateway":
        item.kind = "decision"
        item.name = item.name or "Which way?"
    elif name == "eventBasedGateway":
        item.kind = "decision"
        item.name = item.name or "What happens first?"
        item.event_labels = True
        maker.report.add(
            "I012",
            node,
            f"{label(node)} read as a decision; its branches are named after the events they wait for",
        )
    else:
        item.kind = name  # parallel, inclusive, complex: settled in gateways.settle_parallel


HANDLERS: dict[str, Handler] = {
    "startEvent": _start,
    "endEvent": _end,
    "intermediateCatchEvent": _intermediate,
    "intermediateThrowEvent": _intermediate,
    "callActivity": _call,
    **dict.fromkeys(TASKS, _task),
    **dict.fromkeys(SUBPROCESSES, _subprocess),
    **dict.fromkeys(GATEWAYS, _gateway),
}


def _loop(report: Report, item: Item) -> None:
    """A loop or multi-instance marker as a line of the description (I030)."""
    for marker in item.node.children:
        if marker.name == "standardLoopCharacteristics":
            what = "repeated in a loop"
            inner = ["loopCondition", "loopMaximum"]
        elif marker.name == "multiInstanceLoopCharacteristics":
            order = "one after another" if marker.get("isSequential") == "true" else "at once"
            what = f"done once per item, {order}"
            inner = ["loopCardinality", "completionCondition", "loopDataInputRef"]
        else:
            continue
        said = [
            f"{c.name} {' '.join(c.text.split())}"
            for c in marker.children
            if c.name in inner and c.text.strip()
        ]
        said += [
            f"{key} {marker.get(key)}"
            for key in ("loopMaximum", "testBefore", "collection", "elementVariable")
            if marker.get(key)
        ]
        detail = f" ({'; '.join(said)})" if said else ""
        item.notes.append(f"In the BPMN file: {what}{detail}.")
        report.add("I030", marker, f"{label(item.node)} is {what}{detail}: kept in its description")


def _performer(report: Report, item: Item) -> None:
    """The resource a `potentialOwner` or `humanPerformer` names, for the step's owner."""
    for role in item.node.children:
        if role.name not in ("potentialOwner", "humanPerformer", "performer"):
            continue
        ref = next((c.text.strip() for c in role.children if c.name == "resourceRef"), "")
        ref = ref or (role.get("resourceRef") or "")
        expressions = [
            " ".join(e.text.split())
            for e in role.iter()
            if e.name in ("formalExpression", "expression") and e.text.strip()
        ]
        found = report.refs.get(ref.split(":")[-1]) or (expressions[0] if expressions else "")
        if found:
            item.performer = found
            return


def assign_kinds(maker: Maker, items: dict[str, Item], wiring: Wiring) -> None:
    """Each item's kind, name, notes and extra fields, by its element's handler, with its
    loop marker (I030) and performer; an end event with flows going out of it loses them
    (I020)."""
    for iid, item in items.items():
        HANDLERS[item.node.name](maker, item, wiring.outs[iid])
        _loop(maker.report, item)
        _performer(maker.report, item)
        if item.kind == "end" and wiring.outs[iid]:
            maker.report.add(
                "I020", item.node, f"{label(item.node)} has flows going out of it; left out"
            )
            wiring.outs[iid] = []

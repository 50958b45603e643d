"""The BPMN model of one process as the import reads it: elements, flows, lanes, boundaries.

Owns: the element classes the import knows (`TASKS`, `GATEWAYS`, ...), the problems of
an import (`Report`, severities from the rule registry's family I), the reading of a
process's children into flow nodes (`Item`), sequence flows and boundary events
(`read_elements`: data elements and elements with no place reported, I016 and I020), the
flows in and out of each node (`wire`, I003), the lanes as roles (`Lanes`), the boundary
events on their way to exception entries (`Boundary`, I014), and the small readers
shared by the other modules (names, labels, triggers in words with their names and
values, procmap's extension elements, documentation, ids transliterated to ASCII slugs
and unique).

Must not know: what a flow node becomes (`kinds`, `gateways`, `steps`) or files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Required, TypedDict

from ..format import RULES, Problem, slugify, visible
from .xmltext import BPMN, PROCMAP, Node

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
#: The elements that become steps (or joins).
FLOW_NODES = TASKS | SUBPROCESSES | GATEWAYS | EVENTS | {"callActivity"}
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


class Report:
    """The problems of one import, each with the registry's severity for its code."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        #: the names of the file's messages, signals, errors, escalations and resources
        self.refs: dict[str, str] = {}

    def add(self, code: str, node: Node | None, message: str) -> None:
        line, column = (node.line, node.column) if node is not None else (1, 1)
        severity = RULES[code].severity
        self.problems.append(Problem(self.path, line, column, code, severity, message))


def name_of(value: str | None) -> str:
    """A BPMN name as procmap reads a name: stripped, and "" when it shows nothing (only
    spaces, controls or invisible characters like a zero-width space, rule S014), so that
    the import falls back as for a missing name."""
    text = (value or "").strip()
    return text if visible(text) else ""


def label(node: Node) -> str:
    """An element as a message names it: its class, id and name."""
    name = name_of(node.get("name"))
    iid = node.get("id")
    shown = f"{node.name} {iid!r}" if iid else f"{node.name} (no id)"
    return shown + (f" ({name!r})" if name else "")


def procmap_element(node: Node, tag: str) -> Node | None:
    """procmap's own extension element `tag` of `node` (in a file procmap exported)."""
    for ext in node.find(BPMN, "extensionElements"):
        for child in ext.children:
            if child.ns == PROCMAP and child.name == tag:
                return child
    return None


def definitions(node: Node) -> list[str]:
    """The triggers of an event: `timer`, `message`, ..."""
    return [
        c.name.removesuffix("EventDefinition")
        for c in node.children
        if c.name.endswith("EventDefinition")
    ]


def article(word: str) -> str:
    """`word` after "a" or "an"."""
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


_REFS = ("messageRef", "signalRef", "errorRef", "escalationRef")


def triggers(node: Node, refs: dict[str, str]) -> list[str]:
    """An event's triggers in words, each with what names it: `message 'Order
    received'`, `timer after PT2H`, `error 'Card declined'`, `link 'A'`."""
    found: list[str] = []
    for child in node.children:
        if not child.name.endswith("EventDefinition"):
            continue
        kind = child.name.removesuffix("EventDefinition")
        ref = next((child.get(r) for r in _REFS if child.get(r)), None)
        named = refs.get((ref or "").split(":")[-1]) or ref or name_of(child.get("name"))
        values = [
            f" {_VALUE_WORDS[c.name]} {' '.join(c.text.split())}"
            for c in child.children
            if c.name in _VALUE_WORDS and c.text.strip()
        ]
        found.append(kind + (f" {named!r}" if named else "") + "".join(values[:1]))
    return found


#: How an event's value reads after its kind: `timer after PT2H`, `timer at 2027-03-01`.
_VALUE_WORDS = {
    "timeDuration": "after",
    "timeDate": "at",
    "timeCycle": "every",
    "condition": "when",
}


def documentation(node: Node) -> tuple[str | None, list[str]]:
    """The description, and the checklist a Markdown task list holds."""
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


#: Letters NFKD does not take apart, as German, Scandinavian and French writers spell them.
_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "œ": "oe",
        "Œ": "OE",
        "đ": "d",
        "ł": "l",
        "Ł": "L",
    }
)


def slug(text: str) -> str:
    """The id of a name: `slugify` of the name transliterated to ASCII first, so that
    `Rechnung klären` is `rechnung-klaren`, not `rechnung-kl-ren`."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    return slugify("".join(c for c in decomposed if not unicodedata.combining(c)))


def unique(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`, ... the first not in `taken` (which it joins)."""
    base = base or "step"
    found, number = base, 1
    while found in taken:
        number += 1
        found = f"{base}-{number}"
    taken.add(found)
    return found


@dataclass
class Item:
    """A BPMN flow node on its way to becoming a step."""

    node: Node
    # start, task, decision, end, subprocess, parallel, join; timer (a wait, `waits`);
    # merge (a gateway that only merges: dropped)
    kind: str
    name: str
    out: list[tuple[str, str | None, Node]] = field(default_factory=list)  # target, label, flow
    notes: list[str] = field(default_factory=list)
    automated: bool = False  # a service, script or business-rule task
    process: str | None = None  # the process a subprocess step calls
    event_labels: bool = False  # a decision's branches are named after their targets
    wait: float | None = None  # minutes of the timers before it (`wait:`), or of a timer
    performer: str | None = None  # the resource its potentialOwner or humanPerformer names
    linked: bool = False  # a link event paired with another by name (`events`)


@dataclass
class Elements:
    """A process's children sorted out: flow nodes by id, sequence flows, boundary events."""

    items: dict[str, Item] = field(default_factory=dict)
    flows: list[Node] = field(default_factory=list)
    boundaries: list[Node] = field(default_factory=list)
    #: subprocesses started by an event (`triggeredByEvent`): no place in the flow
    event_subprocesses: list[Node] = field(default_factory=list)


def read_elements(pnode: Node, report: Report) -> Elements:
    """The children of a process; what procmap has no place for is reported (I016, I020).
    A boundary event written inside the subprocess it is attached to (as one modeler
    does) is the process's; in the subprocess's own elements it is not."""
    found = Elements()
    for child in pnode.children:
        if child.ns != BPMN:
            continue
        name, iid = child.name, child.get("id") or ""
        if name == "sequenceFlow":
            found.flows.append(child)
        elif name == "boundaryEvent":
            if child.get("attachedToRef") != pnode.get("id"):
                found.boundaries.append(child)
        elif name in SUBPROCESSES and child.get("triggeredByEvent") == "true":
            found.event_subprocesses.append(child)
        elif name in FLOW_NODES:
            found.items[iid] = Item(child, name, name_of(child.get("name")))
            for sub in child.children:
                if sub.ns == BPMN and sub.name in DATA:
                    report.add("I016", sub, f"{label(sub)} of {label(child)} left out")
                elif sub.name == "boundaryEvent" and sub.get("attachedToRef") == iid:
                    found.boundaries.append(sub)
        elif name in DATA:
            what = "annotations" if name in ANNOTATIONS else "data objects"
            report.add("I016", child, f"{label(child)} left out: procmap's format has no {what}")
        elif name not in QUIET:
            report.add(
                "I020", child, f"{label(child)} left out: procmap's format has no place for it"
            )
    return found


@dataclass
class Wiring:
    """The sequence flows out of and into each flow node."""

    outs: dict[str, list[Node]]
    ins: dict[str, list[Node]]


def wire(found: Elements, report: Report) -> Wiring | None:
    """Each flow node's flows; None when a flow names an element that is not there (I003)."""
    outs: dict[str, list[Node]] = {i: [] for i in found.items}
    ins: dict[str, list[Node]] = {i: [] for i in found.items}
    boundary_ids = {b.get("id") for b in found.boundaries}
    bad = False
    for flow in found.flows:
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        missing = [r for r in (source, target) if r not in found.items and r not in boundary_ids]
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
    return None if bad else Wiring(outs, ins)


@dataclass
class Lanes:
    """The lanes of one process: role id -> title, and flow node id -> its role."""

    roles: dict[str, str] = field(default_factory=dict)
    of: dict[str, str] = field(default_factory=dict)


def read_lanes(pnode: Node, title: str, report: Report) -> Lanes:
    """The roles of the lanes (nested lane sets by their innermost lanes; a lane whose
    child lane set is empty is a leaf lane); a lane with no name is named after the
    process `title` and its position (I033); in a file procmap exported, the lane of
    unassigned steps is no role."""
    lanes = Lanes()
    own = procmap_element(pnode, "process") is not None
    leaves: list[Node] = []
    for lane_set in pnode.find(BPMN, "laneSet"):
        _leaves(lane_set, leaves)
    taken: set[str] = set()
    for position, lane in enumerate(leaves, 1):
        marker = procmap_element(lane, "role")
        name = name_of(lane.get("name"))
        if marker is not None:
            role = marker.get("id") or ""
        elif own and lane.get("id") == "Lane__unassigned":
            continue
        else:
            if not name:
                name = f"{title}, lane {position}"
                report.add("I033", lane, f"{label(lane)} has no name: read as the role {name!r}")
            role = unique(slug(name) or slug(lane.get("id") or "") or "role", taken)
        taken.add(role)
        lanes.roles[role] = name or role
        for ref in lane.find(BPMN, "flowNodeRef"):
            lanes.of[ref.text.strip()] = role
    return lanes


def _leaves(lane_set: Node, found: list[Node]) -> None:
    """The innermost lanes of `lane_set`, in order: an empty child lane set (bpmn-js,
    Bizagi) leaves a leaf lane."""
    for lane in lane_set.find(BPMN, "lane"):
        children = [c for c in lane.find(BPMN, "childLaneSet") if c.find(BPMN, "lane")]
        if not children:
            found.append(lane)
        for child in children:
            _leaves(child, found)


class ExceptionRecord(TypedDict, total=False):
    """An exception entry of the process, as a process file holds it."""

    when: Required[str]
    then: Required[str]
    step: str


@dataclass
class Boundary:
    """A boundary event on its way to an exception entry of the process."""

    event: Node
    attached: Item | None  # the task it is on
    kinds: list[str]  # its triggers in words (`triggers`), or ["boundary"]
    after: list[str]  # the elements its flows lead to
    interrupting: bool = True  # False: the task goes on (`cancelActivity="false"`)


def read_boundaries(found: Elements, report: Report) -> list[Boundary]:
    """Each boundary event, reported as kept as an exception (I014)."""
    exceptions: list[Boundary] = []
    for event in found.boundaries:
        attached = found.items.get(event.get("attachedToRef") or "")
        kinds = triggers(event, report.refs) or ["boundary"]
        after = [f.get("targetRef") for f in found.flows if f.get("sourceRef") == event.get("id")]
        interrupting = event.get("cancelActivity") != "false"
        exceptions.append(
            Boundary(event, attached, kinds, [a for a in after if a is not None], interrupting)
        )
        on = attached.name if attached else "an unknown task"
        how = "" if interrupting else ", non-interrupting: the task goes on"
        report.add(
            "I014",
            event,
            f"{label(event)} ({', '.join(kinds)}{how}) on {on!r} kept as an exception entry;"
            " the path after it is written into it",
        )
    return exceptions

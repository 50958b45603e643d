"""A process as a BPMN 2.0 file (`procmap render -f bpmn`): what Camunda Modeler, bpmn.io
or Signavio open as a laid-out diagram.

Owns: the mapping from procmap's format to BPMN elements and ids.

- One `definitions` with a collaboration whose participant (the pool) is the process,
  and one lane per role, in the order of `roles:`. A decision, start or end without an
  owner is drawn in the lane of the step before it (else after it), as modelers draw a
  question beside the work it follows; a task or subprocess without an owner goes into a
  last lane named "Unassigned" (a lane needs a name in every modeler); a process with no
  owner at all has no lanes. The owner itself is kept in `procmap:step`, so the import
  of procmap's own file does not read it from the lane.
- start -> `startEvent` (in a process with several, each with a message trigger named
  like the step, `Message_<node>`: BPMN allows one blank start event at most); task -> `serviceTask` when `automated: true` (it runs without a
  person), else `userTask`; decision -> `exclusiveGateway` named with the question, its
  outgoing flows named with the branch labels; subprocess -> `callActivity` whose
  `calledElement` is the other process's BPMN id; end -> `endEvent`.
- A parallel split -> a `parallelGateway` (`gatewayDirection="Diverging"`), a flow per
  strand; a join -> a `parallelGateway` (`Converging`).
- A step with several incoming arrows gets a merging `exclusiveGateway` before it
  (`Merge_<id>`), as modelers draw it (bpmnlint's fake-join and no-gateway-join-fork).
  A join gets one before it per strand with several arrows into it (a decision inside
  the strand, `Merge_<join>_<n>`): a BPMN parallel join waits for a token on every
  incoming flow, procmap's for one per strand.
- A `wait:` -> an `intermediateCatchEvent` with a `timerEventDefinition`, its
  `timeDuration` in ISO 8601 (`durations`: `7d` -> `P7D`, `1w` -> `P7D`), on the flow
  before the step that waits (after its merge; a join's after the join, once its strands
  are done), named "Wait 7 days" (`Wait_<id>`), with `procmap:wait` naming the step
  whose wait it is.
- The step's description is its first `documentation`; its checklist the second, as
  Markdown task items (`textFormat="text/markdown"`).
- What BPMN has no element for is kept in `extensionElements` (`procmap:process` and
  `procmap:step`, see `extension`), so that export then import loses nothing.
- The process is executable (SpiffWorkflow and other engines load it) and runs nothing by
  surprise: no scripts, no service implementations; each branch of a decision has the
  condition `answer_<decision id> == "<label>"`, so an engine waits for the answer to
  the question instead of guessing, and stops with an error on an answer that matches
  no branch (there is no default flow).
- Ids come from procmap ids (`Step_<id>`, `Flow_<from>_<to>`, `Lane_<role>`); the same
  process gives the same bytes.

Must not know: files, options, or how the layout is computed (that is `layout`).
"""

from __future__ import annotations

import itertools
import json
import re

from ..format import Flow, Process, Step
from .durations import iso_duration, spoken
from .extension import Json, encode
from .layout import Box, Layout, lay_out
from .xmltext import BPMN, BPMNDI, DC, DI, PROCMAP, XSI, Element, serialize

#: The steps' fields written as BPMN (the rest go into `procmap:step`).
STEP_IN_BPMN = ("id", "name", "kind", "description", "checklist", "next", "branches", "process")
#: The process's fields written as BPMN (the rest go into `procmap:process`).
PROCESS_IN_BPMN = ("procmap", "id", "name", "description", "steps")
UNASSIGNED = "Lane__unassigned"
#: The id suffix of the message trigger of each start of a process with several.
START_TRIGGER = "_trigger"
#: A parallel split diverges, a join converges (`gatewayDirection`).
DIRECTION = {"parallel": "Diverging", "join": "Converging"}
CHECKLIST_FORMAT = "text/markdown"
CHECK_ITEM = "- [ ] "

_NCNAME_START = re.compile(r"^[A-Za-z_]")


def process_ref(process_id: str) -> str:
    """The BPMN id of a process: its procmap id when that is an XML name, which it is
    unless it starts with a digit (then `Process_<id>`)."""
    return process_id if _NCNAME_START.match(process_id) else f"Process_{process_id}"


def answer_variable(step_id: str) -> str:
    """The variable an engine reads at a decision: `answer_<id>`, a Python identifier."""
    return "answer_" + step_id.replace("-", "_")


def step_ref(step_id: str) -> str:
    return f"Step_{step_id}"


class _Graph:
    """The flow nodes and sequence flows of the export, before any XML.

    Besides a node per step: a merging `exclusiveGateway` before a step with several
    arrows in (`Merge_<id>`); before a join, one per strand that has several arrows into
    it (`Merge_<join>_<n>`, the strand's number), because a BPMN parallel join waits for
    a token on every incoming flow and procmap's join for one per strand; and a timer
    (`Wait_<id>`) on the flow before a step with a `wait:` (after the merge), or after a
    join with one (its strands done, the wait runs)."""

    def __init__(self, process: Process) -> None:
        flow = Flow(process)
        self.steps = flow.steps
        self.kind: dict[str, str] = {}  # BPMN id -> element name
        self.name: dict[str, str | None] = {}
        self.step_of: dict[str, Step | None] = {}
        self.belongs: dict[str, str] = {}  # a merge or timer -> the step id it serves
        self.timer: dict[str, str] = {}  # a timer -> its ISO 8601 duration
        self.flows: list[tuple[str, str, str, str | None]] = []  # id, source, target, name
        self._used: set[str] = set()
        incoming: dict[str, int] = {}
        for edge in flow.edges:
            incoming[edge.target] = incoming.get(edge.target, 0) + 1
        routed: dict[tuple[str, str], str] = {}  # (source, join) -> the strand's merge
        entry: dict[str, str] = {}
        leave: dict[str, str] = {}
        inner: list[tuple[str, str, str]] = []  # flow id base, source, target
        for sid, step in self.steps.items():
            ref = step_ref(sid)
            chain: list[str] = []
            if step.kind == "join":
                for key, merge in _strand_merges(flow, sid).items():
                    routed[key] = merge
                    if merge not in self.kind:
                        self._helper(merge, "exclusiveGateway", sid)
                        inner.append((f"merge_{merge.removeprefix('Merge_')}", merge, ref))
            elif incoming.get(sid, 0) > 1 and step.kind != "start":
                chain.append(self._helper(f"Merge_{sid}", "exclusiveGateway", sid))
            if step.wait and step.kind != "join":
                chain.append(self._timer(sid, step.wait))
            self.kind[ref] = _element(step)
            self.name[ref] = step.name
            self.step_of[ref] = step
            chain.append(ref)
            if step.wait and step.kind == "join":
                chain.append(self._timer(sid, step.wait))
            # merge -> timer -> step, or join -> timer: Flow_merge_<id>, Flow_wait_<id>,
            # Flow_<join>_wait
            bases = {
                f"Merge_{sid}": f"merge_{sid}",
                f"Wait_{sid}": f"wait_{sid}",
                ref: f"{sid}_wait",
            }
            for source, target in itertools.pairwise(chain):
                inner.append((bases[source], source, target))
            entry[sid], leave[sid] = chain[0], chain[-1]
        for edge in flow.edges:
            target = routed.get((edge.source, edge.target), entry[edge.target])
            self._add(f"{edge.source}_{edge.target}", leave[edge.source], target, edge.label)
        for base, source, target in inner:
            self._add(base, source, target, None)

    def _helper(self, node: str, kind: str, sid: str, name: str | None = None) -> str:
        self.kind[node] = kind
        self.name[node] = name
        self.step_of[node] = None
        self.belongs[node] = sid
        return node

    def _timer(self, sid: str, wait: str) -> str:
        node = self._helper(f"Wait_{sid}", "intermediateCatchEvent", sid, f"Wait {spoken(wait)}")
        self.timer[node] = iso_duration(wait)
        return node

    def _add(self, base: str, source: str, target: str, name: str | None) -> None:
        fid, n = f"Flow_{base}", 1
        while fid in self._used:
            n += 1
            fid = f"Flow_{base}_{n}"
        self._used.add(fid)
        self.flows.append((fid, source, target, name))

    def owner(self, node: str) -> str | None:
        step = self.step_of[node]
        if step is None:  # a merge or timer sits in the lane of the step it serves
            step = self.steps[self.belongs[node]]
        return step.owner

    def lane_roles(self) -> dict[str, str | None]:
        """Node -> the role whose lane it is drawn in: its owner; for a decision, start,
        end or merge without one, the lane of the step before it (else after it), as a
        modeler draws the question beside the work it follows. Tasks and subprocesses
        without an owner stay unassigned: a lane would claim an owner they do not have."""
        roles = {n: self.owner(n) for n in self.kind}
        borrowing = [n for n in self.kind if roles[n] is None and _borrows(self.step_of[n])]
        before: dict[str, list[str]] = {n: [] for n in self.kind}
        after: dict[str, list[str]] = {n: [] for n in self.kind}
        for _fid, source, target, _name in self.flows:
            before[target].append(source)
            after[source].append(target)
        for links in (before, after):
            changed = True
            while changed:
                changed = False
                for node in borrowing:
                    if roles[node] is None:
                        found = next((roles[n] for n in links[node] if roles[n]), None)
                        if found is not None:
                            roles[node] = found
                            changed = True
        return roles


def _strand_merges(flow: Flow[Step], join: str) -> dict[tuple[str, str], str]:
    """(source, join) -> the merge of its strand, for the strands of the block `join`
    closes that have several arrows into it (a decision inside the strand)."""
    block = next((b for b in flow.blocks.values() if b.join == join), None)
    if block is None:
        return {}
    found: dict[tuple[str, str], str] = {}
    for number, strand in enumerate(block.strands, 1):
        sources = [p for p in flow.pred[join] if p in strand.steps]
        if len(sources) > 1:
            for source in sources:
                found[(source, join)] = f"Merge_{join}_{number}"
    return found


def _borrows(step: Step | None) -> bool:
    """Whether a node without an owner is drawn in a neighbour's lane: a merge, timer,
    decision, parallel split or join, start or end (not a task or subprocess)."""
    return step is None or step.kind in ("decision", "start", "end", "parallel", "join")


def _element(step: Step) -> str:
    if step.kind in ("parallel", "join"):
        return "parallelGateway"
    if step.kind == "start":
        return "startEvent"
    if step.kind == "end":
        return "endEvent"
    if step.kind == "decision":
        return "exclusiveGateway"
    if step.kind == "subprocess":
        return "callActivity"
    return "serviceTask" if step.automated else "userTask"


def _shape(kind: str) -> str:
    if kind.endswith("Event"):
        return "event"
    if kind.endswith("Gateway"):
        return "gateway"
    return "activity"


def _lanes(process: Process, graph: _Graph) -> list[tuple[str, str, str | None]]:
    """(lane id, lane name, role id) in order: roles as declared, then owners not declared
    (in step order), then the unassigned steps; no lanes when no step has an owner."""
    owners = list(graph.lane_roles().values())
    if not any(owners):
        return []
    order = [r for r in process.roles if r in owners]
    order += [o for o in dict.fromkeys(owners) if o and o not in order]
    lanes: list[tuple[str, str, str | None]] = [
        (f"Lane_{role}", process.roles.get(role, role), role) for role in order
    ]
    if None in owners:
        lanes.append((UNASSIGNED, "Unassigned", None))
    return lanes


def _extension(tag: str, data: dict[str, Json], attrs: list[tuple[str, str]]) -> Element:
    holder = Element("bpmn:extensionElements")
    element = holder.add(f"procmap:{tag}", *attrs)
    for key, value in data.items():
        encode(element, key, value)
    return holder


def _dump(model: Process | Step, leave_out: tuple[str, ...]) -> dict[str, Json]:
    data = model.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return {k: v for k, v in data.items() if k not in leave_out}


def _documentation(parent: Element, step: Step) -> None:
    if step.description:
        parent.add("bpmn:documentation", text=step.description)
    checklist = step.checklist
    if checklist:
        text = "\n".join(CHECK_ITEM + item for item in checklist)
        parent.add("bpmn:documentation", ("textFormat", CHECKLIST_FORMAT), text=text)


def to_bpmn(process: Process) -> bytes:
    """The BPMN 2.0 XML of `process`, byte for byte the same for the same process."""
    graph = _Graph(process)
    pid = process_ref(process.id)
    lanes = _lanes(process, graph)
    lane_id = {role: lid for lid, _, role in lanes}
    lane_of = {n: lane_id.get(role) for n, role in graph.lane_roles().items()}
    layout = lay_out(
        {n: _shape(k) for n, k in graph.kind.items()},
        lane_of,
        [lid for lid, _, _ in lanes],
        [(fid, s, t) for fid, s, t, _ in graph.flows],
    )
    root = _definitions(process, pid)
    for node in several_starts(graph):
        root.add("bpmn:message", ("id", f"Message_{node}"), ("name", graph.name[node]))
    bp = root.add("bpmn:process", ("id", pid), ("name", process.name), ("isExecutable", "true"))
    if process.description:
        bp.add("bpmn:documentation", text=process.description)
    bp.children.append(
        _extension(
            "process",
            _dump(process, PROCESS_IN_BPMN),
            [("id", process.id), ("version", str(process.procmap))],
        )
    )
    if lanes:
        _lane_set(bp, pid, lanes, lane_of)
    _flow_nodes(bp, graph)
    _sequence_flows(bp, graph)
    _diagram(root, pid, process, graph, lanes, layout)
    return serialize(root)


def _definitions(process: Process, pid: str) -> Element:
    """The root element with its namespaces, and the pool of the process."""
    root = Element(
        "bpmn:definitions",
        [
            ("xmlns:bpmn", BPMN),
            ("xmlns:bpmndi", BPMNDI),
            ("xmlns:dc", DC),
            ("xmlns:di", DI),
            ("xmlns:xsi", XSI),
            ("xmlns:procmap", PROCMAP),
            ("id", f"Definitions_{pid}"),
            ("targetNamespace", f"urn:procmap:process:{process.id}"),
            ("exporter", "procmap"),
            ("exporterVersion", _version()),
        ],
    )
    collaboration = root.add("bpmn:collaboration", ("id", f"Collaboration_{pid}"))
    collaboration.add(
        "bpmn:participant",
        ("id", f"Participant_{pid}"),
        ("name", process.name),
        ("processRef", pid),
    )
    return root


def _lane_set(
    bp: Element,
    pid: str,
    lanes: list[tuple[str, str, str | None]],
    lane_of: dict[str, str | None],
) -> None:
    """A lane per role (procmap's role id in its extension), with its flow nodes."""
    lane_set = bp.add("bpmn:laneSet", ("id", f"LaneSet_{pid}"))
    for lid, name, role in lanes:
        lane = lane_set.add("bpmn:lane", ("id", lid), ("name", name))
        if role is not None:
            lane.children.append(_extension("role", {}, [("id", role)]))
        for node, its in lane_of.items():
            if its == lid:
                lane.add("bpmn:flowNodeRef", text=node)


def several_starts(graph: _Graph) -> list[str]:
    """The start events of a process with more than one: each gets a message trigger
    (`Message_<node>`, named like the step), since BPMN has one blank start at most
    (bpmnlint's `single-blank-start-event`); the import knows them by `START_TRIGGER`."""
    starts = [n for n, k in graph.kind.items() if k == "startEvent"]
    return starts if len(starts) > 1 else []


def _flow_nodes(bp: Element, graph: _Graph) -> None:
    """An element per flow node, with its documentation, extension and flows."""
    starts = several_starts(graph)
    incoming: dict[str, list[str]] = {n: [] for n in graph.kind}
    outgoing: dict[str, list[str]] = {n: [] for n in graph.kind}
    for fid, source, target, _ in graph.flows:
        outgoing[source].append(fid)
        incoming[target].append(fid)
    for node, kind in graph.kind.items():
        attrs: list[tuple[str, str | None]] = [("id", node), ("name", graph.name[node])]
        step = graph.step_of[node]
        if step is not None and step.kind == "subprocess" and step.process:
            attrs.append(("calledElement", process_ref(step.process)))
        if step is not None and step.kind == "decision":  # `next:` of a decision: no label
            unnamed = [f for f, s, _, name in graph.flows if s == node and name is None]
            if unnamed:
                attrs.append(("default", unnamed[0]))
        if step is not None and step.kind in DIRECTION:
            attrs.append(("gatewayDirection", DIRECTION[step.kind]))
        element = bp.add(f"bpmn:{kind}", *attrs)
        if step is not None:
            _documentation(element, step)
            element.children.append(
                _extension("step", _dump(step, STEP_IN_BPMN), [("id", step.id)])
            )
        elif node in graph.timer:  # whose wait it is: a join's comes after the join
            element.children.append(_extension("wait", {}, [("step", graph.belongs[node])]))
        for fid in incoming[node]:
            element.add("bpmn:incoming", text=fid)
        for fid in outgoing[node]:
            element.add("bpmn:outgoing", text=fid)
        if node in starts:  # several starts: each named by its message (bpmnlint)
            element.add(
                "bpmn:messageEventDefinition",
                ("id", f"{node}{START_TRIGGER}"),
                ("messageRef", f"Message_{node}"),
            )
        if node in graph.timer:
            timer = element.add("bpmn:timerEventDefinition", ("id", f"{node}_timer"))
            timer.add(
                "bpmn:timeDuration",
                ("xsi:type", "bpmn:tFormalExpression"),
                text=graph.timer[node],
            )


def _sequence_flows(bp: Element, graph: _Graph) -> None:
    """A sequence flow per arrow; a decision's answer as its condition."""
    for fid, source, target, name in graph.flows:
        flow = bp.add(
            "bpmn:sequenceFlow",
            ("id", fid),
            ("name", name),
            ("sourceRef", source),
            ("targetRef", target),
        )
        step = graph.step_of[source]
        if step is not None and step.kind == "decision" and name is not None:
            flow.add(
                "bpmn:conditionExpression",
                ("xsi:type", "bpmn:tFormalExpression"),
                text=f"{answer_variable(step.id)} == {json.dumps(name, ensure_ascii=False)}",
            )


def _version() -> str:
    from .. import __version__

    return __version__


def _bounds(parent: Element, box: Box) -> None:
    parent.add(
        "dc:Bounds",
        ("x", _n(box.x)),
        ("y", _n(box.y)),
        ("width", _n(box.width)),
        ("height", _n(box.height)),
    )


def _n(value: float) -> str:
    rounded = round(value)
    return str(int(rounded))


def _diagram(
    root: Element,
    pid: str,
    process: Process,
    graph: _Graph,
    lanes: list[tuple[str, str, str | None]],
    layout: Layout,
) -> None:
    diagram = root.add("bpmndi:BPMNDiagram", ("id", f"Diagram_{pid}"), ("name", process.name))
    plane = diagram.add(
        "bpmndi:BPMNPlane", ("id", f"Plane_{pid}"), ("bpmnElement", f"Collaboration_{pid}")
    )
    pool = plane.add(
        "bpmndi:BPMNShape",
        ("id", f"Participant_{pid}_di"),
        ("bpmnElement", f"Participant_{pid}"),
        ("isHorizontal", "true"),
    )
    _bounds(pool, layout.pool)
    for lid, _, _ in lanes:
        shape = plane.add(
            "bpmndi:BPMNShape", ("id", f"{lid}_di"), ("bpmnElement", lid), ("isHorizontal", "true")
        )
        _bounds(shape, layout.lanes[lid])
    for node, kind in graph.kind.items():
        attrs: list[tuple[str, str | None]] = [("id", f"{node}_di"), ("bpmnElement", node)]
        if kind == "exclusiveGateway":
            attrs.append(("isMarkerVisible", "true"))
        shape = plane.add("bpmndi:BPMNShape", *attrs)
        box = layout.nodes[node]
        _bounds(shape, box)
        if _shape(kind) != "activity" and graph.name[node]:
            # events and gateways carry their name under the shape, as modelers place it
            label = shape.add("bpmndi:BPMNLabel")
            label.add(
                "dc:Bounds",
                ("x", _n(box.cx - 50)),
                ("y", _n(box.bottom + 5)),
                ("width", "100"),
                ("height", "27"),
            )
    for fid, _source, _target, _name in graph.flows:
        edge = plane.add("bpmndi:BPMNEdge", ("id", f"{fid}_di"), ("bpmnElement", fid))
        for x, y in layout.edges[fid]:
            edge.add("di:waypoint", ("x", _n(x)), ("y", _n(y)))

"""`procmap render -f bpmn`: every bundled process and starter exports a BPMN 2.0 file that
the OMG schema accepts, SpiffWorkflow's parser loads, and whose diagram draws every
element without overlaps; the same process gives the same bytes.

The OMG XSDs (BPMN20.xsd with Semantic, BPMNDI, DI, DC) are the copies shipped inside
the `spiffworkflow` package; xmlschema validates against them. Golden file:
tests/golden/bpmn_export/webinar-funnel.bpmn (refresh with `make golden`, see
tests/conftest.py, and read it before committing).
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest

from conftest import Golden
from procmap.bpmn import to_bpmn
from procmap.format import Process, load_file, validate_document

REPO = Path(__file__).resolve().parent.parent
PROCESSES = sorted((REPO / "processes").glob("*.yaml"))
STARTERS = sorted((REPO / "src" / "procmap" / "scaffold" / "starters").glob("*.yaml"))
#: Parallel blocks and waits (issue 18): the two processes of the issue, wherever they are
#: (a process moved to processes/ is listed once), and a strand with a decision into its join.
PARALLEL = [
    path
    for path in (
        REPO / "processes" / "invoice-chase.yaml",
        REPO / "tests/cases/valid/parallel-block-in-decision-loop-in-strand/client-setup.yaml",
        REPO / "tests/bpmn/export/review-in-strand.yaml",
    )
    if path.name not in {p.name for p in PROCESSES}
]
ALL = PROCESSES + STARTERS + PARALLEL
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
FLOW_NODES = (
    "startEvent",
    "endEvent",
    "userTask",
    "serviceTask",
    "callActivity",
    "exclusiveGateway",
    "parallelGateway",
    "intermediateCatchEvent",
)

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is missing")
pytestmark = needs_dot


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@cache
def _process(path: Path) -> Process:
    loaded = load_file(path)
    assert loaded.document is not None
    process, problems = validate_document(loaded.document)
    assert process is not None, problems
    return process


@cache
def _export(path: Path) -> bytes:
    return to_bpmn(_process(path))


@cache
def _schema():
    import SpiffWorkflow.bpmn.parser as spiff_parser
    import xmlschema

    xsd = Path(spiff_parser.__file__).parent / "schema" / "BPMN20.xsd"
    return xmlschema.XMLSchema(str(xsd))


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_export_is_valid_against_the_omg_schema(path: Path, tmp_path: Path):
    target = tmp_path / f"{path.stem}.bpmn"
    target.write_bytes(_export(path))
    errors = [f"{e.path}: {e.reason}" for e in _schema().iter_errors(str(target))]
    assert errors == []


def _spiff_load(files: list[Path]) -> list[str]:
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator

    parser = BpmnParser(validator=BpmnValidator())
    for file in files:
        parser.add_bpmn_file(str(file))
    ids = parser.get_process_ids()  # the executable processes
    for pid in ids:
        assert parser.get_spec(pid) is not None
        parser.get_subprocess_specs(pid)  # every callActivity resolves
    return sorted(ids)


def test_the_bundled_processes_load_together_in_spiffworkflow(tmp_path: Path):
    """Together: lead-handoff's callActivity calls lead-scoring, which must resolve."""
    files = []
    for path in PROCESSES:
        files.append(tmp_path / f"{path.stem}.bpmn")
        files[-1].write_bytes(_export(path))
    assert _spiff_load(files) == sorted(_process(p).id for p in PROCESSES)


@pytest.mark.parametrize("path", STARTERS + PARALLEL, ids=_id)
def test_each_starter_loads_in_spiffworkflow(path: Path, tmp_path: Path):
    target = tmp_path / f"{path.stem}.bpmn"
    target.write_bytes(_export(path))
    assert _spiff_load([target]) == [_process(path).id]


def _tree(path: Path) -> ET.Element:
    return ET.fromstring(_export(path))


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_every_flow_node_lists_its_incoming_and_outgoing_flows(path: Path):
    root = _tree(path)
    process = root.find("bpmn:process", NS)
    assert process is not None
    flows = {f.get("id"): f for f in process.findall("bpmn:sequenceFlow", NS)}
    listed_in: dict[str, str] = {}
    listed_out: dict[str, str] = {}
    for tag in FLOW_NODES:
        for node in process.findall(f"bpmn:{tag}", NS):
            for ref in node.findall("bpmn:incoming", NS):
                listed_in[ref.text or ""] = node.get("id") or ""
            for ref in node.findall("bpmn:outgoing", NS):
                listed_out[ref.text or ""] = node.get("id") or ""
    assert {fid: f.get("targetRef") for fid, f in flows.items()} == listed_in
    assert {fid: f.get("sourceRef") for fid, f in flows.items()} == listed_out


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_a_step_with_several_arrows_in_gets_a_merging_gateway(path: Path):
    root = _tree(path)
    process = root.find("bpmn:process", NS)
    assert process is not None
    into: dict[str, int] = {}
    for flow in process.findall("bpmn:sequenceFlow", NS):
        into[flow.get("targetRef") or ""] = into.get(flow.get("targetRef") or "", 0) + 1
    for tag in FLOW_NODES:
        for node in process.findall(f"bpmn:{tag}", NS):
            if node.get("gatewayDirection") == "Converging":  # a join: a flow per strand
                continue
            if tag != "exclusiveGateway" or not (node.get("id") or "").startswith("Merge_"):
                assert into.get(node.get("id") or "", 0) <= 1, node.get("id")


def _bounds(shape: ET.Element) -> tuple[float, float, float, float]:
    b = shape.find("dc:Bounds", NS)
    assert b is not None
    return tuple(float(b.get(k) or 0) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_the_diagram_shows_every_element_without_overlaps(path: Path):
    root = _tree(path)
    process = root.find("bpmn:process", NS)
    assert process is not None
    shapes = {s.get("bpmnElement"): s for s in root.iter(f"{{{NS['bpmndi']}}}BPMNShape")}
    edges = {e.get("bpmnElement"): e for e in root.iter(f"{{{NS['bpmndi']}}}BPMNEdge")}
    nodes = [n.get("id") for tag in FLOW_NODES for n in process.findall(f"bpmn:{tag}", NS)]
    lanes = [lane.get("id") for lane in process.iter(f"{{{NS['bpmn']}}}lane")]
    participant = root.find("bpmn:collaboration/bpmn:participant", NS)
    assert participant is not None
    assert set(shapes) == {*nodes, *lanes, participant.get("id")}
    flows = [f.get("id") for f in process.findall("bpmn:sequenceFlow", NS)]
    assert set(edges) == set(flows)
    for edge in edges.values():
        assert len(edge.findall("di:waypoint", NS)) >= 2
    boxes = {n: _bounds(shapes[n]) for n in nodes}
    for i, a in enumerate(nodes):
        for b in nodes[i + 1 :]:
            ax, ay, aw, ah = boxes[a]
            bx, by, bw, bh = boxes[b]
            apart = ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay
            assert apart, f"{a} overlaps {b}"
    pool = _bounds(shapes[participant.get("id")])
    lane_boxes = [_bounds(shapes[lane]) for lane in lanes]
    for i, (lx, ly, lw, lh) in enumerate(lane_boxes):
        assert pool[0] <= lx and lx + lw <= pool[0] + pool[2] + 0.5
        for _mx, my, _mw, mh in lane_boxes[i + 1 :]:
            assert ly + lh <= my or my + mh <= ly, "lanes overlap"
    for lane in process.iter(f"{{{NS['bpmn']}}}lane"):
        lx, ly, lw, lh = _bounds(shapes[lane.get("id")])
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            x, y, w, h = boxes[ref.text]
            assert lx <= x and x + w <= lx + lw and ly <= y and y + h <= ly + lh, ref.text


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_the_export_is_byte_identical_each_time(path: Path):
    process = _process(path)
    assert to_bpmn(process) == to_bpmn(process)


def test_ids_come_from_step_ids():
    root = _tree(REPO / "processes" / "webinar-funnel.yaml")
    process = root.find("bpmn:process", NS)
    assert process is not None and process.get("id") == "webinar-funnel"
    ids = {n.get("id") for tag in FLOW_NODES for n in process.findall(f"bpmn:{tag}", NS)}
    assert {"Step_webinar", "Step_booked", "Step_consult", "Merge_nurtured"} <= ids


def test_the_mapping_of_kinds_names_and_labels():
    root = _tree(REPO / "processes" / "webinar-funnel.yaml")
    process = root.find("bpmn:process", NS)
    assert process is not None
    assert process.get("isExecutable") == "true"
    gateway = process.find("bpmn:exclusiveGateway[@id='Step_booked']", NS)
    assert gateway is not None and gateway.get("name") == "Consultation booked?"
    labels = {
        f.get("name") for f in process.findall("bpmn:sequenceFlow[@sourceRef='Step_booked']", NS)
    }
    assert labels == {"yes", "no"}
    conditions = {c.text for c in process.findall("bpmn:sequenceFlow/bpmn:conditionExpression", NS)}
    assert {'answer_booked == "yes"', 'answer_booked == "no"'} <= conditions
    assert process.find("bpmn:serviceTask[@id='Step_nurture']", NS) is not None  # automated
    assert process.find("bpmn:userTask[@id='Step_consult']", NS) is not None
    lanes = [lane.get("name") for lane in process.iter(f"{{{NS['bpmn']}}}lane")]
    assert lanes[:3] == ["Marketing lead", "Sales rep", "Client success"]


def test_a_subprocess_is_a_call_activity_of_the_other_process():
    root = _tree(REPO / "processes" / "lead-handoff.yaml")
    calls = root.findall("bpmn:process/bpmn:callActivity", NS)
    assert [c.get("calledElement") for c in calls] == ["lead-scoring"]


def test_unowned_tasks_go_into_an_unassigned_lane_and_events_beside_their_neighbour():
    process = Process.model_validate(
        {
            "procmap": 1,
            "id": "small",
            "name": "Small",
            "roles": {"ops": "Operations"},
            "steps": [
                {"id": "go", "kind": "start", "name": "Go", "next": "work"},
                {"id": "work", "name": "Work", "owner": "ops", "next": "check"},
                {"id": "check", "name": "Check", "next": "done"},
                {"id": "done", "kind": "end", "name": "Done"},
            ],
        }
    )
    root = ET.fromstring(to_bpmn(process))
    lanes = {
        lane.get("name"): [r.text for r in lane.findall("bpmn:flowNodeRef", NS)]
        for lane in root.iter(f"{{{NS['bpmn']}}}lane")
    }
    assert lanes == {
        "Operations": ["Step_go", "Step_work"],
        "Unassigned": ["Step_check", "Step_done"],
    }


def test_golden_webinar_funnel(golden: Golden):
    golden("bpmn_export/webinar-funnel.bpmn", _export(REPO / "processes" / "webinar-funnel.yaml"))


def test_render_f_bpmn_writes_the_export(run_procmap, tmp_path: Path):
    done = run_procmap(
        "render", str(REPO / "processes"), "-f", "bpmn", "-o", str(tmp_path), "--no-index", "-q"
    )
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in tmp_path.glob("*.bpmn"))
    assert names == sorted(f"{_process(p).id}.bpmn" for p in PROCESSES)
    for path in PROCESSES:
        assert (tmp_path / f"{_process(path).id}.bpmn").read_bytes() == _export(path)


def test_the_render_run_refuses_bpmn_without_its_maker(tmp_path: Path):
    from procmap.render import Options, RenderError, check_options

    with pytest.raises(RenderError, match="bpmn"):
        check_options(Options(out_dir=tmp_path, formats=("bpmn",)))


def _run_in_spiffworkflow(path: Path, tmp_path: Path, answers: dict[str, str]):
    """Run the export in SpiffWorkflow's engine: complete each user or service task it
    waits at, with the decisions' answers in the task data. (waited at, ends reached)."""
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    target = tmp_path / f"{path.stem}.bpmn"
    target.write_bytes(_export(path))
    parser = BpmnParser(validator=BpmnValidator())
    parser.add_bpmn_file(str(target))
    workflow = BpmnWorkflow(parser.get_spec(_process(path).id))
    waited = []
    for _ in range(100):
        workflow.do_engine_steps()
        waiting = [
            t
            for t in workflow.get_tasks(state=TaskState.READY | TaskState.STARTED)
            if type(t.task_spec).__name__ in ("UserTask", "ServiceTask")
        ]
        if not waiting:
            break
        task = waiting[0]
        waited.append(task.task_spec.bpmn_id)
        task.data.update({f"answer_{k}": v for k, v in answers.items()})
        if task.state == TaskState.STARTED:
            task.complete()
        else:
            task.run()
    assert workflow.is_completed()
    ends = [
        t.task_spec.bpmn_id
        for t in workflow.get_tasks(state=TaskState.COMPLETED)
        if type(t.task_spec).__name__ == "EndEvent"
    ]
    return waited, ends


def test_an_engine_waits_at_each_task_and_follows_the_answer(tmp_path: Path):
    """Executable without surprises: SpiffWorkflow waits for every user and service task
    to be completed, and a decision goes the way its answer_<id> says."""
    path = REPO / "processes" / "webinar-funnel.yaml"
    waited, ends = _run_in_spiffworkflow(path, tmp_path, {"booked": "yes", "signed": "yes"})
    assert waited == ["Step_nurture", "Step_cta", "Step_consult", "Step_onboard"]
    assert ends == ["Step_client"]
    waited, ends = _run_in_spiffworkflow(path, tmp_path, {"booked": "no"})
    assert waited == ["Step_nurture", "Step_cta", "Step_downsell"]
    assert ends == ["Step_nurtured"]


def test_an_answer_that_matches_no_branch_stops_the_engine(tmp_path: Path):
    from SpiffWorkflow.exceptions import WorkflowException

    with pytest.raises(WorkflowException, match="No conditions satisfied for Step_booked"):
        _run_in_spiffworkflow(REPO / "processes" / "webinar-funnel.yaml", tmp_path, {"booked": "?"})

"""BPMN export and import of parallel blocks and waits (issue 18).

Export: a split and a join are parallel gateways (Diverging, Converging), a strand with
several arrows into its join gets its own exclusive merge before it, a wait is a timer
intermediate catch event with an ISO 8601 `timeDuration` on the flow before its step.
Import: the modelers' fixtures (tests/bpmn/import/parallel-*.bpmn, in the dialects of
Camunda Modeler, bpmn.io and Signavio; their goldens are test_bpmn_import's) become
parallel blocks and waits, and what they become exports again as valid BPMN that imports
to the same process. Round trip: the invoice chase and the client setup come back from
their export with no change of meaning, waits included.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from procmap.bpmn import import_bpmn, to_bpmn, write_imported
from procmap.bpmn.durations import iso_duration, procmap_wait, read_duration
from procmap.config import Config
from procmap.format import Flow, Process, load_file, validate_document
from procmap.git import diff_files
from procmap.lint import text, validate_paths

REPO = Path(__file__).resolve().parent.parent
INVOICE = REPO / "processes" / "invoice-chase.yaml"
CLIENT = REPO / "tests/cases/valid/parallel-block-in-decision-loop-in-strand/client-setup.yaml"
IN_STRAND = REPO / "tests/bpmn/export/review-in-strand.yaml"
MODELERS = sorted((REPO / "tests/bpmn/import").glob("parallel-*.bpmn"))
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is missing")


def _process(path: Path) -> Process:
    loaded = load_file(path)
    assert loaded.document is not None
    process, problems = validate_document(loaded.document)
    assert process is not None, problems
    return process


def _model(path: Path) -> ET.Element:
    root = ET.fromstring(to_bpmn(_process(path)))
    found = root.find("bpmn:process", NS)
    assert found is not None
    return found


# Durations -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wait", "iso"),
    [
        ("7d", "P7D"),
        ("14d", "P14D"),
        ("2h", "PT2H"),
        ("45m", "PT45M"),
        ("1w", "P7D"),  # not P1W: xs:duration (Camunda 7, Flowable) has no weeks
        ("1.5h", "PT1H30M"),
        ("36h", "P1DT12H"),
        ("0.5m", "PT30S"),
    ],
)
def test_a_wait_is_an_iso_8601_duration_every_engine_reads(wait: str, iso: str):
    assert iso_duration(wait) == iso


@pytest.mark.parametrize(
    ("written", "minutes"),
    [
        ("P7D", 10080),
        ("PT2H", 120),
        ("PT45M", 45),
        ("P1W", 10080),
        ("P1DT12H", 2160),
        ("pt30s", 0.5),
        ('"P7D"', 10080),  # SpiffWorkflow's expression
        ('=duration("PT45M")', 45),  # Zeebe's FEEL
    ],
)
def test_a_timer_duration_is_read_in_minutes(written: str, minutes: float):
    assert read_duration(written) == minutes


@pytest.mark.parametrize("written", ["P1M", "P1Y", "P1Y2M", "${delay}", "PT", "P"])
def test_months_years_and_expressions_are_no_wait(written: str):
    assert isinstance(read_duration(written), str)


def test_a_wait_comes_back_in_its_largest_whole_unit():
    assert [procmap_wait(m) for m in (10080, 2160, 120, 45, 0.5)] == [
        "7d",
        "36h",
        "2h",
        "45m",
        "0.5m",
    ]


# Export ----------------------------------------------------------------------------------


@needs_dot
def test_a_split_and_a_join_are_parallel_gateways():
    model = _model(INVOICE)
    gateways = {g.get("id"): g for g in model.findall("bpmn:parallelGateway", NS)}
    assert gateways["Step_escalate"].get("gatewayDirection") == "Diverging"
    assert gateways["Step_escalated"].get("gatewayDirection") == "Converging"
    assert gateways["Step_escalate"].get("name") == "Escalate on both fronts"
    flows = model.findall("bpmn:sequenceFlow", NS)
    out = [f.get("targetRef") for f in flows if f.get("sourceRef") == "Step_escalate"]
    into = [f.get("sourceRef") for f in flows if f.get("targetRef") == "Step_escalated"]
    assert out == ["Step_call", "Step_pause"]
    assert into == ["Step_call", "Step_pause"]


@needs_dot
def test_a_strand_with_several_arrows_into_its_join_gets_its_own_merge():
    """A BPMN parallel join waits for a token on every incoming flow: the strand with a
    decision in it (two arrows into the join) is merged first, so the join has one flow
    per strand."""
    model = _model(IN_STRAND)
    flows = model.findall("bpmn:sequenceFlow", NS)
    into_join = sorted(
        f.get("sourceRef") or "" for f in flows if f.get("targetRef") == "Step_ready"
    )
    assert into_join == ["Merge_ready_1", "Step_build"]
    into_merge = sorted(
        f.get("sourceRef") or "" for f in flows if f.get("targetRef") == "Merge_ready_1"
    )
    assert into_merge == ["Step_legal", "Step_review"]
    merge = model.find("bpmn:exclusiveGateway[@id='Merge_ready_1']", NS)
    assert merge is not None


def _timer(model: ET.Element, node: str) -> tuple[str | None, str | None]:
    event = model.find(f"bpmn:intermediateCatchEvent[@id='{node}']", NS)
    assert event is not None
    duration = event.find("bpmn:timerEventDefinition/bpmn:timeDuration", NS)
    assert duration is not None
    return event.get("name"), duration.text


@needs_dot
def test_a_wait_is_a_timer_on_the_flow_before_its_step():
    model = _model(INVOICE)
    assert _timer(model, "Wait_paid-1") == ("Wait 7 days", "P7D")
    assert _timer(model, "Wait_paid-2") == ("Wait 14 days", "P14D")
    assert _timer(model, "Wait_collect") == ("Wait 7 days", "P7D")
    flows = {
        (f.get("sourceRef"), f.get("targetRef")) for f in model.findall("bpmn:sequenceFlow", NS)
    }
    assert ("Step_reminder-1", "Wait_paid-1") in flows
    assert ("Wait_paid-1", "Step_paid-1") in flows
    assert ("Step_escalated", "Wait_collect") in flows
    assert ("Wait_collect", "Step_collect") in flows


@needs_dot
def test_a_wait_after_a_merge_and_a_join_s_wait_after_the_join():
    model = _model(IN_STRAND)
    flows = {
        (f.get("sourceRef"), f.get("targetRef")) for f in model.findall("bpmn:sequenceFlow", NS)
    }
    assert _timer(model, "Wait_build") == ("Wait 1 week", "P7D")
    assert ("Step_fork", "Wait_build") in flows
    assert _timer(model, "Wait_ready") == ("Wait 1 hour", "PT1H")
    assert {("Step_ready", "Wait_ready"), ("Wait_ready", "Step_go")} <= flows
    client = _model(CLIENT)
    client_flows = {
        (f.get("sourceRef"), f.get("targetRef")) for f in client.findall("bpmn:sequenceFlow", NS)
    }
    # chase has one way in; paid (a decision with two) is merged before its question
    assert {("Step_paid", "Wait_chase"), ("Wait_chase", "Step_chase")} <= client_flows


# Round trip ------------------------------------------------------------------------------


def _meaning(process: Process) -> list[tuple[object, ...]]:
    """What a step means, waits and strands included, in the file's order of ids."""
    flow = Flow(process)
    return sorted(
        (
            s.id,
            s.kind,
            tuple(s.following()),
            tuple(sorted((s.branches or {}).items())),
            s.wait_minutes,
            s.minutes,
            s.owner,
        )
        for s in flow.steps.values()
    )


@needs_dot
@pytest.mark.parametrize("source", [INVOICE, CLIENT, IN_STRAND], ids=lambda p: p.stem)
def test_export_then_import_changes_no_meaning(source: Path, tmp_path: Path):
    process = _process(source)
    exported = tmp_path / f"{process.id}.bpmn"
    exported.write_bytes(to_bpmn(process))
    result = import_bpmn(str(exported))
    assert result.problems == []
    write_imported(result, str(tmp_path / "in"))
    back = tmp_path / "in" / f"{process.id}.yaml"
    report = validate_paths([str(back)], Config(), keep=True)
    assert report.errors == 0, text(report.problems, False)
    assert diff_files(str(source), str(back)).changes == []
    assert _meaning(_process(back)) == _meaning(process)
    assert back.read_text(encoding="utf-8").count("wait: ") == source.read_text(
        encoding="utf-8"
    ).count("wait: ")


@needs_dot
def test_a_timer_edited_in_a_modeler_wins_over_procmap_s_own_record(tmp_path: Path):
    exported = to_bpmn(_process(INVOICE)).replace(b">P14D<", b">P3D<")
    path = tmp_path / "invoice-chase.bpmn"
    path.write_bytes(exported)
    (made,) = import_bpmn(str(path)).processes
    waits = {s["id"]: s.get("wait") for s in made.data["steps"]}
    assert waits["paid-1"] == "7d" and waits["paid-2"] == "3d" and waits["collect"] == "7d"


# The modelers' files ---------------------------------------------------------------------


def _imported(path: Path, out: Path) -> list[Path]:
    result = import_bpmn(str(path))
    assert not result.errors, text(result.problems, False)
    return [Path(p) for p in write_imported(result, str(out))]


def test_camunda_parallel_gateways_and_timers_become_a_block_and_waits(tmp_path: Path):
    (made,) = import_bpmn(str(REPO / "tests/bpmn/import/parallel-camunda.bpmn")).processes
    steps = {s["id"]: s for s in made.data["steps"]}
    split = next(s for s in steps.values() if s.get("kind") == "parallel")
    assert split["next"] == ["set-up-the-bank-details", "create-the-portal-account"]
    join = next(s for s in steps.values() if s.get("kind") == "join")
    assert steps["details-verified"]["branches"]["yes"] == join["id"]
    assert steps["ask-for-corrected-details"]["next"] == join["id"]
    assert steps["create-the-portal-account"]["wait"] == "2h"  # PT2H, in the strand
    assert steps["make-the-welcome-call"]["wait"] == "3d"  # P3D, after the join


def test_bpmnio_implicit_splits_and_an_implicit_merge(tmp_path: Path):
    path = REPO / "tests/bpmn/import/parallel-bpmnio.bpmn"
    result = import_bpmn(str(path))
    (made,) = result.processes
    steps = {s["id"]: s for s in made.data["steps"]}
    after_book = steps["book-the-venue"]["next"]
    assert steps[after_book]["kind"] == "parallel"
    assert steps[after_book]["next"] == ["order-the-catering", "sales-open"]
    # P1W: a week is read, and written as the modeler showed it, in days
    assert steps["send-the-reminder-email"]["wait"] == "7d"
    # the branches after "Brief the speaker" meet at a task: a join is added before it
    (merge,) = [p for p in result.problems if p.code == "I028"]
    line = path.read_text(encoding="utf-8").splitlines()[merge.line - 1]
    assert 'id="Activity_0rn2evt"' in line and "'Activity_0rn2evt'" in merge.message
    joins = [s for s in steps.values() if s.get("kind") == "join"]
    assert [j["next"] for j in joins] == ["brief-the-speaker", "run-the-meetup"]
    # a timer at a date is no wait: its value is kept where the problem says
    (dated,) = [p for p in result.problems if p.code == "I026"]
    assert "2027-03-01T09:00:00Z" in dated.message and "description" in dated.message
    assert "2027-03-01T09:00:00Z" in steps["sales-open"]["description"]


def test_signavio_cycles_and_months_are_reported_with_their_values():
    path = REPO / "tests/bpmn/import/parallel-signavio.bpmn"
    result = import_bpmn(str(path))
    (made,) = result.processes
    steps = {s["id"]: s for s in made.data["steps"]}
    found = {(p.code, p.line) for p in result.problems}
    assert {c for c, _ in found} == {"I026", "I027"}
    messages = " ".join(p.message for p in result.problems)
    for value in ("R/2027-01-04T08:00:00Z/P1M", "R3/PT10M", "P1M"):
        assert repr(value) in messages
    assert "R/2027-01-04T08:00:00Z/P1M" in steps["first-working-day-of-the-month"]["description"]
    assert "R3/PT10M" in steps["every-10-minutes-three-times"]["description"]
    assert "P1M" in steps["one-month"]["description"]
    assert steps["book-the-accruals"]["wait"] == "45m"
    assert steps["close-the-books"]["kind"] == "parallel"


@needs_dot
@pytest.mark.parametrize("path", MODELERS, ids=lambda p: p.stem)
def test_each_modeler_file_exports_again_and_comes_back_the_same(path: Path, tmp_path: Path):
    """Both ways: what the import makes validates, exports as schema-valid BPMN that
    SpiffWorkflow loads, and that export imports to the same process."""
    import SpiffWorkflow.bpmn.parser as spiff_parser
    import xmlschema
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator

    schema = xmlschema.XMLSchema(str(Path(spiff_parser.__file__).parent / "schema" / "BPMN20.xsd"))
    for made in _imported(path, tmp_path / "first"):
        report = validate_paths([str(made)], Config(), keep=True)
        assert report.errors == 0, text(report.problems, False)
        exported = tmp_path / f"{made.stem}.bpmn"
        exported.write_bytes(to_bpmn(_process(made)))
        assert [e.reason for e in schema.iter_errors(str(exported))] == []
        parser = BpmnParser(validator=BpmnValidator())
        parser.add_bpmn_file(str(exported))
        for pid in parser.get_process_ids():
            assert parser.get_spec(pid) is not None
        (again,) = _imported(exported, tmp_path / "again")
        assert diff_files(str(made), str(again)).changes == []
        assert _meaning(_process(again)) == _meaning(_process(made))


# Import rules ----------------------------------------------------------------------------

HEAD = (
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="urn:t">'
    '<process id="p" name="Rules">'
)
TAIL = "</process></definitions>"


def _timer_event(iid: str, value: str) -> str:
    return (
        f'<intermediateCatchEvent id="{iid}"><timerEventDefinition>'
        f'<timeDuration xsi:type="tFormalExpression">{value}</timeDuration>'
        "</timerEventDefinition></intermediateCatchEvent>"
    )


def _flows(*pairs: str) -> str:
    return "".join(
        f'<sequenceFlow id="f{i}" sourceRef="{p.split(">")[0]}" targetRef="{p.split(">")[1]}"/>'
        for i, p in enumerate(pairs)
    )


def _steps(tmp_path: Path, body: str):
    path = tmp_path / "rules.bpmn"
    path.write_text(HEAD + body + TAIL, encoding="utf-8")
    result = import_bpmn(str(path))
    (made,) = result.processes
    write_imported(result, str(tmp_path / "out"))
    report = validate_paths([str(tmp_path / "out")], Config(), keep=True)
    assert report.errors == 0, text(report.problems, False)
    return {s["id"]: s for s in made.data["steps"]}, result.problems


def test_a_timer_at_the_end_of_one_strand_is_a_task_that_waits(tmp_path: Path):
    """Before a join the timer delays one strand, not the join: no step to hold up."""
    body = (
        '<startEvent id="s"/><parallelGateway id="fork"/><task id="a" name="A"/>'
        '<task id="b" name="B"/>' + _timer_event("t", "PT4H") + '<parallelGateway id="join"/>'
        '<endEvent id="e"/>'
        + _flows("s>fork", "fork>a", "fork>b", "a>t", "t>join", "b>join", "join>e")
    )
    steps, problems = _steps(tmp_path, body)
    assert steps["wait-4h"]["wait"] == "4h" and "kind" not in steps["wait-4h"]
    assert [p.code for p in problems] == ["I013"]
    assert "holds up no step" in problems[0].message


def test_plain_flows_with_conditions_stay_a_choice(tmp_path: Path):
    body = (
        '<startEvent id="s"/><task id="a" name="Check"/><task id="b" name="B"/>'
        '<task id="c" name="C"/><endEvent id="e"/>'
        '<sequenceFlow id="f0" sourceRef="s" targetRef="a"/>'
        '<sequenceFlow id="f1" sourceRef="a" targetRef="b">'
        '<conditionExpression xsi:type="tFormalExpression">ok</conditionExpression>'
        "</sequenceFlow>"
        '<sequenceFlow id="f2" sourceRef="a" targetRef="c"/>' + _flows("b>e", "c>e")
    )
    steps, problems = _steps(tmp_path, body)
    assert not any(s.get("kind") == "parallel" for s in steps.values())
    assert steps["check-which-way"]["kind"] == "decision"
    assert [p.code for p in problems] == ["I019"]


def test_an_implicit_split_meeting_at_an_end_is_joined_without_a_report(tmp_path: Path):
    body = (
        '<startEvent id="s"/><task id="b" name="B"/><task id="c" name="C"/>'
        '<endEvent id="e" name="Done"/>' + _flows("s>b", "s>c", "b>e", "c>e")
    )
    steps, problems = _steps(tmp_path, body)
    split = steps[steps["start"]["next"]]
    assert split["kind"] == "parallel" and split["next"] == ["b", "c"]
    assert steps[steps["b"]["next"]]["kind"] == "join"
    assert [p.code for p in problems] == ["I019"]


# In an engine ----------------------------------------------------------------------------


def _run(process: Process, tmp_path: Path, answers: dict[str, str]) -> tuple[list[str], bool]:
    """Run the export in SpiffWorkflow's engine, completing every user task it waits at
    with the decisions' answers: (the tasks waited at, whether the workflow completed)."""
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    target = tmp_path / f"{process.id}.bpmn"
    target.write_bytes(to_bpmn(process))
    parser = BpmnParser(validator=BpmnValidator())
    parser.add_bpmn_file(str(target))
    workflow = BpmnWorkflow(parser.get_spec(process.id))
    waited: list[str] = []
    for _ in range(100):
        workflow.do_engine_steps()
        ready = [
            t
            for t in workflow.get_tasks(state=TaskState.READY)
            if type(t.task_spec).__name__ == "UserTask"
        ]
        if not ready:
            break
        waited.extend(sorted(t.task_spec.bpmn_id for t in ready))
        for task in ready:
            task.data.update({f"answer_{k}": v for k, v in answers.items()})
            task.run()
    return waited, workflow.is_completed()


@needs_dot
@pytest.mark.parametrize("answer", ["yes", "no"])
def test_an_engine_runs_both_strands_and_the_join_waits_for_each_once(answer: str, tmp_path: Path):
    """The strand with a decision reaches the join by either branch: with its merge
    before the join, SpiffWorkflow's parallel join fires once both strands are done (a
    join with the two arrows of one strand would wait for a third token forever). Waits
    are left out: an engine would hold the case for days."""
    source = IN_STRAND.read_text(encoding="utf-8")
    source = "\n".join(
        line.replace(", wait: 2d", "").replace(", wait: 1w", "").replace(", wait: 1h", "")
        for line in source.splitlines()
    )
    path = tmp_path / "launch-prep.yaml"
    path.write_text(source + "\n", encoding="utf-8")
    process = _process(path)
    assert not any(s.wait for s in process.steps)
    waited, completed = _run(process, tmp_path, {"legal": answer})
    assert completed
    assert waited[:2] == ["Step_build", "Step_copy"]  # both strands at once
    assert ("Step_review" in waited) == (answer == "yes")
    assert waited[-1] == "Step_go"  # after the join, once
    assert waited.count("Step_go") == 1


# procmap diff, which the round trip relies on ---------------------------------------------


def test_diff_compares_a_split_s_strands_as_strands(tmp_path: Path):
    """A split's `next` is one arrow per strand, none labelled: the same strands are no
    change (main's diff compared only the last strand with each of them), one strand more
    or fewer is one arrow added or removed."""
    same = diff_files(str(CLIENT), str(CLIENT))
    assert same.changes == []
    source = CLIENT.read_text(encoding="utf-8")
    more = tmp_path / "client-setup.yaml"
    more.write_text(
        source.replace(
            "next: [accounts, invoice]", "next: [accounts, invoice, welcome-kit]"
        ).replace(
            "  - {id: joined,",
            "  - {id: welcome-kit, name: Post the welcome kit, owner: ops, next: joined}\n"
            "  - {id: joined,",
        ),
        encoding="utf-8",
    )
    changes = diff_files(str(CLIENT), str(more)).changes
    strand = [c for c in changes if c.kind == "flow.strand.added"]
    assert [(c.what, c.new) for c in strand] == [
        ("strand added to Set up in parallel", "Post the welcome kit")
    ]
    back = diff_files(str(more), str(CLIENT)).changes
    assert [(c.what, c.old) for c in back if c.what.startswith("strand")] == [
        ("strand removed from Set up in parallel", "Post the welcome kit")
    ]

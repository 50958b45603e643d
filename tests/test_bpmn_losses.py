"""Issue 19, items 1 to 10: what the import of real modeler files used to lose or refuse,
each in a small process written here (the shapes the modelers write) or a file of the
corpus (tests/bpmn/corpus/), and each asserted: kept in the YAML, or reported with its
code, and the YAML valid."""

from __future__ import annotations

from pathlib import Path

from conftest import procmap
from procmap.bpmn import import_bpmn, write_imported
from procmap.config import Config
from procmap.lint import text, validate_paths

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "bpmn" / "corpus"
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="urn:t">\n'
)
TAIL = "</bpmn:definitions>\n"


def _process(body: str, pid: str = "P", name: str = "Claims") -> str:
    return f'<bpmn:process id="{pid}" name="{name}">\n{body}\n</bpmn:process>\n'


def _flows(*pairs: str) -> str:
    """`a>b` -> a sequence flow from a to b (`a>b:label` with a name)."""
    flows = []
    for number, pair in enumerate(pairs):
        ends, _, name = pair.partition(":")
        source, target = ends.split(">")
        named = f' name="{name}"' if name else ""
        flows.append(
            f'<bpmn:sequenceFlow id="f{number}"{named} sourceRef="{source}" targetRef="{target}"/>'
        )
    return "\n".join(flows)


LINE = (
    '<bpmn:startEvent id="s" name="Claim in"/><bpmn:task id="a" name="Check the claim"/>'
    '<bpmn:task id="b" name="Pay the claim"/><bpmn:endEvent id="e" name="Paid"/>'
    + _flows("s>a", "a>b", "b>e")
)


def _import(tmp_path: Path, xml: str, encoding: str = "utf-8", name: str = "in.bpmn"):
    source = tmp_path / name
    source.write_bytes(xml.encode(encoding))
    result = import_bpmn(str(source))
    out = tmp_path / f"out-{source.stem}"
    if not result.errors:
        write_imported(result, str(out))
        report = validate_paths([str(out)], Config(), keep=True)
        assert report.errors == 0, text(report.problems, False)
    return result, out


def _steps(result, index: int = 0) -> dict[str, dict]:
    return {s["id"]: s for s in result.processes[index].data["steps"]}


def _codes(result) -> list[str]:
    return [p.code for p in result.problems]


# 1. An empty childLaneSet is a leaf lane ---------------------------------------------------


def test_1_a_lane_with_an_empty_child_lane_set_keeps_its_role_and_owners(tmp_path: Path):
    lanes = (
        '<bpmn:laneSet id="ls"><bpmn:lane id="L1" name="Accountant">'
        "<bpmn:flowNodeRef>s</bpmn:flowNodeRef><bpmn:flowNodeRef>a</bpmn:flowNodeRef>"
        '<bpmn:flowNodeRef>b</bpmn:flowNodeRef><bpmn:childLaneSet id="cls"/></bpmn:lane>'
        "</bpmn:laneSet>"
    )
    result, _ = _import(tmp_path, HEAD + _process(lanes + LINE) + TAIL)
    assert result.processes[0].data["roles"] == {"accountant": "Accountant"}
    steps = _steps(result)
    assert [steps[i].get("owner") for i in ("claim-in", "check-the-claim", "pay-the-claim")] == [
        "accountant"
    ] * 3
    assert result.problems == []


def test_1_the_corpus_s_nested_lanes_with_empty_child_lane_sets_give_three_roles():
    result = import_bpmn(str(CORPUS / "camunda-expense-claims.bpmn"))
    assert list(result.processes[0].data["roles"]) == ["employee", "accountant", "controller"]


# 2. An empty process is skipped, the rest imported ----------------------------------------


def test_2_an_empty_process_beside_a_real_one_is_skipped_with_a_warning(capsys, tmp_path: Path):
    xml = HEAD + '<bpmn:process id="Main" name="Main Process"/>' + _process(LINE) + TAIL
    source = tmp_path / "bizagi.bpmn"
    source.write_text(xml, encoding="utf-8")
    status, out, _ = procmap(capsys, "import", str(source), "-o", str(tmp_path / "out"))
    assert status == 0, out
    assert " I029 warning: process 'Main' ('Main Process') has no flow elements" in out
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["claims.yaml"]


# 3. A call activity of a process in the same file ------------------------------------------


def test_3_a_call_activity_is_linked_to_the_process_of_the_file_it_names(tmp_path: Path):
    caller = (
        '<bpmn:startEvent id="s"/><bpmn:callActivity id="c" name="Ship it"'
        ' calledElement="Process_0x7ship"/><bpmn:endEvent id="e"/>' + _flows("s>c", "c>e")
    )
    called = '<bpmn:startEvent id="s2"/><bpmn:task id="t2" name="Pack"/><bpmn:endEvent id="e2"/>'
    xml = (
        HEAD
        + _process(caller, "P1", "Order")
        + _process(called + _flows("s2>t2", "t2>e2"), "Process_0x7ship", "Ship the goods")
        + TAIL
    )
    result, out = _import(tmp_path, xml)
    assert result.problems == []
    assert _steps(result)["ship-it"]["process"] == "ship-the-goods"
    assert (out / "ship-the-goods.yaml").is_file()


# 4. Silent losses -------------------------------------------------------------------------


def test_4_loop_and_multi_instance_markers_are_kept_and_reported(tmp_path: Path):
    body = LINE.replace(
        '<bpmn:task id="a" name="Check the claim"/>',
        '<bpmn:task id="a" name="Check the claim"><bpmn:multiInstanceLoopCharacteristics'
        ' isSequential="true"/></bpmn:task>',
    ).replace(
        '<bpmn:task id="b" name="Pay the claim"/>',
        '<bpmn:task id="b" name="Pay the claim"><bpmn:standardLoopCharacteristics>'
        "<bpmn:loopCondition>not paid</bpmn:loopCondition></bpmn:standardLoopCharacteristics>"
        "</bpmn:task>",
    )
    result, _ = _import(tmp_path, HEAD + _process(body) + TAIL)
    steps = _steps(result)
    assert "done once per item, one after another" in steps["check-the-claim"]["description"]
    assert "repeated in a loop (loopCondition not paid)" in steps["pay-the-claim"]["description"]
    assert _codes(result) == ["I030", "I030"]


def test_4_a_non_interrupting_timer_keeps_its_value_and_says_the_task_goes_on(tmp_path: Path):
    boundary = (
        '<bpmn:boundaryEvent id="x" name="Reminder" cancelActivity="false" attachedToRef="a">'
        "<bpmn:timerEventDefinition><bpmn:timeDuration>PT4H</bpmn:timeDuration>"
        '</bpmn:timerEventDefinition></bpmn:boundaryEvent><bpmn:task id="r" name="Remind"/>'
        '<bpmn:endEvent id="re"/>' + _flows("x>r", "r>re").replace('id="f', 'id="g')
    )
    result, _ = _import(tmp_path, HEAD + _process(LINE + boundary) + TAIL)
    (entry,) = result.processes[0].data["exceptions"]
    assert entry["when"] == "Reminder (timer after PT4H; the task goes on)"
    assert "non-interrupting" in result.problems[0].message


def test_4_message_names_conditions_and_the_default_of_named_flows_are_kept(tmp_path: Path):
    body = (
        '<bpmn:startEvent id="s" name="Claim in"><bpmn:messageEventDefinition messageRef="m"/>'
        '</bpmn:startEvent><bpmn:exclusiveGateway id="g" name="Big?" default="f2"/>'
        '<bpmn:task id="a" name="Escalate"/><bpmn:task id="b" name="Pay"/><bpmn:endEvent id="e"/>'
        '<bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="g"/>'
        '<bpmn:sequenceFlow id="f1" name="yes" sourceRef="g" targetRef="a">'
        "<bpmn:conditionExpression>${amount &gt; 500}</bpmn:conditionExpression>"
        '</bpmn:sequenceFlow><bpmn:sequenceFlow id="f2" name="no" sourceRef="g" targetRef="b"/>'
        + _flows("a>e", "b>e").replace('id="f', 'id="h')
    )
    xml = HEAD + '<bpmn:message id="m" name="Claim form received"/>' + _process(body) + TAIL
    result, _ = _import(tmp_path, xml)
    steps = _steps(result)
    assert steps["claim-in"]["description"] == "Starts on a message 'Claim form received' event."
    assert steps["big"]["description"] == (
        "In the BPMN file the branches are taken: 'yes' when ${amount > 500};"
        " 'no' by default (when no other is taken)."
    )
    assert steps["big"]["branches"] == {"yes": "escalate", "no": "pay"}


def test_4_performers_are_owners(tmp_path: Path):
    body = LINE.replace(
        '<bpmn:task id="a" name="Check the claim"/>',
        '<bpmn:userTask id="a" name="Check the claim"><bpmn:potentialOwner>'
        "<bpmn:resourceRef>clerk</bpmn:resourceRef></bpmn:potentialOwner></bpmn:userTask>",
    ).replace(
        '<bpmn:task id="b" name="Pay the claim"/>',
        '<bpmn:task id="b" name="Pay the claim"><bpmn:humanPerformer>'
        "<bpmn:resourceAssignmentExpression><bpmn:formalExpression>Cashier"
        "</bpmn:formalExpression></bpmn:resourceAssignmentExpression></bpmn:humanPerformer>"
        "</bpmn:task>",
    )
    xml = HEAD + '<bpmn:resource id="clerk" name="Claims clerk"/>' + _process(body) + TAIL
    result, _ = _import(tmp_path, xml)
    steps = _steps(result)
    assert steps["check-the-claim"]["owner"] == "claims-clerk"
    assert steps["pay-the-claim"]["owner"] == "cashier"
    assert result.processes[0].data["roles"] == {
        "claims-clerk": "Claims clerk",
        "cashier": "Cashier",
    }


def test_4_a_boundary_event_written_inside_its_subprocess_is_kept(tmp_path: Path):
    result = import_bpmn(str(CORPUS / "trisotech-semantic-onboarding.bpmn"))
    assert "I003" not in _codes(result) and "I014" in _codes(result)
    (entry,) = result.processes[0].data["exceptions"]
    assert entry == {
        "when": "New hire off sick (error 'Off sick')",
        "then": "Go on with: Reschedule the welcome day, Welcome day moved",
        "step": "welcome-day",
    }


# 5. Every import's YAML validates -----------------------------------------------------------


def test_5_windows_quotes_in_a_latin1_file_and_character_references_validate(tmp_path: Path):
    body = LINE.replace('name="Check the claim"', 'name="Check the \x93urgent\x94 claim"')
    body = body.replace('name="Pay the claim"', 'name="Pay the claim&#x7F;"')
    body = body.replace(
        '<bpmn:endEvent id="e" name="Paid"/>',
        '<bpmn:endEvent id="e" name="Paid"><bpmn:documentation>One&#xD;Two</bpmn:documentation>'
        "</bpmn:endEvent>",
    )
    xml = (HEAD + _process(body) + TAIL).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    result, out = _import(tmp_path, xml, encoding="latin-1")
    names = [s["name"] for s in result.processes[0].data["steps"]]
    assert "Check the \u201curgent\u201d claim" in names and "Pay the claim" in names
    assert _steps(result)["paid"]["description"] == "One\nTwo"
    assert _codes(result) == ["I031", "I031"]
    assert "\r" not in (out / "claims.yaml").read_text(encoding="utf-8")


def test_5_every_corpus_file_imports_and_validates(tmp_path: Path):
    for path in sorted(CORPUS.glob("*.bpmn")):
        result = import_bpmn(str(path))
        assert not result.errors, path.name
        write_imported(result, str(tmp_path / path.stem))
        report = validate_paths([str(tmp_path / path.stem)], Config(), keep=True)
        assert report.errors == 0, text(report.problems, False)


# 6. Plain flows out of a task all run (issue 18) ---------------------------------------------


def test_6_a_task_with_several_plain_flows_is_a_parallel_split():
    result = import_bpmn(str(CORPUS / "visual-paradigm-utf16-support.bpmn"))
    split = _steps(result)["after-open-the-ticket-in-parallel"]
    assert split["kind"] == "parallel"
    assert split["next"] == ["notify-the-customer", "assign-an-agent"]


# 7. Link events and event subprocesses -----------------------------------------------------


def test_7_link_events_are_paired_by_name():
    result = import_bpmn(str(CORPUS / "signavio-latin1-invoice.bpmn"))
    steps = _steps(result)
    assert steps["rechnung-klaren"]["next"] == steps["rechnung-freigeben"]["next"]
    assert steps["rechnung-klaren"]["next"] == "zahlung-anweisen"
    assert "I022" not in _codes(result) and "I013" not in _codes(result)


def test_7_an_event_subprocess_is_an_exception_not_an_orphan_process():
    result = import_bpmn(str(CORPUS / "camunda-expense-claims.bpmn"))
    assert [m.id for m in result.processes] == ["expense-claims"]
    assert "I022" not in _codes(result) and "I034" in _codes(result)
    assert result.processes[0].data["exceptions"][-1] == {
        "when": "Claim withdrawn (message 'Claim withdrawn')",
        "then": "Go on with: Cancel the booking",
    }


# 9. Cosmetics --------------------------------------------------------------------------------


def test_9_an_unnamed_lane_is_named_after_the_process_and_its_position(tmp_path: Path):
    lanes = (
        '<bpmn:laneSet id="ls"><bpmn:lane id="Lane_0x9"><bpmn:flowNodeRef>a</bpmn:flowNodeRef>'
        '</bpmn:lane><bpmn:lane id="Lane_1" name="Cashier"><bpmn:flowNodeRef>b</bpmn:flowNodeRef>'
        "</bpmn:lane></bpmn:laneSet>"
    )
    result, _ = _import(tmp_path, HEAD + _process(lanes + LINE) + TAIL)
    assert result.processes[0].data["roles"] == {
        "claims-lane-1": "Claims, lane 1",
        "cashier": "Cashier",
    }
    assert _codes(result) == ["I033"]


def test_9_ids_transliterate_accented_names(tmp_path: Path):
    body = LINE.replace("Check the claim", "Rechnung klären").replace("Pay the claim", "Straße")
    result, _ = _import(tmp_path, HEAD + _process(body, name="Réclamation") + TAIL)
    assert result.processes[0].id == "reclamation"
    assert {"rechnung-klaren", "strasse"} <= set(_steps(result))


def test_9_messages_say_an_error_and_name_an_element_without_id():
    cardanit = import_bpmn(str(CORPUS / "cardanit-no-di-billing.bpmn"))
    assert any("(error 'Card declined')" in p.message for p in cardanit.problems)
    yaoqiang = import_bpmn(str(CORPUS / "yaoqiang-bpmn2-complaint.bpmn"))
    messages = " ".join(p.message for p in yaoqiang.problems)
    assert "ioSpecification (no id) of userTask" in messages and "None" not in messages


def test_9_the_diff_prints_a_name_with_a_line_break_on_one_line(capsys, tmp_path: Path):
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    process = (
        "procmap: 1\nid: p\nname: P\nsteps:\n"
        "  - {id: s, kind: start, name: Start, next: t}\n"
        '  - {id: t, name: "Two\\nlines", duration: %s, next: e}\n'
        "  - {id: e, kind: end, name: End}\n"
    )
    old.write_text(process % "1h", encoding="utf-8")
    new.write_text(process % "2h", encoding="utf-8")
    status, out, _ = procmap(capsys, "diff", str(old), str(new))
    assert status == 1, out
    assert [line for line in out.splitlines() if "Two" in line] == [
        "  ~ duration of Two lines: 1h -> 2h"
    ]


# 10. Unlabelled branches are named after their targets --------------------------------------


def test_10_unlabelled_branches_are_named_after_their_targets_in_any_xml_order(tmp_path: Path):
    def gateway(order: tuple[str, str, str]) -> str:
        body = (
            '<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g" name="Kind?"/>'
            '<bpmn:task id="a" name="Fix the bug"/><bpmn:task id="b" name="Explain"/>'
            '<bpmn:task id="c" name="Escalate"/><bpmn:endEvent id="e"/>'
        )
        return HEAD + _process(body + _flows("s>g", *order, "a>e", "b>e", "c>e")) + TAIL

    one, _ = _import(tmp_path, gateway(("g>a", "g>b", "g>c")), name="one.bpmn")
    two, _ = _import(tmp_path, gateway(("g>c", "g>a", "g>b")), name="two.bpmn")
    expected = {"to Fix the bug": "fix-the-bug", "to Explain": "explain", "to Escalate": "escalate"}
    assert _steps(one)["kind"]["branches"] == _steps(two)["kind"]["branches"] == expected
    assert _codes(one) == ["I018"] * 3


def test_3_a_call_of_a_process_of_the_file_not_imported_names_its_would_be_id():
    """With `--process`, the called process of the same file is not imported: the call is
    a subprocess step when the process is in the output folder under the id its import
    gives it, else a task that says why (I024)."""
    path = str(CORPUS / "trisotech-semantic-onboarding.bpmn")
    alone = import_bpmn(path, only="Employee onboarding")
    (missing,) = [p for p in alone.problems if p.code == "I024"]
    assert "'laptop-provisioning', which is neither imported (`--process`)" in missing.message
    there = import_bpmn(
        path, only="Employee onboarding", exists=lambda pid: pid == "laptop-provisioning"
    )
    assert "I024" not in _codes(there)
    assert _steps(there)["provision-the-laptop"]["process"] == "laptop-provisioning"


def test_4_conditions_of_named_flows_out_of_a_task_are_kept(tmp_path: Path):
    body = (
        '<bpmn:startEvent id="s"/><bpmn:task id="a" name="Score the lead"/>'
        '<bpmn:task id="b" name="Call"/><bpmn:task id="c" name="Nurture"/>'
        '<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>'
        '<bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="a"/>'
        '<bpmn:sequenceFlow id="f1" name="hot" sourceRef="a" targetRef="b">'
        "<bpmn:conditionExpression>${score &gt;= 50}</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="f2" name="cold" sourceRef="a" targetRef="c">'
        "<bpmn:conditionExpression>${score &lt; 50}</bpmn:conditionExpression></bpmn:sequenceFlow>"
        + _flows("b>e1", "c>e2").replace('id="f', 'id="h')
    )
    result, _ = _import(tmp_path, HEAD + _process(body) + TAIL)
    added = _steps(result)["score-the-lead-which-way"]
    assert added["branches"] == {"hot": "call", "cold": "nurture"}
    assert added["description"] == (
        "In the BPMN file the branches are taken: 'hot' when ${score >= 50};"
        " 'cold' when ${score < 50}."
    )

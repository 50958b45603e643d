"""Every BPMN import code (family I of the rule registry) is produced by some input, with
the registry's severity.

The golden files of tests/bpmn/import/ and tests/bpmn/corpus/ and tests/test_bpmn_import.py
produce most codes;
the small processes here produce the rest (I003, I020, I022, I023, I025).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from procmap.bpmn import import_bpmn
from procmap.format import RULES

REPO = Path(__file__).resolve().parent.parent
HEAD = (
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:procmap="urn:procmap:bpmn:1" id="d" targetNamespace="urn:test">'
    '<process id="p" name="Codes">'
)
TAIL = "</process></definitions>"
STEP_TOOLS = (
    "<extensionElements><procmap:step><procmap:tools type='list'>"
    "<procmap:item>crm</procmap:item></procmap:tools></procmap:step></extensionElements>"
)

#: code -> the inside of a process that makes the import report it
CASES = {
    "I003": '<startEvent id="s"/><endEvent id="e"/>'
    '<sequenceFlow id="f" sourceRef="s" targetRef="nowhere"/>',
    "I020": '<startEvent id="s"/><choreographyTask id="c"/><endEvent id="e"/>'
    '<sequenceFlow id="f" sourceRef="s" targetRef="e"/>',
    "I022": '<startEvent id="s"/><task id="t" name="Forgotten"/><endEvent id="e"/>'
    '<sequenceFlow id="f1" sourceRef="s" targetRef="e"/>'
    '<sequenceFlow id="f2" sourceRef="t" targetRef="e"/>',
    "I023": '<task id="t" name="Work"/><endEvent id="e"/>'
    '<sequenceFlow id="f" sourceRef="t" targetRef="e"/>',
    "I025": f'<startEvent id="s"/><task id="t" name="Work">{STEP_TOOLS}</task><endEvent id="e"/>'
    '<sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
    '<sequenceFlow id="f2" sourceRef="t" targetRef="e"/>',
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_the_case_reports_its_code_with_the_registry_s_severity(code: str, tmp_path: Path):
    source = tmp_path / f"{code}.bpmn"
    source.write_text(HEAD + CASES[code] + TAIL, encoding="utf-8")
    found = [p for p in import_bpmn(str(source)).problems if p.code == code]
    assert found, code
    assert {p.severity for p in found} == {RULES[code].severity}


def test_every_import_code_is_produced_by_a_case():
    goldens = "".join(
        path.read_text(encoding="utf-8")
        for folder in ("bpmn_import", "bpmn_corpus")
        for path in sorted((REPO / "tests" / "golden" / folder).glob("*.expected"))
    )
    goldens += (REPO / "tests" / "test_bpmn_import.py").read_text(encoding="utf-8")
    covered = set(re.findall(r"\bI0\d\d\b", goldens)) | set(CASES)
    assert sorted(c for c in RULES if c.startswith("I") and c not in covered) == []

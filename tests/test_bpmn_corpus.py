"""Issue 19: BPMN files in the styles of seven modelers import with nothing refused that
can be read and nothing lost without a line.

tests/bpmn/corpus/ holds hand-written files in the styles of Camunda Modeler/bpmn.io,
Signavio, Bizagi, Trisotech, Visual Paradigm, Cardanit and Yaoqiang (their namespace
prefixes, encodings, lanes, pools, with and without DI and incoming/outgoing); each one's
golden, tests/golden/bpmn_corpus/<name>.expected, is what the import reports and writes
(refresh with `make golden` and read the diff). Every import passes `procmap validate`
with no error; every export of what is imported passes the OMG schema and SpiffWorkflow's
parser (bpmnlint's, in `make test-interop`). docs/bpmn.md's table says what becomes of each
BPMN element and attribute: a fixture holding one the table does not name fails here.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest

from procmap.bpmn import import_bpmn, to_bpmn, write_imported
from procmap.config import Config
from procmap.format import RULES, load_file, validate_document
from procmap.lint import text, validate_paths

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "bpmn" / "corpus"
FIXTURES = sorted(CORPUS.glob("*.bpmn"))
ALL_BPMN = FIXTURES + sorted((REPO / "tests" / "bpmn" / "import").glob("*.bpmn"))
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DOCS = REPO / "docs" / "bpmn.md"


def _imported(path: Path, out: Path) -> str:
    result = import_bpmn(str(path), display=path.relative_to(REPO).as_posix())
    lines = [text(result.problems, False).rstrip("\n")]
    written = write_imported(result, str(out)) if not result.errors else []
    for file in written:
        lines.append(f"--- {Path(file).name}")
        lines.append(Path(file).read_text(encoding="utf-8").rstrip("\n"))
    return "\n".join(lines).strip("\n") + "\n"


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_each_modeler_file_gives_its_yaml_and_its_losses(path: Path, tmp_path: Path, golden):
    golden(f"bpmn_corpus/{path.stem}.expected", _imported(path, tmp_path))
    report = validate_paths([str(tmp_path)], Config(), keep=True)
    assert report.errors == 0, text(report.problems, False)
    assert len(report.processes) == len(list(tmp_path.glob("*.yaml"))) > 0


def _declared(path: Path) -> tuple[str, str]:
    """The file's encoding (as declared) and the prefix of its BPMN elements."""
    raw = path.read_bytes()
    head = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("latin-1")
    encoding = re.search(r'encoding="([^"]+)"', head)
    root = re.search(r"<(\w+:)?definitions\b", head)
    assert encoding is not None and root is not None
    return encoding.group(1).upper(), root.group(1) or ""


def test_the_corpus_covers_the_styles_the_issue_names():
    """Prefixes `bpmn:`, `bpmn2:`, `semantic:` and the default namespace; ISO-8859-1,
    windows-1252 and UTF-16; with and without DI and incoming/outgoing; several pools,
    nested lanes, empty child lane sets, an empty process; seven modelers."""
    styles = {_declared(p) for p in FIXTURES}
    assert {prefix for _, prefix in styles} >= {"bpmn:", "bpmn2:", "semantic:", ""}
    assert {encoding for encoding, _ in styles} >= {"ISO-8859-1", "WINDOWS-1252", "UTF-16"}
    texts = {p.stem: p.read_bytes().decode(_declared(p)[0].lower()) for p in FIXTURES}
    assert {"BPMNDiagram" in t for t in texts.values()} == {True, False}
    assert {"outgoing>" in t for t in texts.values()} == {True, False}
    joined = "".join(texts.values())
    for shape in ("<semantic:participant", "childLaneSet", "triggeredByEvent", "cancelActivity"):
        assert shape in joined, shape
    assert re.search(r'<process id="[^"]+" name="Main Process" />', joined)
    modelers = {"camunda", "signavio", "bizagi", "trisotech", "visual-paradigm", "cardanit"}
    assert {m for m in modelers if any(s.startswith(m) for s in texts)} == modelers


# The table of docs/bpmn.md ---------------------------------------------------------------

_ROW = re.compile(r"^\| `(\*|\w+)(?:@(\w+))?` \| (mapped|reported (I0\d\d)|not needed) \| .+ \|$")


@cache
def _table() -> dict[str, str]:
    """`element` or `element@attribute` (`*@attribute` for any element) -> status."""
    rows: dict[str, str] = {}
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        found = _ROW.match(line)
        if found:
            key = found.group(1) + (f"@{found.group(2)}" if found.group(2) else "")
            assert key not in rows, f"docs/bpmn.md names {key} twice"
            rows[key] = found.group(3)
    return rows


def _uses(path: Path) -> set[str]:
    """The BPMN elements of the file, and their unqualified attributes (the spec's)."""
    found: set[str] = set()
    for element in ET.parse(path).getroot().iter():
        if not isinstance(element.tag, str) or not element.tag.startswith(f"{{{BPMN}}}"):
            continue
        name = element.tag.split("}")[1]
        found.add(name)
        found |= {f"{name}@{key}" for key in element.attrib if not key.startswith("{")}
    return found


@pytest.mark.parametrize("path", ALL_BPMN, ids=lambda p: p.stem)
def test_every_element_and_attribute_of_a_fixture_is_mapped_or_reported(path: Path):
    table = _table()
    missing = sorted(
        use
        for use in _uses(path)
        if use not in table and not ("@" in use and f"*@{use.split('@')[1]}" in table)
    )
    assert missing == [], f"{path.name}: not in docs/bpmn.md's table: {missing}"


def test_the_table_names_real_codes_and_the_losses_of_the_issue():
    table = _table()
    assert len(table) > 100
    codes = {status.split()[1] for status in table.values() if status.startswith("reported")}
    assert codes <= set(RULES)
    for key in (
        "childLaneSet",
        "standardLoopCharacteristics",
        "multiInstanceLoopCharacteristics",
        "boundaryEvent@cancelActivity",
        "timeDuration",
        "timeDate",
        "timeCycle",
        "conditionExpression",
        "exclusiveGateway@default",
        "potentialOwner",
        "humanPerformer",
        "linkEventDefinition",
        "subProcess@triggeredByEvent",
    ):
        assert key in table, key


# Exports of what is imported ---------------------------------------------------------------


@cache
def _schema():
    import SpiffWorkflow.bpmn.parser as spiff_parser
    import xmlschema

    return xmlschema.XMLSchema(str(Path(spiff_parser.__file__).parent / "schema" / "BPMN20.xsd"))


def _exports_pass(folder: Path, tmp_path: Path) -> None:
    """Each process of `folder` exported: valid against the OMG schema, read by Spiff."""
    from SpiffWorkflow.bpmn.parser import BpmnParser

    out = tmp_path / "bpmn"
    out.mkdir(exist_ok=True)
    for source in sorted(folder.glob("*.yaml")):
        loaded = load_file(source)
        assert loaded.document is not None
        process, _ = validate_document(loaded.document)
        assert process is not None, source.name
        target = out / f"{process.id}.bpmn"
        target.write_bytes(to_bpmn(process))
        assert [e.reason for e in _schema().iter_errors(str(target))] == [], source.name
    parser = BpmnParser()
    parser.add_bpmn_files([str(p) for p in sorted(out.glob("*.bpmn"))])
    for pid in parser.get_process_ids():
        assert parser.get_spec(pid) is not None


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_the_export_of_each_import_passes_the_schema_and_spiff(path: Path, tmp_path: Path):
    write_imported(import_bpmn(str(path)), str(tmp_path / "yaml"))
    _exports_pass(tmp_path / "yaml", tmp_path)


def test_a_process_with_several_starts_exports_a_trigger_on_each(tmp_path: Path):
    """Issue 19, item 8: bpmnlint's `single-blank-start-event` allows one blank start;
    each start of several gets a message trigger named like the step, the export passes
    the schema and Spiff, and the import of it reports nothing and changes nothing."""
    from procmap.git import diff_files

    source = REPO / "tests" / "bpmn" / "export" / "two-starts.yaml"
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / source.name).write_bytes(source.read_bytes())
    _exports_pass(folder, tmp_path)
    exported = (tmp_path / "bpmn" / "order-intake.bpmn").read_text(encoding="utf-8")
    starts = re.findall(r"<bpmn:startEvent .*?</bpmn:startEvent>", exported, re.S)
    assert len(starts) == 3
    assert all("<bpmn:messageEventDefinition " in s for s in starts)
    assert '<bpmn:message id="Message_Step_web" name="Web shop order arrives" />' in exported
    result = import_bpmn(str(tmp_path / "bpmn" / "order-intake.bpmn"))
    assert result.problems == []
    write_imported(result, str(tmp_path / "back"))
    assert diff_files(str(source), str(tmp_path / "back" / "order-intake.yaml")).changes == []


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_a_corpus_file_with_any_element_missing_imports_or_says_why(path: Path, tmp_path: Path):
    """Never an exception; whatever is imported passes `procmap validate` without errors."""
    count = len(list(ET.parse(path).getroot().iter()))
    for index in range(1, count):
        tree = ET.parse(path)
        nodes = list(tree.getroot().iter())
        parents = {child: parent for parent in nodes for child in parent}
        parents[nodes[index]].remove(nodes[index])
        source = tmp_path / f"{index}.bpmn"
        source.write_bytes(ET.tostring(tree.getroot()))
        result = import_bpmn(str(source))
        if result.errors:
            continue
        write_imported(result, str(tmp_path / f"out-{index}"))
        report = validate_paths([str(tmp_path / f"out-{index}")], Config(), keep=True)
        assert report.errors == 0, (index, text(report.problems, False))

"""`procmap import FILE.bpmn`: files from the common modelers become valid processes, every
loss is reported with its line, hostile XML is refused at once, and every bundled process
and starter comes back from its export with no change of meaning (`procmap diff`).

tests/bpmn/import/ holds hand-written BPMN files in the styles of Camunda Modeler,
bpmn.io and Signavio, one per element class of issue 9; tests/golden/bpmn_import/
`<name>.expected` is what the import of each reports and writes (golden: refresh with
`make golden`, see tests/conftest.py, and read the result before committing it). tests/bpmn/hostile/ holds the hostile XML set; the
huge and the deeply nested file are made by the tests.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from conftest import procmap
from procmap.bpmn import import_bpmn, to_bpmn, write_imported
from procmap.config import Config
from procmap.format import load_file, validate_document
from procmap.git import diff_files
from procmap.lint import text, validate_paths

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "bpmn" / "import"
HOSTILE = REPO / "tests" / "bpmn" / "hostile"
PROCESSES = REPO / "processes"
STARTERS = REPO / "src" / "procmap" / "scaffold" / "starters"

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is missing")


def _imported(path: Path, out: Path) -> str:
    """What the import of `path` reports and writes, as one text (paths relative)."""
    result = import_bpmn(str(path), display=path.relative_to(REPO).as_posix())
    lines = [text(result.problems, False).rstrip("\n")]
    written = write_imported(result, str(out)) if not result.errors else []
    for file in written:
        lines.append(f"--- {Path(file).name}")
        lines.append(Path(file).read_text(encoding="utf-8").rstrip("\n"))
    return "\n".join(lines).strip("\n") + "\n"


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.bpmn")), ids=lambda p: p.stem)
def test_modeler_files_import_as_expected(path: Path, tmp_path: Path, golden):
    golden(f"bpmn_import/{path.stem}.expected", _imported(path, tmp_path))
    report = validate_paths([str(tmp_path)], Config(), keep=True)
    assert report.errors == 0, text(report.problems, False)
    assert len(report.processes) == len(list(tmp_path.glob("*.yaml"))) > 0


def test_each_fixture_is_valid_bpmn_against_the_omg_schema():
    """The hand-written fixtures are real BPMN, so the import is tested on what modelers
    write (the bpmn.io-style file without DI too)."""
    import SpiffWorkflow.bpmn.parser as spiff_parser
    import xmlschema

    schema = xmlschema.XMLSchema(str(Path(spiff_parser.__file__).parent / "schema" / "BPMN20.xsd"))
    for path in sorted(FIXTURES.glob("*.bpmn")):
        errors = [e.reason for e in schema.iter_errors(str(path))]
        assert errors == [], path.name


def _codes(path: Path) -> list[str]:
    return [p.code for p in import_bpmn(str(path)).problems]


@pytest.mark.parametrize(
    ("fixture", "codes"),
    [
        ("camunda-lanes", []),
        ("bpmnio-no-di", ["I018"]),
        ("two-pools", ["I015"]),
        ("expanded-subprocess", ["I024"]),
        ("parallel", []),
        ("parallel-apart", ["I010"]),
        ("parallel-camunda", []),
        ("parallel-bpmnio", ["I019", "I026", "I019", "I028"]),
        ("parallel-signavio", ["I026", "I026", "I027"]),
        ("boundary-timer", ["I014"]),
        ("nested-lanes-and-gateways", ["I017", "I011", "I010", "I017", "I018", "I018"]),
        (
            "events-and-data",
            [
                *("I017", "I016", "I016", "I016", "I013", "I012", "I013", "I013"),
                *("I019", "I021", "I021", "I016", "I016"),
            ],
        ),
    ],
)
def test_each_loss_is_reported_with_its_code(fixture: str, codes: list[str]):
    assert _codes(FIXTURES / f"{fixture}.bpmn") == codes


def test_problems_point_at_the_bpmn_element_line():
    (problem,) = import_bpmn(str(FIXTURES / "parallel-apart.bpmn")).problems
    line = (FIXTURES / "parallel-apart.bpmn").read_text().splitlines()[problem.line - 1]
    assert 'id="Fork"' in line and "'Fork'" in problem.message


def test_lanes_become_roles_and_owners(tmp_path: Path):
    result = import_bpmn(str(FIXTURES / "camunda-lanes.bpmn"))
    (made,) = result.processes
    assert made.data["roles"] == {
        "accounts-clerk": "Accounts clerk",
        "finance-manager": "Finance manager",
    }
    owners = {s["id"]: s.get("owner") for s in made.data["steps"]}
    assert owners["check-the-invoice"] == "accounts-clerk"
    assert owners["pay-the-invoice"] == "finance-manager"


def test_a_join_gateway_is_dropped_and_its_flows_joined():
    (made,) = import_bpmn(str(FIXTURES / "camunda-lanes.bpmn")).processes
    steps = {s["id"]: s for s in made.data["steps"]}
    assert steps["invoice-correct"]["branches"] == {
        "yes": "pay-the-invoice",
        "no": "ask-the-supplier-for-a-corrected-invoice",
    }
    assert steps["ask-the-supplier-for-a-corrected-invoice"]["next"] == "pay-the-invoice"
    assert all("gateway" not in sid for sid in steps)


def test_a_condition_names_a_branch_when_the_flow_has_no_name():
    (made,) = import_bpmn(str(FIXTURES / "bpmnio-no-di.bpmn")).processes
    decision = next(s for s in made.data["steps"] if s.get("kind") == "decision")
    assert decision["branches"] == {
        "score >= 50": "hand-the-lead-to-sales",
        "otherwise": "add-the-lead-to-nurturing",
    }


def test_two_processes_give_two_files_or_the_one_asked_for(capsys, tmp_path: Path):
    status, out, _ = procmap(
        capsys, "import", str(FIXTURES / "two-pools.bpmn"), "-o", str(tmp_path)
    )
    assert status == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quote-request.yaml", "quote-review.yaml"]
    only = tmp_path / "only"
    status, out, _ = procmap(
        capsys,
        "import",
        str(FIXTURES / "two-pools.bpmn"),
        "-o",
        str(only),
        "--process",
        "sid-review",
    )
    assert status == 0
    assert [p.name for p in only.iterdir()] == ["quote-review.yaml"]
    status, out, _ = procmap(
        capsys, "import", str(FIXTURES / "two-pools.bpmn"), "-o", str(only), "--process", "nope"
    )
    assert status == 1 and "I005" in out


def test_an_expanded_subprocess_becomes_a_process_of_its_own():
    made = import_bpmn(str(FIXTURES / "expanded-subprocess.bpmn")).processes
    assert [m.id for m in made] == ["publish-a-blog-post", "edit-the-draft"]
    steps = {s["id"]: s for s in made[0].data["steps"]}
    assert steps["edit-the-draft"] == {
        "id": "edit-the-draft",
        "kind": "subprocess",
        "name": "Edit the draft",
        "next": "schedule-the-post",
        "process": "edit-the-draft",
    }
    assert steps["schedule-the-post"].get("kind") is None  # collapsed: a task
    assert [s["name"] for s in made[1].data["steps"]] == [
        "Editing starts",
        "Copy-edit",
        "Check brand compliance",
        "Edited",
    ]


def test_a_call_activity_stays_a_subprocess_when_its_process_is_there():
    made = import_bpmn(
        str(FIXTURES / "expanded-subprocess.bpmn"), exists=lambda pid: pid == "social-promotion"
    )
    assert [p.code for p in made.problems] == []
    steps = {s["id"]: s for s in made.processes[0].data["steps"]}
    assert steps["promote-the-post"]["process"] == "social-promotion"


def test_strict_refuses_on_any_loss_and_writes_nothing(capsys, tmp_path: Path):
    status, out, err = procmap(
        capsys, "import", str(FIXTURES / "parallel-apart.bpmn"), "-o", str(tmp_path), "--strict"
    )
    assert status == 1
    assert "I010" in out and "--strict" in err
    assert list(tmp_path.iterdir()) == []
    status, _, _ = procmap(
        capsys, "import", str(FIXTURES / "camunda-lanes.bpmn"), "-o", str(tmp_path), "--strict"
    )
    assert status == 0


def test_an_existing_file_is_not_overwritten_without_force(capsys, tmp_path: Path):
    target = tmp_path / "product-launch.yaml"
    target.write_text("mine\n")
    status, _, err = procmap(capsys, "import", str(FIXTURES / "parallel.bpmn"), "-o", str(tmp_path))
    assert status == 1 and "--force" in err
    assert target.read_text() == "mine\n"
    status, _, _ = procmap(
        capsys, "import", str(FIXTURES / "parallel.bpmn"), "-o", str(tmp_path), "--force"
    )
    assert status == 0 and target.read_text().startswith("# Imported by `procmap import`")


def test_problems_as_json(capsys, tmp_path: Path):
    status, out, _ = procmap(
        capsys, "import", str(FIXTURES / "parallel-apart.bpmn"), "-o", str(tmp_path), "-f", "json"
    )
    assert status == 0
    (problem,) = json.loads(out)
    assert problem["code"] == "I010" and problem["line"] == 6


def test_a_process_with_nothing_in_it_is_refused(capsys, tmp_path: Path):
    path = REPO / "tests" / "bpmn" / "refused" / "empty-process.bpmn"
    status, out, _ = procmap(capsys, "import", str(path), "-o", str(tmp_path))
    assert status == 1
    assert " I004 " in out and "nothing to import" in out
    assert list(tmp_path.iterdir()) == []


def test_nested_lanes_give_roles_and_unnamed_gateways_get_names():
    (made,) = import_bpmn(str(FIXTURES / "nested-lanes-and-gateways.bpmn")).processes
    assert made.data["roles"] == {"sales": "Sales", "operations": "Operations"}
    steps = {s["id"]: s for s in made.data["steps"]}
    # issue 19: unnamed branches are named after where they go, not yes/no in XML order
    assert steps["over-1000-eur"]["branches"] == {
        "to Apply the discount rules": "apply-the-discount-rules",
        "to Extras ordered?": "extras-ordered",
    }
    assert steps["compute-the-price"]["automated"] is True  # scriptTask
    assert steps["apply-the-discount-rules"]["automated"] is True  # businessRuleTask
    parallel = next(s for s in made.data["steps"] if s["name"].startswith("In parallel: "))
    assert parallel["name"] == "In parallel: Ship the order, Send the invoice"


def test_a_missing_file_is_a_usage_error(capsys, tmp_path: Path):
    status, _, err = procmap(capsys, "import", str(tmp_path / "nope.bpmn"))
    assert status == 2 and "no such file" in err


# Hostile XML -----------------------------------------------------------------------------


def _hostile_files(tmp_path: Path) -> list[Path]:
    deep = tmp_path / "deep.bpmn"
    deep.write_text("<a>" * 100_000 + "</a>" * 100_000)
    huge = tmp_path / "huge.bpmn"
    with huge.open("w") as handle:
        handle.write('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">')
        handle.write(" " * 21_000_000)
        handle.write("</bpmn:definitions>")
    return [*sorted(HOSTILE.glob("*.bpmn")), deep, huge]


def test_hostile_xml_is_refused_with_one_line_and_exit_1(capsys, tmp_path: Path):
    for path in _hostile_files(tmp_path):
        started = time.monotonic()
        status, out, err = procmap(capsys, "import", str(path), "-o", str(tmp_path / "out"))
        took = time.monotonic() - started
        assert status == 1, path.name
        assert len(out.splitlines()) == 1 and err == "", (path.name, out, err)
        assert out.startswith(f"{path}:") and (" I001 " in out or " I002 " in out), out
        assert took < 5, f"{path.name} took {took:.1f} s"
        assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("billion-laughs", "DTD"),
        ("external-entity", "DTD"),
        ("external-dtd", "DTD"),
        ("parameter-entity", "DTD"),
        ("broken", "not well-formed"),
        ("not-xml", "not well-formed"),
        ("not-bpmn", "not BPMN 2.0"),
    ],
)
def test_each_hostile_file_says_why(name: str, words: str):
    (problem,) = import_bpmn(str(HOSTILE / f"{name}.bpmn")).problems
    assert words in problem.message


def test_nothing_is_fetched_for_an_external_dtd(monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("the import opened a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    (problem,) = import_bpmn(str(HOSTILE / "external-dtd.bpmn")).problems
    assert problem.code == "I001"


# Round trip ------------------------------------------------------------------------------


def _round_trip(sources: list[Path], tmp_path: Path) -> None:
    exported = tmp_path / "bpmn"
    imported = tmp_path / "imported"
    exported.mkdir()
    for source in sources:
        loaded = load_file(source)
        assert loaded.document is not None
        process, _ = validate_document(loaded.document)
        assert process is not None
        (exported / f"{process.id}.bpmn").write_bytes(to_bpmn(process))
    for file in sorted(exported.iterdir()):
        result = import_bpmn(str(file))
        assert result.problems == []
        write_imported(result, str(imported))
    report = validate_paths([str(imported)], Config(), keep=True)
    assert report.errors == 0, text(report.problems, False)
    for source in sources:
        loaded = load_file(source)
        assert loaded.document is not None
        process, _ = validate_document(loaded.document)
        assert process is not None
        back = imported / f"{process.id}.yaml"
        diff = diff_files(str(source), str(back))
        assert diff.changes == [], f"{source.name}: {diff.changes}"


@needs_dot
def test_every_bundled_process_comes_back_with_no_change_of_meaning(tmp_path: Path):
    _round_trip(sorted(PROCESSES.glob("*.yaml")), tmp_path)


@needs_dot
def test_every_starter_comes_back_with_no_change_of_meaning(tmp_path: Path):
    _round_trip(sorted(STARTERS.glob("*.yaml")), tmp_path)


@needs_dot
def test_procmap_diff_says_no_change_after_the_round_trip(run_procmap, tmp_path: Path):
    """The same, through the command line a user would type."""
    source = PROCESSES / "webinar-funnel.yaml"
    done = run_procmap("render", str(source), "-f", "bpmn", "-o", str(tmp_path), "--no-index")
    assert done.returncode == 0, done.stderr
    done = run_procmap("import", str(tmp_path / "webinar-funnel.bpmn"), "-o", str(tmp_path / "in"))
    assert done.returncode == 0, done.stderr
    # As in a repository: the process it feeds (`feeds:`) sits beside it.
    shutil.copy(PROCESSES / "client-onboarding.yaml", tmp_path / "in")
    done = run_procmap("diff", str(source), str(tmp_path / "in" / "webinar-funnel.yaml"))
    assert done.returncode == 0, done.stdout + done.stderr


def test_validate_and_render_svg_import_no_bpmn_module(tmp_path: Path):
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from procmap import cli\n"
        f"sys.argv = ['procmap', 'render', {str(PROCESSES)!r}, '-f', 'dot', '-o', {str(tmp_path)!r}, '-q']\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "sys.argv = ['procmap', 'validate', " + repr(str(PROCESSES)) + ", '-q']\n"
        "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
        "bad = [m for m in sys.modules if m.startswith('procmap.bpmn') or m == 'defusedxml']\n"
        "print(bad)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr


def test_the_readme_lists_every_import_code():
    from procmap.bpmn import IMPORT_CODES

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for code, (name, severity, meaning) in IMPORT_CODES.items():
        assert f"| `{code}` | {name} | {severity} | {meaning} |" in readme, code


def _mutants(path: Path):
    """The file with one element removed, for each element but the root."""
    import xml.etree.ElementTree as ET

    count = len(list(ET.parse(path).getroot().iter()))
    for index in range(1, count):
        tree = ET.parse(path)
        nodes = list(tree.getroot().iter())
        parents = {child: parent for parent in nodes for child in parent}
        parents[nodes[index]].remove(nodes[index])
        yield index, ET.tostring(tree.getroot())


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.bpmn")), ids=lambda p: p.stem)
def test_a_file_with_any_element_missing_imports_or_says_why(path: Path, tmp_path: Path):
    """Never an exception; whatever is imported passes `procmap validate` without errors."""
    for index, data in _mutants(path):
        source = tmp_path / f"{index}.bpmn"
        source.write_bytes(data)
        result = import_bpmn(str(source))
        if result.errors:  # said why, as problems; nothing to write
            continue
        out = tmp_path / f"out-{index}"
        write_imported(result, str(out))
        report = validate_paths([str(out)], Config(), keep=True)
        assert report.errors == 0, (index, text(report.problems, False))


def test_a_parallel_branch_straight_to_the_join_is_a_strand_with_nothing_to_do(tmp_path: Path):
    """Issue 18: a parallel gateway is a parallel block (no longer its branches one after
    another); a branch straight to the join is a strand with no step, as BPMN means it."""
    source = (FIXTURES / "parallel.bpmn").read_text(encoding="utf-8")
    extra = '<bpmn:sequenceFlow id="f4b" sourceRef="Fork" targetRef="Join" />'
    path = tmp_path / "parallel-empty-branch.bpmn"
    path.write_text(source.replace("</bpmn:process>", extra + "</bpmn:process>"))
    result = import_bpmn(str(path))
    assert result.problems == []
    (made,) = result.processes
    flow = {s["id"]: s.get("next") for s in made.data["steps"]}
    join = "prepare-launch-all-done"
    assert flow["prepare-launch"] == ["write-the-announcement", "update-the-pricing-page", join]
    assert flow["write-the-announcement"] == flow["update-the-pricing-page"] == join
    assert flow[join] == "publish-everything"
    write_imported(result, str(tmp_path / "out"))
    report = validate_paths([str(tmp_path / "out")], Config(), keep=True)
    assert report.errors == 0, text(report.problems, False)


def test_the_readme_import_examples_show_what_procmap_prints(run_procmap, tmp_path: Path):
    """Every `procmap import tests/bpmn/import/<file>.bpmn -o drafts/` the README shows
    (the parallel gateway's at least), with what procmap prints for it."""
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    names = re.findall(
        r"^\$ procmap import tests/bpmn/import/([\w-]+)\.bpmn -o drafts/$", readme, re.M
    )
    assert "parallel" in names
    for name in names:
        command = f"procmap import tests/bpmn/import/{name}.bpmn -o drafts/"
        start = readme.index(f"$ {command}\n") + len(f"$ {command}\n")
        shown = readme[start:].split("```")[0].split("\n$ ")[0].rstrip("\n").splitlines()
        copy = tmp_path / "tests" / "bpmn" / "import" / f"{name}.bpmn"
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes((FIXTURES / f"{name}.bpmn").read_bytes())
        done = run_procmap(*command.split()[1:], cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines() == shown, name
    assert (tmp_path / "drafts" / "product-launch.yaml").is_file()

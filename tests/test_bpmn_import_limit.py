"""`procmap import` refuses, before writing, a process whose YAML `validate` would refuse.

A 19 MB BPMN of 120,000 tasks used to give a 24.6 MB process file that `procmap validate`
then refused as too large (Y011). The import checks the YAML it made against the same
limit (the loader's `MAX_BYTES`) and writes nothing. The BPMN is generated here; the limit
is lowered for the refusal, so the test stays fast, and kept for the file that fits.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import procmap.bpmn.importer as importer
from conftest import procmap
from procmap.format import MAX_BYTES, load_file
from procmap.format.loader import MAX_BYTES as LOADER_LIMIT


def chain(tasks: int, pid: str = "big") -> str:
    """A BPMN process: a start, `tasks` tasks one after another, an end."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"'
        ' targetNamespace="urn:test">',
        f'<process id="{pid}" name="Process {pid}">',
        '<startEvent id="s" name="Start"/>',
    ]
    previous = "s"
    for i in range(tasks):
        parts.append(f'<task id="t{i}" name="Task number {i} of the long process"/>')
        parts.append(f'<sequenceFlow id="f{i}" sourceRef="{previous}" targetRef="t{i}"/>')
        previous = f"t{i}"
    parts.append('<endEvent id="e" name="End"/>')
    parts.append(f'<sequenceFlow id="fe" sourceRef="{previous}" targetRef="e"/>')
    parts.append("</process></definitions>")
    return "\n".join(parts) + "\n"


def test_the_limit_is_the_loaders():
    assert importer.MAX_YAML_BYTES == MAX_BYTES == LOADER_LIMIT


def test_a_process_too_large_for_a_process_file_is_refused_and_nothing_written(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(importer, "MAX_YAML_BYTES", 20_000)
    source = tmp_path / "big.bpmn"
    source.write_text(chain(400))
    out = tmp_path / "out"
    status, _, err = procmap(capsys, "import", str(source), "-o", str(out))
    assert status == 1
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"procmap: {out / 'process-big.yaml'}: the process imported from")
    assert "over the 20,000-byte limit of a process file (Y011); nothing written" in lines[0]
    assert not out.exists()


def test_one_process_too_large_stops_the_others_too(capsys, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(importer, "MAX_YAML_BYTES", 20_000)
    small, big = chain(3, "small"), chain(400, "big")
    inner = small.split("\n", 2)[2].rsplit("</definitions>", 1)[0]  # the small <process>
    source = tmp_path / "two.bpmn"
    source.write_text(
        big.replace("</process></definitions>", "</process>" + inner + "</definitions>")
    )
    out = tmp_path / "out"
    out.mkdir()
    status, _, err = procmap(capsys, "import", str(source), "-o", str(out))
    assert status == 1 and "(Y011)" in err
    assert list(out.iterdir()) == []


def test_a_process_under_the_limit_is_written_and_validates(capsys, tmp_path: Path):
    source = tmp_path / "chain.bpmn"
    source.write_text(chain(400))
    out = tmp_path / "out"
    status, _, err = procmap(capsys, "import", str(source), "-o", str(out))
    assert status == 0, err
    written = out / "process-big.yaml"
    assert 20_000 < written.stat().st_size < MAX_BYTES
    loaded = load_file(written)
    assert loaded.document is not None and not loaded.problems

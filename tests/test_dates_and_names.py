"""Dates out of range (S013) and names that show nothing (S014), through every command.

A date like 9999-12-30 used to pass validation and crash render, the site, review and
portfolio with an OverflowError (exit 2) when they computed the next review; a name of
spaces or a zero-width space gave the runbook empty headings. Both are errors now, every
command that reads process files exits 1 on them, and the due-date arithmetic itself
never overflows, whatever date a caller gives it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest

from conftest import CASES, procmap
from procmap.format import due_date
from procmap.format.values import DATE_YEARS, INVISIBLE, visible
from procmap.render.analysis import next_review

LATE = CASES / "invalid" / "s013-date-out-of-range" / "process.yaml"
MINIMAL = (CASES / "valid" / "minimal" / "process.yaml").read_text()


@pytest.mark.parametrize("every", ["weekly", "monthly", "quarterly", "yearly", "1d", "9999d"])
@pytest.mark.parametrize("last", [dt.date(9999, 12, 30), dt.date.max, dt.date(9999, 1, 31)])
def test_due_dates_stop_at_the_end_of_the_calendar(every, last):
    assert last <= due_date(every, last) <= dt.date.max
    assert next_review(last, every) == due_date(every, last)


def test_due_dates_in_range_are_unchanged():
    assert due_date("yearly", dt.date(2999, 12, 31)) == dt.date(3000, 12, 31)
    assert due_date("9999d", dt.date(2999, 12, 31)) == dt.date(3027, 5, 18)
    assert due_date("monthly", dt.date(9999, 11, 30)) == dt.date(9999, 12, 30)


def test_the_date_range_leaves_room_for_the_longest_cadence():
    # The longest cadence is 9999 days: from the last year in range it stays a date.
    assert dt.date(DATE_YEARS[1], 12, 31) + dt.timedelta(days=9999) < dt.date.max


@pytest.mark.parametrize(
    "command",
    [
        ["validate", "p"],
        ["render", "p", "-o", "out"],
        ["render", "p", "-o", "site", "-f", "html"],
        ["portfolio", "p"],
        ["review", "p"],
    ],
)
def test_a_date_out_of_range_is_exit_1_for_every_command(tmp_path, monkeypatch, capsys, command):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "process.yaml").write_text(LATE.read_text())
    monkeypatch.chdir(tmp_path)
    status, out, err = procmap(capsys, *command)
    assert status == 1, err
    assert "internal error" not in err
    if command[0] != "portfolio":
        assert "p/process.yaml:10:9: S013 last: 9999-12-30 is out of range" in out + err
    for folder in ("out", "site"):
        written = [p for p in (tmp_path / folder).rglob("*") if p.is_file()]
        assert not [p for p in written if p.suffix in (".md", ".svg", ".html")]


BLANK = ["", "   ", "\t\n", "\u200b", "\ufeff", "\u00a0\u2003", "\u202e", "\x7f"]


@pytest.mark.parametrize("name", BLANK, ids=repr)
@pytest.mark.parametrize(
    ("field", "line", "column"),
    [("process", 3, 7), ("step", 15, 11), ("role", 11, 8)],
)
def test_a_name_that_shows_nothing_is_s014(tmp_path, capsys, name, field, line, column):
    quoted = '"' + name.encode("unicode_escape").decode().replace('"', '\\"') + '"'
    text = {
        "process": MINIMAL.replace("name: Lead handoff", f"name: {quoted}"),
        "step": MINIMAL.replace("name: Lead arrives", f"name: {quoted}"),
        "role": MINIMAL.replace("ops: Operations lead", f"ops: {quoted}"),
    }[field]
    path = tmp_path / "process.yaml"
    path.write_text(text)
    status, out, _ = procmap(capsys, "validate", str(path))
    assert status == 1
    assert f"{path}:{line}:{column}: S014 " in out
    assert out.count(" S014 ") == 1


def test_a_blank_name_is_not_rendered(tmp_path, monkeypatch, capsys):
    (tmp_path / "p").mkdir()
    text = MINIMAL.replace("name: Qualify the lead", 'name: "\\u200b"')
    (tmp_path / "p" / "process.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    status, out, err = procmap(capsys, "render", "p", "-o", "out")
    assert status == 1
    assert "S014 the name of step 'qualify' is '\\u200b', which shows nothing" in out + err
    assert not (tmp_path / "out" / "lead-handoff.runbook.md").exists()


@pytest.mark.parametrize("name", ["P", " P ", "404", "\u200bP", "名前", "\u0301"], ids=repr)
def test_names_that_show_something_pass(name):
    assert visible(name)


def test_the_invisible_characters_are_controls_formats_and_spaces():
    # The table is fixed in the source (the verdict must not change with Python's
    # Unicode release); every character in it is one of those categories today.
    import re

    table = re.compile(f"[{INVISIBLE}]")
    inside = [chr(c) for c in range(0x10000) if table.match(chr(c))]
    assert {unicodedata.category(c) for c in inside} <= {"Cc", "Cf", "Zs", "Zl", "Zp"}
    assert not [c for c in inside if visible(c)]
    for c in "\x00\t\n \x85\xa0\xad\u200b\u200d\u2028\u2060\u3000\ufeff":
        assert not visible(c), repr(c)


def test_render_output_is_unchanged_for_valid_files(tmp_path: Path, monkeypatch, capsys):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "process.yaml").write_text(MINIMAL)
    monkeypatch.chdir(tmp_path)
    status, _, err = procmap(capsys, "render", "p", "-o", "out")
    assert status == 0, err
    assert "# Runbook: Lead handoff" in (tmp_path / "out" / "lead-handoff.runbook.md").read_text()


BLANK_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
<process id="p" name="&#8203;">
<laneSet><lane id="l1" name=" &#xFEFF;"><flowNodeRef>t1</flowNodeRef></lane></laneSet>
<startEvent id="s" name=""/>
<task id="t1" name="&#8203;"/>
<exclusiveGateway id="g" name="   "/>
<task id="t2" name="&#9;"/>
<endEvent id="e"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="t1"/>
<sequenceFlow id="f2" sourceRef="t1" targetRef="g"/>
<sequenceFlow id="f3" sourceRef="g" targetRef="t2" name="&#8203;"/>
<sequenceFlow id="f4" sourceRef="g" targetRef="e" name=" "/>
<sequenceFlow id="f5" sourceRef="t2" targetRef="e"/>
</process></definitions>
"""


def test_an_imported_bpmn_with_invisible_names_falls_back_to_names_that_show(tmp_path, capsys):
    # BPMN names of a zero-width space are read as no name (as spaces were), so the
    # import still makes a valid process instead of refusing it for S014.
    source = tmp_path / "blank.bpmn"
    source.write_text(BLANK_BPMN)
    status, _, err = procmap(capsys, "import", str(source), "-o", str(tmp_path / "out"))
    assert status == 0, err
    status, out, _ = procmap(capsys, "validate", str(tmp_path / "out"))
    assert status == 0 and "S014" not in out
    text = (tmp_path / "out" / "p.yaml").read_text()
    # issue 19: a lane with no name is named after the process and its position (I033),
    # no longer after its BPMN id
    assert "name: p\n" in text and '  p-lane-1: "p, lane 1"\n' in text
    assert "    name: t1\n" in text

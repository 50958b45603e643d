"""`procmap diff OLD NEW`: every kind of change, reformatting that is no change, exit statuses.

Each file in tests/diff/cases/ is tests/diff/base.yaml with one kind of edit; the test pins
the exact change lines (sign, label, old -> new) in the order the diff reports them, and
that comparing the other way round reports the same changes with old and new swapped.
"""

from __future__ import annotations

import json
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from conftest import procmap
from procmap.config.project import Config
from procmap.git.changes import KINDS, Change, compare
from procmap.git.diff import DiffError, diff_files
from procmap.git.diffreport import line, render_text

HERE = Path(__file__).resolve().parent / "diff"
BASE = HERE / "base.yaml"
CASES = HERE / "cases"

EXPECTED: dict[str, list[str]] = {
    "activity-shares-measure": [
        "+ expected share of 'yes' at Good fit? (%): 30",
        "+ expected share of 'no' at Good fit? (%): 70",
        "+ log activity added to Call the lead: Call made",
        "+ log activity added to Call the lead: Call logged",
        "+ measure of Sales-qualified lead rate: rate check -> call",
    ],
    "step-added": [
        "~ next step after Check the lead: Good fit? -> Send a reminder",
        "+ step added: Send a reminder",
        "+ arrow added from Send a reminder: Good fit?",
    ],
    "step-removed": [
        "~ branch 'no' of Good fit?: Return to nurture -> Lead handled",
        "- step removed: Return to nurture",
        "- arrow removed from Return to nurture: Lead handled",
    ],
    "step-renamed": ["~ step renamed: Call the lead -> Call the lead within a day"],
    "step-wait": ["+ wait before Call the lead: 2d"],
    "parallel-block": [
        "~ branch 'yes' of Good fit?: Call the lead -> Call and send the deck",
        "+ parallel split added: Call and send the deck",
        "+ strand added to Call and send the deck: Call the lead",
        "+ strand added to Call and send the deck: Send the deck",
        "+ step added: Send the deck",
        "+ arrow added from Send the deck: Called and sent",
        "~ next step after Call the lead: Lead handled -> Called and sent",
        "+ join added: Called and sent",
        "+ arrow added from Called and sent: Lead handled",
    ],
    "step-id": ["~ id of Call the lead: call -> call-lead"],
    "step-owner-duration": [
        "~ owner of Check the lead: Marketing lead -> Sales rep",
        "~ duration of Check the lead: 30m -> 45m",
    ],
    "step-tools": [
        "+ tool added to Check the lead: Email platform",
        "- tool removed from Call the lead: CRM",
    ],
    "step-flags": [
        "~ critical flag of Check the lead: yes -> no",
        "~ automated flag of Return to nurture: no -> yes",
        "~ automatable flag of Return to nurture: yes -> no",
    ],
    "step-checklist": [
        "+ checklist item added to Check the lead: Decision maker known",
        "- checklist item removed from Check the lead: Budget known",
    ],
    "step-kind-description": [
        "~ description of Check the lead: Look at the company and the pages visited."
        " -> Look at the company, the pages visited and the emails opened.",
        "~ kind of Call the lead: task -> subprocess",
        "+ subprocess of Call the lead: lead-handoff",
    ],
    "step-metrics": [
        "- metric removed from Check the lead: Sales-qualified lead rate",
        "+ metric added to Call the lead: Sales-qualified lead rate",
    ],
    "flow": [
        "~ label of the branch from Good fit? to Call the lead: yes -> good fit",
        "+ branch 'unsure' added to Good fit?: Return to nurture",
    ],
    "metric": [
        "+ metric added: Calls held per week",
        "~ metric renamed: Sales-qualified lead rate -> SQL rate",
        "~ unit of SQL rate: % -> percent",
        "~ baseline of SQL rate (percent): 20 -> 22",
        "~ target of SQL rate (percent): 30 -> 35.5",
        "~ better direction of SQL rate: up -> down",
    ],
    "review": [
        "~ review cadence: monthly -> weekly",
        "~ last review: 2026-10-01 -> 2026-11-02",
        "~ approver: Founder -> Sales rep",
    ],
    "roles-tools": [
        "+ role added: Client success",
        "~ role renamed: Sales rep -> Account executive",
        "+ tool added: Booking page",
        "~ tool renamed: CRM -> HubSpot CRM",
    ],
    "process-fields": [
        "~ process id: lead-handoff -> lead-handover",
        "~ process name: Lead handoff -> Lead handover",
        "~ goal: Pass every qualified lead to sales within a day."
        " -> Pass every qualified lead to sales within four hours.",
        "- description: How marketing hands a lead to sales.",
        "~ process owner: Marketing lead -> Founder",
        "~ system: marketing -> operations",
        "+ stage added: buy",
        "- stage removed: trust",
        "~ trigger: A lead reaches a score of 50. -> A lead reaches a score of 60.",
        "~ outcome: Sales has accepted or returned the lead. -> Sales has accepted the lead.",
        "+ added to the scope: Routing",
        "- removed from out of scope: Closing the deal",
        "+ output added: A call note",
    ],
    "runs-value-feeds": [
        "+ runs: 20/month",
        "+ value of one run: 150",
        "+ feeds added: lead-handover",
    ],
    "exceptions": [
        "~ what to do when The lead is an existing client:"
        " Pass it to client success instead (at Check the lead)"
        " -> Pass it to the account manager (at Check the lead)",
        "+ exception added: The lead is a competitor: Close it without a call",
    ],
    "control-point": [
        "- control point removed for Sales-qualified lead rate:"
        " check weekly, threshold 15: Review the scoring model"
    ],
    "changelog": ["+ changelog entry added: 2026-11-20: Added the reminder"],
    "dmaic": [
        "~ problem statement: Leads wait three days for a call. -> Leads wait two days for a call.",
        "~ improvement goal: Call every lead within one day by March."
        " -> Call every lead within four hours by March.",
        "+ root cause added: Scores arrive late",
        "~ status of improvement 'Daily handoff slot': piloting -> adopted",
        "+ improvement added: Score hourly (proposed)",
        "~ control point for Sales-qualified lead rate:"
        " check weekly, threshold 15: Review the scoring model"
        " -> check weekly, threshold 18: Review the scoring model",
    ],
}


def changes(old: Path, new: Path) -> list[Change]:
    return diff_files(str(old), str(new), Config()).changes


def lines(found: list[Change]) -> list[str]:
    return [f"{c.sign} {line(c)}" for c in found]


def test_every_case_file_is_pinned():
    assert sorted(p.stem for p in CASES.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_change_kind(case: str):
    assert lines(changes(BASE, CASES / f"{case}.yaml")) == EXPECTED[case]


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_reverse_diff_swaps_old_and_new(case: str):
    forward = changes(BASE, CASES / f"{case}.yaml")
    backward = changes(CASES / f"{case}.yaml", BASE)
    assert Counter((c.old, c.new) for c in forward) == Counter((c.new, c.old) for c in backward)


def test_cases_cover_every_kind_of_change_within_a_file():
    seen = set()
    for case in EXPECTED:
        for way in ((BASE, CASES / f"{case}.yaml"), (CASES / f"{case}.yaml", BASE)):
            seen.update(c.kind for c in changes(*way))
    # Made by `diff --since` only, and tested there (test_diff_git.py).
    across_files = {"process.added", "process.removed", "process.moved", "process.unreadable"}
    assert seen == set(KINDS) - across_files


def test_a_strand_added_to_a_split_and_its_order_are_told_apart(tmp_path: Path) -> None:
    """A strand added is a change; the strands listed in another order are not."""
    split = CASES / "parallel-block.yaml"
    text = split.read_text(encoding="utf-8")
    more = tmp_path / "more.yaml"
    more.write_text(
        text.replace("next: [call, deck]", "next: [call, deck, book]").replace(
            "  - id: deck\n",
            "  - id: book\n    name: Book the demo\n    owner: sales\n    next: met\n  - id: deck\n",
        ),
        encoding="utf-8",
    )
    assert lines(changes(split, more)) == [
        "+ strand added to Call and send the deck: Book the demo",
        "+ step added: Book the demo",
        "+ arrow added from Book the demo: Called and sent",
    ]
    assert lines(changes(more, split))[0] == (
        "- strand removed from Call and send the deck: Book the demo"
    )
    swapped = tmp_path / "swapped.yaml"
    swapped.write_text(text.replace("next: [call, deck]", "next: [deck, call]"), encoding="utf-8")
    assert changes(split, swapped) == []


def test_a_wait_written_another_way_is_no_change(tmp_path: Path) -> None:
    week = tmp_path / "week.yaml"
    days = CASES / "step-wait.yaml"
    week.write_text(
        days.read_text(encoding="utf-8").replace("wait: 2d", "wait: 48h"), encoding="utf-8"
    )
    assert changes(days, week) == []


def test_changes_carry_process_and_step_ids():
    found = changes(BASE, CASES / "step-owner-duration.yaml")
    assert [(c.process, c.kind, c.step, c.old, c.new) for c in found] == [
        ("lead-handoff", "step.owner", "check", "Marketing lead", "Sales rep"),
        ("lead-handoff", "step.duration", "check", "30m", "45m"),
    ]


def test_reformatting_is_not_a_change():
    """Comments, key order, quotes, flow/block style, blank lines, folded text, 60m = 1h."""
    assert BASE.read_text() != (HERE / "reformatted.yaml").read_text()
    assert changes(BASE, HERE / "reformatted.yaml") == []
    assert changes(HERE / "reformatted.yaml", BASE) == []


def test_the_same_frequency_in_another_period_is_not_a_change(tmp_path: Path):
    text = (CASES / "runs-value-feeds.yaml").read_text(encoding="utf-8")
    (tmp_path / "lead-handover.yaml").write_text(
        text.replace("id: lead-handoff", "id: lead-handover")
    )
    old = tmp_path / "old.yaml"
    old.write_text(text, encoding="utf-8")
    new = tmp_path / "new.yaml"
    new.write_text(text.replace("runs: 20/month", "runs: 240/year"), encoding="utf-8")
    assert changes(old, new) == []
    new.write_text(text.replace("runs: 20/month", "runs: 5/week"), encoding="utf-8")
    assert lines(changes(old, new)) == ["~ runs: 20/month -> 5/week"]


def test_identical_process_has_no_changes():
    from procmap.lint.linter import validate_paths

    process = validate_paths([str(BASE)], Config(), keep=True).processes[str(BASE)]
    assert compare(process, process) == []


def test_a_new_id_keeps_the_step_and_its_other_changes(tmp_path):
    """Same kind and name under a new id: one step with a new id, its other edits and the
    arrows into it compared as usual; without a unique match, removed and added."""
    text = BASE.read_text()
    renamed = text.replace("      yes: call\n", "      yes: ring\n").replace(
        "  - id: call\n    name: Call the lead\n    owner: sales",
        "  - id: ring\n    name: Call the lead\n    owner: marketing",
    )
    (tmp_path / "renamed.yaml").write_text(renamed)
    assert lines(changes(BASE, tmp_path / "renamed.yaml")) == [
        "~ id of Call the lead: call -> ring",
        "~ owner of Call the lead: Sales rep -> Marketing lead",
    ]
    # a new name as well: nothing says it is the same step
    other = renamed.replace("name: Call the lead\n", "name: Phone the lead\n")
    (tmp_path / "other.yaml").write_text(other)
    assert lines(changes(BASE, tmp_path / "other.yaml")) == [
        "~ branch 'yes' of Good fit?: Call the lead -> Phone the lead",
        "+ step added: Phone the lead",
        "+ arrow added from Phone the lead: Lead handled",
        "- step removed: Call the lead",
        "- arrow removed from Call the lead: Lead handled",
    ]


def test_role_rename_is_not_an_owner_change():
    found = changes(BASE, CASES / "roles-tools.yaml")
    assert "step.owner" not in {c.kind for c in found}


def test_text_rendering_colours_and_signs():
    diff = diff_files(str(BASE), str(CASES / "step-tools.yaml"), Config())
    out = StringIO()
    render_text([diff], Console(file=out, width=100, color_system=None))
    assert out.getvalue() == (
        f"Lead handoff ({CASES / 'step-tools.yaml'})\n"
        "  + tool added to Check the lead: Email platform\n"
        "  - tool removed from Call the lead: CRM\n"
        "\n"
        "2 changes in 1 process.\n"
    )
    colored = StringIO()
    render_text(
        [diff], Console(file=colored, width=100, color_system="standard", force_terminal=True)
    )
    assert "\x1b[32m+ tool added" in colored.getvalue()
    assert "\x1b[31m- tool removed" in colored.getvalue()


# The command line ----------------------------------------------------------------------


def test_exit_0_when_meaning_is_the_same(capsys, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    status, out, err = procmap(capsys, "diff", str(BASE), str(HERE / "reformatted.yaml"))
    assert (status, out, err) == (0, "No changes of meaning (1 process compared).\n", "")


def test_exit_1_when_meaning_changed(capsys):
    status, out, _ = procmap(capsys, "diff", str(BASE), str(CASES / "review.yaml"), "--no-color")
    assert status == 1
    assert "  ~ review cadence: monthly -> weekly\n" in out
    assert "\x1b[" not in out


def test_color_is_forced_on_request_and_never_with_no_color(capsys, monkeypatch):
    args = ("diff", str(BASE), str(CASES / "review.yaml"), "--color")
    assert "\x1b[" in procmap(capsys, *args)[1]
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in procmap(capsys, *args)[1]


def test_json_format_is_a_list_with_stable_keys(capsys):
    status, out, _ = procmap(capsys, "diff", str(BASE), str(CASES / "metric.yaml"), "-f", "json")
    assert status == 1
    rows = json.loads(out)
    assert [list(row) for row in rows] == [
        ["kind", "new", "old", "path", "process", "step", "what"]
    ] * len(rows)
    assert rows[4] == {
        "kind": "metric.target",
        "new": 35.5,
        "old": 30,
        "path": str(CASES / "metric.yaml"),
        "process": "lead-handoff",
        "step": None,
        "what": "target of SQL rate (percent)",
    }


def test_missing_file_is_trouble(capsys, tmp_path):
    status, out, err = procmap(capsys, "diff", str(BASE), str(tmp_path / "gone.yaml"))
    assert (status, out) == (2, "")
    assert err == f"procmap: {tmp_path / 'gone.yaml'}: no such file\n"


def test_folder_is_trouble(capsys, tmp_path):
    status, _, err = procmap(capsys, "diff", str(BASE), str(tmp_path))
    assert status == 2
    assert "is a folder; compare two files, or use --since REV" in err


def test_wrong_number_of_files_is_trouble(capsys):
    status, _, err = procmap(capsys, "diff", str(BASE))
    assert (status, err) == (2, "procmap: give two files, OLD and NEW, or --since REV [PATH ...]\n")


def test_invalid_file_is_reported_as_validate_does(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE.read_text().replace("    next: fit\n", "    next: fitt\n"))
    _, expected, _ = procmap(capsys, "validate", "--no-color", "-q", str(bad))
    assert expected.startswith(f"{bad}:")
    status, out, err = procmap(capsys, "diff", "--no-color", str(BASE), str(bad))
    assert (status, out) == (2, "")
    assert err == expected + f"procmap: cannot compare: {bad} has errors; fix them first\n"


def test_warnings_do_not_stop_the_diff(capsys):
    # roles-tools.yaml declares a role and a tool that nothing uses (warnings only)
    status, _, err = procmap(capsys, "diff", str(BASE), str(CASES / "roles-tools.yaml"))
    assert (status, err) == (1, "")


def test_unreadable_yaml_is_trouble_without_traceback(capsys, tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("procmap: 1\nsteps: [\n")
    status, _, err = procmap(capsys, "diff", str(bad), str(BASE))
    assert status == 2
    assert err.splitlines()[-1] == f"procmap: cannot compare: {bad} has errors; fix them first"


def test_diff_error_keeps_problems():
    error = DiffError("x")
    assert (str(error), error.problems) == ("x", [])

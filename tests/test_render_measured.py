"""`procmap render` with a log declared in the configuration: the DMAIC worksheet's
Measure, Analyze and Control sections filled from the log, and the measured map beside
the authored one.

The fixture (render_measured/) is the hand-written order log of test_measure.py, whose
figures are worked out there by hand, with owners added for a handoff, and a fourth
metric with a control point but no `measure`. Refresh the golden worksheet with
`make golden` (see tests/conftest.py) and read the diff before committing it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import Golden, procmap
from procmap.lint import validate_paths
from procmap.measure import measure_log, measured_svg

FIXTURE = Path(__file__).parent / "render_measured"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    shutil.copytree(FIXTURE, folder)
    return folder


def render(capsys, project: Path, *args: str) -> tuple[int, str, str]:
    return procmap(
        capsys,
        "render",
        "--config",
        str(project / "procmap.toml"),
        "-o",
        str(project / "out"),
        "-q",
        *args,
    )


def test_golden_measured_worksheet(capsys, project, golden: Golden):
    status, _, err = render(capsys, project)
    assert status == 0, err
    golden("render_measured/orders.dmaic.md", (project / "out" / "orders.dmaic.md").read_bytes())


def test_the_worksheet_shows_the_log_s_figures(capsys, project):
    status, _, err = render(capsys, project)
    assert status == 0, err
    text = (project / "out" / "orders.dmaic.md").read_text(encoding="utf-8")
    # The log is named as declared, relative to the configuration: the same on every machine.
    assert "**Measured from the event log** `orders.csv`: 6 cases, 20 events" in text
    assert str(project) not in text
    # Measure: ship-rate 4 of 6 cases reached ship (66.67%, target 60: met); the metric
    # without `measure` asks for one.
    assert "| Orders shipped | % | 40 | 66.67 | 60 | yes |" in text
    assert "| Complaints | complaints | 3 | _not in the log: add `measure:`_ | 1 | – |" in text
    # Analyze: c3 skipped the check, c5 checked twice, c1 and c6 did "Email sent", which
    # maps to no step (issue 17: before, dropped, and both counted as fitting); c4
    # stopped after the check.
    assert "**Deviations:** 4 of 6 cases left the map. 1 case stopped before it" in text
    assert "step 1 (Order received) → `Email sent`" in text and "`c6`" in text
    assert "step 1 (Order received) → step 4 (Ship the order)" in text and "`c3`" in text
    assert "**Rework:** 1 case (16.7%) did a step more than once." in text
    # The handoff check (clerk) -> ship (warehouse) through the decision: c1, c5, c6.
    assert "| Step 2 (Order clerk) → step 4 (Warehouse) | 3 |" in text
    assert "| 3. Order OK? | yes | step 4 (Ship the order) | 3 | 75.0% | 70% |" in text
    assert "Email sent (2)" in text
    # Control: the ship-rate point (up, 70) is breached by 66.67; complaints is unmeasured.
    assert "| Orders shipped | weekly | 70 % | 66.67 % | **breached** |" in text
    assert "| Time to ship | weekly | 4 h | 1.88 h | ok |" in text
    assert "| Complaints | monthly | 2 complaints | – | not measured |" in text
    assert "**A control threshold is breached:**" in text


def test_the_measured_map_is_drawn_beside_the_authored_one(capsys, project):
    status, _, err = render(capsys, project, "-d", "TB")
    assert status == 0, err
    out = project / "out"
    assert sorted(p.name for p in out.glob("orders.*svg")) == ["orders.measured.svg", "orders.svg"]
    report = validate_paths([str(project / "orders.yaml")], None, jobs=1, keep=True)
    ((path, process),) = report.processes.items()
    result = measure_log(process, project / "orders.csv", source=path)
    result["log"] = "orders.csv"
    expected = measured_svg(process, result, direction="TB")
    assert (out / "orders.measured.svg").read_bytes() == expected
    assert "![Measured map of Order handling](orders.measured.svg)" in (
        out / "orders.dmaic.md"
    ).read_text(encoding="utf-8")


def test_an_unchanged_log_skips_and_a_new_row_redraws(capsys, project):
    render(capsys, project)
    out = project / "out"
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    status, _, _ = render(capsys, project)
    assert status == 0
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    with (project / "orders.csv").open("a", encoding="utf-8") as log:
        log.write("c8,receive,2026-01-06T09:00:00Z,\nc8,Check,2026-01-06T10:00:00Z,\n")
    status, _, err = procmap(
        capsys, "render", "--config", str(project / "procmap.toml"), "-o", str(out)
    )
    assert status == 0, err
    changed = {
        p.name for p in out.iterdir() if p.is_file() and before.get(p.name) != p.read_bytes()
    }
    assert changed == {"orders.dmaic.md", "orders.measured.svg", ".procmap-manifest.json"}
    assert "7 cases" in (out / "orders.dmaic.md").read_text(encoding="utf-8")


def test_no_measure_renders_the_plain_worksheet(capsys, project, tmp_path):
    status, _, err = render(capsys, project, "--no-measure")
    assert status == 0, err
    out = project / "out"
    assert not (out / "orders.measured.svg").exists()
    text = (out / "orders.dmaic.md").read_text(encoding="utf-8")
    assert "event log" not in text and "| KPI | Unit | Baseline | Target |" in text
    # ... the same worksheet as with no log declared at all
    (project / "procmap.toml").write_text('paths = ["orders.yaml"]\n', encoding="utf-8")
    status, _, _ = procmap(
        capsys, "render", "--config", str(project / "procmap.toml"), "-o", str(tmp_path / "b")
    )
    assert (tmp_path / "b" / "orders.dmaic.md").read_text(encoding="utf-8") == text


def test_formats_without_a_worksheet_or_map_do_not_read_the_log(capsys, project):
    (project / "orders.csv").write_text("not,a,log\n", encoding="utf-8")
    status, _, err = render(capsys, project, "-f", "runbook")
    assert status == 0, err
    assert [p.name for p in (project / "out").glob("orders.*")] == ["orders.runbook.md"]


def test_an_unusable_log_is_one_line_and_the_process_still_renders(capsys, project):
    (project / "orders.csv").unlink()
    status, _, err = render(capsys, project)
    assert status == 1
    (line,) = err.splitlines()
    assert line.startswith("procmap: ") and "orders.csv: no such file" in line
    assert "rendered without figures" in line and "Traceback" not in err
    text = (project / "out" / "orders.dmaic.md").read_text(encoding="utf-8")
    assert "event log" not in text
    assert not (project / "out" / "orders.measured.svg").exists()


def test_a_log_that_matches_no_step_says_so_instead_of_empty_tables(capsys, project):
    (project / "orders.csv").write_text(
        "case,activity,timestamp\na,Nothing,2026-01-05T09:00:00Z\n", encoding="utf-8"
    )
    status, _, err = render(capsys, project)
    assert status == 0, err
    text = (project / "out" / "orders.dmaic.md").read_text(encoding="utf-8")
    assert "no event matches a step of the map yet" in text
    assert "Nothing (1)" in text
    assert "Decisions as taken" not in text and "Most common paths" not in text

"""A time KPI is measured in its metric's unit, in every spelling the format allows (S015),
and shown so that a small one keeps two significant figures (issue 17, items 5 and 7).

The fixture (measure_units/) is a support desk's log of three tickets, worked out by hand:

    ticket  opened           first answer      closed              to answer   to close
    T-1001  Mar 2, 09:00     Mar 3, 09:00      Mar 3, 09:05:42     1.0 d       5.7 min
    T-1002  Mar 2, 10:00     Mar 3, 12:24      Mar 3, 12:29:42     1.1 d       5.7 min
    T-1003  Mar 4, 08:00     Mar 5, 20:00      Mar 5, 20:05:42     1.5 d       5.7 min

so the median time to the first answer is 1.1 days (95,040 s: 26.4 h, 1,584 min, 0.157 w)
and the median time from answer to close 342 s, 5.7 minutes. Before, `unit: days` (the
word the starters use) was computed in hours and shown as "26.4 days", a KPI meeting its
target of 1.2 days was marked missed and its control point breached, and 5.7 minutes of a
metric in days was shown as "0 d".
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import procmap
from procmap.lint import validate_paths
from procmap.measure import format_report, measure_log

FIXTURE = Path(__file__).parent / "measure_units"
SECONDS = 95_040.0  # the median time to the first answer, 1.1 days
#: Each spelling of a time unit (README's format section) and its seconds.
SPELLINGS = {
    **dict.fromkeys(["m", "min", "minute", "minutes"], 60.0),
    **dict.fromkeys(["h", "hour", "hours"], 3600.0),
    **dict.fromkeys(["d", "day", "days"], 86_400.0),
    **dict.fromkeys(["w", "week", "weeks"], 604_800.0),
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    shutil.copytree(FIXTURE, folder)
    return folder


def _with_unit(project: Path, unit: str, target_days: float, direction: str = "down") -> Path:
    """The fixture with the first-answer metric in `unit`, its target `target_days` days
    written in that unit, as an author would write it."""
    process = project / "tickets.yaml"
    text = (FIXTURE / "tickets.yaml").read_text(encoding="utf-8")
    target = target_days * 86_400.0 / SPELLINGS[unit]
    old = "    unit: days\n    baseline: 2\n    target: 1.2\n    direction: down\n"
    assert old in text
    new = f"    unit: {unit}\n    target: {target!r}\n    direction: {direction}\n"
    process.write_text(text.replace(old, new, 1), encoding="utf-8")
    return process


def _measure(process: Path, log: Path) -> Any:
    report = validate_paths([str(process)], None, jobs=1, keep=True)
    assert not report.errors, report.problems
    (model,) = report.processes.values()
    return measure_log(model, log, source=process)


def _metric(result: Any, mid: str) -> Any:
    return next(m for m in result["metrics"] if m["id"] == mid)


@pytest.mark.parametrize("unit", list(SPELLINGS))
def test_a_time_kpi_is_measured_in_its_unit_and_meets_its_target(project: Path, unit: str):
    # Target 1.2 days, lower is better: 1.1 days meets it, in whatever unit it is written.
    process = _with_unit(project, unit, target_days=1.2)
    result = _measure(process, project / "tickets.csv")
    metric = _metric(result, "first-answer")
    assert metric["unit"] == unit
    assert metric["actual"] == pytest.approx(SECONDS / SPELLINGS[unit], abs=1e-6)
    assert metric["meets_target"] is True


@pytest.mark.parametrize("unit", ["minutes", "hours", "days", "weeks"])
def test_a_time_kpi_that_misses_its_target_is_marked_missed(project: Path, unit: str):
    # 1.1 days against a target of 1 day, lower is better, or of 1.2 days, higher is
    # better: missed both times; against 1 day, higher is better: met.
    log = project / "tickets.csv"
    for target, direction, meets in ((1.0, "down", False), (1.2, "up", False), (1.0, "up", True)):
        result = _measure(_with_unit(project, unit, target, direction), log)
        assert _metric(result, "first-answer")["meets_target"] is meets, (target, direction)


def test_the_report_shows_a_time_kpi_in_its_unit_and_a_small_one_in_minutes(project: Path):
    process = project / "tickets.yaml"
    result = _measure(process, project / "tickets.csv")
    text = format_report(result, "markdown")
    # first-answer: 1.1 days, target 1.2 days, met. closing, in days: 342 s is 0.004 d,
    # which two decimals show as 0: it is shown in the largest unit that keeps two
    # significant figures, minutes. Its baseline and target stay in the metric's unit.
    assert "| first-answer | 1.1 days | 2 days | 1.2 days | yes |" in text
    assert "| closing | 5.7 min | 0.5 d | 0.01 d | yes |" in text
    assert "0 d |" not in text
    # The control table has no unit column: the metric's unit, to two significant figures.
    assert "| first-answer | 1.5 | 1.1 | ok |" in text
    assert "| closing | 0.01 | 0.004 | ok |" in text


def test_the_worksheet_marks_a_time_kpi_that_meets_its_target_as_met(capsys, project: Path):
    status, _, err = procmap(
        capsys,
        "render",
        "--config",
        str(project / "procmap.toml"),
        "-o",
        str(project / "out"),
        "-f",
        "dmaic",
        "-q",
    )
    assert status == 0, err
    text = (project / "out" / "tickets.dmaic.md").read_text(encoding="utf-8")
    # Measure: the figure beside the metric's unit, without it; a small time with its own.
    assert "| Time to the first answer | days | 2 | 1.1 | 1.2 | yes | lower |" in text
    assert "| Time from answer to close | d | 0.5 | 5.7 min | 0.01 | yes | lower |" in text
    # Control: the threshold and the figure in one unit each, never "0 d" or "5.7 min d".
    assert "| Time to the first answer | weekly | 1.5 days | 1.1 days | ok |" in text
    assert "| Time from answer to close | weekly | 0.01 d | 5.7 min | ok |" in text
    assert "**A control threshold is breached:**" not in text


def test_a_time_metric_in_an_unknown_unit_is_refused_before_measuring(capsys, project: Path):
    process = project / "tickets.yaml"
    text = process.read_text(encoding="utf-8")
    process.write_text(text.replace("unit: days", "unit: business days", 1), encoding="utf-8")
    status, out, err = procmap(capsys, "measure", str(process), str(project / "tickets.csv"))
    assert status == 1
    assert f"{process}:15:11: S015" in out + err
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    "value, unit, shown",
    [
        (1.1, "days", "1.1 days"),
        (0.1, "d", "0.1 d"),  # two decimals keep two digits from 0.1 on: its own unit
        (0.0039583, "d", "5.7 min"),  # 342 s
        (0.095, "h", "5.7 min"),
        (0.05, "weeks", "8.4 h"),
        (0.0004, "hours", "1.44 s"),
        (0.0, "days", "0 days"),
        (None, "days", "–"),
        (42.567, "%", "42.57%"),
        (0.0042, "leads", "0.0042 leads"),  # a count per day: no other unit, two figures
        (0.0042, None, "0.0042"),
    ],
)
def test_a_metric_figure_keeps_two_significant_figures(value, unit, shown):
    from procmap.render import metric_figure

    assert metric_figure(value, unit) == shown

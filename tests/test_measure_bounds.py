"""`procmap measure` in bounded memory (issue 15): DuckDB's limit holds for every try, a
log that cannot be measured within it is one line and exit 1, the figures Python holds
do not grow with the log (its activities, its variants, an XES file), and the report
lists the top unmapped activities, not all of them.

Logs are generated here, in a temporary folder, a few lines of Python each."""

from __future__ import annotations

import gzip
import json
import os
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, clean_env, procmap, run_with_peak
from procmap.lint import validate_paths
from procmap.measure import measure_log

PROCESS = REPO / "processes" / "content-production.yaml"
HEADER = "case:concept:name,concept:name,time:timestamp\n"


def _process() -> Any:
    result = validate_paths([str(PROCESS)], None, jobs=1, keep=True)
    (process,) = result.processes.values()
    return process


def test_one_huge_case_is_refused_in_one_line_within_the_memory_limit(tmp_path):
    """A million identical rows (one case of a million events: 20 KB gzipped) under a
    100 MB limit. Before: every try after DuckDB ran out was given more memory, up to
    80% of the machine (26 million such rows grew past 4 GB); now the last try is the
    limit, and figures Python could not hold within it are refused up front."""
    log = tmp_path / "same.csv.gz"
    with gzip.open(log, "wt", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for _ in range(100):
            out.write("c1,Outline,2026-01-05T09:00:00Z\n" * 10_000)
    status, err, peak = run_with_peak(
        ["measure", str(PROCESS), str(log)], clean_env(PROCMAP_MEMORY_LIMIT="100MB")
    )
    assert status == 1, err
    assert err.count("\n") == 1, err
    assert err.startswith(
        f"procmap: {log}: cannot be measured within the memory limit of 100 MB"
        " (PROCMAP_MEMORY_LIMIT raises it): a case of 1000000 steps"
    ), err
    assert "internal error" not in err and "Traceback" not in err
    assert peak < 100 + 250, f"peak {peak} MB"


def test_duckdb_out_of_memory_under_the_last_limit_is_one_line_exit_1(tmp_path):
    """DuckDB running out under the last limit is the same one line, exit 1 (before:
    exit 2, after a try with no limit at all)."""
    log = tmp_path / "wide.csv"
    with log.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        out.writelines(f"c{i},Outline {i},2026-01-05T09:00:00Z\n" for i in range(300_000))
    status, err, _ = run_with_peak(
        ["measure", str(PROCESS), str(log)], clean_env(PROCMAP_MEMORY_LIMIT="8MB")
    )
    assert status == 1, err
    assert err.count("\n") == 1, err
    assert "cannot be measured within the memory limit of 8 MB" in err, err


@pytest.mark.parametrize("value", ["lots", "0MB", "-3GB"])
def test_a_bad_memory_limit_is_a_usage_error(tmp_path, capsys, monkeypatch, value):
    log = tmp_path / "log.csv"
    log.write_text(HEADER + "c1,Outline,2026-01-05T09:00:00Z\n", encoding="utf-8")
    monkeypatch.setenv("PROCMAP_MEMORY_LIMIT", value)
    status, out, err = procmap(capsys, "measure", str(PROCESS), str(log))
    assert (status, out) == (2, "")
    assert (
        err == f"procmap: PROCMAP_MEMORY_LIMIT: {value!r} is not a memory size like 512MB or 2GB\n"
    )


def test_the_limits_tried_stop_at_the_cap(monkeypatch):
    from procmap.measure import engine

    monkeypatch.delenv("PROCMAP_MEMORY_LIMIT", raising=False)
    assert engine._limits() == ["auto", "1GB"]  # never DuckDB's default (80% of memory)
    monkeypatch.setenv("PROCMAP_MEMORY_LIMIT", "512MB")
    assert engine._limits() == ["auto", "512MB"]
    monkeypatch.setenv("PROCMAP_MEMORY_LIMIT", "2.5GB")
    assert engine._limits() == ["auto", "1000MB", "2500MB"]


def _distinct(path: Path, activities: int) -> None:
    """A log of three mapped events per case and `activities` unmapped activities, the
    k-th with k events (ties impossible: the top is known)."""
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for case in range(50):
            out.write(f"m{case},Article due on the editorial calendar,2026-01-05T09:00:00Z\n")
            out.write(f"m{case},Outline,2026-01-05T10:00:00Z\n")
        row = 0
        for k in range(1, activities + 1):
            for _ in range(k if k > activities - 30 else 1):
                row += 1
                out.write(f"u{row % 997},Noise {k:05d},2026-01-06T09:00:00Z\n")


@pytest.mark.parametrize("enum", [True, False], ids=["enum", "text"])
def test_five_thousand_unmapped_activities_make_a_short_report(tmp_path, monkeypatch, enum):
    """The report lists the 20 unmapped activities with the most events and counts the
    rest in one line (before: one line per activity, 1,000,029 lines for a million);
    the same with the activities as an ENUM or, past `ENUM_VALUES`, as text."""
    from procmap.measure import logread
    from procmap.measure.report import format_report

    if not enum:
        monkeypatch.setattr(logread, "ENUM_VALUES", 100)
    log = tmp_path / "noisy.csv"
    _distinct(log, 5000)
    result = measure_log(_process(), log)
    listed = result["unmapped_activities"]
    assert [u["activity"] for u in listed] == [f"Noise {k:05d}" for k in range(5000, 4980, -1)]
    assert [u["events"] for u in listed] == list(range(5000, 4980, -1))
    rest_events = sum(k if k > 4970 else 1 for k in range(1, 4981))
    assert result["unmapped_more"] == {"activities": 4980, "events": rest_events}
    # the 997 cases of unmapped activities only are cases that deviate (issue 17: before,
    # they were dropped with their events and only the 50 mapped cases counted)
    assert result["events"] == 100 and result["cases"] == 50 + 997
    assert result["conformance"]["deviating"] == 997
    for fmt in ("text", "markdown"):
        report = format_report(result, fmt)
        assert len(report.splitlines()) < 120, fmt
        assert f"(4980 more activities)  {rest_events}" in report or (
            f"| (4980 more activities) | {rest_events} |" in report
        )
    assert json.loads(format_report(result, "json"))["unmapped_more"]["activities"] == 4980


def test_text_activities_give_the_enum_s_figures(monkeypatch):
    """A log with more distinct activities than `ENUM_VALUES` is measured with its
    activities as text, mapped in chunks: the same figures as through the ENUM."""
    from procmap.measure import logread

    process = validate_paths(
        [str(REPO / "processes" / "webinar-funnel.yaml")], None, jobs=1, keep=True
    ).processes
    (webinar,) = process.values()
    log = REPO / "examples" / "webinar-funnel.csv"
    expected = measure_log(webinar, log)
    monkeypatch.setattr(logread, "ENUM_VALUES", 1)
    assert measure_log(webinar, log) == expected


def test_a_million_distinct_activities_stay_within_memory(tmp_path):
    """Before: every distinct activity went to Python several times over and into an
    ENUM (905 MB peak for a million, 894 MB for 800,000, under an 88 MB limit); now
    they stay in DuckDB and Python holds the top 20 (170 MB; the bound leaves room for
    a busy machine)."""
    log = tmp_path / "distinct.csv"
    with log.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        out.writelines(f"c{i // 10},act-{i},2026-01-05T09:00:00Z\n" for i in range(800_000))
        # a log of which nothing maps is refused (issue 17): one mapped event per case
        out.writelines(f"c{i},Outline,2026-01-05T10:00:00Z\n" for i in range(80_000))
    status, err, peak = run_with_peak(
        ["measure", str(PROCESS), str(log), "-f", "json"], clean_env()
    )
    assert status == 0, err
    assert peak < 500, f"peak {peak} MB"


def _xes(path: Path, events: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0"?>\n<log xmlns="http://www.xes-standard.org/">\n')
        for case in range(events // 10):
            out.write(f'<trace><string key="concept:name" value="c{case}"/>\n')
            for i in range(10):
                extra = f'<string key="k{i}" value="v"/>' if case == 7 else ""
                out.write(
                    f'<event><string key="concept:name" value="Outline written"/>{extra}'
                    f'<date key="time:timestamp" value="2026-01-05T09:{i:02d}:00Z"/></event>\n'
                )
            out.write("</trace>\n")
        out.write("</log>\n")


def test_xes_is_converted_in_bounded_memory(tmp_path):
    """The XES reader writes each event as it ends and drops what it read: its Python
    memory does not grow with the log (before: every row kept as a dict until the end,
    and every element in the tree)."""
    from procmap.measure import xes

    def peak(events: int) -> int:
        path = tmp_path / f"log{events}.xes"
        _xes(path, events)
        tracemalloc.start()
        temp = xes.xes_to_csv(path, str(path))
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        lines = Path(temp).read_text(encoding="utf-8").splitlines()
        os.unlink(temp)
        # keys seen late (case 7's k0..k9) pad the rows before them
        assert lines[0] == "case:concept:name,concept:name,time:timestamp," + ",".join(
            f"k{i}" for i in range(10)
        )
        assert len(lines) == events + 1 and all(line.count(",") == 12 for line in lines)
        return top

    small, large = peak(1_000), peak(20_000)
    assert large < small + 2_000_000, (small, large)

"""Measurement: processes against event logs (issue 8).

Offers `measure_log` (the figures of a process from an event log, on DuckDB, imported
only when a log is measured; `LogError` for an unusable log, `RefusedLogError` for one
read but refused because its figures would be wrong: `NothingMapsError` when no activity
maps to a step, `MemoryLimitError` when it cannot be measured within the memory limit,
and timestamps that read two ways or too many unreadable rows; the result is a `MeasureResult`,
`procmap.render`'s), the report formatters (`REPORT_FORMATS`, `format_report`,
`breached`, `warning_lines` for stderr), `simulate_log` (a synthetic event log from the map of a process: Poisson arrivals,
random step times around each step's `duration`, decisions by their shares, lifecycle
transitions as asked, `LIFECYCLES`; `simulate_events` and `simulate_cases` make it as it is
read) and the log writers (`write_csv`, `write_xes`,
`write_traces`, `save`: atomic, gzip by suffix; `write_simulated` and `save_simulated`
stream a simulation to a stream or a file in memory bounded by the cases in progress,
telling a progress callable the cases made and returning what they wrote, `Written`); and the measured map
(`measured_dot`, `measured_svg`, `write_measured`: the authored map as a heat map of a
measure result); `discover_log` (`procmap discover`: a first draft of a process from a
log, `Discovery`; `Filter`, the variants it keeps), `summarize_log` (a log at a glance,
`LogSummary`), `against_map` (a map's gaps against its measurement) and their reports
(`summary_text`, `summary_json`, `against_text`, `against_json`); and `declared_measurements` (the logs of `[tool.procmap.logs]` measured
for `procmap render`: the worksheet's figures and the measured map beside the authored
one).

Imports `procmap.render`, `procmap.git`, `procmap.lint` and `procmap.format` at most
(docs/architecture.md); `simulate_log` itself needs only the validated process it is
given, and the measured map only a validated process and a measure result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

attach(
    __name__,
    {
        "COLUMNS": "simulate",
        "DEFAULT_COLUMNS": "logread",
        "LogError": "errors",
        "MemoryLimitError": "errors",
        "NothingMapsError": "errors",
        "RefusedLogError": "errors",
        "measure_log": "engine",
        "Discovery": "discover",
        "Filter": "discover",
        "LogSummary": "discover",
        "against_map": "discover",
        "discover_log": "discover",
        "summarize_log": "discover",
        "against_json": "discoverreport",
        "against_text": "discoverreport",
        "summary_json": "discoverreport",
        "summary_text": "discoverreport",
        "REPORT_FORMATS": "report",
        "breached": "report",
        "format_report": "report",
        "warning_lines": "report",
        "human_duration": "report",
        "DEFAULT_DURATION": "simulate",
        "DISTRIBUTIONS": "simulate",
        "Event": "simulate",
        "LIFECYCLES": "simulate",
        "LOG_FORMATS": "simulate",
        "MAX_STEPS": "simulate",
        "SimulationError": "simulate",
        "parse_start": "simulate",
        "declared_measurements": "declared",
        "measured_dot": "heatmap",
        "measured_svg": "heatmap",
        "write_measured": "heatmap",
        "render_log": "simulate",
        "save": "simulate",
        "save_simulated": "simulate",
        "Written": "simulate",
        "simulate_cases": "simulate",
        "simulate_events": "simulate",
        "simulate_log": "simulate",
        "timestamp": "simulate",
        "write_csv": "simulate",
        "write_simulated": "simulate",
        "write_traces": "simulate",
        "write_xes": "simulate",
    },
)

if TYPE_CHECKING:
    from .declared import declared_measurements
    from .discover import Discovery, Filter, LogSummary, against_map, discover_log, summarize_log
    from .discoverreport import against_json, against_text, summary_json, summary_text
    from .engine import measure_log
    from .errors import LogError, MemoryLimitError, NothingMapsError, RefusedLogError
    from .heatmap import measured_dot, measured_svg, write_measured
    from .logread import DEFAULT_COLUMNS
    from .report import REPORT_FORMATS, breached, format_report, human_duration, warning_lines
    from .simulate import (
        COLUMNS,
        DEFAULT_DURATION,
        DISTRIBUTIONS,
        LIFECYCLES,
        LOG_FORMATS,
        MAX_STEPS,
        Event,
        SimulationError,
        Written,
        parse_start,
        render_log,
        save,
        save_simulated,
        simulate_cases,
        simulate_events,
        simulate_log,
        timestamp,
        write_csv,
        write_simulated,
        write_traces,
        write_xes,
    )

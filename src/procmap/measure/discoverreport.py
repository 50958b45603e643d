"""The reports of `procmap discover`: a log's summary and a map against a log, as text or JSON.

Owns: `summary_text`, `summary_json`, `against_text` and `against_json`; plain text, one
fact a line, so a person reads it and a diff shows what changed.

Must not know: how a log is read, or options.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .discover import Against, LogSummary

#: Activities and resources listed in the text summary; the JSON lists all.
LISTED = 40


def summary_data(summary: LogSummary) -> dict[str, Any]:
    lifecycle = summary.lifecycle
    return {
        "log": summary.log,
        "columns": summary.columns,
        "cases": summary.cases,
        "events": summary.events,
        "variants": summary.variants,
        "span": {"first": summary.first, "last": summary.last},
        "start_times": summary.start_times,
        "activities": [
            {"activity": a.activity, "events": a.events, "cases": a.cases}
            for a in summary.activities
        ],
        "resources": [{"resource": r, "events": n} for r, n in summary.resources],
        "lifecycle": lifecycle,
        "skipped_rows": summary.skipped,
    }


def summary_json(summary: LogSummary) -> str:
    return json.dumps(summary_data(summary), indent=2, ensure_ascii=False) + "\n"


def summary_text(summary: LogSummary) -> str:
    lines = [
        f"{summary.log}: {summary.events:,} events of {summary.cases:,} cases,"
        f" {summary.variants:,} variants, {summary.first or '?'} to {summary.last or '?'}",
        "",
        "Columns:",
    ]
    for role, column in summary.columns.items():
        lines.append(f"  {role:<16} {column if column is not None else '(none)'}")
    lines += ["", f"Activities ({len(summary.activities)}): events, cases, share of the cases"]
    for a in summary.activities[:LISTED]:
        share = a.cases / summary.cases if summary.cases else 0.0
        lines.append(f"  {a.events:>9,} {a.cases:>9,} {share:>5.0%}  {a.activity}")
    if len(summary.activities) > LISTED:
        lines.append(f"  ... and {len(summary.activities) - LISTED} more (-f json lists all)")
    if summary.resources:
        lines += ["", f"Resources ({len(summary.resources)}): events"]
        lines += [f"  {n:>9,}  {r}" for r, n in summary.resources[:LISTED]]
        if len(summary.resources) > LISTED:
            lines.append(f"  ... and {len(summary.resources) - LISTED} more")
    lifecycle = summary.lifecycle
    if lifecycle["column"] is not None:
        lines += ["", f"Lifecycle ({lifecycle['column']}): {lifecycle['handling']}"]
        lines += [
            f"  {t['events']:>9,}  {t['transition'] or '(blank)'}" for t in lifecycle["transitions"]
        ]
    lines += [
        "",
        f"Start times: {'yes, hands-on times are known' if summary.start_times else 'no'}",
    ]
    if summary.skipped["count"]:
        lines.append(f"Skipped rows: {summary.skipped['count']:,} (unreadable)")
    return "\n".join(lines) + "\n"


def against_data(against: Against) -> dict[str, Any]:
    return {
        "process": against.process,
        "log": against.log,
        "cases": against.cases,
        "fitness": against.fitness,
        "missing_activities": [{"activity": a, "events": n} for a, n in against.missing_activities],
        "missing_paths": [{"from": f, "to": t, "count": n} for f, t, n in against.missing_paths],
        "unused_steps": against.unused_steps,
        "unused_arrows": [{"from": f, "to": t, "label": lb} for f, t, lb in against.unused_arrows],
    }


def against_json(against: Against) -> str:
    return json.dumps(against_data(against), indent=2, ensure_ascii=False) + "\n"


def against_text(against: Against) -> str:
    fitness = "n/a" if against.fitness is None else f"{against.fitness:.0%}"
    lines = [
        f"{against.process} against {against.log}: {against.cases:,} cases, {fitness} fit the map"
    ]
    if against.missing_activities:
        lines += [
            "",
            "In the log, not on the map (activities: events; add a step or an `activity:`):",
        ]
        lines += [f"  {n:>9,}  {a}" for a, n in against.missing_activities]
    if against.missing_paths:
        lines += [
            "",
            "Paths the log takes that the map lacks (from -> to: times; add an arrow or a branch):",
        ]
        lines += [f"  {n:>9,}  {f or '(case start)'} -> {t}" for f, t, n in against.missing_paths]
    if against.unused_steps:
        lines += ["", "Steps the log never shows (check the `activity:` names, or remove them):"]
        lines += [f"  {s}" for s in against.unused_steps]
    if against.unused_arrows:
        lines += ["", "Arrows no case takes:"]
        lines += [
            f"  {f} -> {t}" + (f" ({lb})" if lb else "") for f, t, lb in against.unused_arrows
        ]
    if len(lines) == 1:
        lines.append("The map and the log agree: nothing missing, nothing unused.")
    return "\n".join(lines) + "\n"

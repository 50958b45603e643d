"""The measure result as text, Markdown, JSON or GitHub annotations (`procmap measure`).

Owns: the formatters of the dict `measure_log` returns. Durations in human units (45m,
3.2h, 2.1d), shares in percent, as `procmap.render` spells them for every document. Must not know: options, exit statuses, DuckDB.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..render import figure, human_duration, percent

REPORT_FORMATS = ("text", "markdown", "json", "github")
#: Steps listed as the slowest, by p90 waiting plus processing time.
SLOWEST = 5


def _slowest(result: dict[str, Any]) -> list[dict[str, Any]]:
    def key(step: dict[str, Any]) -> float:
        total = 0.0
        for part in ("processing", "waiting"):
            if step[part] and step[part]["p90"] is not None:
                total += step[part]["p90"]
        return total

    timed = [s for s in result["steps"] if s["processing"] or s["waiting"]]
    return sorted(timed, key=lambda s: (-key(s), s["id"]))[:SLOWEST]


def _sections(result: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """The report as (title, header, rows) tables, shared by text and Markdown."""
    conf = result["conformance"]
    thr = result["throughput"] or {}
    summary = [
        ["Cases", str(result["cases"])],
        ["Events", str(result["events"])],
        ["First event", result["span"]["first"] or "–"],
        ["Last event", result["span"]["last"] or "–"],
        [
            "Throughput p50 / p90",
            f"{human_duration(thr.get('p50'))} / {human_duration(thr.get('p90'))}",
        ],
        ["Fitting cases", f"{conf['fitting']} ({percent(conf['fitness'])})"],
        ["Deviating / incomplete", f"{conf['deviating']} / {conf['incomplete']}"],
        ["Rework", f"{result['rework']['cases']} ({percent(result['rework']['rate'])})"],
        ["Variants", str(len(result["variants"]))],
        ["Skipped rows", str(result["skipped_rows"]["count"])],
    ]
    sections = [("Summary", ["Figure", "Value"], summary)]
    slow = [
        [
            s["id"],
            str(s["cases"]),
            human_duration((s["processing"] or {}).get("p50")),
            human_duration((s["processing"] or {}).get("p90")),
            human_duration((s["waiting"] or {}).get("p90")),
        ]
        for s in _slowest(result)
    ]
    if slow:
        sections.append(
            (
                "Slowest steps",
                ["Step", "Cases", "Processing p50", "Processing p90", "Waiting p90"],
                slow,
            )
        )
    handoffs = [
        [d["from"], d["to"], str(d["count"]), human_duration(d["p50"]), human_duration(d["p90"])]
        for d in result["directly_follows"]
    ]
    if handoffs:
        sections.append(("Handoffs", ["From", "To", "Count", "p50", "p90"], handoffs))
    branches = [
        [
            b["decision"],
            b["label"],
            b["to"],
            str(b["count"]),
            percent(b["share"]),
            "–" if b["expected"] is None else f"{b['expected']:g}%",
        ]
        for b in result["branches"]
    ]
    if branches:
        sections.append(
            ("Branches", ["Decision", "Branch", "To", "Cases", "Share", "Expected"], branches)
        )
    deviations = [
        [d["from"] or "(start)", d["to"], str(d["count"]), ", ".join(d["examples"])]
        for d in conf["deviations"]
    ]
    if deviations:
        sections.append(("Deviations", ["From", "To", "Cases", "Examples"], deviations))
    kpis = [
        [
            m["id"],
            figure(m["actual"], m["unit"]),
            figure(m["baseline"], m["unit"]),
            figure(m["target"], m["unit"]),
            {True: "yes", False: "no", None: "–"}[m["meets_target"]],
        ]
        for m in result["metrics"]
    ]
    if kpis:
        sections.append(("KPIs", ["Metric", "Actual", "Baseline", "Target", "Meets target"], kpis))
    controls = [
        [
            c["metric"],
            figure(c["threshold"]),
            figure(c["actual"]),
            {True: "BREACHED", False: "ok", None: "–"}[c["breached"]],
        ]
        for c in result["control"]
    ]
    if controls:
        sections.append(("Control", ["Metric", "Threshold", "Actual", "Status"], controls))
    unmapped = [[u["activity"], str(u["events"])] for u in result["unmapped_activities"]]
    more = result.get("unmapped_more") or {"activities": 0, "events": 0}
    if more["activities"]:
        unmapped.append([f"({more['activities']} more activities)", str(more["events"])])
    if unmapped:
        sections.append(("Unmapped activities", ["Activity", "Events"], unmapped))
    skipped = [[str(x["row"]), x["reason"]] for x in result["skipped_rows"]["examples"]]
    if skipped:
        sections.append(("Skipped rows (first 5)", ["Row", "Reason"], skipped))
    return sections


def format_json(result: dict[str, Any], color: bool = False) -> str:
    return json.dumps(result, indent=2, sort_keys=False) + "\n"


def format_markdown(result: dict[str, Any], color: bool = False) -> str:
    lines = [f"# Measured: {result['process']}", "", f"Log: `{result['log']}`", ""]
    for title, header, rows in _sections(result):
        lines += [f"## {title}", "", "| " + " | ".join(header) + " |"]
        lines.append("|" + "|".join("---" for _ in header) + "|")
        lines += [
            "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows
        ]
        lines.append("")
    return "\n".join(lines)


def format_text(result: dict[str, Any], color: bool = False) -> str:
    """Rich tables on a terminal (`color`), plain aligned columns when piped."""
    if color:
        import io

        from rich.console import Console
        from rich.table import Table

        buffer = io.StringIO()
        console = Console(file=buffer, force_terminal=True, width=120)
        console.print(f"[bold]{result['process']}[/bold] measured from {result['log']}")
        for title, header, rows in _sections(result):
            table = Table(title=title, title_justify="left")
            for name in header:
                table.add_column(name)
            for row in rows:
                table.add_row(*row)
            console.print(table)
        return buffer.getvalue()
    lines = [f"{result['process']} measured from {result['log']}", ""]
    for title, header, rows in _sections(result):
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines.append(title)
        lines.append("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
        for row in rows:
            lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        lines.append("")
    return "\n".join(lines)


def format_github(result: dict[str, Any], color: bool = False, process_file: str = "") -> str:
    """`::error` at each breached control point, then a `::notice` summary line."""
    lines = []
    breached = 0
    for c in result["control"]:
        if c["breached"]:
            breached += 1
            where = f"file={process_file or result['process']}"
            if c["line"] is not None:
                where += f",line={c['line']},col={c['column']}"
            lines.append(
                f"::error {where},title=procmap measure::{c['metric']}: {figure(c['actual'])}"
                f" breaches the control threshold {figure(c['threshold'])}"
            )
    conf = result["conformance"]
    lines.append(
        f"::notice::procmap measure {result['process']}: {result['cases']} cases,"
        f" fitness {percent(conf['fitness'])}, {breached} control threshold(s) breached"
    )
    return "\n".join(lines) + "\n"


FORMATTERS: dict[str, Callable[..., str]] = {
    "text": format_text,
    "markdown": format_markdown,
    "json": format_json,
    "github": format_github,
}


def format_report(
    result: dict[str, Any], fmt: str, color: bool = False, process_file: str = ""
) -> str:
    """The result in `fmt` (one of `REPORT_FORMATS`)."""
    if fmt == "github":
        return format_github(result, color, process_file)
    return FORMATTERS[fmt](result, color)


def breached(result: dict[str, Any]) -> bool:
    """Whether any control threshold is breached (`--check` fails)."""
    return any(c["breached"] for c in result["control"])

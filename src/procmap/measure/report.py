"""The measure result as text, Markdown, JSON or GitHub annotations (`procmap measure`).

Owns: the formatters of the result `measure_log` returns (a `MeasureResult`). Durations in human units (45m,
3.2h, 2.1d), shares in percent, as `procmap.render` spells them for every document. The
unmapped activities are in the summary at the top of every format, and `warning_lines`
says them for stderr. Must not know: options, exit statuses, DuckDB.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from ..render import figure, metric_figure, percent
from ..render import human_duration as human_duration  # offered by procmap.measure too

if TYPE_CHECKING:
    from ..render import Lifecycle, MeasureResult, Stats, StepFigures

REPORT_FORMATS = ("text", "markdown", "json", "github")
#: Steps listed as the slowest, by p90 waiting plus processing time.
SLOWEST = 5


#: A table of the report: its title, header and rows.
Section = tuple[str, list[str], list[list[str]]]


def _p(stats: Stats | None, key: Literal["p50", "p90"]) -> float | None:
    return None if stats is None else stats[key]


def _slowest(result: MeasureResult) -> list[StepFigures]:
    def key(step: StepFigures) -> float:
        total = 0.0
        for part in (step["processing"], step["waiting"]):
            if part and part["p90"] is not None:
                total += part["p90"]
        return total

    timed = [s for s in result["steps"] if s["processing"] or s["waiting"]]
    return sorted(timed, key=lambda s: (-key(s), s["id"]))[:SLOWEST]


def _sections(result: MeasureResult) -> list[Section]:
    """The report as (title, header, rows) tables, shared by text and Markdown; the
    summary, then each table that has rows."""
    conf = result["conformance"]
    tables: list[Section] = [
        ("Summary", ["Figure", "Value"], _summary(result)),
        ("Slowest steps", *_slowest_table(result)),
        (
            "Directly follows",
            ["From", "To", "Count", "p50", "p90"],
            [
                [
                    d["from"],
                    d["to"],
                    str(d["count"]),
                    human_duration(d["p50"]),
                    human_duration(d["p90"]),
                ]
                for d in result["directly_follows"]
            ],
        ),
        (
            "Branches",
            ["Decision", "Branch", "To", "Transitions", "Share", "Expected"],
            _branches(result),
        ),
        (
            "Parallel blocks, split to join",
            ["Split", "Join", "Strands", "Cases", "p50", "p90"],
            _blocks(result),
        ),
        (
            "Waits, declared and measured",
            ["Step", "Declared", "Count", "p50", "p90"],
            _waits(result),
        ),
        (
            "Deviations",
            ["From", "To", "Cases", "Examples"],
            [
                [d["from"] or "(start)", d["to"], str(d["count"]), ", ".join(d["examples"])]
                for d in conf["deviations"]
            ],
        ),
        ("KPIs", ["Metric", "Actual", "Baseline", "Target", "Meets target"], _kpis(result)),
        (
            "Control",
            ["Metric", "Threshold", "Actual", "Status"],
            [
                [
                    c["metric"],
                    figure(c["threshold"]),
                    figure(c["actual"]),
                    {True: "BREACHED", False: "ok", None: "–"}[c["breached"]],
                ]
                for c in result["control"]
            ],
        ),
        ("Unmapped activities", ["Activity", "Events"], _unmapped(result)),
        ("Lifecycle transitions", ["Transition", "Events", "Counted as"], _transitions(result)),
        (
            "Skipped rows (first 5)",
            ["Row", "Reason"],
            [[str(x["row"]), x["reason"]] for x in result["skipped_rows"]["examples"]],
        ),
    ]
    return [table for table in tables if table[2]]


def _slowest_table(result: MeasureResult) -> tuple[list[str], list[list[str]]]:
    """The slowest steps' header and rows; with an `Overlaps` column when a step of the
    log started before the previous event finished (see `_overlaps`)."""
    header = ["Step", "Cases", "Processing p50", "Processing p90", "Waiting p90"]
    rows = [
        [
            s["id"],
            str(s["cases"]),
            human_duration(_p(s["processing"], "p50")),
            human_duration(_p(s["processing"], "p90")),
            human_duration(_p(s["waiting"], "p90")),
        ]
        for s in _slowest(result)
    ]
    if _overlaps(result) is None:
        return header, rows
    overlaps = {s["id"]: s.get("overlaps", 0) for s in result["steps"]}
    return [*header, "Overlaps"], [[*row, str(overlaps[row[0]])] for row in rows]


def _overlaps(result: MeasureResult) -> str | None:
    """The starts before the case's previous event finished (work that overlapped it,
    not a negative wait), in all and by step; None when there are none."""
    counted = [(s["id"], n) for s in result["steps"] if (n := s.get("overlaps", 0))]
    if not counted:
        return None
    total = sum(n for _, n in counted)
    steps = ", ".join(f"{sid} ({n})" for sid, n in counted)
    return f"{total} (a start before the previous event finished; not waits): {steps}"


def _summary(result: MeasureResult) -> list[list[str]]:
    conf = result["conformance"]
    thr = result["throughput"]
    return [
        ["Cases", str(result["cases"])],
        ["Events", str(result["events"])],
        ["First event", result["span"]["first"] or "–"],
        ["Last event", result["span"]["last"] or "–"],
        [
            "Throughput p50 / p90",
            f"{human_duration(_p(thr, 'p50'))} / {human_duration(_p(thr, 'p90'))}",
        ],
        ["Fitting cases", f"{conf['fitting']} ({percent(conf['fitness'])})"],
        ["Deviating / incomplete", f"{conf['deviating']} / {conf['incomplete']}"],
        ["Rework", f"{result['rework']['cases']} ({percent(result['rework']['rate'])})"],
        ["Variants", str(len(result["variants"]))],
        ["Skipped rows", str(result["skipped_rows"]["count"])],
        *_lifecycle(result.get("lifecycle")),
        *([["Overlaps", overlaps]] if (overlaps := _overlaps(result)) else []),
    ] + ([["Unmapped activities", unmapped]] if (unmapped := _unmapped_summary(result)) else [])


#: Unmapped activities named in the summary line (the rest counted).
NAMED = 3


def _unmapped_summary(result: MeasureResult) -> str | None:
    """The unmapped activities in one line, their events, the first `NAMED` by name
    (None when every activity maps to a step)."""
    listed = result["unmapped_activities"]
    more = result.get("unmapped_more") or {"activities": 0, "events": 0}
    kinds = len(listed) + more["activities"]
    if not kinds:
        return None
    events = sum(u["events"] for u in listed) + more["events"]
    named = ", ".join(f"{u['activity']} ({u['events']})" for u in listed[:NAMED])
    rest = kinds - min(len(listed), NAMED)
    return f"{kinds} ({events} events, off the map: their cases deviate): {named}" + (
        f" and {rest} more" if rest else ""
    )


def warning_lines(result: MeasureResult) -> list[str]:
    """The warnings of a result, one line each, for stderr: the activities that map to
    no step, with their event counts; the unpaired starts and aborted instances of a log
    with lifecycle transitions, with example case ids."""
    lines = []
    unmapped = _unmapped_summary(result)
    if unmapped is not None:
        lines.append(f"{result['log']}: unmapped activities {unmapped}")
    lifecycle = result.get("lifecycle")
    if lifecycle is not None:
        for what, counted in (
            ("start(s) that no complete follows, not measured", lifecycle["unpaired_starts"]),
            ("aborted instance(s), not occurrences", lifecycle["aborted"]),
        ):
            if counted["count"]:
                cases = ", ".join(counted["examples"])
                lines.append(f"{result['log']}: {counted['count']} {what} (cases {cases})")
    return lines


#: What each lifecycle transition counts as (any other: no occurrence).
COUNTED_AS = {
    None: "activity instance",
    "complete": "activity instance",
    "start": "start of an instance",
    "ate_abort": "aborted instance",
    "pi_abort": "aborted instance",
    "withdraw": "aborted instance",
}


def _lifecycle(lifecycle: Lifecycle | None) -> list[list[str]]:
    """The summary's rows on lifecycle transitions: the handling, then the unpaired
    starts and aborted instances when there are any (with example case ids)."""
    if lifecycle is None or lifecycle["column"] is None:
        return [["Lifecycle", "none: each event is an activity instance"]]
    handling = f"{lifecycle['column']}: each complete event is an activity instance"
    if lifecycle["handling"] == "start-complete":
        handling += (
            f", its start paired ({lifecycle['paired_starts']} of"
            f" {lifecycle['instances']} instances have one)"
        )
    rows = [["Lifecycle", handling]]
    for title, counted in (
        ("Unpaired starts", lifecycle["unpaired_starts"]),
        ("Aborted instances", lifecycle["aborted"]),
    ):
        if counted["count"]:
            rows.append([title, f"{counted['count']} (cases {', '.join(counted['examples'])})"])
    return rows


def _transitions(result: MeasureResult) -> list[list[str]]:
    lifecycle = result.get("lifecycle")
    if lifecycle is None:
        return []
    return [
        [
            t["transition"] or "(blank)",
            str(t["events"]),
            COUNTED_AS.get(t["transition"], "not an occurrence"),
        ]
        for t in lifecycle["transitions"]
    ]


def _branches(result: MeasureResult) -> list[list[str]]:
    return [
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


def _blocks(result: MeasureResult) -> list[list[str]]:
    """Each parallel block: its time from the first start inside it to the last end."""
    return [
        [
            b["split"],
            b["join"] or "–",
            str(b["strands"]),
            str(b["cases"]),
            human_duration(_p(b["time"], "p50")),
            human_duration(_p(b["time"], "p90")),
        ]
        for b in result.get("blocks", [])
    ]


def _waits(result: MeasureResult) -> list[list[str]]:
    """Each step with a `wait:`: the declared wait beside the waiting measured before it."""
    return [
        [
            w["step"],
            human_duration(w["declared"]),
            str(w["count"]),
            human_duration(_p(w["measured"], "p50")),
            human_duration(_p(w["measured"], "p90")),
        ]
        for w in result.get("waits", [])
    ]


def _kpis(result: MeasureResult) -> list[list[str]]:
    return [
        [
            m["id"],
            metric_figure(m["actual"], m["unit"]),
            figure(m["baseline"], m["unit"]),
            figure(m["target"], m["unit"]),
            {True: "yes", False: "no", None: "–"}[m["meets_target"]],
        ]
        for m in result["metrics"]
    ]


def _unmapped(result: MeasureResult) -> list[list[str]]:
    unmapped = [[u["activity"], str(u["events"])] for u in result["unmapped_activities"]]
    more = result.get("unmapped_more") or {"activities": 0, "events": 0}
    if more["activities"]:
        unmapped.append([f"({more['activities']} more activities)", str(more["events"])])
    return unmapped


def format_json(result: MeasureResult, color: bool = False) -> str:
    return json.dumps(result, indent=2, sort_keys=False) + "\n"


def format_markdown(result: MeasureResult, color: bool = False) -> str:
    lines = [f"# Measured: {result['process']}", "", f"Log: `{result['log']}`", ""]
    for title, header, rows in _sections(result):
        lines += [f"## {title}", "", "| " + " | ".join(header) + " |"]
        lines.append("|" + "|".join("---" for _ in header) + "|")
        lines += [
            "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows
        ]
        lines.append("")
    return "\n".join(lines)


def format_text(result: MeasureResult, color: bool = False) -> str:
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


def format_github(result: MeasureResult, color: bool = False, process_file: str = "") -> str:
    """`::error` at each breached control point, then the summary: a `::warning` for
    the unmapped activities, a `::notice` for each lifecycle figure of a log with
    lifecycle transitions, and a `::notice` summary line."""
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
    lines += [
        "::warning title=procmap measure::"
        + line.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        for line in warning_lines(result)
    ]
    lifecycle = result.get("lifecycle")
    if lifecycle is not None and lifecycle["column"] is not None:  # no notice for plain logs
        lines += [f"::notice::{label}: {value}" for label, value in _lifecycle(lifecycle)]
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
    result: MeasureResult, fmt: str, color: bool = False, process_file: str = ""
) -> str:
    """The result in `fmt` (one of `REPORT_FORMATS`)."""
    if fmt == "github":
        return format_github(result, color, process_file)
    return FORMATTERS[fmt](result, color)


def breached(result: MeasureResult) -> bool:
    """Whether any control threshold is breached (`--check` fails)."""
    return any(c["breached"] for c in result["control"])

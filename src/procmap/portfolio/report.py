"""The portfolio as text (rich tables), Markdown or JSON (`procmap portfolio`).

Owns: `as_json` (the portfolio as plain data: the keys issue 10 lists and more, described
in the README) and the text and Markdown reports, built from the same sections: where to
start (the ranking, with the method's question in place of a missing figure, and how the
score is made), workload per role, the RACI matrix, coverage of the hourglass, and gaps.
Must not know: options, exit statuses, files.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ..format import STAGES
from .analysis import (
    FACTORS,
    MARKETING_STAGES,
    QUESTIONS,
    STAGE_QUESTIONS,
    Portfolio,
    ProcessFigures,
    RoleLoad,
)

REPORT_FORMATS = ("text", "markdown", "json")
#: Width of the text report when it is not printed on a terminal: the same on every machine.
TEXT_WIDTH = 120
_FACTOR_WORDS = {
    "frequency": "runs a month",
    "value": "runs a month × the value of a run",
    "critical": "critical steps",
    "return": "the mean gap between KPI baselines and targets, as a share of the baseline"
    " (at most 100%)",
    "effort": "work steps + handoffs + manual steps, shown as total (steps+handoffs+manual);"
    " less effort ranks higher",
}


def number(value: float | None, places: int = 1) -> str:
    """A figure for people: 8.7, 60, 1,200; "–" for none."""
    if value is None:
        return "–"
    text = f"{value:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def money(value: float | None, currency: str) -> str:
    """An amount with the portfolio's currency: a symbol before (€7,200), a code after."""
    if value is None:
        return "–"
    amount = number(value, 0)
    if not currency:
        return amount
    return f"{currency}{amount}" if len(currency) == 1 else f"{amount} {currency}"


def percent(share: float | None) -> str:
    return "–" if share is None else f"{100 * share:.0f}%"


def score_explanation(portfolio: Portfolio) -> str:
    """How the score is made, with the weights in use."""
    weights = portfolio.settings.weights
    terms = [
        f"{number(weights[k], 2)}×{'(1 − effort)' if k == 'effort' else k}"
        for k in FACTORS
        if weights[k]
    ]
    total = number(sum(weights[k] for k in FACTORS), 2)
    factors = "; ".join(f"{k}: {_FACTOR_WORDS[k]}" for k in FACTORS if weights[k])
    return (
        f"Score = 100 × ({' + '.join(terms)}) ÷ {total}. Each factor is the process's figure as"
        f" a share of the largest in the portfolio ({factors}). A missing figure counts 0."
        " Weights: [tool.procmap.portfolio] weights."
    )


def hours_explanation(portfolio: Portfolio) -> str:
    settings = portfolio.settings
    return (
        "Hours a month: each step's duration × the share of runs that reach it × runs a"
        f" month. A day of work is {number(settings.hours_per_day, 2)} hours and a week"
        f" {number(settings.days_per_week, 2)} days; automated steps take no one's time; after a"
        " decision, runs split by its `shares` (equal parts when it has none)."
        + (
            " After a parallel split, every run does each strand: their hours add up."
            if any(p.parallel_blocks for p in portfolio.processes)
            else ""
        )
    )


def _r(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(value, places)


def as_json(portfolio: Portfolio) -> dict[str, Any]:
    """The portfolio as plain data, rounded for reading (hours and values to 0.01)."""
    settings = portfolio.settings
    return {
        "processes": [_process_json(p) for p in portfolio.processes],
        "roles": [_role_json(role) for role in portfolio.roles],
        "raci": [
            {"role": c.role, "process": c.process, "letters": c.letters} for c in portfolio.raci
        ],
        "coverage": portfolio.coverage,
        "gaps": [
            {"kind": g.kind, "message": g.message, "stage": g.stage, "process": g.process}
            for g in portfolio.gaps
        ],
        "links": [
            {"source": link.source, "target": link.target, "kind": link.kind}
            for link in portfolio.links
        ],
        "settings": {
            "weights": dict(settings.weights),
            "currency": settings.currency,
            "hours_per_day": settings.hours_per_day,
            "days_per_week": settings.days_per_week,
        },
        "explanation": {
            "score": score_explanation(portfolio),
            "hours": hours_explanation(portfolio),
        },
    }


def _process_json(p: ProcessFigures) -> dict[str, Any]:
    """A process's figures, its ranking and the method's questions it leaves open."""
    return {
        "id": p.id,
        "name": p.name,
        "path": p.path,
        "system": p.system,
        "owner": p.owner,
        "stages": p.stages,
        "runs": p.runs,
        "runs_per_month": _r(p.runs_per_month, 3),
        "value": p.value,
        "value_per_month": _r(p.value_per_month),
        "score": p.score,
        "rank": p.rank,
        "critical_steps": p.critical_steps,
        "handoffs": p.handoffs,
        "work_steps": p.work_steps,
        "manual_steps": p.manual_steps,
        "effort": p.effort,
        "return": _r(p.return_, 4),
        "hours_per_run": _r(p.hours_per_run),
        "hours_per_month": _r(p.hours_per_month),
        "elapsed_minutes": _r(p.elapsed_minutes),
        "hands_on_minutes": _r(p.hands_on_minutes),
        "factors": p.factors,
        "calls": p.calls,
        "feeds": p.feeds,
        "questions": [QUESTIONS[q][1] for q in p.questions],
    }


def _role_json(role: RoleLoad) -> dict[str, Any]:
    """A role's workload: its hours, processes and the steps it works."""
    return {
        "id": role.id,
        "name": role.name,
        "hours_per_month": _r(role.hours_per_month),
        "processes": role.processes,
        "owns": role.owns,
        "steps": [
            {
                "process": s.process,
                "step": s.step,
                "name": s.name,
                "visits": _r(s.visits, 4),
                "hours_per_run": _r(s.hours_per_run),
                "hours_per_month": _r(s.hours_per_month),
            }
            for s in role.steps
        ],
        "untimed_steps": role.untimed,
        "unknown_runs": role.unknown_runs,
    }


@dataclass
class Section:
    title: str
    header: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)
    empty: str = ""  # said instead of the table when it has no rows
    questions: list[str] = field(default_factory=list)  # the method's, per process


def sections(portfolio: Portfolio) -> list[Section]:
    """The report as titled tables with notes, shared by the text and Markdown reports."""
    return [
        _ranking(portfolio),
        _workload(portfolio),
        _raci(portfolio),
        _coverage(portfolio),
        Section(
            "Gaps",
            ["Kind", "Gap"],
            [[g.kind, g.message] for g in portfolio.gaps],
            empty="None: every stage has a process, and every marketing process hands over to"
            " an operations process.",
        ),
    ]


def _ranking(portfolio: Portfolio) -> Section:
    """Where to start: the ranking, with the method's question in place of a missing
    figure, how the score is made, and every process's open questions."""
    currency = portfolio.settings.currency
    asked: list[str] = []
    ranking = []
    for p in portfolio.processes:
        missing = set(p.questions)
        for key in p.questions:
            asked.append(f"{p.id}: {QUESTIONS[key][1]}")
        ranking.append(
            [
                str(p.rank),
                p.name,
                QUESTIONS["runs"][0] if "runs" in missing else number(p.runs_per_month),
                QUESTIONS["value"][0]
                if "value" in missing and "runs" not in missing
                else money(p.value_per_month, currency),
                str(p.critical_steps),
                percent(p.return_) if p.return_ is not None else QUESTIONS["return"][0],
                f"{p.effort} ({p.work_steps}+{p.handoffs}+{p.manual_steps})",
                number(p.hours_per_month),
                f"{p.score:.1f}",
            ]
        )
    return Section(
        "Where to start",
        [
            "Rank",
            "Process",
            "Runs/month",
            "Value/month",
            "Critical",
            "Return",
            "Effort",
            "Hours/month",
            "Score",
        ],
        ranking,
        [score_explanation(portfolio)],
        "No valid process to rank.",
        asked,
    )


def _workload(portfolio: Portfolio) -> Section:
    """Hours a month per role, with what is not known (runs, durations) said beside them."""
    roles = []
    for role in portfolio.roles:
        hours = number(role.hours_per_month)
        if role.unknown_runs:
            hours += f" + ? ({', '.join(role.unknown_runs)}: how often?)"
        steps = str(len(role.steps))
        if role.untimed:
            steps += f" ({role.untimed} without a duration)"
        roles.append(
            [
                role.name,
                role.id,
                hours,
                steps,
                ", ".join(role.processes) or "–",
                ", ".join(role.owns) or "–",
            ]
        )
    return Section(
        "Workload per role",
        ["Role", "Id", "Hours/month", "Steps", "Works in", "Owns"],
        roles,
        [hours_explanation(portfolio)],
        "No roles.",
    )


def _raci(portfolio: Portfolio) -> Section:
    """The RACI matrix: a row per role, a column per process."""
    pids = sorted(p.id for p in portfolio.processes)
    cells = {(c.role, c.process): c.letters for c in portfolio.raci}
    raci_roles = sorted({c.role for c in portfolio.raci})
    return Section(
        "RACI",
        ["Role", *pids],
        [[rid, *(cells.get((rid, pid), "") for pid in pids)] for rid in raci_roles],
        [
            "R: owns steps of the process. A: owns the process. C: approves its changes"
            " (review approver). I: owns a process it feeds or calls, so receives its work."
        ],
        "No roles.",
    )


def _coverage(portfolio: Portfolio) -> Section:
    """Each stage of the hourglass, its system and the processes serving it."""
    names = {p.id: p.name for p in portfolio.processes}
    rows = []
    for stage in STAGES:
        served = portfolio.coverage[stage]
        system = "marketing" if stage in MARKETING_STAGES else "operations"
        shown = ", ".join(f"{names[pid]} ({pid})" for pid in served)
        rows.append([stage, system, shown or f"none: {STAGE_QUESTIONS[stage]}"])
    return Section("Coverage of the hourglass", ["Stage", "System", "Processes"], rows)


def _heading(portfolio: Portfolio) -> str:
    count = len(portfolio.processes)
    return f"Portfolio of {count} process{'es' if count != 1 else ''}"


def format_json(portfolio: Portfolio, color: bool = False) -> str:
    return json.dumps(as_json(portfolio), indent=2, ensure_ascii=False) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


#: In place of a section's notes on the site's home page: a link to where they went.
_SEE_NOTES = (
    "How these figures are worked out:"
    " [the notes at the end](#portfolio-how-the-figures-are-worked-out)."
)


def format_markdown(
    portfolio: Portfolio,
    color: bool = False,
    picture: str | None = None,
    notes_at_end: bool = False,
) -> str:
    """A Markdown report; `picture` is the system map's file name, shown at the top.
    `notes_at_end` (the site's home page) moves the sections' notes, how the score and the
    hours are worked out, to a last section, so the tables come first."""
    lines = [f"# {_heading(portfolio)}", ""]
    if picture:
        lines += [f"![The system map: every process placed by hourglass stage]({picture})", ""]
    moved: list[str] = []
    for section in sections(portfolio):
        if notes_at_end and section.notes:
            moved += [f"- **{section.title}:** {note}" for note in section.notes]
            section = replace(section, notes=[_SEE_NOTES])
        lines += [f"## {section.title}", ""]
        if section.rows:
            lines.append("| " + " | ".join(_cell(h) for h in section.header) + " |")
            lines.append("|" + "|".join("---" for _ in section.header) + "|")
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in section.rows]
            lines.append("")
        elif section.empty:
            lines += [section.empty, ""]
        for note in section.notes:
            lines += [note, ""]
        if section.questions:
            lines += [f"- {question}" for question in section.questions] + [""]
    if moved:
        lines += ["## How the figures are worked out", "", *moved, ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def format_text(portfolio: Portfolio, color: bool = False, width: int | None = None) -> str:
    """Rich tables: coloured and as wide as the terminal (`color`), else plain and
    `TEXT_WIDTH` wide, the same on every machine."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    if width is None:
        import shutil

        width = shutil.get_terminal_size((TEXT_WIDTH, 24)).columns if color else TEXT_WIDTH
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        width=width,
        highlight=False,
        emoji=False,
        markup=False,
    )
    console.print(_heading(portfolio), style="bold")
    for section in sections(portfolio):
        console.print()
        console.print(section.title, style="bold")
        if section.rows:
            table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
            for name in section.header:
                table.add_column(name, overflow="fold")
            for row in section.rows:
                table.add_row(*row)
            console.print(table)
        elif section.empty:
            console.print(section.empty)
        for note in [*section.notes, *section.questions]:
            console.print(note, style="dim")
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


FORMATTERS: dict[str, Callable[..., str]] = {
    "text": format_text,
    "markdown": format_markdown,
    "json": format_json,
}


def format_portfolio(portfolio: Portfolio, fmt: str, color: bool = False) -> str:
    """The portfolio in `fmt`, one of `REPORT_FORMATS`."""
    return FORMATTERS[fmt](portfolio, color)

"""The figures of a portfolio of processes: ranking, workload, RACI, coverage and gaps.

Owns: `analyse`, which takes validated processes and returns a `Portfolio`, plain
dataclasses that the reports, the system map and the HTML site read. The method is the
one of shared/DOMAIN.md: rank the processes by the seed's questions (how often it runs,
what it produces, how critical it is, what improving it would return, and the effort it
takes), add up the work per role, place every process on the marketing hourglass, and
check that every marketing system has an operations system picking up its output.

The rules, each stated where the report explains it:

- A run's *visits* of a step: a decision sends the runs down its branches by the shares
  it declares (`shares:`), else in equal parts, as `procmap simulate` does; a loop
  counts every round. A step reached by 6% of the runs counts 6% of its time. A parallel
  split sends every run down each of its strands (each strand's steps are done in every
  case that reaches the split: no share division), and its join is passed once per run,
  when the last strand arrives.
- *Work hours* of a step: its `duration`, with a day as `hours_per_day` (8) and a week as
  `days_per_week` (5) such days, since a person works a step, not the calendar. Automated
  steps and steps without a duration count no hours.
- *Handoffs*: the DMAIC worksheet's (`procmap.render`'s analysis): owner changes
  between work steps, a parallel split or join passed through and not multiplied by its
  strands, each counted once per process.
- *Elapsed and hands-on time* of a case: the critical path's (`Flow.critical_path`).
- *RACI*: R for the owners of the steps (not of a parallel split or join, which are not
  work), A for the process owner, C for the review's approver, I for the owner of a
  process handed work (a subprocess called, a process fed) who is not R or A.
- *Effort*: work steps (tasks and subprocesses) + handoffs + manual work steps.
- *Return*: per metric with a baseline and a target, the gap |target - baseline| as a
  share of the baseline (at most 1, that is 100%); the mean over those metrics.
- *Score*: each factor as a share of the largest in the portfolio (0 to 1; effort counts
  as 1 minus its share, less effort ranking higher), weighted, times 100 over the sum of
  the weights. A missing figure counts 0, and the method's question stands in its place.

Must not know: output formats, files, options. Imports `procmap.render` (the handoffs of
the DMAIC worksheet) and `procmap.format`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..config import PORTFOLIO_WEIGHTS
from ..format import STAGES, Flow, ProcessLike, StepLike

#: Steps whose owner only places them in a lane, not work: a parallel split and a join
#: make their owner neither responsible (R) nor loaded with their (no) hours.
LANES = ("parallel", "join")
#: The ranking factors, in the order the report explains them (named by the configuration).
FACTORS: tuple[str, ...] = PORTFOLIO_WEIGHTS
DEFAULT_WEIGHTS: dict[str, float] = dict.fromkeys(FACTORS, 1.0)
#: The stages of the marketing system; the rest are the operations system's.
MARKETING_STAGES = ("know", "like", "trust", "try")
#: What to ask when no process serves a stage of the hourglass.
STAGE_QUESTIONS = {
    "know": "how do prospects first hear of you?",
    "like": "what makes them like what they see?",
    "trust": "what earns their trust (reviews, case studies, useful content)?",
    "try": "how can they try you before they buy (a webinar, a sample, a free call)?",
    "buy": "how do they buy, and who delivers what was sold?",
    "repeat": "what brings clients back to buy again?",
    "refer": "what makes happy clients refer others?",
}
#: The method's question in place of each missing figure: (short, in a table cell; long).
QUESTIONS = {
    "runs": ("How often?", "How often is it used? Add `runs:`, like 20/month."),
    "value": (
        "Worth?",
        "What does one run produce or earn? Add `value:`, the average worth of a run.",
    ),
    "return": (
        "Return?",
        "What would improving it return? Give its KPIs a baseline and a target.",
    ),
}
#: A duration the model accepted (DURATION_PATTERN), with its number and unit as groups.
_DURATION = re.compile(r"^([0-9]+(?:\.[0-9]+)?)\s*(m|min|h|d|w)$")


class PortfolioError(Exception):
    """The settings cannot be used (weights that add up to nothing)."""


@dataclass(frozen=True)
class Settings:
    """How the figures are computed: `[tool.procmap.portfolio]`."""

    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    currency: str = ""
    hours_per_day: float = 8.0
    days_per_week: float = 5.0
    #: The HTML site's title (`[tool.procmap.site] title`), for the home page it makes.
    site_title: str = ""

    @classmethod
    def from_config(cls, table: Mapping[str, Any]) -> Settings:
        """From the checked `Config.portfolio` table (keys with `_` for `-`)."""
        weights = dict(DEFAULT_WEIGHTS)
        weights.update({k: float(v) for k, v in table.get("weights", {}).items()})
        return cls(
            weights=weights,
            currency=str(table.get("currency", "")),
            hours_per_day=float(table.get("hours_per_day", 8.0)),
            days_per_week=float(table.get("days_per_week", 5.0)),
            site_title=str(table.get("site_title", "")),
        )


@dataclass(frozen=True)
class StepLoad:
    """A step with an owner, and the work it asks of that owner."""

    process: str
    step: str
    name: str
    visits: float  # expected visits per run
    hours_per_run: float  # work hours per run: duration x visits (0 when automated or untimed)
    hours_per_month: float | None  # None when the process does not say how often it runs


@dataclass
class ProcessFigures:
    """One process as the portfolio sees it."""

    id: str
    name: str
    path: str
    system: str | None
    owner: str | None
    stages: list[str]
    runs: str | None
    runs_per_month: float | None
    value: float | None
    value_per_month: float | None
    critical_steps: int
    handoffs: int
    work_steps: int
    manual_steps: int
    effort: int
    return_: float | None
    hours_per_run: float
    hours_per_month: float | None
    calls: list[str]
    feeds: list[str]
    #: A case start to end along the critical path: elapsed minutes (waits and work, a
    #: parallel block's slowest strand) and hands-on minutes (every strand's work).
    elapsed_minutes: float = 0.0
    hands_on_minutes: float = 0.0
    parallel_blocks: int = 0
    factors: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    rank: int = 0
    questions: list[str] = field(default_factory=list)  # the keys of QUESTIONS missing


@dataclass
class RoleLoad:
    """A role across the portfolio: roles with the same id in different files are one."""

    id: str
    name: str
    hours_per_month: float
    processes: list[str]  # the processes it works in (R) or answers for (A)
    owns: list[str]  # the processes it is the owner of (A)
    steps: list[StepLoad]
    unknown_runs: list[str]  # processes where it has timed work but no `runs:` is given
    untimed: int = 0  # manual work steps it owns that have no duration


@dataclass(frozen=True)
class Raci:
    role: str
    process: str
    letters: str  # some of R, A, C, I in that order


@dataclass(frozen=True)
class Gap:
    kind: str  # stage, handover, role, unplaced or unknown-process
    message: str
    stage: str | None = None
    process: str | None = None


@dataclass(frozen=True)
class Link:
    """An arrow of the system map: `source` calls `target` as a subprocess, or feeds it."""

    source: str
    target: str
    kind: str  # "calls" or "feeds"


@dataclass
class Portfolio:
    """Everything `procmap portfolio` reports; `processes` in rank order."""

    processes: list[ProcessFigures]
    roles: list[RoleLoad]
    raci: list[Raci]
    coverage: dict[str, list[str]]
    gaps: list[Gap]
    links: list[Link]
    settings: Settings

    def process(self, process_id: str) -> ProcessFigures | None:
        return next((p for p in self.processes if p.id == process_id), None)

    @property
    def unmatched(self) -> list[str]:
        """Marketing processes whose output no operations process picks up."""
        return [g.process for g in self.gaps if g.kind == "handover" and g.process]


def work_hours(duration: str | None, settings: Settings) -> float:
    """Hours of work in a step's duration: minutes and hours as written, a day as
    `hours_per_day`, a week as `days_per_week` days."""
    if duration is None:
        return 0.0
    match = _DURATION.match(duration.strip())
    if match is None:
        return 0.0
    amount, unit = float(match.group(1)), match.group(2)
    if unit in ("m", "min"):
        return amount / 60
    if unit == "h":
        return amount
    days = amount if unit == "d" else amount * settings.days_per_week
    return days * settings.hours_per_day


def visits(process: ProcessLike) -> dict[str, float]:
    """Expected visits of each step per run (see the module docstring)."""
    flow = Flow(process)
    order = list(flow.steps)
    index = {sid: i for i, sid in enumerate(order)}
    strands = {b.join: len(b.strands) for b in flow.blocks.values() if b.join is not None}
    for use_shares in (True, False):
        moves = [_moves(flow.steps[sid], flow.steps, use_shares, strands) for sid in order]
        starts = flow.starts or order[:1]
        found = _solve(len(order), index, moves, {index[s]: 1 / len(starts) for s in starts})
        if found is not None:
            return {sid: found[index[sid]] for sid in order}
    return dict.fromkeys(order, 1.0)  # pragma: no cover - equal shares always leave a loop


def _moves(
    step: StepLike, steps: Mapping[str, StepLike], use_shares: bool, strands: Mapping[str, int]
) -> list[tuple[str, float]]:
    """Where a run goes from `step`, with the share of its visits each target gets: all
    of them to every strand of a split; a strand's arrival at a join counts as 1/n of a
    visit (`strands`: join -> n), since the n strands pass the join once together."""
    targets = [(label, t) for label, t in step.targets() if t in steps]
    if not targets:
        return []
    if step.kind == "parallel":
        return [(t, 1.0 / strands.get(t, 1)) for _, t in targets]
    shares = step.shares if use_shares and step.branches else None
    if shares:
        total = sum(shares.get(label, 0.0) for label, _ in targets if label is not None)
        if total > 0:
            return [
                (t, shares.get(label, 0.0) / total / strands.get(t, 1))
                for label, t in targets
                if label
            ]
    return [(t, 1 / len(targets) / strands.get(t, 1)) for _, t in targets]


def _solve(
    size: int, index: dict[str, int], moves: list[list[tuple[str, float]]], start: dict[int, float]
) -> list[float] | None:
    """v = start + (moves)^T v by Gauss-Jordan elimination; None when the runs never end."""
    matrix = [[0.0] * size + [start.get(i, 0.0)] for i in range(size)]
    for i in range(size):
        matrix[i][i] += 1.0
    for source, out in enumerate(moves):
        for target, share in out:
            matrix[index[target]][source] -= share
    for column in range(size):
        pivot = max(range(column, size), key=lambda r: abs(matrix[r][column]))
        if abs(matrix[pivot][column]) < 1e-12:
            return None
        matrix[column], matrix[pivot] = matrix[pivot], matrix[column]
        head = matrix[column][column]
        matrix[column] = [x / head for x in matrix[column]]
        for row in range(size):
            if row != column and matrix[row][column]:
                factor = matrix[row][column]
                matrix[row] = [
                    x - factor * y for x, y in zip(matrix[row], matrix[column], strict=True)
                ]
    result = [matrix[i][size] for i in range(size)]
    if any(x < -1e-9 for x in result):
        return None
    return [max(0.0, x) for x in result]


def _return(process: ProcessLike) -> float | None:
    gaps = []
    for metric in process.metrics.values():
        if metric.baseline is None or metric.target is None:
            continue
        change = abs(metric.target - metric.baseline)
        if metric.baseline == 0:
            gaps.append(1.0 if change else 0.0)
        else:
            gaps.append(min(1.0, change / abs(metric.baseline)))
    return sum(gaps) / len(gaps) if gaps else None


def _figures(
    path: str, process: ProcessLike, settings: Settings
) -> tuple[ProcessFigures, list[StepLoad]]:
    from ..render import analyze

    facts = analyze(process)
    seen = visits(process)
    loads = []
    rpm = process.runs_per_month
    for step in process.steps:
        if step.owner is None or step.kind in LANES:
            continue
        hours = 0.0 if step.automated else work_hours(step.duration, settings) * seen[step.id]
        loads.append(
            StepLoad(
                process=process.id,
                step=step.id,
                name=step.name,
                visits=seen[step.id],
                hours_per_run=hours,
                hours_per_month=None if rpm is None else hours * rpm,
            )
        )
    work = [s for s in process.steps if s.kind in ("task", "subprocess")]
    manual = [s for s in work if not s.automated]
    hours_per_run = sum(load.hours_per_run for load in loads)
    figures = ProcessFigures(
        id=process.id,
        name=process.name,
        path=path,
        system=process.system,
        owner=process.owner,
        stages=[s for s in STAGES if s in process.hourglass],
        runs=process.runs,
        runs_per_month=rpm,
        value=process.value,
        value_per_month=None if rpm is None or process.value is None else rpm * process.value,
        critical_steps=sum(1 for s in process.steps if s.critical),
        handoffs=len(facts.handoffs),
        work_steps=len(work),
        manual_steps=len(manual),
        effort=len(work) + len(facts.handoffs) + len(manual),
        return_=_return(process),
        hours_per_run=hours_per_run,
        hours_per_month=None if rpm is None else hours_per_run * rpm,
        calls=list(
            dict.fromkeys(s.process for s in process.steps if s.kind == "subprocess" and s.process)
        ),
        feeds=list(dict.fromkeys(f for f in process.feeds if f != process.id)),
        elapsed_minutes=facts.longest_minutes,
        hands_on_minutes=facts.longest_hands_on_minutes,
        parallel_blocks=len(facts.blocks),
    )
    figures.questions = [
        key
        for key, missing in (
            ("runs", rpm is None),
            ("value", process.value is None),
            ("return", figures.return_ is None),
        )
        if missing
    ]
    return figures, loads


def _score(figures: list[ProcessFigures], settings: Settings) -> None:
    raw = {
        "frequency": [f.runs_per_month or 0.0 for f in figures],
        "value": [f.value_per_month or 0.0 for f in figures],
        "critical": [float(f.critical_steps) for f in figures],
        "return": [f.return_ or 0.0 for f in figures],
        "effort": [float(f.effort) for f in figures],
    }
    total = sum(settings.weights[k] for k in FACTORS)
    if total <= 0:
        raise PortfolioError("the portfolio weights add up to 0: give at least one a weight")
    for i, item in enumerate(figures):
        shares = {}
        for key in FACTORS:
            top = max(raw[key])
            share = raw[key][i] / top if top > 0 else 0.0
            shares[key] = 1.0 - share if key == "effort" else share
        item.factors = {k: round(v, 4) for k, v in shares.items()}
        item.score = round(100 * sum(settings.weights[k] * shares[k] for k in FACTORS) / total, 1)
    figures.sort(key=lambda f: (-f.score, f.id))
    for i, item in enumerate(figures):
        same = i > 0 and figures[i - 1].score == item.score
        item.rank = figures[i - 1].rank if same else i + 1


def analyse(processes: Mapping[str, ProcessLike], settings: Settings | None = None) -> Portfolio:
    """The portfolio of `processes` (path -> validated process, as `validate_paths(...,
    keep=True).processes` gives them)."""
    settings = settings or Settings()
    by_id: dict[str, tuple[str, ProcessLike]] = {}
    for path, process in sorted(processes.items(), key=lambda item: (item[1].id, item[0])):
        by_id.setdefault(process.id, (path, process))
    ordered = [by_id[pid] for pid in sorted(by_id)]
    figures: list[ProcessFigures] = []
    loads: dict[str, list[StepLoad]] = {}
    for path, process in ordered:
        found, steps = _figures(path, process, settings)
        figures.append(found)
        loads[process.id] = steps
    if figures:
        _score(figures, settings)
    links = [
        Link(f.id, target, kind)
        for f in sorted(figures, key=lambda f: f.id)
        for kind, targets in (("calls", f.calls), ("feeds", f.feeds))
        for target in targets
        if target in by_id
    ]
    raci = _raci(ordered, by_id)
    roles = _roles(ordered, loads, raci)
    coverage = {stage: [p.id for _, p in ordered if stage in p.hourglass] for stage in STAGES}
    return Portfolio(
        processes=figures,
        roles=roles,
        raci=raci,
        coverage=coverage,
        gaps=_gaps(ordered, by_id, coverage, links),
        links=links,
        settings=settings,
    )


def _raci(
    ordered: list[tuple[str, ProcessLike]], by_id: Mapping[str, tuple[str, ProcessLike]]
) -> list[Raci]:
    cells: dict[tuple[str, str], set[str]] = {}

    def mark(role: str | None, pid: str, letter: str) -> None:
        if role is not None:
            cells.setdefault((role, pid), set()).add(letter)

    for _, process in ordered:
        for step in process.steps:
            if step.kind not in LANES:
                mark(step.owner, process.id, "R")
        mark(process.owner, process.id, "A")
        if process.review is not None:
            mark(process.review.approver, process.id, "C")
        handed = [s.process for s in process.steps if s.kind == "subprocess" and s.process]
        for target in [*handed, *process.feeds]:
            if target in by_id and target != process.id:
                receiver = by_id[target][1].owner
                if receiver is not None and not {"R", "A"} & cells.get(
                    (receiver, process.id), set()
                ):
                    mark(receiver, process.id, "I")
    order = {pid: i for i, (_, p) in enumerate(ordered) for pid in [p.id]}
    return [
        Raci(role, pid, "".join(letter for letter in "RACI" if letter in letters))
        for (role, pid), letters in sorted(cells.items(), key=lambda c: (c[0][0], order[c[0][1]]))
    ]


def _roles(
    ordered: list[tuple[str, ProcessLike]], loads: Mapping[str, list[StepLoad]], raci: list[Raci]
) -> list[RoleLoad]:
    names: dict[str, str] = {}
    for _, process in ordered:
        for rid, name in process.roles.items():
            names.setdefault(rid, name)
    found: dict[str, RoleLoad] = {}

    def role(rid: str) -> RoleLoad:
        if rid not in found:
            found[rid] = RoleLoad(rid, names.get(rid, rid), 0.0, [], [], [], [])
        return found[rid]

    for rid in names:
        role(rid)
    by_process = {p.id: p for _, p in ordered}
    for _, process in ordered:
        for load in loads[process.id]:
            step = by_process[load.process].step(load.step)
            if step is None or step.owner is None:  # a load is one of its process's owned steps
                continue
            entry = role(step.owner)
            entry.steps.append(load)
            if load.hours_per_month is not None:
                entry.hours_per_month += load.hours_per_month
            elif load.hours_per_run > 0 and process.id not in entry.unknown_runs:
                entry.unknown_runs.append(process.id)
            if step.kind in ("task", "subprocess") and not step.automated and not step.duration:
                entry.untimed += 1
    for cell in raci:
        entry = role(cell.role)
        if ("R" in cell.letters or "A" in cell.letters) and cell.process not in entry.processes:
            entry.processes.append(cell.process)
        if "A" in cell.letters:
            entry.owns.append(cell.process)
    return sorted(found.values(), key=lambda r: (-round(r.hours_per_month, 6), r.id))


def _gaps(
    ordered: list[tuple[str, ProcessLike]],
    by_id: Mapping[str, tuple[str, ProcessLike]],
    coverage: Mapping[str, list[str]],
    links: list[Link],
) -> list[Gap]:
    """Every gap, by kind: stages no process serves, marketing processes no operations
    process picks up from, roles spelt two ways, processes on no stage, unknown ids."""
    gaps = [
        Gap("stage", f"No process serves the {stage} stage: {STAGE_QUESTIONS[stage]}", stage=stage)
        for stage in STAGES
        if not coverage[stage]
    ]
    gaps.extend(_handover_gaps(ordered, by_id, links))
    gaps.extend(_role_gaps(ordered))
    gaps.extend(
        Gap(
            "unplaced",
            f"{process.name} ({process.id}) serves no stage of the hourglass: which"
            " customers does it move along, and from where to where? Add `hourglass:`.",
            process=process.id,
        )
        for _, process in ordered
        if not process.hourglass
    )
    gaps.extend(_unknown_process_gaps(ordered, by_id))
    return gaps


def _handover_gaps(
    ordered: list[tuple[str, ProcessLike]],
    by_id: Mapping[str, tuple[str, ProcessLike]],
    links: list[Link],
) -> list[Gap]:
    """A marketing process from which no chain of `feeds` (or of subprocesses back to
    their callers) reaches an operations process: its output is picked up by no one."""
    # Where each process's output goes: to the processes it feeds, and a subprocess's
    # back to the processes that call it.
    onward: dict[str, set[str]] = {}
    for link in links:
        if link.kind == "feeds":
            onward.setdefault(link.source, set()).add(link.target)
        else:
            onward.setdefault(link.target, set()).add(link.source)
    gaps = []
    for _, process in ordered:
        if process.system != "marketing":
            continue
        seen = {process.id}
        todo = [process.id]
        picked = False
        while todo and not picked:
            for nxt in sorted(onward.get(todo.pop(), ())):
                if by_id[nxt][1].system == "operations":
                    picked = True
                elif nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        if not picked:
            gaps.append(
                Gap(
                    "handover",
                    f"{process.name} ({process.id}) is a marketing process whose output no"
                    " operations process picks up: name the one that takes over in its"
                    " `feeds:`, or document it (every marketing system needs a matching"
                    " operations system).",
                    process=process.id,
                )
            )
    return gaps


def _unknown_process_gaps(
    ordered: list[tuple[str, ProcessLike]], by_id: Mapping[str, tuple[str, ProcessLike]]
) -> list[Gap]:
    """A subprocess called, or a process fed, that is not in the portfolio."""
    gaps = []
    for _, process in ordered:
        called = [s.process for s in process.steps if s.kind == "subprocess" and s.process]
        for verb, targets in (("calls", called), ("feeds", process.feeds)):
            for target in dict.fromkeys(targets):
                if target not in by_id:
                    gaps.append(
                        Gap(
                            "unknown-process",
                            f"{process.name} ({process.id}) {verb} {target}, which is not"
                            " in this portfolio: include its file, or fix the id.",
                            process=process.id,
                        )
                    )
    return gaps


def _role_gaps(ordered: list[tuple[str, ProcessLike]]) -> list[Gap]:
    """One role under two names, or two role ids under one name: the workload and the
    RACI matrix count roles by id, so either is probably a mistake."""
    names: dict[str, dict[str, list[str]]] = {}  # role id -> name -> process ids
    for _, process in ordered:
        for rid, name in process.roles.items():
            names.setdefault(rid, {}).setdefault(name, []).append(process.id)
    gaps = []
    for rid, spelt in names.items():
        if len(spelt) > 1:
            ways = "; ".join(f"{name!r} in {', '.join(pids)}" for name, pids in spelt.items())
            gaps.append(
                Gap(
                    "role",
                    f"Role {rid} has {len(spelt)} names ({ways}): give it one name everywhere.",
                )
            )
    ids: dict[str, list[tuple[str, list[str]]]] = {}  # name -> (role id, process ids)
    for rid, spelt in names.items():
        for name, pids in spelt.items():
            ids.setdefault(" ".join(name.lower().split()), []).append((rid, pids))
    for same in ids.values():
        if len(same) > 1:
            where = ", ".join(f"{rid} ({', '.join(pids)})" for rid, pids in same)
            first = next(n for n in names[same[0][0]] if names[same[0][0]][n] == same[0][1])
            gaps.append(
                Gap(
                    "role",
                    f"Roles {where} are {'both' if len(same) == 2 else 'all'} called {first!r}:"
                    " if they are one role, give it one id, so that its work is added up.",
                )
            )
    return gaps

"""Flow maps as Mermaid flowcharts, which GitHub draws inside Markdown.

Owns: the same notation as `flowmap` in Mermaid syntax (stadiums for start and end,
rectangles for tasks, `{...}` diamonds for decisions, diamonds headed by a big bold `+` for a
parallel split and its join, `[[...]]` subroutine boxes for subprocesses, a `((...))`
dashed circle saying "wait 7 days" on the way into a step that waits (out of a join that
waits), labelled arrows, classDefs for critical and automated steps and for the waits)
and escaping user text with Mermaid's entity codes so no name can break or extend the
chart. Only shapes of Mermaid's classic syntax, which every Mermaid since 9 parses.

Must not know: files, command-line options, Graphviz, or Markdown documents around it.
"""

from __future__ import annotations

import json

from ..format import Flow, ProcessLike, StepLike
from .dottext import clean_text, duration_text
from .flowmap import DIRECTIONS

# Same palette as flowmap: Okabe-Ito accents on greys, each with a non-colour mark too.
_CLASSES = {
    "critical": "stroke:#D55E00,stroke-width:3px",
    "automated": "fill:#E3EFF8,stroke:#424A53",
    "automatable": "stroke:#424A53,stroke-dasharray:4 3",
    "terminal": "fill:#E6EAEF,stroke:#424A53",
    "wait": "fill:#FFFFFF,stroke:#59636E,stroke-dasharray:3 3,color:#59636E",
}
_TAGS = {"critical": "! critical", "automated": "⚙ automated", "automatable": "⚙ could automate"}
_SHAPES = {
    "start": ('(["', '"])'),
    "end": ('(["', '"])'),
    "decision": ('{"', '"}'),
    "parallel": ('{"', '"}'),
    "join": ('{"', '"}'),
    "subprocess": ('[["', '"]]'),
    "task": ('["', '"]'),
}
# Characters Mermaid or the HTML it makes could read as syntax: written as entity codes
# (`#35;` is `#`, so a user's own `#quot;` stays literal text).
_ESCAPED = set('"#&<>[]{}()|`\\')


def to_mermaid(process: ProcessLike, *, direction: str = "LR") -> str:
    """The flow map of `process` as a Mermaid `flowchart` (deterministic)."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    flow = Flow(process)
    ids = {sid: f"n{index}" for index, sid in enumerate(flow.order)}
    lines = [
        "---",
        f"title: {_yaml_string(process.name)}",
        "---",
        f"flowchart {direction}",
    ]
    classes: dict[str, list[str]] = {name: [] for name in _CLASSES}
    into: dict[str, str] = {}  # a waiting step: arrows into it end at its clock
    out_of: dict[str, str] = {}  # a waiting join: arrows out of it leave from its clock
    waits: list[str] = []
    for sid in flow.order:
        step = flow.steps[sid]
        opening, closing = _SHAPES[step.kind]
        lines.append(f"  {ids[sid]}{opening}{_label(step, process)}{closing}")
        for name in _classes_of(step):
            classes[name].append(ids[sid])
        text = duration_text(step.wait)
        if text is not None:
            clock = f"{ids[sid]}w"
            lines.append(f'  {clock}(("{_text(f"wait {text}")}"))')
            classes["wait"].append(clock)
            after = step.kind == "join"
            (out_of if after else into)[sid] = clock
            waits.append(f"  {ids[sid]} --> {clock}" if after else f"  {clock} --> {ids[sid]}")
    for edge in flow.edges:
        label = f'|"{_text(edge.label)}"|' if edge.label is not None else ""
        tail = out_of.get(edge.source, ids[edge.source])
        head = into.get(edge.target, ids[edge.target])
        lines.append(f"  {tail} -->{label} {head}")
    lines.extend(waits)
    for name, style in _CLASSES.items():
        if classes[name]:
            lines.append(f"  classDef {name} {style}")
    for name, members in classes.items():
        if members:
            lines.append(f"  class {','.join(members)} {name}")
    return "\n".join(lines) + "\n"


def _classes_of(step: StepLike) -> list[str]:
    names = []
    if step.kind in ("start", "end"):
        names.append("terminal")
    if step.automated:
        names.append("automated")
    elif step.automatable:
        names.append("automatable")
    if step.critical:
        names.append("critical")
    return names


def _label(step: StepLike, process: ProcessLike) -> str:
    """The step name with its tags above and its quiet details below, one `<br/>` apart."""
    parts = [_TAGS[name] for name in _classes_of(step) if name in _TAGS]
    head = [_text(" · ".join(parts))] if parts else []
    details = [
        part
        for part in (process.role_name(step.owner), duration_text(step.duration))
        if part is not None
    ]
    lines = [*head, _text(step.name)]
    if step.kind in ("parallel", "join"):
        lines.insert(0, "<b style='font-size:1.6em'>+</b>")
    if step.kind == "subprocess" and step.process:
        lines.append(_small(f"runs process {step.process}"))
    if details:
        lines.append(_small(" · ".join(details)))
    if step.tools:
        lines.append(_small(", ".join(process.tools.get(t, t) for t in step.tools)))
    for metric_id in step.metrics:
        metric = process.metrics.get(metric_id)
        lines.append(_small(f"KPI: {metric.name if metric is not None else metric_id}"))
    return "<br/>".join(lines)


def _small(text: str) -> str:
    return f"<small>{_text(text)}</small>"


def _text(text: str) -> str:
    """User text with every syntax character as a Mermaid entity code (`#34;`)."""
    return "".join(f"#{ord(ch)};" if ch in _ESCAPED else ch for ch in clean_text(text))


def _yaml_string(text: str) -> str:
    """A double-quoted YAML string; backticks and markup as \\u escapes so the title can
    neither close a Markdown code fence nor carry HTML."""
    quoted = json.dumps(clean_text(text), ensure_ascii=False)
    for ch in "`<>&":
        quoted = quoted.replace(ch, f"\\u{ord(ch):04x}")
    return quoted

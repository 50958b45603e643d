"""Printing a semantic diff: text for people (rich), markdown for a pull-request comment, json.

Owns: the summary line ("2 steps added, 1 owner changed") and the three output formats
(`FORMATS`). Must not know: how the two sides were loaded or compared.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from .changes import KINDS, Change, FileDiff, Value, plain_number

if TYPE_CHECKING:
    from rich.console import Console


# Output --------------------------------------------------------------------------------


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def summary(changes: list[Change]) -> str:
    """'2 steps added, 1 owner changed': counts by summary words, in `KINDS` order."""
    counts: Counter[str] = Counter()
    words: dict[str, tuple[str, str]] = {}
    for change in changes:
        one, many = KINDS[change.kind]
        counts[one] += 1
        words[one] = (one, many)
    order = list(dict.fromkeys(one for one, _ in KINDS.values()))
    return ", ".join(
        f"{counts[one]} {one if counts[one] == 1 else words[one][1]}"
        for one in order
        if counts[one]
    )


def show(value: Value) -> str:
    """A value as people read it: yes/no, numbers without '.0', text on one line."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(plain_number(value))
    return " ".join(str(value).split())


def one_line(text: str) -> str:
    """User text on one line: a name with a line break is still one line of the report."""
    return " ".join(text.split())


def line(change: Change) -> str:
    """'owner of Hold the consultation call: Sales rep -> Founder' (without the sign)."""
    what = one_line(change.what)
    if change.old is None:
        return f"{what}: {show(change.new)}"
    if change.new is None:
        return f"{what}: {show(change.old)}"
    return f"{what}: {show(change.old)} -> {show(change.new)}"


def _totals(diffs: list[FileDiff]) -> str:
    changed = [d for d in diffs if d.changes]
    compared = _plural(len(diffs), "process", "processes")
    if not changed:
        return f"No changes of meaning ({compared} compared)."
    count = _plural(sum(len(d.changes) for d in changed), "change")
    if len(changed) == len(diffs):
        return f"{count} in {compared}."
    return f"{count} in {len(changed)} of {compared}."


_STYLES = {"+": "green", "-": "red", "~": "yellow", "!": "bold red"}


def render_text(diffs: list[FileDiff], console: Console) -> None:
    """A header per changed process, one line per change (+ green, - red, ~ yellow)."""
    from rich.text import Text

    for diff in diffs:
        if not diff.changes:
            continue
        header = Text(one_line(diff.name), style="bold")
        header.append(f" ({diff.path})", style="dim")
        console.print(header, soft_wrap=True)
        for change in diff.changes:
            row = Text("  ")
            row.append(f"{change.sign} {line(change)}", style=_STYLES[change.sign])
            console.print(row, soft_wrap=True)
        console.print()
    console.print(_totals(diffs), soft_wrap=True)


def as_text(diffs: list[FileDiff], since: str | None = None) -> str:
    """The text format without colour (what a pipe or a file receives)."""
    from io import StringIO

    from rich.console import Console

    out = StringIO()
    render_text(diffs, Console(file=out, color_system=None, soft_wrap=True, highlight=False))
    return out.getvalue()


_MD_ESCAPE = re.compile(r"([\\`*_\[\]|~])")


def md(text: str) -> str:
    """User text made safe in Markdown, table cells included: one line, no markup or HTML."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_ESCAPE.sub(r"\\\1", " ".join(text.split()))


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text.replace(chr(10), ' ')}{pad}{fence}"


def as_markdown(diffs: list[FileDiff], since: str | None = None) -> str:
    """A pull-request comment: a summary line per changed process, then the details."""
    title = "### Process changes" + (f" since {_code(since)}" if since else "")
    out = [title, ""]
    changed = [d for d in diffs if d.changes]
    if not changed:
        out.append(_totals(diffs))
        return "\n".join(out) + "\n"
    for diff in changed:
        out.append(f"- **{md(diff.name)}** ({_code(diff.path)}): {summary(diff.changes)}")
    out.append("")
    out.append(_totals(diffs))
    for diff in changed:
        if all(c.kind in ("process.added", "process.removed") for c in diff.changes):
            continue
        out += [
            "",
            "<details>",
            f"<summary><b>{md(diff.name)}</b>: {_plural(len(diff.changes), 'change')}</summary>",
            "",
            "| | Change | Before | After |",
            "|---|---|---|---|",
        ]
        for c in diff.changes:
            out.append(f"| {c.sign} | {md(c.what)} | {md(show(c.old))} | {md(show(c.new))} |")
        out += ["", "</details>"]
    return "\n".join(out) + "\n"


def as_json(diffs: list[FileDiff], since: str | None = None) -> str:
    """A list of changes: process, path, kind, step, what, old, new (sorted keys)."""
    rows = [
        {
            "process": c.process,
            "path": d.path,
            "kind": c.kind,
            "step": c.step,
            "what": c.what,
            "old": c.old,
            "new": c.new,
        }
        for d in diffs
        for c in d.changes
    ]
    return json.dumps(rows, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


#: Output formats of `procmap diff --format`; text is also rendered in colour by the CLI.
FORMATS: dict[str, Callable[[list[FileDiff], str | None], str]] = {
    "text": as_text,
    "markdown": as_markdown,
    "json": as_json,
}

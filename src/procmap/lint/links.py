"""The check of links in a process's text (S016): web and mail addresses only.

Owns: finding the links a document would make of a text (a Markdown link `[label](url)`
or an autolink `<scheme:...>`) in the texts the runbook, the worksheet and the site show
as running text (the description, the steps' descriptions and checklists, the
exceptions, the worksheet's problem, root causes and changes), and refusing any whose target is not an `http://`, `https://` or `mailto:`
address: a `javascript:` link runs code in the reader's browser, a `file:` or `data:` one
opens what the reader did not choose, and a relative one points nowhere once the
documents move. Registered with `rules.check` when `rules` is imported.

Must not know: how a document shows a link (`procmap.render`'s Markdown filters keep the
same links only); YAML, pydantic, output formats.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .rules import Context, Loc, check

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..format import Problem

#: A Markdown link's target (up to its closing parenthesis or a space) or an autolink's.
_LINKS = re.compile(
    r"\]\(\s*<?([^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*)|<([A-Za-z][A-Za-z0-9+.-]*:[^\s<>]*)>"
)
#: The only targets the documents keep as links.
_ALLOWED = re.compile(r"(?:https?://[^\s]+|mailto:[^\s]+)\Z", re.IGNORECASE)


def _texts(ctx: Context) -> Iterator[tuple[Loc, str]]:
    """Every text shown as running text, with where it is written."""
    process = ctx.process
    if process.description:
        yield ("description",), process.description
    for i, step in enumerate(process.steps):
        if step.description:
            yield ("steps", i, "description"), step.description
        for k, item in enumerate(step.checklist):
            yield ("steps", i, "checklist", k), item
    for i, case in enumerate(process.exceptions):
        yield ("exceptions", i, "when"), case.when
        yield ("exceptions", i, "then"), case.then
    dmaic = process.dmaic
    if dmaic is not None:
        if dmaic.problem:
            yield ("dmaic", "problem"), dmaic.problem
        for i, cause in enumerate(dmaic.root_causes):
            yield ("dmaic", "root_causes", i), cause
        for i, change in enumerate(dmaic.improvements):
            yield ("dmaic", "improvements", i, "change"), change.change


def bad_links(text: str) -> list[str]:
    """The link targets in `text` that are not web or mail addresses, in order."""
    found = []
    for match in _LINKS.finditer(text):
        target = match.group(1) if match.group(1) is not None else match.group(2)
        if not _ALLOWED.match(target):
            found.append(target)
    return found


@check("S016")
def link_scheme(ctx: Context) -> Iterator[Problem]:
    for loc, text in _texts(ctx):
        for target in bad_links(text):
            shown = target if len(target) <= 60 else target[:57] + "..."
            yield ctx.problem(
                "S016",
                loc,
                f"link to {shown!r}: only http://, https:// and mailto: links are kept;"
                " write the full web address",
            )

"""Review cadence: when each process is due for review, and recording a review as done.

Owns: the review status of a process on a given day (`status_of`, `review_rows`; the due
dates from `procmap.format`'s `due_date`, shared with the renderers), the review table in
text, JSON and Markdown, and `record_done`, which sets `review.last` and appends a
changelog entry by an exact text edit of the file, so that comments, blank lines, quoting,
key order and line endings stay as the author wrote them. It writes only where the author could: a symlink is written
through to its target (the file the link stands for, in the target's folder, with the
target's mode); a read-only file, an unwritable folder and a date before the last review
(without `force`) are refused with a `DoneError` that says why.

Must not know: the command line (options, exit statuses), or how validation problems are
printed. It uses the loader's node positions, never a YAML dumper.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .._files import write_atomic
from ..format import Problem, Process, add_months, due_date, yaml_scalar  # noqa: F401  re-exported

if TYPE_CHECKING:
    from ..config import Config
    from ..format import Document

#: A review due in fewer days than this (within the coming week) shows as "due soon";
#: so a weekly review just done shows as ok.
SOON_DAYS = 7

#: Review statuses, most urgent first (the order of the table).
STATUSES = ("never reviewed", "overdue", "due soon", "ok", "unscheduled")
DEFAULT_NOTE = "Reviewed; no changes."


@dataclass(frozen=True)
class ReviewRow:
    """One process's review standing on a given day."""

    id: str
    path: str
    name: str
    owner: str | None
    approver: str | None
    every: str | None
    last: dt.date | None
    due: dt.date | None
    status: str

    @property
    def overdue(self) -> bool:
        return self.status in ("overdue", "never reviewed")

    def days_left(self, today: dt.date) -> int | None:
        return None if self.due is None else (self.due - today).days

    def as_dict(self, today: dt.date) -> dict[str, object]:
        return {
            "id": self.id,
            "path": self.path,
            "name": self.name,
            "owner": self.owner,
            "approver": self.approver,
            "every": self.every,
            "last": None if self.last is None else self.last.isoformat(),
            "due": None if self.due is None else self.due.isoformat(),
            "days_left": self.days_left(today),
            "overdue": self.overdue,
            "status": self.status,
        }


def status_of(
    every: str | None, last: dt.date | None, today: dt.date
) -> tuple[dt.date | None, str]:
    """(due date or None, status) for a cadence and last review date on `today`."""
    if every is None:
        return None, "unscheduled"
    if last is None:
        return None, "never reviewed"
    due = due_date(every, last)
    if due < today:
        return due, "overdue"
    if (due - today).days < SOON_DAYS:
        return due, "due soon"
    return due, "ok"


def row_for(path: str, process: Process, today: dt.date) -> ReviewRow:
    review = process.review
    every = review.every if review else None
    last = review.last if review else None
    due, status = status_of(every, last, today)
    return ReviewRow(
        id=process.id,
        path=path,
        name=process.name,
        owner=process.role_name(process.owner),
        approver=process.role_name(review.approver if review else None),
        every=every,
        last=last,
        due=due,
        status=status,
    )


def review_rows(processes: dict[str, Process], today: dt.date) -> list[ReviewRow]:
    """Rows for every process, most urgent first, then by due date and path."""
    rows = [row_for(path, process, today) for path, process in processes.items()]
    rows.sort(key=lambda r: (STATUSES.index(r.status), r.due or dt.date.max, r.path, r.id))
    return rows


# -- output ------------------------------------------------------------------------------

_STATUS_STYLE = {
    "never reviewed": "bold red",
    "overdue": "bold red",
    "due soon": "yellow",
    "ok": "green",
    "unscheduled": "dim",
}


def _when(row: ReviewRow, today: dt.date) -> str:
    """The status in words, with the days: 'overdue by 3 days', 'due in 2 days'."""
    days = row.days_left(today)
    if row.status == "overdue" and days is not None:
        return f"overdue by {_days(-days)}"
    if row.status == "due soon" and days is not None:
        return "due today" if days == 0 else f"due in {_days(days)}"
    return row.status


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def summary(rows: list[ReviewRow], skipped: int = 0) -> str:
    """'4 processes: 1 overdue, 1 never reviewed, 1 due soon, 1 unscheduled.'

    `skipped` files had errors, so their reviews were not checked: the line says so,
    rather than calling the reviews "on schedule" when it looked at none.
    """
    files = f"{skipped} file{' has' if skipped == 1 else 's have'} errors"
    if not rows:
        return f"No valid process to check: {files}." if skipped else "No process to check."
    counts = {status: sum(r.status == status for r in rows) for status in STATUSES}
    parts = [f"{counts[s]} {s}" for s in ("overdue", "never reviewed", "due soon") if counts[s]]
    if counts["unscheduled"]:
        parts.append(f"{counts['unscheduled']} unscheduled")
    head = f"{len(rows)} process{'' if len(rows) == 1 else 'es'}"
    line = f"{head}: {', '.join(parts)}." if parts else f"{head}: all reviews on schedule."
    return f"{line} Not checked: {files}." if skipped else line


def _cells(row: ReviewRow, today: dt.date) -> list[str]:
    return [
        row.id,
        row.name,
        row.owner or "-",
        row.every or "-",
        row.last.isoformat() if row.last else "never" if row.every else "-",
        row.due.isoformat() if row.due else "now" if row.status == "never reviewed" else "-",
        _when(row, today),
    ]


HEADERS = ["Process", "Name", "Owner", "Cadence", "Last review", "Due", "Status"]


def as_text(rows: list[ReviewRow], today: dt.date, color: bool = False, skipped: int = 0) -> str:
    """A table (rich) and a summary line; colours only when `color`."""
    import io

    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for header in HEADERS:
        table.add_column(header, overflow="fold")
    for row in rows:
        cells = _cells(row, today)
        style = _STATUS_STYLE[row.status]
        table.add_row(*cells[:-1], Text(cells[-1], style=style))
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=200,
        color_system="standard" if color else None,
        force_terminal=color,
        highlight=False,
        soft_wrap=False,
    )
    if rows:
        console.print(table)
    console.print(summary(rows, skipped), style="bold" if color else None)
    lines = buffer.getvalue().splitlines()
    return "".join(line.rstrip() + "\n" for line in lines)


def as_json(rows: list[ReviewRow], today: dt.date, color: bool = False, skipped: int = 0) -> str:
    return json.dumps([r.as_dict(today) for r in rows], indent=2, ensure_ascii=False) + "\n"


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def as_markdown(
    rows: list[ReviewRow], today: dt.date, color: bool = False, skipped: int = 0
) -> str:
    """A Markdown table for a job summary or an issue; overdue statuses in bold."""
    lines = [
        f"**Process reviews on {today.isoformat()}**: {summary(rows, skipped)}",
        "",
    ]
    if rows:
        lines.append("| " + " | ".join(HEADERS) + " |")
        lines.append("|" + "---|" * len(HEADERS))
        for row in rows:
            cells = [_md(cell) for cell in _cells(row, today)]
            cells[0] = f"`{cells[0]}`"
            if row.overdue:
                cells[-1] = f"**{cells[-1]}**"
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


FORMATS = {"text": as_text, "json": as_json, "markdown": as_markdown}


# -- recording a review ------------------------------------------------------------------


class DoneError(Exception):
    """The review cannot be recorded; the message says why and what to do."""


class EarlierError(DoneError):
    """The review date is before the last review recorded: it would move `review.last`
    backwards. The caller may record it anyway (`force`); `last` is the recorded date."""

    def __init__(self, day: dt.date, last: dt.date) -> None:
        super().__init__(
            f"the review date {day.isoformat()} is before the last review,"
            f" {last.isoformat()}: recording it would move `review.last` backwards"
        )
        self.last = last


@dataclass
class DoneResult:
    """What `record_done` did, or the problems that stopped it."""

    path: str
    problems: list[Problem] = field(default_factory=list)
    last: dt.date | None = None
    due: dt.date | None = None
    text: str | None = None


_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def text_problem(value: str) -> str | None:
    """What is wrong with a note or a reviewer's name given on the command line, or None.

    It goes into the file as one line of text: no control characters (a tab is fine), and
    it must be text, not bytes that are not UTF-8 (which Python passes on as surrogates).
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(value)
        return f"{raw!r} is not UTF-8 text; write it in UTF-8"
    found = _CONTROL.search(value)
    if found is not None:
        return (
            f"{value!r} holds the control character {found.group()!r}; write one line of"
            " text without control characters"
        )
    return None


def _pair(mapping: MappingNode, key: str) -> tuple[Node, Node] | None:
    for key_node, value_node in mapping.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _after_line(text: str, index: int, newline: str) -> tuple[int, str]:
    """Where a new line goes after the line holding `index`, and a prefix if the file
    has no final newline there."""
    if index > 0 and text[index - 1] == "\n":
        return index, ""
    end = text.find("\n", index)
    if end == -1:
        return len(text), newline
    return end + 1, ""


def _last_leaf(node: Node) -> Node:
    while isinstance(node, MappingNode | SequenceNode) and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    return node


def _set_last(doc: Document, day: str, newline: str) -> tuple[int, int, str]:
    """The edit (start, end, replacement) that makes `review.last` equal `day`."""
    text = doc.text
    found = _pair(doc.root, "review")
    if found is None or not isinstance(found[1], MappingNode):
        raise DoneError(
            "the process has no `review:`; add one with a cadence first, like"
            " `review: {every: quarterly, approver: <role id>}`"
        )
    review = found[1]
    last = _pair(review, "last")
    if last is not None:
        value = last[1]
        start, end = value.start_mark.index, value.end_mark.index
        if isinstance(value, ScalarNode) and value.style in ("'", '"'):
            return start, end, f"{value.style}{day}{value.style}"
        if start == end:  # `last:` with nothing after it
            return start, end, day if text[start - 1 : start] == " " else f" {day}"
        return start, end, day
    every = _pair(review, "every")
    if review.flow_style:
        if every is not None:
            index = every[1].end_mark.index
            return index, index, f", last: {day}"
        if review.value:
            index = review.value[0][0].start_mark.index
            return index, index, f"last: {day}, "
        index = review.start_mark.index + 1
        return index, index, f"last: {day}"
    indent = review.value[0][0].start_mark.column
    line = f"{' ' * indent}last: {day}{newline}"
    if every is not None and every[1].start_mark.line == every[1].end_mark.line:
        index, prefix = _after_line(text, every[1].end_mark.index, newline)
        return index, index, prefix + line
    index = _line_start(text, review.value[0][0].start_mark.index)
    return index, index, line


def _entry_fields(day: str, note: str, by: str | None, order: list[str]) -> list[tuple[str, str]]:
    values = {"date": day, "change": yaml_scalar(note)}
    if by:
        values["by"] = yaml_scalar(by)
    keys = [k for k in order if k in values] + [k for k in ("date", "change", "by") if k in values]
    return [(k, values[k]) for k in dict.fromkeys(keys)]


def _seq_indent(doc: Document) -> int:
    """How far the file indents a block sequence under its key (from `steps:`), else 2."""
    found = _pair(doc.root, "steps")
    if found is not None and isinstance(found[1], SequenceNode) and not found[1].flow_style:
        indent: int = found[1].start_mark.column - found[0].start_mark.column
        return indent
    return 2


def _append_changelog(
    doc: Document, day: str, note: str, by: str | None, newline: str
) -> tuple[int, int, str]:
    """The edit that appends a changelog entry in the style of the existing entries."""
    text = doc.text
    found = _pair(doc.root, "changelog")
    if found is None:  # a new block at the end of the file
        fields = _entry_fields(day, note, by, [])
        dash = _seq_indent(doc)
        lines = ["changelog:", f"{' ' * dash}- {fields[0][0]}: {fields[0][1]}"]
        lines += [f"{' ' * (dash + 2)}{k}: {v}" for k, v in fields[1:]]
        block = newline.join(lines)
        if text.endswith("\n"):
            return len(text), len(text), block + newline
        return len(text), len(text), newline + block
    sequence = found[1]
    if not isinstance(sequence, SequenceNode):
        raise DoneError("`changelog:` is not a list")
    items = sequence.value
    order: list[str] = []
    if items and isinstance(items[-1], MappingNode):
        order = [k.value for k, _ in items[-1].value if isinstance(k, ScalarNode)]
    fields = _entry_fields(day, note, by, order)
    entry = "{" + ", ".join(f"{k}: {v}" for k, v in fields) + "}"
    if sequence.flow_style:
        if items:
            index = items[-1].end_mark.index
            return index, index, f", {entry}"
        index = sequence.start_mark.index + 1
        return index, index, entry
    dash = sequence.start_mark.column
    first = items[0]
    key_column = (
        first.value[0][0].start_mark.column
        if isinstance(first, MappingNode) and first.value and not first.flow_style
        else dash + 2
    )
    gap = " " * (key_column - dash - 1)
    if isinstance(items[-1], MappingNode) and items[-1].flow_style:  # `- {date: ...}` items
        lines = [f"{' ' * dash}-{gap}{entry}"]
    else:
        lines = [f"{' ' * dash}-{gap}{fields[0][0]}: {fields[0][1]}"]
        lines += [f"{' ' * key_column}{k}: {v}" for k, v in fields[1:]]
    index, prefix = _after_line(text, _last_leaf(items[-1]).end_mark.index, newline)
    return index, index, prefix + newline.join(lines) + newline


def done_text(doc: Document, day: dt.date, note: str | None = None, by: str | None = None) -> str:
    """The file's text with the review recorded; raises DoneError when it cannot be."""
    text = doc.text
    newline = "\r\n" if "\r\n" in text else "\n"
    iso = day.isoformat()
    edits = [
        _set_last(doc, iso, newline),
        _append_changelog(doc, iso, note or DEFAULT_NOTE, by, newline),
    ]
    edits.sort(key=lambda e: e[0], reverse=True)
    for start, end, replacement in edits:
        text = text[:start] + replacement + text[end:]
    return text


def _errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def record_done(
    path: str,
    today: dt.date,
    note: str | None = None,
    by: str | None = None,
    config: Config | None = None,
    write: bool = True,
    force: bool = False,
) -> DoneResult:
    """Record a completed review of the process in `path`.

    The file must be free of errors. The edited text is validated again in memory and
    must read back as the same process with `review.last` set and one more changelog
    entry; only then is it written (atomically), to the file a symlink points at. Raises
    DoneError when the file cannot take the edit (no `review:`), cannot be written (read
    only, or its folder is), or, unless `force`, when `today` is before the last review
    (EarlierError); validation errors come back in `DoneResult.problems`.
    """
    from ..config import Config
    from ..format import ChangelogEntry, load_file, load_text, validate_document
    from ..lint import check_file

    config = config or Config()
    result = DoneResult(path)
    for value in (note, by):
        wrong = None if value is None else text_problem(value)
        if wrong is not None:
            raise DoneError(wrong)
    if write:
        _check_writable(os.path.realpath(path))
    before = check_file(path, config)
    result.problems = _errors(before.problems)
    if result.problems:
        return result
    loaded = load_file(path)
    if loaded.document is None:  # checked above; a file changed under our feet
        result.problems = _errors(loaded.problems)
        return result
    old, _ = validate_document(loaded.document)
    assert old is not None
    last = old.review.last if old.review else None
    if last is not None and today < last and not force:
        raise EarlierError(today, last)
    new_text = done_text(loaded.document, today, note, by)

    reloaded = load_text(path, new_text)
    new = None
    if reloaded.document is not None:
        new, problems = validate_document(reloaded.document)
        result.problems = _errors(reloaded.problems + problems)
    entry = ChangelogEntry(date=today, change=note or DEFAULT_NOTE, by=by or None)
    expected = None
    if old.review is not None:
        expected = old.model_copy(
            update={
                "review": old.review.model_copy(update={"last": today}),
                "changelog": [*old.changelog, entry],
            }
        )
    if result.problems or new is None or new != expected:
        raise DoneError(
            "could not record the review without changing something else in the file;"
            " the file was left as it was (please report this as a bug)"
        )
    if write:
        _write_atomic(os.path.realpath(path), new_text)
    result.text = new_text
    result.last = today
    every = new.review.every if new.review else None
    result.due = None if every is None else due_date(every, today)
    return result


def _check_writable(path: str) -> None:
    """Refuse a file its owner has made read-only, or this user may not write.

    The write replaces the file by a new one (a rename), which the folder's permissions
    allow even for a file with no write bit, and which root may always do: so the mode
    is read here, and a file with no write bit for anyone (0444) is refused for root too.
    """
    try:
        info = os.stat(path)
    except OSError:
        return  # reading it says why (Y012)
    mode = info.st_mode & 0o7777
    if not mode & 0o222:
        raise DoneError(
            f"the file is read-only (mode {mode:04o}); make it writable (chmod u+w) to"
            " record the review"
        )
    if not os.access(path, os.W_OK):
        raise DoneError(
            f"you may not write the file (mode {mode:04o}, owner uid {info.st_uid});"
            " the file was left as it was"
        )


def _write_atomic(path: str, text: str) -> None:
    """Replace the file's content in one step, keeping its permissions and a leading BOM.

    `path` is the real file (symlinks resolved): the temporary file is made in its folder,
    so the rename replaces it and not a link to it. An OSError (an unwritable folder, a
    full disk) is a DoneError, with the file left as it was.
    """
    try:
        _replace(path, text)
    except OSError as error:
        folder = os.path.dirname(path) or "."
        reason = error.strerror or str(error)
        raise DoneError(
            f"cannot write a new copy of the file in its folder {folder} ({reason});"
            " the file was left as it was"
        ) from None


def _replace(path: str, text: str) -> None:
    with open(path, "rb") as handle:
        bom = handle.read(3) == b"\xef\xbb\xbf"
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    write_atomic(path, data, os.stat(path).st_mode & 0o7777, sync=True)


def run_review(
    paths: list[str], today: dt.date, config: Config | None = None, explicit: bool = False
) -> tuple[list[ReviewRow], list[Problem]]:
    """Review rows for every valid process under `paths`, and the errors of the others
    (an unreadable folder too; with `explicit`, a path with no process file: as
    `validate_paths`).

    Raises linter.PathError for a path that does not exist.
    """
    from ..lint import validate_paths

    report = validate_paths(paths, config, keep=True, explicit=explicit)
    return review_rows(report.processes, today), _errors(report.problems)

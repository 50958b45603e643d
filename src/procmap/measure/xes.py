"""XES event logs (IEEE 1849) as a temporary CSV, for DuckDB to read like any other log.

Owns: refusing a DOCTYPE (and with it any entity declaration) before parsing, and the
streamed conversion: the standard library's incremental parser, in memory bounded by one
trace's attributes and one event; trace attributes become `case:KEY` columns.

Must not know: DuckDB, the columns' roles, the figures.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, TextIO

from .errors import LogError

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

#: The XES elements that hold an attribute (`key`, `value`).
ATTRIBUTES = frozenset(("string", "date", "int", "float", "boolean", "id"))


def xes_to_csv(path: Path, shown: str) -> str:
    """The events of an XES file as a temporary CSV (trace attributes as `case:KEY`); the
    caller removes it.

    Parsed with the standard library's incremental parser; a DOCTYPE (and with it any
    entity declaration) is refused before parsing. Streamed, in memory bounded by one
    trace's attributes and one event: each event is written as it ends (its values in
    the order their keys were first seen), and every element read is dropped from the
    tree; the header, known only at the end, goes first in a second, byte copy (rows
    written before a key was first seen get empty values for it)."""
    _check_prolog(_head(path, shown), shown)
    fd, body = tempfile.mkstemp(prefix="procmap-xes-", suffix=".rows")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            rows = _Rows(out)
            rows.read(path, shown)
        return _with_header(body, list(rows.keys), rows.short)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(body)


def _open(path: Path) -> IO[bytes] | gzip.GzipFile:
    """The file at `path`, decompressed when its name ends in `.gz`."""
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")  # the caller closes it


def _head(path: Path, shown: str) -> bytes:
    """The first 64 KiB (decompressed); `LogError` for an unreadable or empty file."""
    try:
        with _open(path) as handle:
            head = handle.read(65536)
    except (OSError, EOFError) as error:
        raise LogError(f"{shown}: cannot read: {error}") from None
    if not head.strip():
        raise LogError(f"{shown}: empty file, not an event log")
    return head


def _check_prolog(head: bytes, shown: str) -> None:
    """Refuse a DOCTYPE in the prolog (before the root element), comments taken out so
    that a `<` in one does not end it early (a DOCTYPE can only be there), and a file
    with no root element in its first 64 KiB."""
    bare = re.sub(rb"<!--.*?-->", b"", head, flags=re.DOTALL)
    root_at = re.search(rb"<(?![?!])", bare)
    prolog = bare[: root_at.start()] if root_at else bare
    if b"<!doctype" in prolog.lower():
        raise LogError(f"{shown}: XES with a DOCTYPE is refused (no DTDs or entities)")
    if root_at is None:
        raise LogError(f"{shown}: not XES: no root element in the first 64 KiB")


class _Rows:
    """The rows of an XES log, written as CSV to `out` as each event ends: `keys` in the order
    first seen (key -> column), `short` when a row was written before a key it lacks was
    seen."""

    def __init__(self, out: TextIO) -> None:
        self.writer = csv.writer(out, lineterminator="\n")
        self.keys: dict[str, int] = {}
        self.short = False
        self.trace: dict[str, str] = {}
        self.event: dict[str, str] | None = None
        self.depth = 0  # attributes open: only those at depth 1 are read
        self.parents: list[Element] = []

    def read(self, path: Path, shown: str) -> None:
        """Write every event of the XES at `path`; `LogError` for a file that is not XES
        or has no events."""
        import xml.etree.ElementTree as ET  # only when a log is XES

        try:
            with _open(path) as handle:
                for kind, element in ET.iterparse(handle, events=("start", "end")):
                    tag = element.tag.rsplit("}", 1)[-1]
                    if kind == "start":
                        self._start(tag, element)
                    else:
                        self._end(tag)
        except ET.ParseError as error:
            raise LogError(f"{shown}: not XES: {error}") from None
        except (OSError, EOFError) as error:
            raise LogError(f"{shown}: cannot read: {error}") from None
        if not self.keys:
            raise LogError(f"{shown}: no events in the XES log")

    def _start(self, tag: str, element: Element) -> None:
        self.parents.append(element)
        if tag == "trace":
            self.trace = {}
        elif tag == "event":
            self.event = {}
        elif tag in ATTRIBUTES:
            self.depth += 1
            key, value = element.get("key"), element.get("value")
            if self.depth == 1 and key is not None and value is not None:
                if self.event is not None:
                    self.event.setdefault(key, value)
                else:
                    self.trace.setdefault("case:" + key, value)

    def _end(self, tag: str) -> None:
        self.parents.pop()
        if tag in ATTRIBUTES:
            self.depth -= 1
        elif tag == "event" and self.event is not None:
            self._write({**self.trace, **self.event})
            self.event = None
        if tag in ("event", "trace") and self.parents:
            del self.parents[-1][:]  # the tree keeps nothing already read

    def _write(self, row: dict[str, str]) -> None:
        keys = self.keys
        for key in row:
            keys.setdefault(key, len(keys))
        self.short = self.short or len(row) < len(keys)
        values = [""] * len(keys)
        for key, value in row.items():
            values[keys[key]] = value
        self.writer.writerow(values)


def _with_header(body: str, keys: list[str], short: bool) -> str:
    """A temporary CSV: the header of `keys`, then the rows of `body` (each padded to
    every key when some are `short`)."""
    fd, temp = tempfile.mkstemp(prefix="procmap-xes-", suffix=".csv")
    try:
        with (
            os.fdopen(fd, "w", encoding="utf-8", newline="") as out,
            open(body, encoding="utf-8", newline="") as rows,
        ):
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(keys)
            if short:
                pad = [""] * len(keys)
                for row in csv.reader(rows):
                    writer.writerow(row + pad[len(row) :])
            else:
                shutil.copyfileobj(rows, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return temp

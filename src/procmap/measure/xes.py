"""XES event logs (IEEE 1849) as a temporary CSV, for DuckDB to read like any other log.

Owns: refusing a DOCTYPE (and with it any entity declaration), and the streamed
conversion: the standard library's expat parser and its callbacks, no tree built, in
memory bounded by one trace's attributes and one event, whatever the log's size; `.xes.gz`
decompressed as it is read. An event's columns are its own attributes (the elements
directly inside `<event>`: `concept:name`, `time:timestamp`, `lifecycle:transition`, any
other key, values as written); trace attributes become `case:KEY` columns; what is nested
deeper (in a `<list>`, a `<container>` or inside another attribute) is not a column.

Must not know: DuckDB, the columns' roles, the figures.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import os
import re
import shutil
import tempfile
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, TextIO

from .errors import LogError

if TYPE_CHECKING:
    from collections.abc import Iterator

#: The XES elements that hold an attribute (`key`, `value`).
ATTRIBUTES = frozenset(("string", "date", "int", "float", "boolean", "id"))


def xes_to_csv(path: Path, shown: str) -> str:
    """The events of an XES file as a temporary CSV (trace attributes as `case:KEY`); the
    caller removes it.

    Parsed by expat with callbacks; a DOCTYPE (and with it any entity declaration) is
    refused before parsing, and by the parser should one get past that check. Streamed,
    in memory bounded by one trace's attributes and one event: each event is written as
    it ends (its values in the order their keys were first seen); the header, known only
    at the end, goes first in a second pass, a byte copy but for the rows written before
    the last key was first seen (given empty values for the keys they lack)."""
    _check_prolog(_head(path, shown), shown)
    fd, body = tempfile.mkstemp(prefix="procmap-xes-", suffix=".rows")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            rows = _Rows(out)
            rows.read(path, shown)
        return _with_header(body, list(rows.keys), rows.wide_from)
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
    first seen (key -> column); `wide_from`, the byte offset in `out` of the first row
    written with every key (the rows before it lack some).

    Only the attributes that are children of an `<event>` (or of a `<trace>`, as
    `case:KEY`) are read: what is nested deeper, in a `<list>`, a `<container>` or inside
    another attribute, never becomes a column nor overwrites one. `depth` counts the open
    elements; `trace_at` and `event_at` are the depths of the open trace and event (-1
    when none is open). The first value of a key wins; an event's own attribute wins over
    its trace's `case:KEY`."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.writer = csv.writer(out, lineterminator="\n")
        self.keys: dict[str, int] = {}
        self.wide_from = 0
        self.depth = 0
        self.trace_at = -1
        self.event_at = -1
        self.trace: dict[str, str] = {}
        self.event: dict[str, str] = {}
        self.names: dict[str, str] = {}  # expat's "URI}tag" -> tag

    def read(self, path: Path, shown: str) -> None:
        """Write every event of the XES at `path`; `LogError` for a file that is not XES
        or has no events."""
        from xml.parsers import expat  # only when a log is XES

        parser = expat.ParserCreate(namespace_separator="}")
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.StartDoctypeDeclHandler = partial(_refuse_doctype, shown)
        parser.EntityDeclHandler = partial(_refuse_doctype, shown)
        try:
            with _open(path) as handle:
                parser.ParseFile(handle)
        except expat.ExpatError as error:
            raise LogError(f"{shown}: not XES: {error}") from None
        except (OSError, EOFError) as error:
            raise LogError(f"{shown}: cannot read: {error}") from None
        if not self.keys:
            raise LogError(f"{shown}: no events in the XES log")

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth = depth = self.depth + 1
        tag = self.names.get(name) or self.names.setdefault(name, name.rpartition("}")[2])
        if tag in ATTRIBUTES:
            if depth == self.event_at + 1:
                key, value = attributes.get("key"), attributes.get("value")
                if key is not None and value is not None and key not in self.event:
                    self.event[key] = value
            elif depth == self.trace_at + 1 and self.event_at < 0:
                key, value = attributes.get("key"), attributes.get("value")
                if key is not None and value is not None:
                    self.trace.setdefault("case:" + key, value)
        elif tag == "event" and self.event_at < 0:
            # in a trace, or directly in the log (without trace attributes then)
            if depth == self.trace_at + 1 or (depth == 2 and self.trace_at < 0):
                self.event = {}
                self.event_at = depth
        elif tag == "trace" and depth == 2:
            self.trace = {}
            self.trace_at = depth

    def _end(self, _name: str) -> None:
        depth = self.depth
        if depth == self.event_at:
            self._write({**self.trace, **self.event})
            self.event_at = -1
        elif depth == self.trace_at:
            self.trace = {}
            self.trace_at = -1
        self.depth = depth - 1

    def _write(self, row: dict[str, str]) -> None:
        keys = self.keys
        if not keys.keys() >= row.keys():  # a key first seen: the rows before lack it
            self.wide_from = self.out.tell()
            for key in row:
                keys.setdefault(key, len(keys))
        values = [""] * len(keys)
        for key, value in row.items():
            values[keys[key]] = value
        self.writer.writerow(values)


def _refuse_doctype(shown: str, *_: object) -> None:
    """Expat's handler of a DOCTYPE or an entity declaration: refused (no DTDs, no
    entities), whatever the prolog check before parsing let through."""
    raise LogError(f"{shown}: XES with a DOCTYPE is refused (no DTDs or entities)")


def _with_header(body: str, keys: list[str], wide_from: int) -> str:
    """A temporary CSV: the header of `keys`, then the rows of `body`: those in its first
    `wide_from` bytes padded to every key, the rest copied as they are."""
    fd, temp = tempfile.mkstemp(prefix="procmap-xes-", suffix=".csv")
    try:
        with os.fdopen(fd, "wb") as out, open(body, "rb") as rows:
            text = io.StringIO(newline="")
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(keys)
            pad = [""] * len(keys)
            for row in csv.reader(_lines(rows, wide_from)):
                writer.writerow(row + pad[len(row) :])
                if text.tell() > 1 << 20:
                    out.write(text.getvalue().encode("utf-8"))
                    text.seek(0)
                    text.truncate()
            out.write(text.getvalue().encode("utf-8"))
            shutil.copyfileobj(rows, out, 1 << 20)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return temp


def _lines(rows: IO[bytes], size: int) -> Iterator[str]:
    """The lines in the next `size` bytes of `rows` (each ends at a line feed, so none
    splits a character), decoded; `rows` is left just after them."""
    while size > 0:
        line = rows.readline(size)
        if not line:
            return
        size -= len(line)
        yield line.decode("utf-8")

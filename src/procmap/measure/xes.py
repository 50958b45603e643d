"""XES event logs (IEEE 1849) as a temporary CSV, for DuckDB to read like any other log.

Owns: refusing a DOCTYPE (and with it any entity declaration), and the streamed
conversion: the standard library's expat parser and its callbacks, no tree built, in
memory bounded by one trace's attributes and one event, whatever the log's size; `.xes.gz`
decompressed as it is read. An event's columns are its own attributes (the elements
directly inside `<event>`: `concept:name`, `time:timestamp`, `lifecycle:transition`, any
other key, values as written); trace attributes become `case:KEY` columns; what is nested
deeper (in a `<list>`, a `<container>` or inside another attribute) is not a column.
A large uncompressed file is read by two processes at once, this one up to a trace start
past its middle and a child from there (`_in_two`): Python's callbacks are the cost of
XES, and there are two cores to share it.

Must not know: DuckDB, the columns' roles, the figures.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, NamedTuple, TextIO

from .._children import die_with_parent_preexec
from .errors import LogError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

#: The XES elements that hold an attribute (`key`, `value`).
ATTRIBUTES = frozenset(("string", "date", "int", "float", "boolean", "id"))
#: What a tag is to the reader: 1 an attribute, 2 an event, 3 a trace, 0 anything else.
_KINDS = {**dict.fromkeys(ATTRIBUTES, 1), "event": 2, "trace": 3}
#: From this size on (uncompressed, more than one core), two processes read the file.
SPLIT_BYTES = 64 << 20
_CHUNK = 1 << 16
_CHILD = "import sys; from procmap.measure.xes import _child; _child(*sys.argv[1:])"


class _Part(NamedTuple):
    """Rows written by one reader: the file, its keys in column order, and the byte
    offset of its first row with every one of them (the rows before lack some)."""

    body: str
    keys: list[str]
    wide_from: int


class _Split(Exception):
    """Raised from a callback to stop parsing where the other reader takes over."""


def xes_to_csv(path: Path, shown: str) -> str:
    """The events of an XES file as a temporary CSV (trace attributes as `case:KEY`); the
    caller removes it.

    Parsed by expat with callbacks; a DOCTYPE (and with it any entity declaration) is
    refused before parsing, and by the parser should one get past that check. Streamed,
    in memory bounded by one trace's attributes and one event: each event is written as
    it ends (its values in the order their keys were first seen); the header, known only
    at the end, goes first in a second pass, a byte copy but for the rows written before
    the last key was first seen (given empty values for the keys they lack), and for a
    second reader's rows when its columns differ."""
    head = _head(path, shown)
    _check_prolog(head, shown)
    bodies: list[str] = []
    try:
        parts = _in_two(path, shown, head, bodies) if _splittable(path) else None
        if parts is None:
            with _open(path) as handle:
                parts = [_convert(_chunks(handle), shown, bodies)[0]]
        if not any(part.keys for part in parts):
            raise LogError(f"{shown}: no events in the XES log")
        return _with_header(parts)
    except (OSError, EOFError, zlib.error) as error:  # zlib: a damaged .gz
        raise LogError(f"{shown}: cannot read: {error}") from None
    finally:
        for body in bodies:
            with contextlib.suppress(OSError):
                os.unlink(body)


def _chunks(handle: IO[bytes] | gzip.GzipFile) -> Iterator[bytes]:
    """The rest of `handle`, in pieces of `_CHUNK` bytes."""
    return iter(partial(handle.read, _CHUNK), b"")


def _convert(
    chunks: Iterable[bytes], shown: str, bodies: list[str], stop_at: int = -1
) -> tuple[_Part, bool]:
    """The rows of the XES in `chunks`, in a new temporary file (added to `bodies`); and
    whether the reader stopped at the trace that starts at byte `stop_at`."""
    fd, body = tempfile.mkstemp(prefix="procmap-xes-", suffix=".rows")
    bodies.append(body)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
        rows = _Rows(out, stop_at)
        stopped = rows.read(chunks, shown)
    return _Part(body, list(rows.keys), rows.wide_from), stopped


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
    except (OSError, EOFError, zlib.error) as error:
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
    its trace's `case:KEY`. Reading stops at a trace of the log that starts at byte
    `stop_at`, where another reader begins."""

    def __init__(self, out: TextIO, stop_at: int = -1) -> None:
        self.out = out
        self.writer = csv.writer(out, lineterminator="\n")
        self.keys: dict[str, int] = {}
        self.wide_from = 0
        self.stop_at = stop_at
        self.depth = 0
        self.trace_at = -1
        self.event_at = -1
        self.trace: dict[str, str] = {}
        self.event: dict[str, str] = {}
        self.kinds: dict[str, int] = {}  # expat's "URI}tag" -> its kind in _KINDS
        self.at: Callable[[], int] = lambda: 0  # the byte offset of the element being read

    def read(self, chunks: Iterable[bytes], shown: str) -> bool:
        """Write every event of the XES in `chunks`; whether it stopped at `stop_at`.
        `LogError` for a file that is not XES or has a DOCTYPE."""
        from xml.parsers import expat  # only when a log is XES

        parser = expat.ParserCreate(namespace_separator="}")
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.StartDoctypeDeclHandler = partial(_refuse_doctype, shown)
        parser.EntityDeclHandler = partial(_refuse_doctype, shown)
        self.at = lambda: parser.CurrentByteIndex
        try:
            for chunk in chunks:
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except _Split:
            return True
        except expat.ExpatError as error:
            raise LogError(f"{shown}: not XES: {error}") from None
        return False

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth = depth = self.depth + 1
        kind = self.kinds.get(name)
        if kind is None:
            kind = self.kinds[name] = _KINDS.get(name.rpartition("}")[2], 0)
        if kind == 1:
            if depth == self.event_at + 1:
                key, value = attributes.get("key"), attributes.get("value")
                if key is not None and value is not None and key not in self.event:
                    self.event[key] = value
            elif depth == self.trace_at + 1 and self.event_at < 0:
                key, value = attributes.get("key"), attributes.get("value")
                if key is not None and value is not None:
                    self.trace.setdefault("case:" + key, value)
        elif kind == 2 and self.event_at < 0:
            # in a trace, or directly in the log (without trace attributes then)
            if depth == self.trace_at + 1 or (depth == 2 and self.trace_at < 0):
                self.event = {}
                self.event_at = depth
        elif kind == 3 and depth == 2:
            if self.stop_at >= 0 and self.at() == self.stop_at:
                raise _Split
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


def _splittable(path: Path) -> bool:
    """Worth two readers: uncompressed (a gzip stream cannot be entered in its middle),
    `SPLIT_BYTES` or more, and a second core."""
    if path.name.lower().endswith(".gz") or path.stat().st_size < SPLIT_BYTES:
        return False
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return (len(cores) if cores is not None else os.cpu_count() or 1) > 1


def _in_two(path: Path, shown: str, head: bytes, bodies: list[str]) -> list[_Part] | None:
    """The rows of `path` read by two processes: a child (`_child`) from the first
    `<trace` past the middle, this one up to it. When that `<trace` is not a trace of
    the log (in a comment, say), this reader reads on to the end and the child's rows
    are dropped; None (read it in one) when there is no such `<trace`, or the child
    failed (so that an error is reported where it is in the file)."""
    split = _split_point(path)
    if split is None or _first_child(head) is None:
        return None
    fd, child_body = tempfile.mkstemp(prefix="procmap-xes-", suffix=".rows")
    os.close(fd)
    bodies.append(child_body)
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(path), str(split), child_body],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
        preexec_fn=die_with_parent_preexec(),  # a killed procmap leaves no reader behind
    )
    try:
        with _open(path) as handle:
            first, stopped = _convert(_chunks(handle), shown, bodies, split)
        if not stopped:
            return [first]
        reply = json.loads(child.communicate()[0] or b"null")
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    if not isinstance(reply, dict) or child.returncode != 0:
        return None
    return [first, _Part(child_body, list(reply["keys"]), int(reply["wide_from"]))]


def _split_point(path: Path) -> int | None:
    """The byte offset of the first `<trace` in the MiB past the middle of `path`."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        handle.seek(size // 2)
        window = handle.read(1 << 20)
    found = re.search(rb"<trace[\s>/]", window)
    return size // 2 + found.start() if found else None


def _first_child(head: bytes) -> int | None:
    """The byte offset of the root element's first child in `head`: what comes before
    it (the prolog and the root's start tag) begins the child's document."""
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator="}")
    starts: list[int] = []

    def start(_name: str, _attributes: dict[str, str]) -> None:
        starts.append(parser.CurrentByteIndex)
        if len(starts) == 2:
            raise _Split

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = partial(_refuse_doctype, "")
    try:
        parser.Parse(head, False)
    except _Split:
        return starts[1]
    except (expat.ExpatError, LogError):
        return None
    return None


def _child(path_text: str, split_text: str, body: str) -> None:
    """The child reader (`_in_two`): the rows of the document made of the prolog and root
    start tag of `path_text` and its bytes from `split_text` on, written to `body`; prints
    their keys and `wide_from` as JSON, or exits 1."""
    path, split = Path(path_text), int(split_text)
    head = _head(path, path_text)
    begin = _first_child(head)
    if begin is None:
        raise SystemExit(1)

    def chunks() -> Iterator[bytes]:
        yield head[:begin]
        with open(path, "rb") as handle:
            handle.seek(split)
            yield from _chunks(handle)

    try:
        with open(body, "w", encoding="utf-8", newline="") as out:
            rows = _Rows(out)
            rows.read(chunks(), path_text)
    except (LogError, OSError):
        raise SystemExit(1) from None
    sys.stdout.write(json.dumps({"keys": list(rows.keys), "wide_from": rows.wide_from}))


def _with_header(parts: list[_Part]) -> str:
    """A temporary CSV: the header of every part's keys (in the order first seen), then
    each part's rows: copied as bytes when its keys are all the keys, in that order (only
    its rows before `wide_from` padded); else each row put in its columns."""
    keys = list(parts[0].keys)
    seen = set(keys)
    for part in parts[1:]:
        keys += [key for key in part.keys if key not in seen]
        seen.update(part.keys)
    column = {key: i for i, key in enumerate(keys)}
    fd, temp = tempfile.mkstemp(prefix="procmap-xes-", suffix=".csv")
    try:
        with os.fdopen(fd, "wb") as out:
            header = io.StringIO(newline="")
            csv.writer(header, lineterminator="\n").writerow(keys)
            out.write(header.getvalue().encode("utf-8"))
            for part in parts:
                with open(part.body, "rb") as rows:
                    where = [column[key] for key in part.keys]
                    if part.keys == keys:
                        _rewrite(_lines(rows, part.wide_from), where, len(keys), out)
                        shutil.copyfileobj(rows, out, 1 << 20)
                    else:
                        size = os.fstat(rows.fileno()).st_size
                        _rewrite(_lines(rows, size), where, len(keys), out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return temp


def _rewrite(lines: Iterable[str], where: Iterable[int], width: int, out: IO[bytes]) -> None:
    """The CSV rows in `lines` written to `out` with `width` fields, field i of a row in
    column `where[i]`, the others empty."""
    places = list(where)
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\n")
    for row in csv.reader(lines):
        values = [""] * width
        for place, value in zip(places, row, strict=False):  # a short row: the rest empty
            values[place] = value
        writer.writerow(values)
        if text.tell() > 1 << 20:
            out.write(text.getvalue().encode("utf-8"))
            text.seek(0)
            text.truncate()
    out.write(text.getvalue().encode("utf-8"))


def _lines(rows: IO[bytes], size: int) -> Iterator[str]:
    """The lines in the next `size` bytes of `rows` (each ends at a line feed, so none
    splits a character), decoded; `rows` is left just after them."""
    while size > 0:
        line = rows.readline(size)
        if not line:
            return
        size -= len(line)
        yield line.decode("utf-8")

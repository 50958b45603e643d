"""Reading XES (issue 17, item 6): an event's columns are its own attributes only, whatever
is nested in a `<list>`, a `<container>` or inside another attribute; `lifecycle:transition`
and every other top-level attribute carried through unchanged; time zones as written;
`.xes.gz` streamed; memory flat in the log's size; a DOCTYPE refused wherever it hides.

The fixtures in tests/xes/ are hand-written in the shapes XES exporters write: `nested.xes`
(a ticket log with nested lists, containers and meta-attributes at log, trace and event
level, lifecycle transitions, four time zones), `zones.xes` and its gzip copy (two orders
stamped in four time zones, a list in each trace and in one event whose items carry the
standard keys), `orders.yaml` (the process they are measured against).
"""

from __future__ import annotations

import csv
import gzip
import os
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from conftest import clean_env, load, run_with_peak
from procmap.measure import LogError, measure_log
from procmap.measure.xes import xes_to_csv

HERE = Path(__file__).resolve().parent / "xes"
H = 3600.0


def _rows(path: Path) -> list[dict[str, str]]:
    """The rows `xes_to_csv` makes of `path` (the temporary CSV removed)."""
    temp = xes_to_csv(path, str(path))
    try:
        with open(temp, encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    finally:
        os.unlink(temp)


def _process(path: Path) -> Any:
    return load(path)  # conftest: the valid process of the file


@pytest.fixture(scope="module")
def nested() -> list[dict[str, str]]:
    return _rows(HERE / "nested.xes")


def test_columns_are_the_top_level_attributes_only(nested):
    """No key that only occurs nested (a list's or a container's items, a meta-attribute)
    becomes a column: before, `case:employees`, `case:time:timestamp` (from a trace's list
    and container), `approved`, `page` and `case:org:resource` did."""
    assert list(nested[0]) == [
        "case:concept:name",
        "case:channel",
        "concept:name",
        "lifecycle:transition",
        "time:timestamp",
        "org:resource",
    ]


def test_a_list_in_a_trace_does_not_name_the_case(nested):
    """The trace's list comes before its own `concept:name`: before, its item named every
    event's case (`PO-1999-0001`)."""
    assert [row["case:concept:name"] for row in nested] == ["T-1001"] * 4 + ["T-1002"] * 2
    assert [row["case:channel"] for row in nested] == ["web"] * 4 + [""] * 2


def test_a_list_in_an_event_gives_it_neither_activity_nor_time(nested):
    """The first event's list (before its own attributes) held `Imported from the legacy
    ERP` at 1999-01-04: before, that was the event's activity and timestamp."""
    first = nested[0]
    assert (first["concept:name"], first["time:timestamp"]) == (
        "receive",
        "2026-03-02T09:00:00.000+02:00",
    )


def test_a_container_in_an_event_overwrites_nothing(nested):
    """The second event's container (first in the event) holds `org:resource` and
    `lifecycle:transition`: before, they were the event's resource (`Legacy bot`) and
    transition (`ate_abort`)."""
    second = nested[1]
    assert (second["org:resource"], second["lifecycle:transition"]) == ("Anna", "start")


def test_attributes_nested_in_an_attribute_are_not_read(nested):
    """XES lets an attribute hold attributes (`<string key="concept:name" value="Check">
    <string key="concept:name" value="Prüfen"/>`): the outer value is the event's. (This
    one was right before: the reader counted attribute depth, but not lists' or
    containers'.)"""
    assert nested[1]["concept:name"] == "Check"
    assert nested[2]["time:timestamp"] == "2026-03-02T10:15:00.000+02:00"
    assert "lang" not in nested[1]


def test_lifecycle_transitions_and_time_zones_are_carried_unchanged(nested):
    """Every top-level attribute's value as written: transitions (the lifecycle handling
    reads them) and timestamps with their offsets (DuckDB reads them)."""
    assert [row["lifecycle:transition"] for row in nested] == [
        "complete",
        "start",
        "complete",
        "complete",
        "complete",
        "schedule",
    ]
    assert [row["time:timestamp"] for row in nested] == [
        "2026-03-02T09:00:00.000+02:00",
        "2026-03-02T07:30:00.000Z",
        "2026-03-02T10:15:00.000+02:00",
        "2026-03-02T03:45:00.000-05:00",
        "2026-03-02T10:00:00Z",
        "2026-03-02T10:05:00Z",
    ]
    assert [row["concept:name"] for row in nested] == [
        "receive",
        "Check",
        "Check",
        "ship",
        "receive",
        "Check",
    ]
    assert [row["org:resource"] for row in nested] == ["", "Anna", "Anna", "", "", ""]


def test_gzip_fixture_is_the_text_one():
    assert (
        gzip.decompress((HERE / "zones.xes.gz").read_bytes()) == (HERE / "zones.xes").read_bytes()
    )


@pytest.mark.parametrize("name", ["zones.xes", "zones.xes.gz"])
def test_measured_across_time_zones_without_leaks(name):
    """Z-1 runs 07:00 to 09:00 UTC (2 h), Z-2 00:30 to 02:00 UTC (1.5 h), each stamped in
    several zones. Before: both traces' lists named them `B-7`, one case of 7 events, and
    Z-2's review was `Manual review` at 1999-12-31 (an unmapped activity, 26 years)."""
    result = measure_log(_process(HERE / "orders.yaml"), HERE / name)
    assert (result["cases"], result["events"]) == (2, 7)
    # durations 5400 and 7200 s: mean 6300, p50 interpolated 6300, p90 7020
    assert result["throughput"] == {"mean": 1.75 * H, "p50": 1.75 * H, "p90": 1.95 * H}
    assert result["conformance"]["deviations"] == []


def _log(path: Path, events: int) -> None:
    """A log of `events` events, ten per trace, every one with a nested list and a
    container; gzip-compressed when `path` ends in `.gz`."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as out:
        out.write('<?xml version="1.0"?>\n<log xmlns="http://www.xes-standard.org/">\n')
        for case in range(events // 10):
            out.write(f'<trace><string key="concept:name" value="c{case}"/>\n')
            for i in range(10):
                out.write(
                    '<event><list key="l"><values><string key="concept:name" value="x"/>'
                    '</values></list><container key="c"><int key="n" value="1"/></container>'
                    '<string key="concept:name" value="Check"/>'
                    f'<date key="time:timestamp" value="2026-01-05T09:{i:02d}:00Z"/></event>\n'
                )
            out.write("</trace>\n")
        out.write("</log>\n")


@pytest.mark.parametrize("suffix", [".xes", ".xes.gz"])
def test_conversion_memory_is_flat_in_the_log_size(tmp_path, suffix):
    """Twenty times the events, the same Python memory (within 1 MB): nothing is kept per
    event or per trace, compressed or not."""

    def peak(events: int) -> int:
        path = tmp_path / f"log{events}{suffix}"
        _log(path, events)
        tracemalloc.start()
        temp = xes_to_csv(path, str(path))
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        with open(temp, encoding="utf-8") as handle:
            assert sum(1 for _ in handle) == events + 1
        os.unlink(temp)
        return top

    small, large = peak(1_000), peak(20_000)
    assert large < small + 1_000_000, (small, large)


def test_measure_peak_memory_on_xes_gz_is_bounded(tmp_path):
    """The whole command (Python, DuckDB) on 100,000 events of `.xes.gz`: the peak
    resident memory is that of any small log, not a copy of the log."""
    path = tmp_path / "log.xes.gz"
    _log(path, 100_000)
    status, err, peak = run_with_peak(
        ["measure", str(HERE / "orders.yaml"), str(path), "-f", "json"], clean_env()
    )
    assert status == 0, err
    assert peak < 250, f"peak {peak} MB"


def test_a_doctype_the_prolog_check_misses_is_refused_by_the_parser(tmp_path):
    """A comment longer than the 64 KiB the check reads, holding a `<`, hides the DOCTYPE
    after it from the check; the parser refuses it too (before: its entities were
    expanded)."""
    path = tmp_path / "hidden.xes"
    padding = "a < b " * 12_000
    path.write_text(
        f'<?xml version="1.0"?><!-- {padding} -->\n<!DOCTYPE log [<!ENTITY a "b">]>\n'
        '<log><trace><event><string key="concept:name" value="&a;"/></event></trace></log>\n',
        encoding="utf-8",
    )
    with pytest.raises(LogError, match="DOCTYPE is refused"):
        xes_to_csv(path, str(path))


def test_events_outside_a_trace_have_no_case_attributes(tmp_path):
    """XES allows events directly in the log: they get no trace's attributes (before,
    the last trace's, or the log's own attributes as `case:` columns)."""
    path = tmp_path / "flat.xes"
    path.write_text(
        '<log xmlns="http://www.xes-standard.org/"><string key="concept:name" value="L"/>'
        '<trace><string key="concept:name" value="t1"/><event>'
        '<string key="concept:name" value="a"/></event></trace>'
        '<event><string key="concept:name" value="b"/></event></log>',
        encoding="utf-8",
    )
    assert [(r["case:concept:name"], r["concept:name"]) for r in _rows(path)] == [
        ("t1", "a"),
        ("", "b"),
    ]


def test_rows_before_a_new_key_are_padded_even_across_lines(tmp_path):
    """Rows written before a key was first seen get an empty value for it, a value with
    a line feed (`&#10;`) read whole; the rows after are copied as they are."""
    path = tmp_path / "late.xes"
    path.write_text(
        '<log xmlns="http://www.xes-standard.org/"><trace><string key="concept:name" value="t"/>'
        '<event><string key="concept:name" value="two&#10;lines"/></event>'
        '<event><string key="concept:name" value="b"/><string key="note" value="n"/></event>'
        '<event><string key="concept:name" value="c"/><string key="note" value="m"/></event>'
        "</trace></log>",
        encoding="utf-8",
    )
    assert [list(r.values()) for r in _rows(path)] == [
        ["t", "two\nlines", ""],
        ["t", "b", "n"],
        ["t", "c", "m"],
    ]


def _traces(first: int, count: int, keys: tuple[str, ...]) -> str:
    """`count` traces of three events each, the events' extra `keys` in that order."""
    out = []
    for case in range(first, first + count):
        events = "".join(
            f'<event><string key="concept:name" value="a{i}"/>'
            + "".join(f'<string key="{key}" value="{key}-{case}"/>' for key in keys)
            + f'<date key="time:timestamp" value="2026-01-05T09:0{i}:00Z"/></event>\n'
            for i in range(3)
        )
        out.append(f'<trace><string key="concept:name" value="c{case}"/>\n{events}</trace>\n')
    return "".join(out)


HEAD = '<?xml version="1.0"?>\n<!-- x -->\n<log xmlns="http://www.xes-standard.org/">\n'


@pytest.fixture
def two_readers(monkeypatch):
    """Force the two-reader path on small files; the parts each conversion used."""
    from procmap.measure import xes

    used: list[int] = []
    in_two = xes._in_two

    def spy(*args: Any) -> Any:
        parts = in_two(*args)
        used.append(0 if parts is None else len(parts))
        return parts

    monkeypatch.setattr(xes, "_splittable", lambda path: True)
    monkeypatch.setattr(xes, "_in_two", spy)
    return used


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[bytes, bytes]:
    """The CSV of the current reader, then of one reader alone."""
    from procmap.measure import xes

    def made() -> bytes:
        temp = xes_to_csv(path, str(path))
        try:
            return Path(temp).read_bytes()
        finally:
            os.unlink(temp)

    first = made()
    monkeypatch.setattr(xes, "_splittable", lambda path: False)
    return first, made()


@pytest.mark.parametrize(
    ("early", "late"),
    [
        (("org:resource",), ("org:resource",)),  # the same columns: a byte copy
        (("org:resource",), ("lifecycle:transition", "org:resource")),  # a new key
        (("org:resource", "note"), ("note", "org:resource")),  # another order
    ],
)
def test_two_readers_write_what_one_writes(tmp_path, monkeypatch, two_readers, early, late):
    """The second half read by a child process from its first trace: the same bytes as
    one reader, whether its columns are the first half's, more, or in another order."""
    path = tmp_path / "log.xes"
    path.write_text(
        HEAD + _traces(0, 200, early) + _traces(200, 200, late) + "</log>\n", encoding="utf-8"
    )
    split, single = _both(path, monkeypatch)
    assert two_readers == [2]
    assert split == single
    assert split.count(b"\n") == 1 + 400 * 3


def test_a_trace_tag_in_a_comment_is_no_split(tmp_path, monkeypatch, two_readers):
    """The first `<trace` past the middle is in a comment: this reader reads on to the
    end, the child's rows are dropped."""
    path = tmp_path / "log.xes"
    comment = "<!-- " + "<trace> " * 40_000 + "-->\n"
    path.write_text(HEAD + _traces(0, 10, ()) + comment + _traces(10, 10, ()) + "</log>\n")
    split, single = _both(path, monkeypatch)
    assert two_readers == [1]
    assert split == single
    assert split.count(b"\n") == 1 + 20 * 3


def test_an_error_in_the_second_half_is_reported_where_it_is(tmp_path, two_readers):
    path = tmp_path / "log.xes"
    broken = _traces(300, 1, ()).replace("</trace>", "</trace")
    path.write_text(
        HEAD + _traces(0, 300, ()) + broken + _traces(301, 99, ()) + "</log>\n", encoding="utf-8"
    )
    line = 3 + 300 * 5 + 5 + 1  # the head, 300 traces of 5 lines, the broken one, the next
    with pytest.raises(LogError, match=f"not XES: .*line {line}, column"):
        xes_to_csv(path, str(path))
    assert two_readers == [0]  # the child failed: read again by one reader


def test_only_big_uncompressed_logs_are_split(tmp_path, monkeypatch):
    from procmap.measure import xes

    monkeypatch.setattr(xes, "SPLIT_BYTES", 100)
    small = tmp_path / "a.xes"
    small.write_bytes(b"x" * 99)
    big = tmp_path / "b.xes"
    big.write_bytes(b"x" * 100)
    packed = tmp_path / "c.xes.gz"
    packed.write_bytes(b"x" * 1000)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert [xes._splittable(p) for p in (small, big, packed)] == [False, (cores or 1) > 1, False]


@pytest.mark.parametrize("where", ["head", "stream"])
def test_a_damaged_gzip_is_one_line(tmp_path, where):
    """A .xes.gz damaged in its first 64 KiB or past them: `cannot read`, not zlib's
    traceback."""
    path = tmp_path / "damaged.xes.gz"
    _log(path, 20_000)
    packed = bytearray(path.read_bytes())
    at = 112 if where == "head" else len(packed) - 200
    packed[at : at + 8] = b"\xff" * 8
    path.write_bytes(bytes(packed))
    with pytest.raises(LogError, match="cannot read"):
        xes_to_csv(path, str(path))


def test_the_memory_limit_of_an_xes_log_is_sized_by_the_csv_duckdb_reads(tmp_path):
    """DuckDB reads the CSV an XES log was turned into: its size, not the XES file's
    (several times larger), sizes the memory limit (before: a 2.9 GB XES of 10M events
    got 1 GB, over the bound the same events get as CSV)."""
    import duckdb

    from procmap.measure.logread import loaded

    path = tmp_path / "log.xes"
    _log(path, 2_000)
    con = duckdb.connect(":memory:")
    try:
        with loaded(con, path, str(path)) as source:
            csv_size = len(Path(source.sql.split("'")[1]).read_bytes())
            assert source.size == csv_size < path.stat().st_size // 3
    finally:
        con.close()

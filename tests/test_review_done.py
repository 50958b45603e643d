"""`procmap review --done`: an exact text edit that changes nothing but the review record."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from conftest import cli_runner
from procmap.cli import app
from procmap.format import yaml_scalar
from procmap.git.review import DoneError, record_done

DONE = Path(__file__).parent / "review" / "done"
DAY = dt.date(2026, 4, 30)


def run(*args: str):
    return cli_runner().invoke(app, list(args), catch_exceptions=False)


def copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copyfile(DONE / name, target)
    return target


CASES = {
    # case: extra options
    "comments": ["--note", "Moved the review: now with sales", "--by", "boss"],
    "flow": [],
    "flow-nolast": [],
    "nolast": ["--note", "#1 quarterly check", "--by", "O'Brien"],
    "quoted": [],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_done_changes_only_the_review_record(tmp_path, case):
    path = copy(tmp_path, f"{case}.yaml")
    result = run("review", "--done", str(path), "--today", "2026-04-30", *CASES[case])
    assert result.exit_code == 0, result.stderr
    expected = (DONE / f"{case}.expected.yaml").read_bytes()
    assert path.read_bytes() == expected


@pytest.mark.parametrize("case", sorted(CASES))
def test_done_keeps_crlf_line_endings(tmp_path, case):
    source = (DONE / f"{case}.yaml").read_bytes().replace(b"\n", b"\r\n")
    path = tmp_path / f"{case}.yaml"
    path.write_bytes(source)
    result = run("review", "--done", str(path), "--today", "2026-04-30", *CASES[case])
    assert result.exit_code == 0, result.stderr
    expected = (DONE / f"{case}.expected.yaml").read_bytes().replace(b"\n", b"\r\n")
    assert path.read_bytes() == expected


def test_done_keeps_a_byte_order_mark_and_permissions(tmp_path):
    path = tmp_path / "flow.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + (DONE / "flow.yaml").read_bytes())
    os.chmod(path, 0o640)
    record_done(str(path), DAY)
    assert path.read_bytes() == b"\xef\xbb\xbf" + (DONE / "flow.expected.yaml").read_bytes()
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["flow.yaml"]  # no temporary file left


def test_done_message_gives_the_next_due_date(tmp_path):
    path = copy(tmp_path, "comments.yaml")
    result = run("review", "--done", str(path), "--today", "2026-04-30")
    assert result.stdout == f"{path}: review recorded on 2026-04-30; next review due 2026-07-30.\n"


def test_done_twice_appends_two_entries(tmp_path):
    path = copy(tmp_path, "quoted.yaml")
    record_done(str(path), DAY)
    record_done(str(path), dt.date(2027, 4, 30), note="Second: [with] {brackets}, and commas")
    text = path.read_text()
    assert 'last: "2027-04-30"' in text
    assert text.endswith(
        "  -   date: 2026-04-30\n"
        "      change: Reviewed; no changes.\n"
        "  -   date: 2027-04-30\n"
        '      change: "Second: [with] {brackets}, and commas"\n'
    )


def test_done_refuses_a_file_without_review(tmp_path):
    path = copy(tmp_path, "noreview.yaml")
    before = path.read_bytes()
    result = run("review", "--done", str(path), "--today", "2026-04-30")
    assert result.exit_code == 1
    assert result.stderr == (
        f"procmap: {path}: the process has no `review:`; add one with a cadence first, like"
        " `review: {every: quarterly, approver: <role id>}`\n"
    )
    assert path.read_bytes() == before


def test_done_refuses_an_invalid_file_and_reports_its_problems(tmp_path):
    path = copy(tmp_path, "invalid.yaml")
    before = path.read_bytes()
    result = run("review", "--done", str(path), "--today", "2026-04-30")
    assert result.exit_code == 1
    assert f"{path}:10:11: G003 next: no step has the id 'nowhere'\n" in result.stderr
    assert result.stderr.endswith(
        f"procmap: {path}: fix the errors above, then record the review\n"
    )
    assert path.read_bytes() == before


def test_record_done_raises_for_no_review(tmp_path):
    with pytest.raises(DoneError):
        record_done(str(copy(tmp_path, "noreview.yaml")), DAY)


def test_dry_run_leaves_the_file(tmp_path):
    path = copy(tmp_path, "flow.yaml")
    result = record_done(str(path), DAY, write=False)
    assert result.text == (DONE / "flow.expected.yaml").read_text()
    assert path.read_bytes() == (DONE / "flow.yaml").read_bytes()


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("Reviewed; no changes.", "Reviewed; no changes."),
        ("Owner: sales", '"Owner: sales"'),
        ("true", '"true"'),
        ("Yes", '"Yes"'),
        ("2026-01-01", '"2026-01-01"'),
        ("12", '"12"'),
        ("- a list?", '"- a list?"'),
        ("a, b", '"a, b"'),
        ("trailing ", '"trailing "'),
        ('Zoë\'s "quote"', '"Zoë\'s \\"quote\\""'),
        ("two\nlines", '"two\\nlines"'),
        ("a\u2028b", '"a\\u2028b"'),
        ("a\u2029b", '"a\\u2029b"'),
        ("a\x85b", '"a\\u0085b"'),
        ("a\x9fb", '"a\\u009fb"'),
        ("zero\u200bwidth", '"zero\\u200bwidth"'),
        ("tag\U000e0041", '"tag\\U000e0041"'),
    ],
)
def test_yaml_scalar_reads_back_as_the_same_text(value, written):
    from procmap.format.loader import load_text

    assert yaml_scalar(value) == written
    for text in (f"k: {written}\n", f"k: [{written}]\n"):
        document = load_text("x", text).document
        assert document is not None
        got = document.data["k"]
        assert (got[0] if isinstance(got, list) else got) == value


def test_done_follows_flow_mapping_items_and_inserts_last_after_every(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        "procmap: 1\n"
        "id: p\n"
        "name: P\n"
        "review:\n"
        "  approver: boss\n"
        "  every: weekly   # Mondays\n"
        "roles: {boss: B}\n"
        "steps:\n"
        "  - {id: s, kind: start, name: S, next: e}\n"
        "  - {id: e, kind: end, name: E}\n"
        "changelog:\n"
        "  - {change: Created, date: 2026-01-01}\n"
        "\n"
        "# trailing comment\n"
    )
    record_done(str(path), DAY, by="boss")
    assert path.read_text() == (
        "procmap: 1\n"
        "id: p\n"
        "name: P\n"
        "review:\n"
        "  approver: boss\n"
        "  every: weekly   # Mondays\n"
        "  last: 2026-04-30\n"
        "roles: {boss: B}\n"
        "steps:\n"
        "  - {id: s, kind: start, name: S, next: e}\n"
        "  - {id: e, kind: end, name: E}\n"
        "changelog:\n"
        "  - {change: Created, date: 2026-01-01}\n"
        "  - {change: Reviewed; no changes., date: 2026-04-30, by: boss}\n"
        "\n"
        "# trailing comment\n"
    )


@pytest.mark.parametrize("empty", ["", " ~", " null  # not yet"])
def test_done_fills_an_empty_last(tmp_path, empty):
    path = tmp_path / "p.yaml"
    head = "procmap: 1\nid: p\nname: P\nreview:\n  every: weekly\n  last:{}\n"
    tail = "steps:\n  - {id: s, kind: start, name: S, next: e}\n  - {id: e, kind: end, name: E}\n"
    path.write_text(head.format(empty) + tail)
    record_done(str(path), DAY)
    comment = "  # not yet" if "#" in empty else ""
    assert path.read_text() == (
        head.format(" 2026-04-30" + comment)
        + tail
        + "changelog:\n  - date: 2026-04-30\n    change: Reviewed; no changes.\n"
    )

"""Golden outputs of `procmap diff` for the webinar example changed in a few ways.

tests/diff/webinar-old.yaml is the bundled webinar funnel; webinar-new.yaml moves the
consultation call to the founder, adds a reminder step (its name holds a pipe and
backticks, a checklist item holds `<`, to pin Markdown escaping), raises a target, records
a review and a changelog entry. Refresh with PROCMAP_UPDATE_GOLDEN=1 (`make golden`) and
read the result before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from procmap.git.diff import diff_files
from procmap.git.diffreport import FORMATS
from procmap.lint.config import Config

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "diff" / "golden"


@pytest.mark.parametrize(("fmt", "suffix"), [("markdown", "md"), ("json", "json"), ("text", "txt")])
def test_webinar_golden(fmt: str, suffix: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(REPO)
    diff = diff_files("tests/diff/webinar-old.yaml", "tests/diff/webinar-new.yaml", Config())
    got = FORMATS[fmt]([diff], None)
    golden = GOLDEN / f"webinar.{suffix}"
    if os.environ.get("PROCMAP_UPDATE_GOLDEN"):
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")


def test_markdown_golden_without_changes(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(REPO)
    diff = diff_files("tests/diff/webinar-old.yaml", "tests/diff/webinar-old.yaml", Config())
    got = FORMATS["markdown"]([diff], "main")
    golden = GOLDEN / "unchanged.md"
    if os.environ.get("PROCMAP_UPDATE_GOLDEN"):
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")

"""Golden outputs of `procmap diff` for the webinar example changed in a few ways.

tests/diff/webinar-old.yaml is the bundled webinar funnel; webinar-new.yaml moves the
consultation call to the founder, adds a reminder step (its name holds a pipe and
backticks, a checklist item holds `<`, to pin Markdown escaping), raises a target, records
a review and a changelog entry. The golden files are tests/golden/diff/; refresh them with
`make golden` (see tests/conftest.py) and read the result before committing it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Golden
from procmap.config.project import Config
from procmap.git.diff import diff_files
from procmap.git.diffreport import FORMATS

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("fmt", "suffix"), [("markdown", "md"), ("json", "json"), ("text", "txt")])
def test_webinar_golden(fmt: str, suffix: str, monkeypatch: pytest.MonkeyPatch, golden: Golden):
    monkeypatch.chdir(REPO)
    diff = diff_files("tests/diff/webinar-old.yaml", "tests/diff/webinar-new.yaml", Config())
    golden(f"diff/webinar.{suffix}", FORMATS[fmt]([diff], None))


def test_markdown_golden_without_changes(monkeypatch: pytest.MonkeyPatch, golden: Golden):
    monkeypatch.chdir(REPO)
    diff = diff_files("tests/diff/webinar-old.yaml", "tests/diff/webinar-old.yaml", Config())
    golden("diff/unchanged.md", FORMATS["markdown"]([diff], "main"))

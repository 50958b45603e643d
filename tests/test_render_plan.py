"""The render run's plan (issue 16, item 3): an unchanged re-render costs little more than
validating and hashing, and the quick reading of manifest names refuses what it did."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, modules_after
from procmap._paths import inside
from procmap.render.formats import FORMATS, SUFFIXES, TABLE

#: What only making an output needs: none of it is imported when nothing is to be made.
MAKING = {
    "jinja2",
    "markupsafe",
    "graphviz",
    "procmap.git",
    "procmap.render.analysis",
    "procmap.render.flowmap",
    "procmap.render.mermaid",
    "procmap._children",
}


def test_an_unchanged_re_render_imports_nothing_that_makes_an_output(tmp_path):
    args = ("render", str(REPO / "processes"), "-o", str(tmp_path), "--no-measure", "-q")
    status, first = modules_after(*args)
    assert status == 0 and first >= MAKING  # the first run made them all
    status, again = modules_after(*args)
    assert status == 0
    assert again & MAKING == set()


def test_every_format_has_one_record_with_a_distinct_suffix():
    assert tuple(f.name for f in TABLE) == FORMATS
    assert len(set(SUFFIXES.values())) == len(FORMATS)


@pytest.mark.parametrize(
    "name", ["/abs", "C:relative-to-a-drive", "c:/x", "\\rooted", "\\\\server\\share", "//srv/x"]
)
def test_a_manifest_name_that_is_absolute_anywhere_is_refused(tmp_path: Path, name: str):
    assert inside(tmp_path, name) == "an absolute path"


def test_a_plain_manifest_name_that_is_a_symlink_out_is_refused(tmp_path: Path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.svg").symlink_to(tmp_path / "elsewhere.svg")
    assert inside(tmp_path / "out", "a.svg") == "passes through a symlink"
    assert inside(tmp_path / "out", "b.svg") is None

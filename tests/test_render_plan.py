"""The render run's plan (issue 16, item 3): an unchanged re-render costs little more than
validating and hashing, and the quick reading of manifest names refuses what it did."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, modules_after
from generate import bench_processes
from procmap._paths import inside
from procmap.lint import linter, validate_paths
from procmap.render import Options, render
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


def test_a_process_kept_by_a_worker_is_read_only_when_an_output_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # Past PARALLEL_THRESHOLD files workers validate, and each kept process comes back
    # as its id, name and called processes, the rest read on first use: an unchanged
    # re-render reads none, and what is made from them is what is made from processes
    # read in this process (plain records here; pydantic models the same way).
    monkeypatch.setattr(linter, "cpu_count", lambda: 2)  # workers even on one CPU
    folder = bench_processes(tmp_path / "processes", linter.PARALLEL_THRESHOLD, steps=6)
    formats = ("dot", "mermaid", "runbook", "dmaic")

    def kept(jobs: int) -> dict[str, object]:
        report = validate_paths([str(folder)], keep=True, plain=True, jobs=jobs)
        assert not report.problems and len(report.processes) == linter.PARALLEL_THRESHOLD
        return report.processes

    here, sent = kept(1), kept(2)
    assert all(type(p) is linter.Kept for p in sent.values())
    assert not any(type(p) is linter.Kept for p in here.values())
    render(here, Options(out_dir=tmp_path / "here", formats=formats))
    made = render(sent, Options(out_dir=tmp_path / "sent", formats=formats))
    assert made.written and not made.problems
    for name in made.written:
        assert (tmp_path / "sent" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()
    assert sent == here  # read, and equal both ways
    assert here == sent
    models = validate_paths([str(folder)], keep=True, jobs=2).processes
    one = next(iter(models.values()))
    assert type(one) is linter.Kept
    assert one.model_copy() == one and one.called() == one._process.called()

    again = kept(2)
    outcome = render(again, Options(out_dir=tmp_path / "sent", formats=formats))
    assert outcome.unchanged == made.written and not outcome.written
    assert all(p._process is None for p in again.values())


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

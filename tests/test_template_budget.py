"""Templates run on a budget (issue 15): a template is code from the repository, which a
pull request can change, rendered in CI. Loop iterations, time and the size of any text
it makes are bounded per document; past one, rendering stops with one line naming the
template, exit 1, and that document is not written."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, clean_env
from procmap.render import documents
from procmap.render.documents import TemplateProblem, render

PROCESS = REPO / "processes" / "lead-handoff.yaml"
RUNBOOK_ONLY = ("-o", "out", "-f", "runbook", "--templates", "templates")


def _render(tmp_path: Path, template: str) -> tuple[subprocess.CompletedProcess[str], float]:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "runbook.md.j2").write_text(template, encoding="utf-8")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "procmap", "render", str(PROCESS), *RUNBOOK_ONLY],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done, time.monotonic() - started


def test_nested_range_loops_stop_with_the_template_named(tmp_path):
    """Before: 99,999 x 99,999 iterations ran until killed."""
    done, took = _render(
        tmp_path,
        "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}\n",
    )
    assert done.returncode == 1, done.stderr
    assert (
        "templates/runbook.md.j2:1: template ran too long (more than 1000000 loop iterations)"
        in done.stderr
    ), done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert took < 40, took
    out = tmp_path / "out"
    assert not out.exists() or not any(
        p.name.startswith("lead-handoff.runbook") for p in out.iterdir()
    )


@pytest.mark.parametrize(
    "template",
    [
        "{{ 'x' * 10**9 }}\n",
        "{{ [0] * 10**9 }}\n",
        "{% for i in range(100) %}{{ 'x' * 1000000 }}{% endfor %}\n",
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
        "{% endfor %}{{ ns.s|length }}\n",
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}"
        "{% endfor %}{{ ns.s|length }}\n",
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}"
        "{% set ns.s = ns.s.replace('x', 'xx') %}{% endfor %}{{ ns.s|length }}\n",
        "{{ 2 ** 100000000000 }}\n",
    ],
    ids=["repeat", "list", "output", "concat", "plus", "method", "power"],
)
def test_a_template_making_a_huge_text_stops(tmp_path, template):
    """Before: `{{ 'x' * 10**9 }}` made a gigabyte, and doubling a string 40 times a
    terabyte; now any text past TEMPLATE_CHARS (its output too) stops the rendering."""
    done, took = _render(tmp_path, template)
    assert done.returncode == 1, done.stderr
    assert "templates/runbook.md.j2:1: template " in done.stderr, done.stderr
    assert "too big" in done.stderr, done.stderr
    assert took < 40, took


def test_a_template_without_loops_still_has_a_time_budget(tmp_path, monkeypatch):
    """A macro that calls itself twice has no loop to count: the clock stops it."""
    monkeypatch.setattr(documents, "TEMPLATE_SECONDS", 1.0)
    (tmp_path / "doubling.md.j2").write_text(
        "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
        "{{ f(60) }}\n",
        encoding="utf-8",
    )
    started = time.monotonic()
    with pytest.raises(TemplateProblem, match=r"doubling\.md\.j2:1: template ran too long"):
        render("doubling.md.j2", {}, [tmp_path])
    assert time.monotonic() - started < 15


def test_the_budget_is_per_document(tmp_path, monkeypatch):
    """Each rendering starts with the whole budget: documents that each stay within it
    all render, however many."""
    monkeypatch.setattr(documents, "TEMPLATE_LOOPS", 1000)
    (tmp_path / "loops.md.j2").write_text(
        "{% for i in range(900) %}{% endfor %}done\n", encoding="utf-8"
    )
    for _ in range(5):
        assert render("loops.md.j2", {}, [tmp_path]) == "done\n"
    (tmp_path / "more.md.j2").write_text(
        "{% for i in range(30) %}{% for j in range(40) %}{% endfor %}{% endfor %}\n",
        encoding="utf-8",
    )
    with pytest.raises(TemplateProblem, match=r"more than 1000 loop iterations"):
        render("more.md.j2", {}, [tmp_path])

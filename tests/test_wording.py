"""How the runbook and the worksheet read (issue 21, item 10).

A founder's runbook asked to tick "Confirm it happened" for the trigger, repeated every
heading as its first checkbox, showed the map twice on GitHub (the SVG and the Mermaid
block), nested brackets ("Step 2 (Sam (virtual assistant))"), gave a percentage KPI's gap
as "+25 %", listed the trigger again as a SIPOC input and the process's own roles as its
customers, and headed a column of summed times "Total time".
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from procmap.lint.linter import validate_paths
from procmap.render.run import Options, render

HERE = Path(__file__).parent / "wording"
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _render(out: Path, formats: tuple[str, ...]) -> Path:
    report = validate_paths([str(HERE / "newsletter.yaml")], keep=True)
    assert report.errors == 0, report.problems
    outcome = render(report.processes, Options(out_dir=out, formats=formats, index=False))
    assert not outcome.problems
    return out


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> tuple[str, str]:
    out = _render(tmp_path_factory.mktemp("wording"), ("runbook", "dmaic"))
    return (out / "newsletter.runbook.md").read_text(), (out / "newsletter.dmaic.md").read_text()


def _sections(runbook: str) -> dict[str, str]:
    """Step heading -> the text of its section."""
    parts = re.split(r"^### \d+\. (.+)$", runbook.split("## Steps", 1)[1], flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_the_start_is_a_trigger_not_a_checkbox(documents):
    start = _sections(documents[0])["First Monday of the month"]
    assert "**Trigger:** The first Monday of the month comes round." in start
    assert "- [ ]" not in start
    assert "Confirm it happened" not in documents[0]


def test_no_step_s_first_checkbox_repeats_its_heading(documents):
    sections = _sections(documents[0])
    for heading, text in sections.items():
        boxes = re.findall(r"^- \[ \] (.*)$", text, flags=re.M)
        assert not boxes or heading not in boxes[0], (heading, boxes)
    assert re.findall(r"^- \[ \] .*$", sections["Proofread and schedule"], flags=re.M) == [
        "- [ ] Check every link opens",
        "- [ ] Schedule for Tuesday 9:00",
    ]
    assert "- [ ] Done\n- [ ] Record the metric: Click-through rate" in sections["Draft the letter"]
    assert "- [ ]" not in sections["Did it go out?"]
    assert (
        "- [ ] Confirm the result: The letter is in every subscriber's inbox."
        in (sections["Letter sent"])
    )


def test_the_map_is_shown_once_svg_or_mermaid(tmp_path):
    svg = (_render(tmp_path / "a", ("svg", "runbook")) / "newsletter.runbook.md").read_text()
    assert "![Flow map of Monthly newsletter](newsletter.svg)" in svg
    assert "```mermaid" not in svg
    both = _render(tmp_path / "b", ("svg", "mermaid", "runbook")) / "newsletter.runbook.md"
    text = both.read_text()
    assert "```mermaid" in text and "![Flow map" not in text
    assert "The same map as a picture: [newsletter.svg](newsletter.svg)." in text
    alone = (_render(tmp_path / "c", ("runbook",)) / "newsletter.runbook.md").read_text()
    assert alone.count("```mermaid") == 1


def test_brackets_never_nest(documents):
    both = "\n".join(documents)
    assert "(Sam (virtual assistant))" not in both
    assert "- Step 2 (Founder) → step 3 (Sam, virtual assistant)" in documents[1]


def test_a_percentage_kpi_s_gap_is_in_points(documents):
    worksheet = documents[1]
    assert "| Click-through rate | % | 38 | 42 | higher | +4 pts | 2 |" in worksheet
    assert "| Subscribers | subscribers | 400 | 500 | higher | +100 subscribers | –" in worksheet


def test_sipoc_inputs_skip_the_trigger_and_customers_skip_the_roles(documents):
    row = documents[1].split("| Suppliers | Inputs |", 1)[1].splitlines()[2]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1] == "First Monday of the month"
    assert cells[4] == "The customer at the like, trust stages"


def test_the_measured_time_sinks_say_what_their_total_sums():
    text = (TEMPLATES / "dmaic.base.md.j2").read_text()
    assert "| Time summed over all cases |" in text and "| Total time |" not in text

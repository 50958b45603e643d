"""The Markdown documents: escaping, template lookup and overrides, template errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from procmap.lint.linter import validate_paths
from procmap.render import documents
from procmap.render.analysis import analyze
from procmap.render.documents import TemplateProblem, cell, code, md

FIXTURES = Path(__file__).parent / "render_fixtures"


def _load(name: str):
    report = validate_paths([str(FIXTURES / name)], keep=True)
    assert report.errors == 0, report.problems
    (process,) = report.processes.values()
    return process


def _context(process):
    return documents.context(
        process,
        analyze(process),
        files={"svg": f"{process.id}.svg", "runbook": f"{process.id}.runbook.md", "dmaic": None},
        source=f"{process.id}.yaml",
        mermaid=None,
    )


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("a | b", r"a \| b"),
        ("*bold* and _it_", r"\*bold\* and \_it\_"),
        ("<script>alert(1)</script>", r"\<script\>alert(1)\</script\>"),
        ("use `x`", r"use \`x\`"),
        ("[a](http://x)", r"\[a\](http://x)"),
        ("line one\nline two", "line one line two"),
        ("# heading", r"\# heading"),
        ("- item", r"\- item"),
        ("> quote", r"\> quote"),
        ("1. first", r"1\. first"),
        ("2026 plan", "2026 plan"),
        ("back\\slash", r"back\\slash"),
        (None, ""),
    ],
)
def test_md_escapes_inline_and_line_start_marks(raw, text):
    assert md(raw) == text


def test_cell_escapes_pipes_never_breaks_lines_and_is_never_empty():
    assert cell("a | b\nc") == r"a \| b c"
    assert cell("- not a list") == "- not a list"
    assert cell("") == "–"
    assert cell(None) == "–"


def test_code_survives_backticks():
    assert code("x.yaml") == "`x.yaml`"
    assert code("a`b") == "``a`b``"
    assert code("`a`") == "`` `a` ``"


def _unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


@pytest.mark.parametrize("template", ["runbook.md.j2", "dmaic.md.j2"])
def test_hostile_labels_stay_text_and_tables_keep_their_columns(template):
    process = _load("hostile.yaml")
    text = documents.render(template, _context(process), documents.search_path())
    assert not re.search(r"(?<!\\)</?(script|img|b|i|table)\b", text)
    assert "](http://evil.example)" not in text.replace(r"\](http", "")
    assert "**bold**" not in text
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if re.fullmatch(r"\|(---\|)+", line):
            columns = _unescaped_pipes(line)
            header = lines[index - 1]
            assert _unescaped_pipes(header) == columns, header
            for row in lines[index + 1 :]:
                if not row.startswith("|"):
                    break
                assert _unescaped_pipes(row) == columns, row
    assert "line one line two" in text.lower()
    assert "\n1. numbered" not in text


def test_missing_data_shows_the_methods_questions():
    process = _load("bare.yaml")
    text = documents.render("dmaic.md.j2", _context(process), documents.search_path())
    for question in (
        "What goes wrong today, how often, and what does it cost?",
        "What triggers the process: where does it start?",
        "Which two or three KPIs show whether the process reaches its goal?",
        "Who does this?",
        "How long does it take?",
        "Which steps could be automated",
        "Where are the bottlenecks?",
        "Which changes will you test",
        "Which metrics will you watch after the change",
        "Who reviews and approves changes?",
    ):
        assert question in text, question
    runbook = documents.render("runbook.md.j2", _context(process), documents.search_path())
    assert "What is this process for?" in runbook


def test_lookup_order_user_folder_first_then_packaged(tmp_path):
    default = documents.default_folder()
    assert (default / "runbook.md.j2").is_file()
    assert documents.search_path(tmp_path) == [tmp_path, default]
    assert documents.search_path(None) == [default]
    assert documents.search_path(default) == [default]
    (tmp_path / "dmaic.md.j2").write_text("mine\n")
    chosen = documents.effective_templates(documents.search_path(tmp_path))
    assert chosen["dmaic.md.j2"] == tmp_path / "dmaic.md.j2"
    assert chosen["runbook.md.j2"] == default / "runbook.md.j2"
    assert list(chosen) == sorted(chosen)


def test_a_user_template_overrides_one_block_and_keeps_the_rest(tmp_path):
    (tmp_path / "runbook.md.j2").write_text(
        '{% extends "runbook.base.md.j2" %}\n'
        "{% block footer %}\nOur footer for {{ process.name|md }}.\n{% endblock %}\n"
    )
    process = _load("bare.yaml")
    text = documents.render("runbook.md.j2", _context(process), documents.search_path(tmp_path))
    assert text.startswith("# Runbook: Bare process\n")
    assert text.endswith("Our footer for Bare process.\n")
    assert "Generated by procmap" not in text
    assert documents.templates_digest([tmp_path, documents.default_folder()]) != (
        documents.templates_digest([documents.default_folder()])
    )


def test_a_typo_in_a_template_names_the_template_and_line(tmp_path):
    (tmp_path / "runbook.md.j2").write_text("# {{ process.name }}\n\n{{ process.nmae }}\n")
    process = _load("bare.yaml")
    with pytest.raises(TemplateProblem) as caught:
        documents.render("runbook.md.j2", _context(process), documents.search_path(tmp_path))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{tmp_path / 'runbook.md.j2'}:3: template error:")
    assert "nmae" in message


def test_a_syntax_error_names_the_template_and_line(tmp_path):
    (tmp_path / "dmaic.md.j2").write_text("ok\n{% if %}\n")
    process = _load("bare.yaml")
    with pytest.raises(TemplateProblem, match=r"dmaic\.md\.j2:2: template error:"):
        documents.render("dmaic.md.j2", _context(process), documents.search_path(tmp_path))


# --- the sandbox -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    [
        "''.__class__.__mro__[1].__subclasses__()",
        "process.__class__.__init__.__globals__",
        "cycler.__init__.__globals__.os",
        "'{0.__class__}'.format(process)",
    ],
)
def test_a_template_cannot_reach_python_internals(tmp_path, expression):
    (tmp_path / "runbook.md.j2").write_text(f"# Runbook\n\n{{{{ {expression} }}}}\n")
    process = _load("bare.yaml")
    with pytest.raises(TemplateProblem) as caught:
        documents.render("runbook.md.j2", _context(process), documents.search_path(tmp_path))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{tmp_path / 'runbook.md.j2'}:3: template error:"), message
    assert "subclass" not in message and "<class" not in message


def test_a_template_cannot_change_the_data_other_outputs_share(tmp_path):
    (tmp_path / "runbook.md.j2").write_text(
        "ok\n{% set _ = process.steps.append(process.steps[0]) %}\n"
    )
    process = _load("bare.yaml")
    steps = list(process.steps)
    with pytest.raises(TemplateProblem, match=r"runbook\.md\.j2:2: template error: .*unsafe"):
        documents.render("runbook.md.j2", _context(process), documents.search_path(tmp_path))
    assert process.steps == steps


# --- multi-line descriptions -----------------------------------------------------------

DESCRIBED = """\
procmap: 1
id: described
name: Described process
description: |
  Why this process exists, on two
  source lines.

  What it covers:
  - the *first* thing
  - the second thing,
    continued on a second line
step_description: |
  Open the ticket.

  Check:
  1. the customer
  2. the amount
"""


def _described(tmp_path: Path):
    head, _, step = DESCRIBED.partition("step_description: |\n")
    (tmp_path / "described.yaml").write_text(
        head
        + "steps:\n  - id: start\n    kind: start\n    name: Start\n    next: work\n"
        + "  - id: work\n    name: Do the work\n    next: done\n    description: |\n"
        + "".join("    " + line + "\n" if line else "\n" for line in step.splitlines())
        + "  - id: done\n    kind: end\n    name: Done\n"
    )
    report = validate_paths([str(tmp_path / "described.yaml")], keep=True)
    assert report.errors == 0, report.problems
    (process,) = report.processes.values()
    return process


def test_a_multi_line_description_keeps_its_paragraphs_and_lists_in_the_runbook(tmp_path):
    process = _described(tmp_path)
    text = documents.render("runbook.md.j2", _context(process), documents.search_path())
    assert (
        "Why this process exists, on two source lines.\n"
        "\n"
        "What it covers:\n"
        "\n"
        "* the \\*first\\* thing\n"
        "* the second thing, continued on a second line\n"
        "\n"
        "- **Starts when:**"
    ) in text
    assert (
        "### 2. Do the work\n"
        "\n"
        "Open the ticket.\n"
        "\n"
        "Check:\n"
        "\n"
        "1. the customer\n"
        "2. the amount\n"
        "\n"
        "- [ ] Done\n"
    ) in text


@pytest.mark.parametrize(
    ("raw", "indent", "text"),
    [
        ("one line - with | pipe", 0, r"one line - with \| pipe"),
        ("joined\nlines", 0, "joined lines"),
        ("a\n\n\n\nb", 0, "a\n\nb"),
        ("* star\n+ plus\n- dash", 0, "* star\n* plus\n* dash"),
        ("1) one\n2) two", 0, "1. one\n2. two"),
        ("- a\n  - nested\n- b", 0, "* a\n  * nested\n* b"),
        ("1. a\n   - nested", 0, "1. a\n   * nested"),
        ("# not a heading\n\n> not a quote\n\n<b>no html</b>", 0, None),
        ("para\n\n- item\n\nafter", 3, "para\n\n   * item\n\n   after"),
        ("1.\n-", 0, "1.\n*"),
        (None, 0, ""),
    ],
)
def test_md_blocks_keeps_paragraphs_and_lists_and_escapes_the_rest(raw, indent, text):
    result = documents.md_blocks(raw, indent)
    if text is None:
        assert result == "\\# not a heading\n\n\\> not a quote\n\n\\<b\\>no html\\</b\\>"
    else:
        assert result == text
    assert not any(line != line.rstrip() for line in result.split("\n"))


def test_a_description_inside_a_numbered_list_item_is_indented_under_it(tmp_path):
    (tmp_path / "runbook.md.j2").write_text(
        "{% for s in analysis.steps %}\n"
        "{{ s.number }}. {{ s.step.description|md_blocks(3) if s.step.description else s.name|md }}\n"
        "{% endfor %}\n"
    )
    process = _described(tmp_path)
    text = documents.render("runbook.md.j2", _context(process), documents.search_path(tmp_path))
    assert text == (
        "1. Start\n"
        "2. Open the ticket.\n"
        "\n"
        "   Check:\n"
        "\n"
        "   1. the customer\n"
        "   2. the amount\n"
        "3. Done\n"
    )

"""Links in a process's text (issue 21, item 8).

`description: Use [the welcome template](https://...)` came out escaped in the runbook and
as plain text on the site, and bare URLs were not linked. Web and mail links in
descriptions, checklists, exceptions and the worksheet's text are links now in the
runbook, the worksheet and the site; nothing else of Markdown or HTML gets through, and
`procmap validate` refuses any other kind of link (S016).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from procmap.render.documents import cell, md, md_blocks

HERE = Path(__file__).parent / "links"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (
            "Use [the template](https://x.example/a_b?c=1) now",
            "Use [the template](https://x.example/a_b?c=1) now",
        ),
        ("[*b*](http://x.example)", r"[\*b\*](http://x.example)"),
        ("see https://x.example/p_(1).", "see <https://x.example/p_(1)>."),
        ("(at https://x.example/a)", "(at <https://x.example/a>)"),
        ("mail mailto:a@x.example, then", "mail <mailto:a@x.example>, then"),
        ("[x](javascript:alert(1))", r"\[x\](javascript:alert(1))"),
        ("[x](guide.md)", r"\[x\](guide.md)"),
        ("<b>https://x.example</b>", r"\<b\><https://x.example>\</b\>"),
        ("only https://", "only https://"),
        ("- https://x.example", r"\- <https://x.example>"),
    ],
)
def test_links_are_kept_and_everything_else_escaped(raw, text):
    assert md(raw, links=True) == text


def test_names_and_goals_keep_escaping_links():
    assert md("[a](http://x)") == r"\[a\](http://x)"
    assert cell("see https://x.example") == "see https://x.example"
    assert cell("see https://x.example | b", links=True) == r"see <https://x.example> \| b"
    assert md_blocks("- see https://x.example/a\n- [t](http://y.example)") == (
        "* see <https://x.example/a>\n* [t](http://y.example)"
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    from procmap.lint.linter import validate_paths
    from procmap.render.run import Options, render

    out = tmp_path_factory.mktemp("links")
    report = validate_paths([str(HERE / "welcome.yaml")], keep=True)
    assert report.errors == 0, report.problems
    outcome = render(report.processes, Options(out_dir=out, formats=("runbook", "dmaic", "html")))
    assert not outcome.problems
    return out


def test_the_runbook_links_description_checklist_and_exceptions(rendered):
    text = (rendered / "welcome.runbook.md").read_text()
    assert "Use [the welcome template](https://docs.example.com/welcome_template?v=2) for" in text
    assert "The booking page is <https://cal.example.com/studio/kickoff>." in text
    assert "Questions go to <mailto:hello@example.com>, not the founder." in text
    assert "- [ ] Attach the [kickoff agenda](https://docs.example.com/agenda)\n" in text
    assert "> **Exception:** The email bounces (see <https://help.example.com/bounces>).\n" in text
    assert "fix the address in [the CRM](https://crm.example.com/c)." in text


def test_the_worksheet_links_its_problem_and_root_causes(rendered):
    text = (rendered / "welcome.dmaic.md").read_text()
    assert "[the survey](https://survey.example.com/r) says so." in text
    assert "- The template lives in <https://docs.example.com/old> and nobody" in text


def test_the_site_makes_them_links(rendered):
    page = (rendered / "welcome.html").read_text()
    links = dict(re.findall(r'<a href="(https?://[^"]*|mailto:[^"]*)">([^<]*)</a>', page))
    assert links == {
        "https://docs.example.com/welcome_template?v=2": "the welcome template",
        "https://cal.example.com/studio/kickoff": "https://cal.example.com/studio/kickoff",
        "mailto:hello@example.com": "mailto:hello@example.com",
        "https://docs.example.com/agenda": "kickoff agenda",
        "https://help.example.com/bounces": "https://help.example.com/bounces",
        "https://crm.example.com/c": "the CRM",
        "https://survey.example.com/r": "the survey",
        "https://docs.example.com/old": "https://docs.example.com/old",
    }
    assert "javascript:" not in page


def test_validate_refuses_links_that_are_not_web_or_mail_addresses(run_procmap):
    done = run_procmap("validate", str(HERE / "unsafe.yaml"))
    assert done.returncode == 1
    found = [line for line in done.stdout.splitlines() if " S016 " in line]
    where = str(HERE / "unsafe.yaml")
    tail = ": only http://, https:// and mailto: links are kept; write the full web address"
    assert found == [
        f"{where}:11:18: S016 link to 'javascript:alert(document.cookie)'{tail}",
        f"{where}:13:9: S016 link to 'file:///etc/passwd'{tail}",
        f"{where}:14:9: S016 link to 'guide.md'{tail}",
        f"{where}:20:11: S016 link to 'data:text/html,hello'{tail}",
    ]
    good = run_procmap("validate", str(HERE / "welcome.yaml"))
    assert " S016 " not in good.stdout and good.returncode == 0

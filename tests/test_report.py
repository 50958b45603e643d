"""Reporters, tested with hand-built problems: exact text, JSON, GitHub annotations, colour."""

from __future__ import annotations

import io
import json

import pytest

from procmap.format.problems import Problem
from procmap.lint import report

ERROR = Problem("processes/a.yaml", 12, 11, "G003", "error", "next: no step has the id 'x'")
WARNING = Problem("processes/a.yaml", 2, 1, "P009", "warning", "the process has no `review:`")


def test_text_lines() -> None:
    assert report.text([WARNING, ERROR]) == (
        "processes/a.yaml:2:1: P009 warning: the process has no `review:`\n"
        "processes/a.yaml:12:11: G003 next: no step has the id 'x'\n"
    )
    assert report.text([]) == ""


def test_text_in_colour_keeps_the_words() -> None:
    colored = report.text([ERROR, WARNING], color=True)
    assert "\033[31m" in colored and "\033[33m" in colored
    plain = colored
    for code in ("\033[31m", "\033[33m", "\033[1m", "\033[0m"):
        plain = plain.replace(code, "")
    assert plain == report.text([ERROR, WARNING])


def test_json_items_and_unicode() -> None:
    unicode = Problem("p/é.yaml", 1, 1, "S001", "error", "unknown key 'naïve'")
    out = report.as_json([ERROR, unicode])
    assert json.loads(out) == [
        {
            "path": "processes/a.yaml",
            "line": 12,
            "column": 11,
            "code": "G003",
            "severity": "error",
            "message": "next: no step has the id 'x'",
        },
        {
            "path": "p/é.yaml",
            "line": 1,
            "column": 1,
            "code": "S001",
            "severity": "error",
            "message": "unknown key 'naïve'",
        },
    ]
    assert "naïve" in out  # readable, not \\u-escaped
    assert report.as_json([]) == "[]\n"


def test_github_annotation_syntax() -> None:
    assert report.github([ERROR, WARNING]) == (
        "::error file=processes/a.yaml,line=12,col=11,title=G003::"
        "G003 next: no step has the id 'x'\n"
        "::warning file=processes/a.yaml,line=2,col=1,title=P009::"
        "P009 the process has no `review:`\n"
    )


def test_github_escaping() -> None:
    # Properties escape % CR LF : and ,; the message escapes % CR LF only.
    odd = Problem("a,b:c%d.yaml", 3, 4, "S001", "error", "50% done: a, b\nnext\rline")
    assert report.github([odd]) == (
        "::error file=a%2Cb%3Ac%25d.yaml,line=3,col=4,title=S001::"
        "S001 50%25 done: a, b%0Anext%0Dline\n"
    )


def test_summary() -> None:
    assert report.summary(3, 0, 0) == "Checked 3 files: no problems.\n"
    assert report.summary(1, 1, 0) == "Checked 1 file: 1 error.\n"
    assert report.summary(2, 2, 1) == "Checked 2 files: 2 errors, 1 warning.\n"
    assert report.summary(2, 0, 3) == "Checked 2 files: 3 warnings.\n"
    assert "\033[31m2 errors\033[0m" in report.summary(2, 2, 1, color=True)


def test_formats_registry_drives_the_choice() -> None:
    assert set(report.FORMATS) == {"text", "json", "github"}


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "env", "requested", "expected"),
    [
        (FakeTerminal(), {}, None, True),
        (io.StringIO(), {}, None, False),
        (FakeTerminal(), {"NO_COLOR": "1"}, None, False),
        (FakeTerminal(), {"NO_COLOR": "1"}, True, False),  # NO_COLOR wins over --color
        (FakeTerminal(), {"TERM": "dumb"}, None, False),
        (io.StringIO(), {}, True, True),
        (FakeTerminal(), {}, False, False),
        (FakeTerminal(), {"NO_COLOR": ""}, None, True),  # empty NO_COLOR is unset
    ],
)
def test_use_color(stream, env, requested, expected, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert report.use_color(stream, requested) is expected

"""User text in DOT: cleaned, escaped, wrapped, and durations as a reader says them.

Owns: control characters out (`clean_text`), text for Graphviz's HTML-like labels
(`html_text`: entities, doubled backslashes, `]` as an entity) and quoted DOT strings
(`quoted_text`), links percent-encoded (`url_text`), lines wrapped at spaces
(`wrap_text`, `wrap_items`), `45m` as `45 min` (`duration_text`), and the small helpers
of attribute lists and Graphviz's messages. The flow map, Mermaid, the site and the
measured map all escape through here.

Must not know: processes, maps or files.
"""

from __future__ import annotations

import html
import re
import textwrap
from urllib.parse import quote

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(m|min|h|d|w)$")
_UNIT_WORDS = {"m": "min", "min": "min", "h": "h", "d": "day", "w": "week"}
DETAIL_WIDTH = 30

#: Unicode's Cc (control) and Cs (surrogate) categories, exactly: a test holds them equal.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Control characters (newlines included) become spaces; XML cannot hold most of them."""
    return _CONTROL.sub(" ", text)


def wrap_text(text: str, width: int) -> list[str]:
    """Lines of at most `width` characters, broken at spaces (long words are split)."""
    text = clean_text(text)
    if len(text) <= width and text and text == text.strip():
        return [text]  # what textwrap gives, without its cost (most labels are short)
    lines = textwrap.wrap(text, width=width, break_on_hyphens=False)
    return lines or [""]


def wrap_items(items: list[str], width: int = DETAIL_WIDTH) -> list[str]:
    """A comma-separated list in lines of about `width`, breaking between items first."""
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + 2 + len(item) <= width:
            lines[-1] += ", " + clean_text(item)
        else:
            if lines:
                lines[-1] += ","
            lines.extend(wrap_text(item, width))
    return lines


def html_text(text: str) -> str:
    """User text for an HTML-like label: markup characters and `]` become entities, and
    backslashes are doubled because Graphviz still expands `\\N`, `\\G` and the like there."""
    escaped = html.escape(clean_text(text), quote=True).replace("\\", "\\\\")
    # Graphviz's HTML lexer trips over a raw `]` (a label `<]>` is a syntax error, a line
    # of just `]` vanishes) and rejects empty elements such as `<B></B>`.
    return escaped.replace("]", "&#93;") or " "


def url_text(url: str) -> str:
    """A link with quotes, backslashes, brackets, spaces and non-ASCII percent-encoded."""
    return quote(clean_text(url).strip(), safe=":/?#@!$&'()*+,;=%-._~")


def quoted_text(text: str) -> str:
    """User text as a quoted DOT string; backslashes are doubled so no escape survives."""
    return '"' + clean_text(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def duration_text(duration: str | None) -> str | None:
    """`45m` -> `45 min`, `2d` -> `2 days`: the duration as a reader says it."""
    if duration is None:
        return None
    match = _DURATION.match(duration.strip())
    if match is None:
        return duration
    number, unit = match.groups()
    word = _UNIT_WORDS[unit]
    if word in ("day", "week") and float(number) != 1:
        word += "s"
    return f"{number}\N{NO-BREAK SPACE}{word}"


def last_wins(attrs: list[str]) -> list[str]:
    """Drop earlier settings of an attribute that a later mark overrides."""
    seen: set[str] = set()
    kept: list[str] = []
    for attr in reversed(attrs):
        name = attr.split("=", 1)[0]
        if name not in seen:
            seen.add(name)
            kept.append(attr)
    return kept[::-1]


def first_line(stderr: object) -> str:
    if isinstance(stderr, bytes):
        stderr = stderr.decode("utf-8", "replace")
    for line in str(stderr or "").splitlines():
        if line.strip():
            return line.strip()
    return "no message"

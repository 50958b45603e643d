"""A process as a person writes it: the YAML of an imported process, in the style of the
`procmap new` starters (fields in the model's order, block style, short lists of ids
in flow style, a blank line between sections, plain scalars where YAML reads them back
unchanged, else double quotes).

Must not know: BPMN (it gets the process data), files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..format import yaml_scalar

#: Top-level sections preceded by a blank line, as in the starters.
_SPACED = {"review", "roles", "tools", "metrics", "steps", "exceptions", "changelog", "dmaic"}
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Text that stays the same text written plain, in block and flow context, under the YAML
#: 1.2 core schema procmap reads with (so `5d`, `2026-11-16` and `yes` are written as the
#: starters write them): no indicator characters, not a number, boolean or null.
_PLAIN = re.compile(r"^[A-Za-z0-9][^\n\r\t:#\"'{}\[\],&*!|>%@`]*$")
_NUMBER = re.compile(r"^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?$|^0[xo]")
_WORDS = {"null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE"}


def _plain(text: str) -> str:
    if (
        _PLAIN.match(text)
        and text == text.strip()
        and not _NUMBER.match(text)
        and text not in _WORDS
    ):
        return text
    return yaml_scalar(text)


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return repr(value)
    text = str(value)
    if "\n" in text.rstrip("\n") and not text.startswith((" ", "\n")) and text == text.rstrip(" "):
        return "BLOCK"
    return _plain(text)


def _key(key: str) -> str:
    return _plain(key)


def _flow_list(items: list[object]) -> str | None:
    """`[a, b]` for a short list of plain ids; None when it reads better as a block."""
    ids = [i for i in items if isinstance(i, str) and _ID.match(i)]
    if items and len(ids) == len(items):
        text = "[" + ", ".join(_plain(i) for i in ids) + "]"
        if len(text) <= 60:
            return text
    return None


def _emit(
    lines: list[str], indent: int, key: str | None, value: object, dash: bool = False
) -> None:
    """`value` under `key` (a list item when `key` is None; after a dash when `dash`)."""
    pad = " " * indent
    lead = f"{pad}- " if dash else pad
    head = f"{lead}{_key(key)}:" if key is not None else lead.rstrip()
    if isinstance(value, dict):
        _emit_mapping(lines, indent, key, value, dash, head)
    elif isinstance(value, list):
        _emit_list(lines, indent, value, head)
    else:
        _emit_scalar(lines, indent, key, value, dash, head)


def _emit_mapping(
    lines: list[str],
    indent: int,
    key: str | None,
    value: Mapping[str, object],
    dash: bool,
    head: str,
) -> None:
    lead = " " * indent + ("- " if dash else "")
    if not value:
        lines.append(f"{head} {{}}" if key is not None else f"{lead}{{}}")
        return
    if key is None and dash:  # a mapping as a list item: first key on the dash line
        start = len(lines)
        for k, v in value.items():
            _emit(lines, indent + 2, k, v)
        lines[start] = " " * indent + "- " + lines[start][indent + 2 :]
        return
    lines.append(head)
    for k, v in value.items():
        _emit(lines, indent + 2, k, v)


def _emit_list(lines: list[str], indent: int, value: list[object], head: str) -> None:
    flow = _flow_list(value)
    if not value:
        lines.append(f"{head} []")
    elif flow is not None:
        lines.append(f"{head} {flow}")
    else:
        lines.append(head)
        for item in value:
            _emit(lines, indent + 2, None, item, dash=True)


def _emit_scalar(
    lines: list[str], indent: int, key: str | None, value: object, dash: bool, head: str
) -> None:
    pad = " " * indent
    lead = f"{pad}- " if dash else pad
    scalar = _scalar(value)
    if scalar == "BLOCK":
        text = str(value)
        chomp = "" if text.endswith("\n") and not text.endswith("\n\n") else "-"
        if text.endswith("\n\n"):
            scalar = yaml_scalar(text)  # JSON-style quotes keep every newline
        else:
            lines.append(f"{head} |{chomp}" if key is not None else f"{lead}|{chomp}")
            for line in text.rstrip("\n").split("\n"):
                lines.append(f"{pad}  {line}" if line else "")
            return
    if key is None:
        lines.append(f"{lead}{scalar}")
    else:
        lines.append(f"{head} {scalar}")


def to_yaml(data: Mapping[str, object], header: str | None = None) -> str:
    """The process `data` (as `model_dump(mode="json", by_alias=True)` without defaults)
    as YAML text."""
    lines: list[str] = []
    if header:
        lines.extend(f"# {line}" if line else "#" for line in header.splitlines())
    for key, value in data.items():
        if key in _SPACED and lines:
            lines.append("")
        _emit(lines, 0, key, value)
    return "\n".join(lines) + "\n"

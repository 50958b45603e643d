"""procmap's extension elements: the fields BPMN has no element for, as readable XML.

Owns: the encoding of JSON-like data (what `model_dump(mode="json")` gives) as
`procmap:` elements and back. A field is an element named after it
(`<procmap:goal>...</procmap:goal>`); a key that is not an XML name (a role id that
starts with a digit, or the words `item` and `entry`) is an `entry` with a `key`
attribute; a list is `type="list"` with one `item` per value; numbers and booleans carry
`type="number"` and `type="boolean"`, so they come back as numbers and booleans.

Must not know: which fields go where (that is `export`), files or problems.
"""

from __future__ import annotations

import re
from typing import TypeAlias

from .xmltext import PROCMAP, Element, Node

#: JSON-like data: what `model_dump(mode="json")` gives and what `decode` reads back.
Json: TypeAlias = "bool | int | float | str | list[Json] | dict[str, Json] | None"

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_RESERVED = {"item", "entry"}


def _number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def encode(parent: Element, key: str | None, value: Json) -> None:
    """Add `value` under `parent`: as field `key`, or as a list item when `key` is None."""
    if value is None:
        return
    if key is None:
        element = parent.add("procmap:item")
    elif _NAME.match(key) and key not in _RESERVED:
        element = parent.add(f"procmap:{key}")
    else:
        element = parent.add("procmap:entry", ("key", key))
    if isinstance(value, bool):
        element.attrs.append(("type", "boolean"))
        element.text = "true" if value else "false"
    elif isinstance(value, int | float):
        element.attrs.append(("type", "number"))
        element.text = _number(value)
    elif isinstance(value, str):
        element.text = value
    elif isinstance(value, list):
        element.attrs.append(("type", "list"))
        for item in value:
            encode(element, None, item)
    elif isinstance(value, dict):
        element.attrs.append(("type", "map"))
        for name, item in value.items():
            encode(element, str(name), item)
    else:  # pragma: no cover - model_dump(mode="json") gives only the types above
        element.text = str(value)


def decode(node: Node) -> Json:
    """The value an element written by `encode` holds."""
    kind = node.get("type")
    if kind == "list":
        return [decode(child) for child in node.children if child.ns == PROCMAP]
    if kind == "map":
        return fields(node)
    if kind == "boolean":
        return node.text.strip() == "true"
    if kind == "number":
        number = float(node.text.strip())
        return int(number) if number.is_integer() else number
    return node.text


def key_of(node: Node) -> str:
    return node.get("key") or node.name if node.name == "entry" else node.name


def fields(node: Node) -> dict[str, Json]:
    """The fields under an element: key -> value, in document order."""
    return {key_of(child): decode(child) for child in node.children if child.ns == PROCMAP}

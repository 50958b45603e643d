"""YAML written as a person would write it: one scalar at a time.

Owns: `yaml_scalar`, a text as a YAML scalar every reader (YAML 1.1 and 1.2, block or flow
context) reads back as the same text: plain when that is safe, else double-quoted with
every non-printable character escaped. Used by whatever writes YAML for people (the review
log of `procmap review --done`, the starters of `procmap new`, the BPMN import).

Must not know: files, the model or the format's keys.
"""

from __future__ import annotations

import json
import re

_PLAIN_SAFE = re.compile(r"^[A-Za-z][^\n\r\t:#\"'{}\[\],&*!|>%@`]*$")
#: Words that YAML 1.1 readers (older editors and tools) take for booleans or null.
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def yaml_scalar(value: str) -> str:
    """`value` as a YAML scalar that every YAML reader reads back as the same text, in
    block or flow context: plain when that is safe, else double-quoted."""
    plain = _PLAIN_SAFE.match(value) and value.isprintable()
    if plain and value == value.rstrip() and value.lower() not in _YAML11_WORDS:
        return value
    return "".join(map(_printable, json.dumps(value, ensure_ascii=False)))


def _printable(char: str) -> str:
    """A character as a YAML double-quoted scalar may hold it: escaped unless printable.

    JSON escapes only the C0 controls; YAML also reads U+0085, U+2028 and U+2029 as line
    breaks and refuses other non-printable characters in a file, so they are escaped too.
    """
    if char.isprintable():
        return char
    code = ord(char)
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"

"""The JSON Schema of the process format, for editors and other tools.

Owns: turning `model.Process` into a JSON Schema document (draft 2020-12) with the
descriptions already written on the model's fields, and printing it byte-for-byte the
same every time. Must not know: YAML, files or validation problems; the schema is a
description of the format, and `procmap validate` stays the authority (it also checks
the flow, references and practice, which a schema cannot).
"""

from __future__ import annotations

import json
from typing import Any

from .model import FORMAT_VERSION, Process

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = f"urn:procmap:schema:process:{FORMAT_VERSION}"


def process_schema() -> dict[str, Any]:
    """The schema as a dict: `$schema`, `$id` and `title` first, then pydantic's output."""
    generated = Process.model_json_schema(by_alias=True)
    schema: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": f"procmap process file (format {FORMAT_VERSION})",
    }
    for key, value in generated.items():
        if key != "title":
            schema[key] = value
    return schema


def schema_text() -> str:
    """The schema as JSON text with a trailing newline, identical on every run."""
    return json.dumps(process_schema(), indent=2, ensure_ascii=False) + "\n"

"""`procmap schema`: the JSON Schema accepts every example and starter, rejects unknown keys."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conftest import Golden, cli_runner, procmap
from procmap.cli import app
from procmap.format.jsonschema import DRAFT, process_schema, schema_text
from procmap.format.loader import load_file
from procmap.format.model import Process

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "processes").glob("*.yaml"))
STARTERS = sorted((ROOT / "src" / "procmap" / "scaffold" / "starters").glob("*.yaml"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = process_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def data_of(path: Path) -> dict:
    loaded = load_file(str(path))
    assert loaded.document is not None, loaded.problems
    return loaded.document.data


def errors(validator, data) -> list[str]:
    return sorted(e.message for e in validator.iter_errors(data))


def test_schema_header_and_strictness():
    schema = process_schema()
    assert list(schema)[:3] == ["$schema", "$id", "title"]
    assert schema["$schema"] == DRAFT
    assert schema["additionalProperties"] is False
    for name, definition in schema["$defs"].items():
        if definition.get("type") == "object":
            assert definition["additionalProperties"] is False, name
    assert schema["properties"]["steps"]["description"]
    assert schema["required"] == ["procmap", "id", "name", "steps"]


def test_examples_and_starters_exist():
    assert len(EXAMPLES) >= 2 and len(STARTERS) == 6


@pytest.mark.parametrize("path", EXAMPLES + STARTERS, ids=lambda p: p.name)
def test_schema_accepts(validator, path):
    assert errors(validator, data_of(path)) == []


def test_schema_rejects_unknown_keys(validator):
    data = data_of(STARTERS[0])
    assert errors(validator, {**data, "colour": "blue"}) == [
        "Additional properties are not allowed ('colour' was unexpected)"
    ]
    steps = [dict(data["steps"][0], ownr="marketing"), *data["steps"][1:]]
    assert errors(validator, {**data, "steps": steps}) == [
        "Additional properties are not allowed ('ownr' was unexpected)"
    ]
    review = {**data["review"], "evry": "weekly"}
    assert errors(validator, {**data, "review": review})


def test_schema_rejects_bad_values(validator):
    data = data_of(STARTERS[0])
    assert errors(validator, {**data, "id": "Not A Slug"})
    assert errors(validator, {**data, "procmap": 2})
    assert errors(validator, {**data, "review": {"every": "fortnightly"}})
    assert errors(validator, {**data, "review": {"last": "2026-02-30"}})
    assert errors(validator, {k: v for k, v in data.items() if k != "steps"})


def test_cli_prints_the_same_schema_every_time(tmp_path):
    runner = cli_runner()
    first = runner.invoke(app, ["schema"])
    assert first.exit_code == 0
    assert first.stdout == schema_text() == runner.invoke(app, ["schema"]).stdout
    assert first.stdout.endswith("}\n")
    assert json.loads(first.stdout)["$id"] == "urn:procmap:schema:process:1"
    out = tmp_path / "procmap.schema.json"
    written = runner.invoke(app, ["schema", "--output", str(out)])
    assert written.exit_code == 0 and written.stdout == ""
    assert out.read_text() == first.stdout


def test_cli_cannot_write(tmp_path):
    result = cli_runner().invoke(app, ["schema", "-o", str(tmp_path / "missing" / "s.json")])
    assert result.exit_code == 2
    assert result.stderr.startswith("procmap: ")


GOLDEN = "schema/procmap.schema.json"


def test_schema_golden(capsys, golden: Golden):
    """`procmap schema` byte for byte: what `procmap schema | diff - procmap.schema.json`
    in a user's CI compares, so it must not change with the pydantic release installed.
    Refresh with `make golden` (see tests/conftest.py) after a deliberate change."""
    status, out, err = procmap(capsys, "schema")
    assert status == 0 and err == ""
    golden(GOLDEN, out)


def test_schema_is_not_pydantics(monkeypatch, golden: Golden):
    """The schema is written by procmap: pydantic's generator is never asked."""

    def refuse(*args, **kwargs):
        raise AssertionError("model_json_schema called")

    monkeypatch.setattr(Process, "model_json_schema", refuse)
    golden(GOLDEN, schema_text())

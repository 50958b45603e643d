"""The JSON Schema of the process format, for editors and other tools.

Owns: the JSON Schema document (draft 2020-12) of `model.Process`, written by procmap
from the models' fields, types and descriptions, and printing it byte-for-byte the same
every time. Must not know: YAML, files or validation problems.

`procmap validate` is the truth and the schema follows it: a file the schema accepts is
one `validate` reports no schema-level problem for (the S codes, among them S010, the
shape of a `measure:`, S011, and a measured metric's unit, S015; and G010, which is about fields on the wrong kind of step), and the other way round; `tests/test_schema_differential.py`
checks that. The flow, the references and the practice rules stay `validate`'s alone.

The schema is not pydantic's `model_json_schema()`: that output changes between pydantic
releases (2.6 leaves out a `"type": "integer"` later releases write), and it describes
pydantic's strict view of the types, not what procmap accepts (numbers as text, `yes` as a
boolean, padded durations). Each value type of `model` is written here once, and the
models are walked for the rest (names, aliases, required fields, defaults, descriptions),
none of which differ between pydantic versions.

Non-finite numbers: JSON has no NaN or infinity, but YAML's `.nan` and `.inf` reach an
editor's validator as numbers. Figures carry `minimum`/`maximum` at the largest finite
double, which rules out both infinities in every validator; NaN is greater than or equal
to nothing, so the spec's reading of `minimum` ("greater than or exactly equal") rules it
out too, though validators that test `value < minimum` let it pass. procmap refuses both.
"""

from __future__ import annotations

import json
import sys
import types
import typing
from typing import Any

from pydantic import BaseModel

from . import model
from .model import Process
from .values import (
    CADENCE_PATTERN,
    DATE_IN_RANGE_PATTERN,
    FORMAT_VERSION,
    ID_PATTERN,
    MEASURE_KINDS,
    MEASURE_OPTIONS,
    RATE_UNIT,
    RUNS_PATTERN,
    TIME_UNITS,
    VISIBLE_PATTERN,
    WHITESPACE,
)

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = f"urn:procmap:schema:process:{FORMAT_VERSION}"

_PADDED_DURATION = (
    rf"^[{WHITESPACE}]*[0-9]+(?:\.[0-9]+)?[{WHITESPACE}]*(?:m|min|h|d|w)[{WHITESPACE}]*$"
)
#: The words pydantic reads as a boolean, in any case: true/false, yes/no, on/off, y/n,
#: t/f, 1/0. (procmap's YAML keeps `yes` and `on` as text, and the model reads that text.)
_BOOLEAN_WORD = (
    "^(?:[Tt](?:[Rr][Uu][Ee])?|[Ff](?:[Aa][Ll][Ss][Ee])?|[Yy](?:[Ee][Ss])?|[Nn][Oo]?"
    "|[Oo](?:[Nn]|[Ff][Ff])|[01])$"
)

#: The schema of each value type of the model.
_VALUES: list[tuple[Any, dict[str, Any]]] = [
    # Numbers are text too: a step may be called 404.
    (model.Text, {"type": ["string", "number"]}),
    # A whole number is an id (its digits); JSON Schema's integers include 3.0.
    (
        model.Id,
        {"anyOf": [{"type": "string", "pattern": ID_PATTERN}, {"type": "integer", "minimum": 0}]},
    ),
    (model.Duration, {"type": "string", "pattern": _PADDED_DURATION}),
    (model.Cadence, {"type": "string", "pattern": CADENCE_PATTERN}),
    (model.Runs, {"type": "string", "pattern": RUNS_PATTERN}),
    (
        model.Figure,
        {"type": "number", "minimum": -sys.float_info.max, "maximum": sys.float_info.max},
    ),
    (
        model.Share,
        {"type": "number", "minimum": 0, "maximum": sys.float_info.max},
    ),
    # A name shows something (S014): one visible character; a number always does.
    (model.Name, {"type": ["string", "number"], "pattern": VISIBLE_PATTERN}),
    # A date's year is in range (S013).
    (model.Date, {"type": "string", "format": "date", "pattern": DATE_IN_RANGE_PATTERN}),
    (model.Version, {"const": FORMAT_VERSION}),
    (
        bool,
        {
            "anyOf": [
                {"type": "boolean"},
                {"enum": [0, 1]},
                {"type": "string", "pattern": _BOOLEAN_WORD},
            ]
        },
    ),
]


def _activities(defs: dict[str, Any]) -> dict[str, Any]:
    text = _value(model.Text, defs)
    return {"anyOf": [text, {"type": "array", "items": text, "minItems": 1}]}


def _step_pair(defs: dict[str, Any]) -> dict[str, Any]:
    step_id = _value(model.Id, defs)
    return {"type": "array", "prefixItems": [step_id, step_id], "items": False, "minItems": 2}


def _next(defs: dict[str, Any]) -> dict[str, Any]:
    step_id = _value(model.Id, defs)
    return {"anyOf": [step_id, {"type": "array", "items": step_id}]}


#: Value types whose schema is built from other value types.
_BUILT = [(model.Activities, _activities), (model.StepPair, _step_pair), (model.Next, _next)]


def _present(name: str) -> dict[str, Any]:
    """The field given, and not empty (`null` is read as not there)."""
    return {"required": [name], "properties": {name: {"not": {"type": "null"}}}}


#: A measure gives exactly one kind, and options only with theirs (rule S011).
_MEASURE_RULES = [
    {"oneOf": [_present(kind) for kind in MEASURE_KINDS]},
    *(
        {"if": _present(option), "then": _present(kind)}
        for option, (kind, _) in MEASURE_OPTIONS.items()
    ),
]


def _measured(kind: str, unit: dict[str, Any], *, needed: bool = False) -> dict[str, Any]:
    """`unit` for the metrics whose `measure:` is of `kind` (`needed`: the unit too)."""
    condition = {
        "required": ["measure"],
        "properties": {"measure": {"type": "object", **_present(kind)}},
    }
    then: dict[str, Any] = {"properties": {"unit": unit}}
    if needed:
        then["required"] = ["unit"]
    return {"if": condition, "then": then}


#: A measured metric's unit suits its kind (rule S015): a time's is one of TIME_UNITS, a
#: rate's is `%` or none, a count's is neither.
_METRIC_RULES = [
    _measured("time", {"enum": list(TIME_UNITS)}, needed=True),
    _measured("rate", {"enum": [RATE_UNIT, None]}),
    _measured("count", {"not": {"enum": [*TIME_UNITS, RATE_UNIT]}}),
]


def _kind_rule(kinds: tuple[str, ...], then: dict[str, Any]) -> dict[str, Any]:
    """`then` for steps whose kind is one of `kinds` (a step without `kind` is a task)."""
    condition: dict[str, Any] = {"properties": {"kind": {"enum": list(kinds)}}}
    if "task" not in kinds:
        condition["required"] = ["kind"]
    return {"if": condition, "then": then}


def _absent(*fields: str) -> dict[str, Any]:
    """Each field left out or empty (`null`), which procmap reads as not there."""
    return {"properties": {name: {"type": "null"} for name in fields}}


#: The fields that belong to some kinds of step only (rules S010 and G010).
_STEP_RULES = [
    _kind_rule(("start", "task", "subprocess", "parallel", "join"), _absent("branches")),  # S010
    _kind_rule(("decision",), _absent("next")),  # S010
    _kind_rule(  # S010
        ("start", "task", "decision", "end", "parallel", "join"), _absent("process")
    ),
    _kind_rule(
        ("start", "task", "end", "subprocess", "parallel", "join"), _absent("shares")
    ),  # S010
    _kind_rule(("parallel", "join"), _absent("duration", "activity")),  # S010
    _kind_rule(("start",), _absent("wait")),  # S010
    _kind_rule(  # S010: only a parallel split's `next` is a list
        ("start", "task", "decision", "end", "subprocess", "join"),
        {"properties": {"next": {"not": {"type": "array"}}}},
    ),
    _kind_rule(  # S010
        ("subprocess",),
        {"required": ["process"], "properties": {"process": {"not": {"type": "null"}}}},
    ),
    _kind_rule(("end",), _absent("next", "branches")),  # G010
]


def _value(annotation: Any, defs: dict[str, Any]) -> dict[str, Any]:
    for known, value in _VALUES:
        if annotation == known:
            copy: dict[str, Any] = json.loads(json.dumps(value))
            return copy
    for known, build in _BUILT:
        if annotation == known:
            return build(defs)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return {"const": args[0]} if len(args) == 1 else {"enum": list(args)}
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        assert len(options) == 1, annotation
        return {"anyOf": [_value(options[0], defs), {"type": "null"}]}
    if origin is list:
        return {"type": "array", "items": _value(args[0], defs)}
    if origin is dict:
        schema: dict[str, Any] = {"type": "object"}
        if args[0] == model.Id:
            schema["propertyNames"] = {"pattern": ID_PATTERN}  # keys are always text
        elif args[0] == model.Name:
            schema["propertyNames"] = {"pattern": VISIBLE_PATTERN}
        else:
            assert args[0] == model.Text, annotation
        schema["additionalProperties"] = _value(args[1], defs)
        return schema
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        name = annotation.__name__
        if name not in defs:
            defs[name] = {}  # reserved first: the order of `$defs` is the order of first use
            defs[name] = _object(annotation, defs)
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON Schema written for {annotation!r}")


def _object(cls: type[BaseModel], defs: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls, vars(model), include_extras=True)
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, info in cls.model_fields.items():
        key = info.alias or name
        schema = _value(hints[name], defs)
        if info.description:
            schema["description"] = info.description
        if info.is_required():
            required.append(key)
        else:
            default = info.get_default(call_default_factory=True)
            schema["default"] = default
        properties[key] = schema
    result: dict[str, Any] = {
        "type": "object",
        "title": cls.__name__,
        "description": " ".join((cls.__doc__ or "").split()),
        "properties": properties,
    }
    if required:
        result["required"] = required
    result["additionalProperties"] = False
    if cls is model.Step:
        result["allOf"] = _STEP_RULES
    if cls is model.Measure:
        result["allOf"] = _MEASURE_RULES
    if cls is model.Metric:
        result["allOf"] = _METRIC_RULES
    return result


def process_schema() -> dict[str, Any]:
    """The schema as a dict: `$schema`, `$id` and `title` first, `$defs` last."""
    defs: dict[str, Any] = {}
    body = _object(Process, defs)
    schema: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": f"procmap process file (format {FORMAT_VERSION})",
    }
    schema.update((k, v) for k, v in body.items() if k != "title")
    schema["$defs"] = dict(sorted(defs.items()))
    return schema


def schema_text() -> str:
    """The schema as JSON text with a trailing newline, identical on every run."""
    return json.dumps(process_schema(), indent=2, ensure_ascii=False) + "\n"

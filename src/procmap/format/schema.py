"""From loaded data to a `Process`, with pydantic's errors turned into positioned problems.

Owns: validating a `Document`'s data against `model.Process`, and translating each
pydantic error (`type`, `loc`) into a Problem with an S-code, a line and column (the
value, or the key for an unknown key, or the enclosing mapping for a missing field) and
a message in the author's terms, with "did you mean" suggestions; and, for a document
with errors, the partial process left when the faulty values are taken out.

Must not know: YAML parsing (that is `loader`) or cross-field rules (that is `rules`).
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from .loader import Document
from .model import Process
from .problems import Checked, Problem
from .values import CADENCE_PATTERN, DURATION_PATTERN, ID_PATTERN, RUNS_PATTERN, slugify, suggest

_DATE_TYPES = {
    "date_parsing",
    "date_from_datetime_parsing",
    "date_from_datetime_inexact",
    "date_type",
}

_PATTERNS = {
    ID_PATTERN: (
        "S004",
        "{name}: {value!r} is not a valid id: use lowercase letters, digits and single"
        " hyphens, like {hint!r}",
    ),
    DURATION_PATTERN: (
        "S005",
        "{name}: {value!r} is not a duration: write a number and a unit m, h, d or w,"
        " like 45m or 2d",
    ),
    CADENCE_PATTERN: (
        "S009",
        "{name}: {value!r} is not a review cadence: use weekly, monthly, quarterly, yearly"
        " or a number of days like 45d",
    ),
    RUNS_PATTERN: (
        "S012",
        "{name}: {value!r} is not a frequency: write a number of runs per day, week, month,"
        " quarter or year, like 20/month",
    ),
}

_EXPECTED = {
    "string_type": "text",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "float_parsing": "a number",
    "float_type": "a number",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "finite_number": "a finite number",
    "list_type": "a list",
    "dict_type": "a mapping of keys",
    "model_type": "a mapping of keys",
    "model_attributes_type": "a mapping of keys",
    "text_or_list_type": "text or a list of text",
    "greater_than_equal": "a number 0 or more",
}


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {value}"
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _unwrap(annotation: Any, part: str | int) -> Any:
    """The type found one step into `annotation` along a pydantic loc part."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _unwrap(args[0], part)
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            if arg is not type(None):
                return _unwrap(arg, part)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = _field(annotation, str(part))
        return field.annotation if field is not None else None
    if origin is list and isinstance(part, int):
        return args[0]
    if origin is dict:
        return args[1]
    return None


def _field(model: type[BaseModel], name: str) -> Any:
    for field_name, info in model.model_fields.items():
        if name in (field_name, info.alias):
            return info
    return None


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    annotation: Any = Process
    for part in loc:
        annotation = _unwrap(annotation, part)
        if annotation is None:
            return None
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated or origin in (typing.Union, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
            continue
        break
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def keys_of(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _where(loc: tuple[str | int, ...], data: dict[str, Any]) -> str:
    """A short name for the place: `step 'cta'`, `metric 'ctr'`, or the top level."""
    if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
        steps = data.get("steps")
        if isinstance(steps, list) and loc[1] < len(steps) and isinstance(steps[loc[1]], dict):
            step_id = steps[loc[1]].get("id")
            if isinstance(step_id, str):
                return f"step {step_id!r}"
        return f"step {loc[1] + 1}"
    if len(loc) >= 2 and loc[0] in ("metrics", "roles", "tools"):
        return f"{loc[0][:-1]} {str(loc[1])!r}"
    if loc and loc[0] in ("review", "scope", "dmaic"):
        return str(loc[0])
    return "process"


def _problem(doc: Document, error: Any) -> Problem:
    """One pydantic error as a Problem: its S-code, where it points and the author's words.

    An unknown key is pointed at by its key, a `measure:` at fault by the field at fault,
    a unit that does not suit the measure by the unit (or its metric, without one), a
    blank name as `_blank_name` says; every other error by its value."""
    kind: str = error["type"]
    loc: tuple[str | int, ...] = _plain_loc(error["loc"])
    name = _name(loc)
    where = _where(loc, doc.data)
    if kind == "extra_forbidden":
        return _unknown_key(doc, loc, name, where)
    if kind == "measure_shape":
        # The model's check across the fields of a `measure:`: point at the field at
        # fault (a second kind, `stat` or `per`), or at `measure` when none is given.
        field_at = error["ctx"]["field"]
        line, col = doc.position((*loc, field_at) if field_at else loc, key=True)
        return Problem(doc.path, line, col, "S011", "error", f"{where}: {error['msg']}")
    if kind == "measure_unit":
        # The unit does not suit the measure's kind: point at the unit, or, when there is
        # none, at the metric, where it belongs.
        line, col = doc.position((*loc[:-1], "unit"))
        return Problem(doc.path, line, col, "S015", "error", f"{where}: {error['msg']}")
    if kind == "blank_name":
        return _blank_name(doc, loc, error.get("input"), where)
    line, col = doc.position(loc)
    code, message = _wrong_value(kind, loc, name, where, error)
    return Problem(doc.path, line, col, code, "error", message)


def _plain_loc(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """The loc as a path in the document: without the tag pydantic adds for the form
    `next:` was written in (`one` id or `many`, a parallel split's list)."""
    return tuple(
        part
        for i, part in enumerate(loc)
        if i == 0 or loc[i - 1] != "next" or part not in ("one", "many")
    )


def _name(loc: tuple[str | int, ...]) -> str:
    """The field at fault as the author knows it: `duration`, `hourglass[1]`, `shares 'yes'`."""
    name = str(loc[-1]) if loc else "file"
    if not name.isprintable():
        name = repr(name)  # a user's key with a line break: the problem stays one line
    if name == "[key]" and len(loc) >= 3:
        name = f"{str(loc[-3]).rstrip('s')} id"
    if len(loc) >= 2 and isinstance(loc[-1], int):
        name = f"{loc[-2]}[{loc[-1]}]"  # a list item: `hourglass[1]`, not `1`
    if len(loc) >= 3 and loc[-2] == "shares":
        name = f"shares {name!r}"  # a branch label: `shares 'yes'`, not `yes`
    return name


def _unknown_key(doc: Document, loc: tuple[str | int, ...], name: str, where: str) -> Problem:
    """S001, at the key: the nearest allowed key as a suggestion, else the allowed keys."""
    line, col = doc.position(loc, key=True)
    model = _model_at(loc[:-1])
    allowed = keys_of(model) if model else []
    hint = suggest(name, allowed)
    tail = (
        f"; did you mean {hint!r}?"
        if hint
        else (f" (allowed: {', '.join(allowed)})" if allowed else "")
    )
    return Problem(doc.path, line, col, "S001", "error", f"unknown key {name!r} in {where}{tail}")


def _wrong_value(
    kind: str, loc: tuple[str | int, ...], name: str, where: str, error: Any
) -> tuple[str, str]:
    """The code and message of an error pointed at by its value (S002 unless known)."""
    value = error.get("input")
    if kind == "date_out_of_range":
        return "S013", f"{name}: {error['msg']}"
    if kind == "missing":
        return "S003", f"{where} is missing the required field {name!r}"
    if kind == "string_pattern_mismatch" and error["ctx"]["pattern"] in _PATTERNS:
        code, template = _PATTERNS[error["ctx"]["pattern"]]
        text = str(value)
        return code, template.format(name=name, value=text, hint=slugify(text) or "lead-handoff")
    if kind in _DATE_TYPES:
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            return "S006", f"{name}: {value.strip()} is not a day in the calendar"
        return "S006", f"{name}: {_kind_of(value)} is not a date; write YYYY-MM-DD, like 2026-11-16"
    if kind == "literal_error":
        return _not_allowed(loc, name, value, error["ctx"]["expected"])
    if kind in _EXPECTED:
        return "S002", f"{name}: expected {_EXPECTED[kind]}, got {_kind_of(value)}"
    return "S002", f"{name}: {error['msg'][0].lower()}{error['msg'][1:]}"


def _not_allowed(
    loc: tuple[str | int, ...], name: str, value: Any, expected: str
) -> tuple[str, str]:
    """A value outside a fixed set (`expected` as pydantic writes it: "'a', 'b' or 'c'"):
    the format version (S008), a step kind (S007) or any other choice (S009)."""
    choices = [e.strip().strip("'") for e in expected.replace(" or ", ", ").split(",")]
    hint = suggest(str(value), choices)
    tail = f"; did you mean {hint!r}?" if hint else ""
    if loc == ("procmap",):
        if isinstance(value, str) and value.strip() == "1":
            return "S008", "format version '1' is text; write the number: `procmap: 1`"
        number = isinstance(value, int | float) and not isinstance(value, bool)
        shown = value if number else _kind_of(value)
        return "S008", f"format version {shown} is not supported; write `procmap: 1`"
    if name == "kind":
        return "S007", f"unknown step kind {_kind_of(value)}: use {', '.join(choices)}{tail}"
    return "S009", f"{name}: {_kind_of(value)} is not one of {', '.join(choices)}{tail}"


def _blank_name(doc: Document, loc: tuple[str | int, ...], value: Any, where: str) -> Problem:
    """S014: a name that shows nothing; a branch label is a key, and is pointed at as one."""
    label = len(loc) >= 2 and loc[-1] == "[key]"
    if label:
        loc = loc[:-1]
        what = f"{where}: a branch label"
    elif len(loc) >= 2 and loc[0] in ("roles", "tools"):
        what = f"the name of {where}"
    else:
        what = f"the name of {where}" if where != "process" else "the process name"
    line, col = doc.position(loc, key=label)
    shown = "empty" if value == "" else f"{value!r}, which shows nothing"
    message = f"{what} is {shown}: write a name a reader can see"
    return Problem(doc.path, line, col, "S014", "error", message)


def validate_document(doc: Document) -> tuple[Process | None, list[Problem]]:
    """The validated process, or None and one problem per schema error."""
    result = check_document(doc, recover=False)
    return result.process, result.problems


def check_document(doc: Document, recover: bool = True) -> Checked[Process]:
    """Validate once; on errors, and with `recover`, also build the partial process."""
    try:
        return Checked(Process.model_validate(doc.data), [])
    except ValidationError as error:
        errors = error.errors(include_url=False)
    result: Checked[Process] = Checked(None, [_problem(doc, e) for e in errors])
    if recover:
        result.partial, result.touched = _recover(doc.data, errors)
    return result


def _recover(data: dict[str, Any], errors: list[Any]) -> tuple[Process | None, set[str]]:
    """A process from data with schema errors, for the checks that can still run.

    Every mapping key a schema error points into is left out of a copy of the data (the
    deepest key on the error's path that exists: `steps[2].duration`, `metrics.opens`),
    and the copy is validated again. List items are never removed, so step indices, and
    with them every position, stay those of the file. Returns the process, or None when
    a required part was at fault (a step's id, the steps themselves), and the top-level
    sections that lost something ("*" when an unknown top-level key might be any of them,
    misspelt), so that the caller can tell which checks would now report the gap rather
    than the author's mistake.
    """
    import copy

    data = copy.deepcopy(data)
    touched: set[str] = set()
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden" and len(loc) == 1:
            touched.add("*")  # an unknown top-level key may be any section, misspelt
        node: Any = data
        last: tuple[dict[str, Any], str] | None = None
        for part in loc:
            if isinstance(node, dict) and isinstance(part, str) and part in node:
                last = (node, part)
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                break
        if last is None:
            return None, set()
        parent, key = last
        parent.pop(key, None)
        touched.add(str(loc[0]))
    try:
        return Process.model_validate(data), touched
    except ValidationError:
        return None, set()

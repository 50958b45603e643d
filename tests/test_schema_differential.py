"""The JSON Schema (`procmap schema`) and `procmap validate` give the same verdict.

`validate` is the truth: its schema-level problems (the S codes, and G010, a field on the
wrong kind of step) are what CI reports, and an editor using the schema must show an
error exactly where they would. Both are run on the same data, as procmap's loader reads
it: the loader (YAML 1.2 core scalars) is shared, and the question is the schema's.

The JSON Schema side is `jsonschema`'s 2020-12 validator with two keywords read as the
spec and editors read them, where the Python library differs: `pattern` is an ECMA-262
regex, in which `$` is the end of the text (Python's `$` also matches before a final line
break), and `minimum`/`maximum` ask "greater (less) than or equal", which NaN never is
(the library asks "less than", which NaN never is either). Both are stated in
`procmap.format.jsonschema`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, event, given, settings
from jsonschema import ValidationError

from generate import as_loaded, mutated
from procmap.format.jsonschema import process_schema
from procmap.format.loader import load_text
from procmap.format.schema import check_document
from procmap.lint.rules import run_checks

#: The rules the JSON Schema expresses besides pydantic's own checks (S011, the shape of a
#: `measure:`, is the model's own: a pydantic error like the other S codes).
KIND_RULES = {"S010", "G010"}


def _ecma(pattern: str) -> str:
    """An ECMA-262 pattern for Python's `re`: a final `$` is the end of the text."""
    return (
        pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith(r"\$") else pattern
    )


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not re.search(_ecma(pattern), instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _minimum(
    validator: Any, minimum: float, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "number") and not instance >= minimum:
        yield ValidationError(f"{instance!r} is not at least {minimum!r}")


def _maximum(
    validator: Any, maximum: float, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "number") and not instance <= maximum:
        yield ValidationError(f"{instance!r} is not at most {maximum!r}")


SpecValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    {"pattern": _pattern, "minimum": _minimum, "maximum": _maximum},
)
SCHEMA = process_schema()
VALIDATOR = SpecValidator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def loaded(text: str) -> dict[str, Any]:
    result = load_text("p.yaml", text)
    assert result.document is not None and not result.problems, result.problems
    return result.document


def procmap_accepts(doc: Any) -> bool:
    """No schema-level problem from `procmap validate` (loader, schema, S010, G010)."""
    checked = check_document(doc, recover=False)
    if checked.process is None:
        return False
    return not run_checks(doc, checked.process, lambda code: code in KIND_RULES)


def schema_accepts(data: Any) -> bool:
    return VALIDATOR.is_valid(data)


# The listed disagreements, each one a YAML change to a valid base file -----------------

BASE = """\
procmap: 1
id: p
name: P
roles:
  ops: Ops
metrics:
  m:
    name: M
steps:
  - id: a
    kind: start
    name: A
    next: b
  - id: b
    name: B
    next: c
  - id: c
    kind: end
    name: C
"""


#: Every spelling of a time measure's unit (S015), as README's format section lists them.
SPELLINGS = ("m", "min", "minute", "minutes", "h", "hour", "hours")
SPELLINGS += ("d", "day", "days", "w", "week", "weeks")
#: A time measure, the line after a metric's name and unit.
TIME = "    measure: {time: [a, c]}\n"


def edit(before: str, after: str) -> str:
    assert before in BASE
    return BASE.replace(before, after, 1)


CASES = {
    # Numbers as text and as ids: procmap coerces them.
    "name 404": (edit("name: P\n", "name: 404\n"), True),
    "name 1.50": (edit("name: P\n", "name: 1.50\n"), True),
    "role named 42": (edit("ops: Ops", "ops: 42"), True),
    "id 404": (edit("id: p\n", "id: 404\n"), True),
    "id 3.0 is the id 3": (edit("id: p\n", "id: 3.0\n"), True),
    "id 1e-5": (edit("id: p\n", "id: 1e-5\n"), False),
    "id -3": (edit("id: p\n", "id: -3\n"), False),
    "id .inf": (edit("id: p\n", "id: .inf\n"), False),
    "id true": (edit("id: p\n", "id: true\n"), False),
    "name true": (edit("name: P\n", "name: true\n"), False),
    # Boolean spellings pydantic reads.
    "critical yes": (edit("name: B\n", "name: B\n    critical: yes\n"), True),
    "critical 'true'": (edit("name: B\n", "name: B\n    critical: 'true'\n"), True),
    "critical 1": (edit("name: B\n", "name: B\n    critical: 1\n"), True),
    "critical on": (edit("name: B\n", "name: B\n    critical: on\n"), True),
    "critical OFF": (edit("name: B\n", "name: B\n    critical: OFF\n"), True),
    "critical 2": (edit("name: B\n", "name: B\n    critical: 2\n"), False),
    "critical ' yes'": (edit("name: B\n", "name: B\n    critical: ' yes'\n"), False),
    "critical ja": (edit("name: B\n", "name: B\n    critical: ja\n"), False),
    # Durations: pydantic strips Unicode white space around them.
    "duration ' 45m'": (edit("name: B\n", "name: B\n    duration: ' 45m'\n"), True),
    "duration '45m\\n'": (edit("name: B\n", 'name: B\n    duration: "45m\\n"\n'), True),
    "duration nbsp": (edit("name: B\n", 'name: B\n    duration: "\\u00a045 m"\n'), True),
    "duration zwsp": (edit("name: B\n", 'name: B\n    duration: "45m\\u200b"\n'), False),
    "duration 45": (edit("name: B\n", "name: B\n    duration: 45\n"), False),
    # Non-finite figures.
    "baseline .nan": (edit("name: M\n", "name: M\n    baseline: .nan\n"), False),
    "target .inf": (edit("name: M\n", "name: M\n    target: .inf\n"), False),
    "target -.inf": (edit("name: M\n", "name: M\n    target: -.inf\n"), False),
    "target 1e400": (edit("name: M\n", "name: M\n    target: 1e400\n"), False),
    "baseline 3": (edit("name: M\n", "name: M\n    baseline: 3\n"), True),
    # Fields on the wrong kind of step.
    "branches on a task": (edit("    next: c", "    branches:\n      x: c"), False),
    "process on a task": (edit("name: B\n", "name: B\n    process: q\n"), False),
    "next on an end": (edit("name: C\n", "name: C\n    next: a\n"), False),
    "branches on an end": (edit("name: C\n", "name: C\n    branches:\n      x: a\n"), False),
    "next on a decision": (edit("name: B\n", "name: B\n    kind: decision\n"), False),
    "subprocess without process": (edit("name: B\n", "name: B\n    kind: subprocess\n"), False),
    "subprocess with process": (
        edit("name: B\n", "name: B\n    kind: subprocess\n    process: q\n"),
        True,
    ),
    "empty next on an end": (edit("name: C\n", "name: C\n    next:\n"), True),
    # Parallel splits and joins, and waits (issue 18).
    "next as a list on a parallel split": (
        edit("name: B\n    next: c", "name: B\n    kind: parallel\n    next: [c, c]"),
        True,
    ),
    "next as a list on a task": (edit("    next: c", "    next: [c, c]"), False),
    "next as a list on a join": (edit("name: B\n", "name: B\n    kind: join\n"), True),
    "list next on a join": (
        edit("name: B\n    next: c", "name: B\n    kind: join\n    next: [c]"),
        False,
    ),
    "next list of a bad id": (
        edit("name: B\n    next: c", "name: B\n    kind: parallel\n    next: [c, C D]"),
        False,
    ),
    "next list of numbers": (
        edit("name: B\n    next: c", "name: B\n    kind: parallel\n    next: [1, 2]"),
        True,
    ),
    "next a mapping": (edit("    next: c", "    next: {c: 1}"), False),
    "duration on a parallel split": (
        edit("name: B\n", "name: B\n    kind: parallel\n    duration: 1h\n"),
        False,
    ),
    "activity on a join": (edit("name: B\n", "name: B\n    kind: join\n    activity: b\n"), False),
    "wait on a task": (edit("name: B\n", "name: B\n    wait: 7d\n"), True),
    "wait on an end": (edit("name: C\n", "name: C\n    wait: 2h\n"), True),
    "wait on a start": (edit("name: A\n", "name: A\n    wait: 2h\n"), False),
    "wait 7 days": (edit("name: B\n", "name: B\n    wait: 7 days\n"), False),
    "wait 7": (edit("name: B\n", "name: B\n    wait: 7\n"), False),
    # Found on the way: pydantic's laxness beyond what procmap documents.
    "procmap true": (edit("procmap: 1\n", "procmap: true\n"), False),
    "procmap 1.0": (edit("procmap: 1\n", "procmap: 1.0\n"), True),
    "date as a timestamp": (BASE + "review:\n  last: 0\n", False),
    "date as a datetime": (BASE + "review:\n  last: 2026-01-01T00:00:00\n", False),
    "date": (BASE + "review:\n  last: 2026-01-01\n", True),
    "scope key in_": (BASE + "scope:\n  in_: [a]\n", False),
    "id with a line break": (edit("id: p\n", 'id: "p\\n"\n'), False),
    # Log activities: text (a number is text) or a non-empty list of text.
    "activity text": (edit("name: B\n", "name: B\n    activity: Demo held\n"), True),
    "activity 404": (edit("name: B\n", "name: B\n    activity: 404\n"), True),
    "activity list": (edit("name: B\n", "name: B\n    activity: [Call, 7]\n"), True),
    "activity []": (edit("name: B\n", "name: B\n    activity: []\n"), False),
    "activity true": (edit("name: B\n", "name: B\n    activity: true\n"), False),
    "activity [true]": (edit("name: B\n", "name: B\n    activity: [true]\n"), False),
    # Measures: exactly one kind, options only with theirs (S011).
    "measure rate": (edit("name: M\n", "name: M\n    measure: {rate: [a, c]}\n"), True),
    "measure time p90": (
        # A time needs its unit (S015): this case asks about `stat`, so it has one.
        edit("name: M\n", "name: M\n    unit: h\n    measure: {time: [a, c], stat: p90}\n"),
        True,
    ),
    "measure count": (edit("name: M\n", "name: M\n    measure: {count: b}\n"), True),
    "measure count per day": (
        edit("name: M\n", "name: M\n    measure: {count: b, per: day}\n"),
        True,
    ),
    "measure empty": (edit("name: M\n", "name: M\n    measure: {}\n"), False),
    "measure rate and count": (
        edit("name: M\n", "name: M\n    measure: {rate: [a, c], count: b}\n"),
        False,
    ),
    "measure rate with stat": (
        edit("name: M\n", "name: M\n    measure: {rate: [a, c], stat: p50}\n"),
        False,
    ),
    "measure rate with stat null": (
        edit("name: M\n", "name: M\n    measure: {rate: [a, c], stat: null}\n"),
        True,
    ),
    "measure time with per": (
        edit("name: M\n", "name: M\n    measure: {time: [a, c], per: week}\n"),
        False,
    ),
    "measure rate null, count": (
        edit("name: M\n", "name: M\n    measure: {rate: null, count: b}\n"),
        True,
    ),
    "measure rate of three": (
        edit("name: M\n", "name: M\n    measure: {rate: [a, b, c]}\n"),
        False,
    ),
    "measure rate of one": (edit("name: M\n", "name: M\n    measure: {rate: [a]}\n"), False),
    "measure count text": (edit("name: M\n", "name: M\n    measure: {count: B}\n"), False),
    "measure unknown step": (edit("name: M\n", "name: M\n    measure: {count: zz}\n"), True),
    # A measured metric's unit suits its kind (S015).
    **{
        f"time in {unit}": (edit("name: M\n", f"name: M\n    unit: {unit}\n{TIME}"), True)
        for unit in SPELLINGS
    },
    "time without a unit": (edit("name: M\n", f"name: M\n{TIME}"), False),
    "time with unit null": (edit("name: M\n", f"name: M\n    unit:\n{TIME}"), False),
    "time in Days": (edit("name: M\n", f"name: M\n    unit: Days\n{TIME}"), False),
    "time in ' days'": (edit("name: M\n", f"name: M\n    unit: ' days'\n{TIME}"), False),
    "time in mins": (edit("name: M\n", f"name: M\n    unit: mins\n{TIME}"), False),
    "time in s": (edit("name: M\n", f"name: M\n    unit: s\n{TIME}"), False),
    "time in %": (edit("name: M\n", f"name: M\n    unit: '%'\n{TIME}"), False),
    "time in 7": (edit("name: M\n", f"name: M\n    unit: 7\n{TIME}"), False),
    "time null, count in days": (
        edit("name: M\n", "name: M\n    unit: days\n    measure: {time: null, count: b}\n"),
        False,
    ),
    "rate in %": (edit("name: M\n", "name: M\n    unit: '%'\n    measure: {rate: [a, c]}\n"), True),
    "rate without a unit": (edit("name: M\n", "name: M\n    measure: {rate: [a, c]}\n"), True),
    "rate in percent": (
        edit("name: M\n", "name: M\n    unit: percent\n    measure: {rate: [a, c]}\n"),
        False,
    ),
    "rate in days": (
        edit("name: M\n", "name: M\n    unit: d\n    measure: {rate: [a, c]}\n"),
        False,
    ),
    "count of leads": (
        edit("name: M\n", "name: M\n    unit: leads\n    measure: {count: b}\n"),
        True,
    ),
    "count of 7": (edit("name: M\n", "name: M\n    unit: 7\n    measure: {count: b}\n"), True),
    "count in hours": (
        edit("name: M\n", "name: M\n    unit: hours\n    measure: {count: b}\n"),
        False,
    ),
    "count in %": (edit("name: M\n", "name: M\n    unit: '%'\n    measure: {count: b}\n"), False),
    "unit days without measure": (edit("name: M\n", "name: M\n    unit: Days\n"), True),
    "unit %, measure null": (edit("name: M\n", "name: M\n    unit: '%'\n    measure:\n"), True),
    # Expected shares: decisions only (S010), percents from 0; the labels and the sum are
    # rules on a valid process (G013, G014), not the schema's.
    "shares on a decision": (
        edit(
            "    next: c",
            "    kind: decision\n    branches: {x: c, y: c}\n    shares: {x: 70, y: 30}",
        ),
        True,
    ),
    "shares of unknown labels and 5 in all": (
        edit("    next: c", "    kind: decision\n    branches: {x: c, y: c}\n    shares: {z: 5}"),
        True,
    ),
    "shares negative": (
        edit("    next: c", "    kind: decision\n    branches: {x: c, y: c}\n    shares: {x: -1}"),
        False,
    ),
    "shares as text": (
        edit(
            "    next: c", "    kind: decision\n    branches: {x: c, y: c}\n    shares: {x: '70'}"
        ),
        False,
    ),
    "shares on a task": (edit("name: B\n", "name: B\n    shares: {x: 100}\n"), False),
    "empty shares on a task": (edit("name: B\n", "name: B\n    shares: {}\n"), False),
    "null shares on an end": (edit("name: C\n", "name: C\n    shares:\n"), True),
    # How often a process runs, what a run is worth, the processes it feeds.
    "runs per month": (BASE + "runs: 20/month\n", True),
    "runs per day, decimal": (BASE + "runs: 1.5/day\n", True),
    "runs per year": (BASE + "runs: 12/year\n", True),
    "runs as a number": (BASE + "runs: 20\n", False),
    "runs with spaces": (BASE + "runs: 20 / month\n", False),
    "runs per fortnight": (BASE + "runs: 2/fortnight\n", False),
    "runs null": (BASE + "runs:\n", True),
    "value": (BASE + "value: 120.5\n", True),
    "value 0": (BASE + "value: 0\n", True),
    "value negative": (BASE + "value: -1\n", False),
    "value as text": (BASE + "value: '120'\n", False),
    "value true": (BASE + "value: true\n", False),
    "feeds": (BASE + "feeds: [a-b, c]\n", True),
    "feeds a number": (BASE + "feeds: [3]\n", True),
    "feeds not an id": (BASE + "feeds: [A B]\n", False),
    "feeds one id": (BASE + "feeds: a-b\n", False),
    # Dates from 1900 to 2999 (S013).
    "date in 9999": (BASE + "review:\n  last: 9999-12-30\n", False),
    "date in 1899": (BASE + "changelog:\n  - {date: 1899-12-31, change: x}\n", False),
    "date in 1900": (BASE + "changelog:\n  - {date: 1900-01-01, change: x}\n", True),
    "date in 2999": (BASE + "review:\n  last: 2999-12-31\n", True),
    "date in 0026": (BASE + "review:\n  last: 0026-01-15\n", False),
    # Names that show something (S014).
    "process name empty": (edit("name: P\n", 'name: ""\n'), False),
    "process name spaces": (edit("name: P\n", 'name: "   "\n'), False),
    "process name tab and newline": (edit("name: P\n", 'name: "\\t\\n"\n'), False),
    "process name zwsp": (edit("name: P\n", 'name: "\\u200b"\n'), False),
    "process name bom and nbsp": (edit("name: P\n", 'name: "\\ufeff\\u00a0"\n'), False),
    "process name 0": (edit("name: P\n", "name: 0\n"), True),
    "process name padded": (edit("name: P\n", 'name: " P\\u200b"\n'), True),
    "step name empty": (edit("name: B\n", 'name: ""\n'), False),
    "step name zwsp": (edit("name: B\n", 'name: "\\u200b\\u200b"\n'), False),
    "step name null": (edit("name: B\n", "name:\n"), False),
    "metric name spaces": (edit("name: M\n", 'name: "  "\n'), False),
    "role name empty": (edit("ops: Ops", 'ops: ""'), False),
    "tool name ideographic space": (BASE + 'tools:\n  crm: "\\u3000"\n', False),
    "branch label empty": (
        edit("    next: c", '    kind: decision\n    branches: {"": c, y: c}'),
        False,
    ),
    "branch label zwsp": (
        edit("    next: c", '    kind: decision\n    branches: {"\\u200b": c, y: c}'),
        False,
    ),
    "branch label 0": (edit("    next: c", "    kind: decision\n    branches: {0: c, y: c}"), True),
}


@pytest.mark.parametrize("case", CASES)
def test_known_disagreements_agree(case):
    text, accepted = CASES[case]
    doc = loaded(text)
    assert procmap_accepts(doc) is accepted
    assert schema_accepts(doc.data) is accepted


def test_base_is_valid():
    assert procmap_accepts(loaded(BASE)) and schema_accepts(loaded(BASE).data)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_schema_and_validate_agree(data):
    doc = as_loaded(data)
    verdict = procmap_accepts(doc)
    event(f"procmap {'accepts' if verdict else 'rejects'}")
    errors = [e.message for e in VALIDATOR.iter_errors(doc.data)]
    assert verdict == (not errors), (doc.text, errors)

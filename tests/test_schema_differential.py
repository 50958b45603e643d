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

import math
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from jsonschema import ValidationError

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
        edit("name: M\n", "name: M\n    measure: {time: [a, c], stat: p90}\n"),
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


# Generated process files --------------------------------------------------------------

ids = st.sampled_from(["a", "b", "c", "lead", "lead-2", "x9", "q"])
words = st.sampled_from(["", "Lead", "Qualify the lead", "yes", "no", "on", "45m", "2026"])
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
non_finite = st.sampled_from([math.nan, math.inf, -math.inf])
numbers = st.one_of(
    st.integers(-(10**6), 10**20), finite, st.sampled_from([0, 7, -3, 0.0, 3.0, -3.0, 1e-05, 1e300])
)
texts = st.one_of(words, numbers)
booleans = st.one_of(
    st.booleans(),
    st.sampled_from(["true", "false", "yes", "no", "on", "off", "y", "n", "t", "f", "1", "0"]).map(
        lambda w: "".join(c.upper() if i % 2 else c for i, c in enumerate(w))
    ),
    st.sampled_from(["yes", "TRUE", "No", "oN", "F"]),
    st.sampled_from([0, 1, 0.0, 1.0, 2, -1, 0.5, " yes", "yes ", "ja", "nope", "", "tru"]),
)
# Padding: Unicode white space pydantic strips, and look-alikes it does not.
spaces = st.sampled_from(list(" \t\n\r\x0b\x0c\x85\xa0\u1680\u2003\u2028\u202f\u3000"))
not_spaces = st.sampled_from(list("\x1c\x1f\u200b\ufeff_"))
padding = st.lists(st.one_of(spaces, spaces, not_spaces), max_size=2).map("".join)
durations = st.builds(
    lambda left, n, mid, unit, right: f"{left}{n}{mid}{unit}{right}",
    padding,
    st.sampled_from(["45", "1.5", "2", "0", ".5", "1."]),
    st.sampled_from(["", " ", "  ", "\t"]),
    st.sampled_from(["m", "min", "h", "d", "w", "mins", "s"]),
    padding,
)
figures = st.one_of(numbers, non_finite)
runs = st.one_of(
    st.sampled_from(["20/month", "1.5/day", "3/week", "0/quarter", "12/year", "20", "20/Month"]),
    st.sampled_from([" 2/week", "2 /week", "2/fortnight", "/month", "2.5/", "-1/day"]),
    numbers,
    words,
)
shares = st.one_of(numbers, non_finite, st.sampled_from([-1, -0.0, 0, 100, 70.5, "70", True]))
activities = st.one_of(texts, st.booleans(), st.lists(texts, max_size=2))
pairs = st.one_of(
    st.lists(ids, min_size=2, max_size=2), st.lists(st.one_of(ids, words), max_size=3), ids
)
measure_options = {
    "stat": st.sampled_from(["p50", "p90", "mean", "median", None]),
    "per": st.sampled_from(["day", "week", "month", "fortnight", None]),
}
# Measures: the three good shapes often, and any mix of the fields (S011) as often.
measures = st.one_of(
    st.fixed_dictionaries({"rate": pairs}),
    st.fixed_dictionaries({"time": pairs}, optional={"stat": measure_options["stat"]}),
    st.fixed_dictionaries({"count": ids}, optional={"per": measure_options["per"]}),
    st.fixed_dictionaries(
        {}, optional={"rate": pairs, "time": pairs, "count": ids, **measure_options}
    ),
)
dates = st.sampled_from(["2026-01-01", "2026-02-30", "2026-1-1", "2026-01-01T00:00:00", 0])
cadences = st.sampled_from(["weekly", "monthly", "45d", "0d", "fortnightly", " weekly"])
KINDS = ["start", "task", "decision", "end", "subprocess"]


@st.composite
def steps(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from([*KINDS, None]))
    step: dict[str, Any] = {"id": draw(ids), "name": draw(texts)}
    if kind is not None:
        step["kind"] = kind
    if kind == "decision":
        step["branches"] = draw(st.dictionaries(words, ids, min_size=2, max_size=3))
        if draw(st.booleans()):
            labels = st.one_of(st.sampled_from(sorted(step["branches"])), words)
            step["shares"] = draw(st.dictionaries(labels, shares, max_size=3))
    elif kind == "subprocess":
        step["process"] = draw(ids)
        step["next"] = draw(ids)
    elif kind != "end":
        step["next"] = draw(ids)
    extras = {
        "owner": ids,
        "tools": st.lists(ids, max_size=2),
        "duration": durations,
        "critical": booleans,
        "automated": booleans,
        "checklist": st.lists(texts, max_size=2),
        "description": texts,
        "activity": activities,
        "shares": st.one_of(st.none(), st.dictionaries(words, shares, max_size=2)),
    }
    for key in draw(st.lists(st.sampled_from(sorted(extras)), max_size=3, unique=True)):
        step[key] = draw(extras[key])
    return step


@st.composite
def processes(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = {"procmap": 1, "id": draw(ids), "name": draw(texts)}
    optional = {
        "goal": texts,
        "owner": ids,
        "hourglass": st.lists(st.sampled_from(["know", "buy", "refer"]), max_size=2),
        "roles": st.dictionaries(ids, texts, max_size=2),
        "tools": st.dictionaries(ids, texts, max_size=2),
        "metrics": st.dictionaries(
            ids,
            st.fixed_dictionaries(
                {"name": texts},
                optional={
                    "baseline": figures,
                    "target": figures,
                    "unit": texts,
                    "measure": measures,
                },
            ),
            max_size=2,
        ),
        "review": st.fixed_dictionaries(
            {}, optional={"every": cadences, "last": dates, "approver": ids}
        ),
        "scope": st.fixed_dictionaries({}, optional={"in": st.lists(texts, max_size=2)}),
        "changelog": st.lists(st.fixed_dictionaries({"date": dates, "change": texts}), max_size=1),
        "runs": runs,
        "value": shares,
        "feeds": st.lists(st.one_of(ids, words), max_size=2),
    }
    for key in draw(st.lists(st.sampled_from(sorted(optional)), max_size=4, unique=True)):
        data[key] = draw(optional[key])
    data["steps"] = draw(st.lists(steps(), min_size=1, max_size=4))
    return data


#: Values of any type, for "wrong type" mutations.
anything = st.one_of(
    st.none(),
    st.booleans(),
    numbers,
    non_finite,
    words,
    ids,
    booleans,
    durations,
    dates,
    cadences,
    st.sampled_from(KINDS),
    st.lists(ids, max_size=2),
    st.dictionaries(ids, ids, max_size=2),
)
UNKNOWN_KEYS = ["ownr", "colour", "in_", "Kind", "root-causes", "step", "nexts", ""]
KIND_FIELDS = {
    "branches": st.dictionaries(words, ids, min_size=1, max_size=2),
    "process": ids,
    "shares": st.dictionaries(words, shares, max_size=2),
}


def mappings(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths to every mapping in the data."""
    if isinstance(node, dict):
        yield path
        for key, value in node.items():
            yield from mappings(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from mappings(value, (*path, i))


def at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    data = draw(processes())
    for _ in range(draw(st.integers(0, 2))):
        target = at(data, draw(st.sampled_from(list(mappings(data)))))
        keys = sorted(target, key=str)
        axis = draw(
            st.sampled_from(
                ["replace", "number", "non-finite", "unknown-key", "kind-field", "missing", "kind"]
            )
        )
        event(f"mutation: {axis}")
        if axis == "unknown-key":
            target[draw(st.sampled_from(UNKNOWN_KEYS))] = draw(words)
        elif axis == "kind-field" and "name" in target and "id" in target:
            field = draw(st.sampled_from([*KIND_FIELDS, "next"]))
            target[field] = draw(KIND_FIELDS.get(field, ids))
        elif axis == "kind" and "name" in target and "id" in target:
            target["kind"] = draw(st.sampled_from(KINDS))
        elif not keys:
            continue
        elif axis == "missing":
            del target[draw(st.sampled_from(keys))]
        else:
            values = {"number": numbers, "non-finite": non_finite}.get(axis, anything)
            target[draw(st.sampled_from(keys))] = draw(values)
    return data


def as_loaded(data: dict[str, Any]) -> Any:
    """The data written as YAML and read back by procmap's loader."""
    result = load_text("p.yaml", yaml.safe_dump(data, sort_keys=False))
    assert result.document is not None and not result.problems, result.problems
    return result.document


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_schema_and_validate_agree(data):
    doc = as_loaded(data)
    verdict = procmap_accepts(doc)
    event(f"procmap {'accepts' if verdict else 'rejects'}")
    errors = [e.message for e in VALIDATOR.iter_errors(doc.data)]
    assert verdict == (not errors), (doc.text, errors)

"""Generated process files for property tests: hypothesis strategies that draw process data
(`processes`), often broken on purpose (`mutated`: wrong types, non-finite numbers,
unknown keys, missing fields, fields on the wrong kind of step), and `as_loaded`, the data
written as YAML and read back by procmap's loader.

Shared by the tests that hold two readers to the same verdict (the JSON Schema against
`validate`, the fast reader against the pydantic model). It knows the process format's
field names and value shapes, and nothing of what either reader decides.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from hypothesis import event
from hypothesis import strategies as st

from procmap.format.loader import load_text

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
# Units: the closed set of a time measure, `%`, and near misses of both (S015).
units = st.one_of(
    texts,
    st.sampled_from(["m", "min", "minutes", "h", "hour", "d", "days", "w", "weeks", "%"]),
    st.sampled_from(["Days", " days", "mins", "hrs", "s", "percent", "leads", None]),
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
                    "unit": units,
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


def bench_processes(folder: Path, count: int, steps: int = 40) -> Path:
    """`count` valid, realistic process files of `steps` steps each in the new `folder`
    (`process-000.yaml`, ...), from bench/generate.py: deterministic."""
    source = Path(__file__).resolve().parent.parent / "bench" / "generate.py"
    spec = importlib.util.spec_from_file_location("bench_generate", source)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    folder.mkdir(parents=True)
    for i in range(count):
        text, _ = generator._process(i, steps, 1)
        (folder / f"process-{i:03d}.yaml").write_text(text, encoding="utf-8")
    return folder

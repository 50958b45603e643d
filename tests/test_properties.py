"""Property-based tests: whatever the input, validation answers with problems or a model.

Three kinds of input: arbitrary text and bytes, YAML-shaped noise (tokens that exercise
anchors, merge keys, tags, flow and block collections), and the bundled examples with
random damage. Then random process graphs, whose graph problems are compared with an
independent reachability computation written here.
"""

from __future__ import annotations

import os
import tempfile
from collections import deque
from datetime import timedelta
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from procmap.format.loader import decode, load_file, load_text
from procmap.format.problems import Problem
from procmap.format.registry import RULES
from procmap.format.schema import validate_document
from procmap.lint.rules import run_checks

FAST = settings(
    max_examples=150,
    deadline=timedelta(seconds=2),  # a hang or a blow-up fails the example
    suppress_health_check=[HealthCheck.too_slow],
)


def pipeline(path: str, text: str) -> tuple[list[Problem], object | None]:
    """Load, validate and check one text the way `procmap validate` does."""
    loaded = load_text(path, text)
    problems = list(loaded.problems)
    process = None
    if loaded.document is not None:
        process, schema_problems = validate_document(loaded.document)
        problems += schema_problems
        if process is not None:
            problems += run_checks(loaded.document, process, lambda code: True)
    return problems, process


def assert_well_formed(problems: list[Problem], text: str, process: object | None) -> None:
    assert problems or process is not None
    lines = text.count("\n") + text.count("\r") + 2
    for p in problems:
        assert isinstance(p, Problem)
        assert p.code in RULES
        assert p.severity in ("error", "warning")
        assert 1 <= p.line <= lines, p
        assert p.column >= 1, p
        assert p.message and "\n" not in p.message, p


YAML_TOKENS = st.sampled_from(
    [
        "procmap: 1\n",
        "id: x\n",
        "name: N\n",
        "steps:\n",
        "  - id: a\n",
        "    next: b\n",
        "    kind: start\n",
        "    kind: end\n",
        "    branches: {yes: a, no: b}\n",
        "- ",
        "? ",
        ": ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "&a ",
        "*a",
        "&b ",
        "*b",
        "<<: ",
        "<<: [*a, *a]\n",
        "!!python/object/apply:os.system ",
        "!tag ",
        "!!str ",
        "!!binary ",
        "\t",
        "---\n",
        "...\n",
        "# c\n",
        "yes",
        "no",
        "on",
        "~",
        "null",
        "2026-02-30",
        "1e9",
        "0x1F",
        "'",
        '"',
        "\\",
        "|\n",
        ">\n",
        "\n",
        "  ",
        "    ",
        "\r\n",
        "\x00",
        "\ufeff",
        "é",
        "%YAML 1.1\n",
    ]
)


@FAST
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    problems, process = pipeline("t.yaml", text)
    assert_well_formed(problems, text, process)


@FAST
@given(st.lists(YAML_TOKENS, max_size=60).map("".join))
def test_yaml_shaped_noise_never_raises(text: str) -> None:
    problems, process = pipeline("t.yaml", text)
    assert_well_formed(problems, text, process)


@FAST
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    text, problem = decode("b.yaml", raw)
    if text is None:
        assert problem is not None and problem.code == "Y005"
        return
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "b.yaml")
        with open(path, "wb") as handle:
            handle.write(raw)
        loaded = load_file(path)
    assert loaded.problems or loaded.document is not None


EXAMPLES = sorted((REPO / "processes").glob("*.yaml"))


@FAST
@given(
    st.sampled_from(EXAMPLES),
    st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 40), YAML_TOKENS | st.text(max_size=5)),
        min_size=1,
        max_size=4,
    ),
)
def test_damaged_examples_never_raise(example: Path, edits: list) -> None:
    text = example.read_text(encoding="utf-8")
    for where, cut, insert in edits:
        at = int(where * len(text))
        text = text[:at] + insert + text[at + cut :]
    problems, process = pipeline(example.name, text)
    assert_well_formed(problems, text, process)


# Random process graphs ---------------------------------------------------------------

LABELS = ["yes", "no", "Yes", "on", "off", "maybe", "changes requested", "Changes  requested"]


@st.composite
def processes(draw: st.DrawFn) -> dict:
    count = draw(st.integers(1, 10))
    ids = [f"s{i}" for i in range(count)]
    targets = st.sampled_from([*ids, "ghost"])
    steps = []
    for sid in ids:
        kind = draw(st.sampled_from(["start", "task", "task", "decision", "end"]))
        step: dict = {"id": sid, "name": f"Step {sid}", "kind": kind}
        if kind in ("task", "start"):
            step["owner"] = "ops"
            if draw(st.integers(0, 5)):
                step["next"] = draw(targets)
        elif kind == "decision":
            labels = draw(st.lists(st.sampled_from(LABELS), max_size=4, unique=True))
            step["branches"] = {label: draw(targets) for label in labels}
        elif draw(st.integers(0, 6)) == 0:
            step["next"] = draw(targets)
        steps.append(step)
    return {
        "procmap": 1,
        "id": "random",
        "name": "Random",
        "goal": "g",
        "trigger": "t",
        "outcome": "o",
        "review": {"every": "weekly", "approver": "ops"},
        "roles": {"ops": "Ops"},
        "steps": steps,
    }


def _reach(sources: list[str], links: dict[str, list[str]]) -> set[str]:
    seen, queue = set(sources), deque(sources)
    while queue:
        for nxt in links[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _norm(label: str) -> str:
    return " ".join(label.casefold().split())


@settings(max_examples=200, deadline=timedelta(seconds=2))
@given(processes())
def test_random_graphs_agree_with_independent_reachability(data: dict) -> None:
    text = yaml.safe_dump(data, sort_keys=False)
    loaded = load_text("g.yaml", text)
    assert loaded.document is not None, loaded.problems
    # YAML 1.1 words as branch labels survive as written
    assert loaded.document.data == data
    problems, process = pipeline("g.yaml", text)
    assert process is not None, problems
    doc = loaded.document
    steps = data["steps"]
    kinds = {s["id"]: s["kind"] for s in steps}
    at = {s["id"]: doc.position(("steps", i)) for i, s in enumerate(steps)}
    edges: dict[str, list[str]] = {sid: [] for sid in kinds}
    back: dict[str, list[str]] = {sid: [] for sid in kinds}
    unknown = into_start = 0
    for s in steps:
        for target in [s.get("next"), *s.get("branches", {}).values()]:
            if target is None:
                continue
            if target not in kinds:
                unknown += 1
                continue
            edges[s["id"]].append(target)
            back[target].append(s["id"])
            into_start += kinds[target] == "start"
    starts = [sid for sid, k in kinds.items() if k == "start"]
    ends = [sid for sid, k in kinds.items() if k == "end"]

    def where(code: str) -> list[tuple[int, int]]:
        return sorted((p.line, p.column) for p in problems if p.code == code)

    def count(code: str) -> int:
        return len(where(code))

    reached = _reach(starts, edges)
    unreachable = [sid for sid in kinds if sid not in reached and kinds[sid] != "start"]
    if not starts:
        assert where("G006") == []
    else:
        # One problem per cut-off region: at steps that cannot be reached, at every step
        # nothing cut off leads to, and every cut-off step follows from a reported one.
        cut_off = set(unreachable)
        reported = [sid for sid in unreachable if at[sid] in where("G006")]
        assert len(reported) == count("G006")
        heads = [sid for sid in unreachable if not any(p in cut_off for p in back[sid])]
        assert set(heads) <= set(reported)
        inside = {sid: [t for t in edges[sid] if t in cut_off] for sid in kinds}
        assert cut_off <= _reach(reported, inside)
    assert count("G001") == (not starts)
    assert count("G002") == (not ends)
    assert count("G003") == unknown
    assert count("G009") == into_start
    assert count("G008") == sum(s["kind"] == "decision" and len(s["branches"]) < 2 for s in steps)
    assert count("G010") == sum(s["kind"] == "end" and "next" in s for s in steps)
    assert count("G011") == sum(s["kind"] in ("start", "task") and "next" not in s for s in steps)
    duplicate_labels = 0
    for s in steps:
        normalised = [_norm(label) for label in s.get("branches", {})]
        duplicate_labels += len(normalised) - len(set(normalised))
    assert count("G005") == duplicate_labels
    # G007: reported only inside the trapped region, and a trapped region is always
    # explained by some problem (a loop without exit, or a step with no valid way on).
    trapped = (reached - _reach(ends, back)) if starts and ends else set()
    assert set(where("G007")) <= {at[s] for s in trapped}
    if trapped:
        assert {"G007", "G011", "G003", "G008"} & {p.code for p in problems}
    else:
        assert count("G007") == 0
    # the validated model holds exactly the steps written
    assert [s.id for s in process.steps] == [s["id"] for s in steps]


def test_branch_labels_keep_yaml11_words() -> None:
    text = "branches:\n  yes: a\n  no: b\n  on: c\n  off: d\n  Y: e\nvalue: no\n"
    loaded = load_text("l.yaml", text)
    assert loaded.document is not None
    assert loaded.document.data == {
        "branches": {"yes": "a", "no": "b", "on": "c", "off": "d", "Y": "e"},
        "value": "no",
    }


TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12) | st.sampled_from(
    ["a\nb", "x\r\ny", "tab\there", "  "]
)
ANY = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


@FAST
@given(
    roles=st.dictionaries(TEXT, ANY, max_size=3) | st.just({}),
    metric=st.dictionaries(st.sampled_from(["name", "baseline", "target", "unit"]) | TEXT, ANY)
    | st.builds(dict, name=TEXT, baseline=st.integers(), target=st.floats(-1e9, 1e9)),
    step=st.dictionaries(
        st.sampled_from(["id", "name", "kind", "owner", "next", "branches", "tools"]) | TEXT, ANY
    )
    | st.just({"id": "x", "kind": "end", "name": "X"}),
    extra=st.dictionaries(TEXT, ANY, max_size=2) | st.just({}),
)
def test_any_values_give_one_line_problems(roles, metric, step, extra) -> None:
    """Whatever the author writes as keys and values, each problem is one printable line."""
    data = {
        "procmap": 1,
        "id": "p",
        "name": "P",
        "roles": roles,
        "metrics": {"m": metric, "page-views": {"name": "Page\nviews", "baseline": 1}},
        "steps": [{"id": "s", "kind": "start", "name": "S", "next": "x"}, step],
        **extra,
    }
    text = yaml.safe_dump(data, allow_unicode=True)
    problems, process = pipeline("a.yaml", text)
    assert_well_formed(problems, text, process)

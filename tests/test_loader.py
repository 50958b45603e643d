"""The loader: YAML 1.2 scalars, positions, merge keys, and the guards before YAML is trusted."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest

from conftest import REPO
from procmap.format.loader import MAX_DEPTH, decode, load_file, load_text, resolve_plain


@pytest.mark.parametrize(
    ("plain", "value"),
    [
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("No", "No"),
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("~", None),
        ("null", None),
        ("", None),
        ("12", 12),
        ("-3", -3),
        ("07", 7),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("0x1F", 31),
        ("0o17", 15),
        ("1_000", "1_000"),  # YAML 1.1 only
        ("0b101", "0b101"),  # YAML 1.1 only
        ("2026-11-16", "2026-11-16"),  # dates are text; the schema reads them
        ("12:30", "12:30"),  # YAML 1.1 sexagesimal, not 750
        (".inf", math.inf),
        ("-.inf", -math.inf),
        ("1.2.3", "1.2.3"),
        ("+", "+"),
    ],
)
def test_plain_scalars_follow_yaml_1_2_core(plain: str, value: object) -> None:
    assert resolve_plain(plain) == value
    assert type(resolve_plain(plain)) is type(value)


def test_nan_is_a_float() -> None:
    assert math.isnan(resolve_plain(".nan"))


def test_quoted_values_stay_text() -> None:
    text = "a: 'true'\nb: \"12\"\nc: '~'\nd: !!str 3\ne: ! no\nf: [!!str 1, 2]\ng: !!int 4\n"
    loaded = load_text("q.yaml", text)
    assert loaded.problems == []
    assert loaded.document is not None
    assert loaded.document.data == {
        "a": "true",
        "b": "12",
        "c": "~",
        "d": "3",
        "e": "no",
        "f": ["1", 2],
        "g": 4,
    }


def test_branch_labels_of_the_bundled_example_survive() -> None:
    loaded = load_file(REPO / "processes" / "webinar-funnel.yaml")
    assert loaded.problems == []
    assert loaded.document is not None
    steps = {s["id"]: s for s in loaded.document.data["steps"]}
    assert steps["booked"]["branches"] == {"yes": "consult", "no": "downsell"}
    assert loaded.document.data["review"]["last"] == "2026-11-16"


TEXT = """\
procmap: 1
id: x
steps:
  - id: a
    owner: ops
    tools: [crm, email]
  - id: b
"""


def test_positions_of_values_keys_and_missing_fields() -> None:
    doc = load_text("p.yaml", TEXT).document
    assert doc is not None
    assert doc.position(("id",)) == (2, 5)
    assert doc.position(("id",), key=True) == (2, 1)
    assert doc.position(("steps", 0)) == (4, 5)
    assert doc.position(("steps", 0, "owner")) == (5, 12)
    assert doc.position(("steps", 0, "owner"), key=True) == (5, 5)
    assert doc.position(("steps", 0, "tools", 1)) == (6, 18)
    # a missing field points at the mapping where it belongs
    assert doc.position(("steps", 1, "name")) == (7, 5)
    assert doc.position(("review", "every")) == (1, 1)
    # an index past the end of a list points at the list
    assert doc.position(("steps", 5)) == (4, 3)


def test_positions_count_characters_not_bytes() -> None:
    doc = load_text("u.yaml", "name: Café\nowner: ops\nnote: 日本語: x\n").document
    assert doc is None or doc.position(("owner",)) == (2, 8)
    loaded = load_text("u.yaml", "name: Café ünd 日本\nowner: [ops\n")
    assert [(p.line, p.code) for p in loaded.problems] == [(3, "Y001")]


def test_byte_order_mark_and_crlf() -> None:
    text, problem = decode("b.yaml", b"\xef\xbb\xbfa: 1\r\nb: 2\r\n")
    assert problem is None and text == "a: 1\r\nb: 2\r\n"
    doc = load_text("b.yaml", text).document
    assert doc is not None and doc.data == {"a": 1, "b": 2}
    assert doc.position(("b",)) == (2, 4)


def test_merge_keys_explicit_values_win() -> None:
    text = "base: &b {owner: ops, duration: 1h}\nstep:\n  <<: *b\n  duration: 2h\n"
    doc = load_text("m.yaml", text).document
    assert doc is not None
    assert doc.data["step"] == {"owner": "ops", "duration": "2h"}


def test_merge_of_a_list_of_mappings_first_wins() -> None:
    text = "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n"
    doc = load_text("m.yaml", text).document
    assert doc is not None and doc.data["c"] == {"x": 1, "y": 2}


def test_quoted_merge_key_is_an_ordinary_key() -> None:
    doc = load_text("m.yaml", "'<<': text\n").document
    assert doc is not None and doc.data == {"<<": "text"}


def test_merge_of_a_scalar_is_a_problem() -> None:
    loaded = load_text("m.yaml", "a: &a text\nb:\n  <<: *a\n")
    assert [(p.line, p.column, p.code) for p in loaded.problems] == [(3, 3, "S002")]


def test_complex_key_is_a_problem_not_a_crash() -> None:
    loaded = load_text("k.yaml", "? [a, b]\n: c\nd: 1\n")
    assert [(p.line, p.column, p.code) for p in loaded.problems] == [(1, 3, "S002")]
    assert loaded.document is not None and loaded.document.data == {"d": 1}


def test_deep_block_nesting_without_brackets_is_refused() -> None:
    # Indentation alone never reaches the bracket gate; the builder's depth limit does.
    text = "".join("  " * i + "a:\n" for i in range(MAX_DEPTH + 10)) + "  " * 80 + "b\n"
    loaded = load_text("d.yaml", text)
    assert loaded.document is None
    assert [p.code for p in loaded.problems] == ["Y009"]
    assert loaded.problems[0].line == MAX_DEPTH + 1


def test_nesting_at_the_limit_is_accepted() -> None:
    text = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    loaded = load_text("d.yaml", text)
    assert loaded.problems == [] and loaded.document is not None


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 100_000,  # unclosed as well as deep
        "a: " + "{a: " * 50_000,
        "- " * 100_000 + "x\n",
        "a:\n" + "  - " * 5_000 + "x\n",
    ],
)
def test_pathological_nesting_is_fast_and_does_not_crash(text: str) -> None:
    started = time.perf_counter()
    loaded = load_text("n.yaml", text)
    assert time.perf_counter() - started < 2
    assert loaded.document is None
    assert loaded.problems and loaded.problems[0].code in ("Y009", "Y001")


def test_load_file_shows_the_display_path(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("- a\n")
    loaded = load_file(path, display="processes/x.yaml")
    assert [p.path for p in loaded.problems] == ["processes/x.yaml"]


def test_load_file_of_a_folder_is_unreadable(tmp_path: Path) -> None:
    loaded = load_file(tmp_path)
    assert [p.code for p in loaded.problems] == ["Y012"]
    assert loaded.problems[0].message.startswith("cannot read file: ")


def test_tabs_inside_values_are_fine() -> None:
    loaded = load_text("t.yaml", "name: a\tb\nlist: [a,\tb]\n")
    assert loaded.problems == []


def test_every_tab_indented_line_is_reported() -> None:
    loaded = load_text("t.yaml", "a:\n\tb: 1\n  \tc: 2\n")
    assert [(p.line, p.column, p.code) for p in loaded.problems] == [
        (2, 1, "Y003"),
        (3, 3, "Y003"),
    ]


def test_deep_nesting_is_y009_at_our_position_whatever_libyaml_allows() -> None:
    # 1,500 levels stay under the nesting gate; PyYAML 6.0.4's libyaml refuses them with
    # an error of its own ("exceeded maximum nesting depth"), older ones compose them.
    text = "a: " + "[" * 1500 + "]" * 1500 + "\n"
    loaded = load_text("d.yaml", text)
    assert [(p.line, p.column, p.code) for p in loaded.problems] == [(1, 4 + MAX_DEPTH - 1, "Y009")]


def test_a_library_depth_limit_becomes_y009_at_the_65th_level(monkeypatch) -> None:
    # Whatever limit a YAML library has, and wherever its scanner stops, the problem is
    # Y009 at the collection that opens the 65th level.
    import yaml

    import procmap.format.loader as loader

    def refuse(text, Loader):
        raise yaml.scanner.ScannerError(
            "while increasing flow level", None, "exceeded maximum nesting depth", None
        )

    monkeypatch.setattr(loader.yaml, "parse", _only_pure(refuse, yaml.parse))
    text = "a: " + "[" * 3000 + "\n"
    loaded = load_text("d.yaml", text)
    assert [(p.line, p.column, p.code) for p in loaded.problems] == [(1, 4 + MAX_DEPTH - 1, "Y009")]


def _only_pure(refuse, parse):
    """yaml.parse that refuses with the C loader and parses with the pure-Python one."""
    import yaml

    def patched(text, Loader=yaml.Loader):
        if Loader is yaml.SafeLoader:
            return parse(text, Loader=Loader)
        return refuse(text, Loader)

    return patched


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("procmap: 1\nname: Call: intro\n", 'quote the whole value, name: "Call: intro"'),
        ("procmap: 1\nsteps:\n  - id: a\n    name: Say \"hi\": now\n", 'name: "Say \\"hi\\": now"'),
        ("procmap: 1\nname: 'don't'\n", "write it twice"),
        ("procmap: 1\nname: 'open\n", "never closed"),
        ("procmap: 1\ntools: [crm, email\nname: x\n", "close it with ]"),
        ("procmap: 1\nroles: {ops: Ops\n", "close it with }"),
        ("procmap: 1\nowner: @ops\n", "must be quoted"),
        ("procmap: 1\nsteps:\n  - id: a\n   - id: b\n", "indented unlike"),
        ("procmap: 1\nreview:\n  every: weekly\n approver: ops\n", "indent the keys of one mapping alike"),
    ],
    ids=["colon", "colon-and-quotes", "apostrophe", "open-quote", "open-list", "open-mapping", "at-sign",
         "list-indent", "key-indent"],
)  # fmt: skip
def test_common_yaml_errors_say_how_to_fix_them(text: str, hint: str) -> None:
    """Each common PyYAML error gets a hint in the author's terms, after PyYAML's words."""
    result = load_text("p.yaml", text)
    assert result.document is None
    [problem] = result.problems
    assert problem.code == "Y001"
    assert hint in problem.message, problem.message

"""The rule registry and its generated reference page stay complete and in step."""

from __future__ import annotations

import inspect
import re

from conftest import REPO
from procmap.format import loader, schema
from procmap.format.registry import FAMILIES, RULES, expand
from procmap.lint import linter
from procmap.lint.ruledocs import rules_markdown
from procmap.lint.rules import CHECKS

KEBAB = re.compile(r"^[a-z]+(?:-[a-z0-9]+)*$")


def test_docs_rules_md_is_the_generated_reference() -> None:
    page = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert page == rules_markdown(RULES.values()), "docs/rules.md is out of date: run `make docs`"


def test_cli_prints_the_same_page(run_procmap) -> None:
    done = run_procmap("rules", "--format", "markdown")
    assert done.returncode == 0
    assert done.stdout == (REPO / "docs" / "rules.md").read_text(encoding="utf-8")


def test_every_rule_is_documented_on_the_page() -> None:
    page = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    for code, rule in RULES.items():
        assert f"\n### {code}\n" in page
        assert f"**{rule.name}**" in page


def test_every_rule_has_a_name_rationale_and_fix() -> None:
    names = [rule.name for rule in RULES.values()]
    assert len(set(names)) == len(names), "rule names must be unique"
    for code, rule in RULES.items():
        assert re.fullmatch(r"[A-Z]\d{3}", code) and rule.code == code
        assert code[0] in FAMILIES
        assert KEBAB.match(rule.name), f"{code}: {rule.name!r} is not kebab-case"
        assert rule.severity in ("error", "warning")
        for text in (rule.rationale, rule.fix):
            assert text.strip() == text and text, code
            assert "\n" not in text, f"{code}: keep it on one line"
            assert text.endswith((".", ")")), f"{code}: {text!r} is not a sentence"
        assert "|" not in rule.rationale, f"{code}: '|' breaks the Markdown table"


#: Numbers left out on purpose: the BPMN import's codes were published before the registry
#: held them, its errors I001 to I005 and its warnings from I010; renumbering them would
#: change the import's output and what users already switch off.
GAPS = {"I": set(range(6, 10))}


def test_codes_are_numbered_without_gaps_per_family() -> None:
    for letter in FAMILIES:
        numbers = sorted(int(code[1:]) for code in RULES if code[0] == letter)
        gaps = GAPS.get(letter, set())
        expected = [n for n in range(1, len(numbers) + len(gaps) + 1) if n not in gaps]
        assert numbers == expected, letter


def test_every_code_is_produced_by_something() -> None:
    """A check in rules.CHECKS, or a literal code in the loader, schema, linter or the BPMN
    import (`procmap.bpmn`, family I)."""
    sources = "".join(inspect.getsource(module) for module in (loader, schema, linter))
    bpmn = REPO / "src" / "procmap" / "bpmn"
    sources += "".join(path.read_text(encoding="utf-8") for path in sorted(bpmn.glob("*.py")))
    for code in RULES:
        assert code in CHECKS or f'"{code}"' in sources, f"nothing produces {code}"
    assert set(CHECKS) <= set(RULES)


def test_selectors_by_code_prefix_name_and_all() -> None:
    assert expand("g003") == ["G003"]
    assert expand("unknown-target") == ["G003"]
    assert expand("Y") == [code for code in RULES if code.startswith("Y")]
    assert expand("ALL") == list(RULES)

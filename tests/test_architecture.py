"""docs/architecture.md describes the layout as it is: its layers are the contracts'."""

from __future__ import annotations

import tomllib
from pathlib import Path

import procmap

ROOT = Path(__file__).parents[1]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
    "contracts"
]


def _subpackages() -> list[str]:
    src = Path(procmap.__file__).parent
    return sorted(f"procmap.{p.name}" for p in src.iterdir() if (p / "__init__.py").is_file())


def test_every_subpackage_is_a_layer_of_the_contract_and_the_doc():
    (layers,) = [c["layers"] for c in CONTRACTS if c["type"] == "layers"]
    in_layers = sorted(name.strip() for layer in layers for name in layer.split("|"))
    assert in_layers == _subpackages()
    for name in in_layers:
        assert f"| `{name}` |" in DOC, f"docs/architecture.md does not describe {name}"


def test_every_subpackage_but_the_cli_has_its_modules_protected():
    protected = {c["allowed_importers"][0] for c in CONTRACTS if c["type"] == "protected"}
    assert protected == set(_subpackages()) - {"procmap.cli"}


def test_every_module_is_named_in_the_doc():
    src = Path(procmap.__file__).parent
    for path in sorted(src.glob("*/*.py")):
        if path.name != "__init__.py":
            assert f"`{path.stem}`" in DOC, f"docs/architecture.md does not name {path}"

"""`procmap discover` against pm4py's inductive miner: the oracle of the draft's quality.

pm4py is AGPL-3.0: a test oracle here and a benchmark peer (`make bench`), never a
dependency; `make test-oracle` installs it into .venv-oracle, and `make test` skips this
file.

On the same log (a helpdesk-like export with a long tail: rare activities and swapped
neighbours, made by the test), procmap's default draft and pm4py's inductive miner,
infrequent variant, with its default noise threshold (0.2), are each replayed on their own
model: procmap's by `procmap measure` (a case fits when its events are a run of the map),
pm4py's by its token-based replay (a trace fits when no token is missing or left). The
draft must fit at least the share of cases pm4py's model fits, with fewer nodes than
pm4py's BPMN model of the same tree (tasks, gateways and events: like for like, not the
Petri net's places and silent transitions).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pm4py = pytest.importorskip(
    "pm4py",
    reason="pm4py (AGPL-3.0, the test oracle) is not installed: `make test-oracle` installs it",
)

from conftest import procmap  # noqa: E402
from procmap.format import load_text, validate_document  # noqa: E402
from procmap.measure import discover_log, measure_log  # noqa: E402

LOGS = Path(__file__).parent / "discover_logs"


def _helpdesk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    sys.path.insert(0, str(LOGS))
    from longtail import long_tail

    clean = tmp_path / "clean.csv"
    status = procmap(
        capsys,
        "simulate",
        str(LOGS / "helpdesk.yaml"),
        "-n",
        "2000",
        "--seed",
        "5",
        "-o",
        str(clean),
    )[0]
    assert status == 0
    log = tmp_path / "helpdesk.csv"
    long_tail(clean, log, seed=3)
    return log


def _pm4py_fit(log: Path) -> tuple[float, int]:
    """The share of traces pm4py's IMf model fits by token-based replay, and the number
    of flow nodes of its BPMN model: bench/pm4py_discover.py's `fit`, the bench's peer."""
    import importlib.util

    path = Path(__file__).parents[1] / "bench" / "pm4py_discover.py"
    spec = importlib.util.spec_from_file_location("pm4py_discover", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    found = module.fit(str(log))
    return float(found["fitness"]), int(found["nodes"])


def test_the_draft_fits_at_least_what_the_inductive_miner_fits_with_fewer_nodes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = _helpdesk(tmp_path, capsys)
    found = discover_log(log)
    loaded = load_text("draft.yaml", found.text)
    assert loaded.document is not None
    draft, problems = validate_document(loaded.document)
    assert draft is not None, problems
    ours = measure_log(draft, log)["conformance"]["fitness"]
    theirs, nodes = _pm4py_fit(log)
    print(
        f"procmap draft: fitness {ours:.3f}, {len(draft.steps)} steps;"
        f" pm4py IMf: fitness {theirs:.3f}, {nodes} BPMN nodes"
    )
    assert ours is not None and ours >= theirs
    assert len(draft.steps) < nodes

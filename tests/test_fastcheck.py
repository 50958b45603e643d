"""The fast reader of plainly valid files, held to the pydantic model it stands in for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticUndefined

import procmap.format.model as model
from conftest import REPO, clean_env, modules_after
from generate import as_loaded, mutated
from procmap.format import fastcheck
from procmap.format.loader import load_file, load_text
from procmap.format.schema import validate_document

EVERY_FILE = sorted(
    [
        *(REPO / "processes").glob("*.yaml"),
        *(REPO / "src" / "procmap" / "scaffold" / "starters").glob("*.yaml"),
        *(REPO / "tests" / "cases").glob("*/*/*.yaml"),
        *(REPO / "docs" / "example").glob("*.yaml"),
    ]
)
#: Valid files that spell a value unusually on purpose (a float as text): pydantic reads them.
UNUSUAL = {"yaml11-words-stay-text"}
VALID = [
    p
    for p in EVERY_FILE
    if "invalid" not in p.parts and "example" not in p.parts and p.parent.name not in UNUSUAL
]


def _same_reading(data: Any, doc: Any) -> bool | None:
    """Whether `accept` took the data; when it did, pydantic must take it, equal."""
    fast = fastcheck.accept(data)
    if fast is None:
        return False
    process, problems = validate_document(doc)
    assert process is not None, ("fastcheck took what the model refuses", problems)
    assert fastcheck.dump(fast) == process.model_dump(), "fastcheck read it differently"
    return True


@pytest.mark.parametrize("path", EVERY_FILE, ids=lambda p: str(p.relative_to(REPO)))
def test_what_fastcheck_takes_the_model_takes_equal(path: Path):
    loaded = load_file(path)
    if loaded.document is not None:
        _same_reading(loaded.document.data, loaded.document)


@pytest.mark.parametrize("path", VALID, ids=lambda p: str(p.relative_to(REPO)))
def test_ordinary_valid_files_take_the_fast_path(path: Path):
    # The speed of `procmap validate` on one file rests on this.
    loaded = load_file(path)
    assert loaded.document is not None
    assert fastcheck.accept(loaded.document.data) is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_fastcheck_is_sound_on_generated_files(data):
    doc = as_loaded(data)
    event("fast" if _same_reading(doc.data, doc) else "declined")


@pytest.mark.parametrize(
    "text",
    [
        "name: 1.5",  # a float as text: pydantic's to spell
        "id: 42",
        "critical: yes",
        "duration: ' 45m'",
        "last: 2026-02-30",
        "baseline: .nan",
        "procmap: 1.0",
        "extra: 1",
        "activity: 1.5",
        "activity: []",
        "shares: {yes: -1}",
        "shares: {yes: true}",
        "runs: 20",
        "runs: 1e3/month",
        "value: .inf",
        "value: -1",
        "value: true",
        "feeds: a",
        "last: 9999-12-30",
        "last: 1899-12-31",
        "name: ''",
        "name: '   '",
        'name: "\\t\\n"',
        'name: "\\u200b"',
        "roles: {ops: ''}",
        "tools: {crm: '\u3000'}",
    ],
)
def test_unusual_values_are_left_to_pydantic(text):
    base = (REPO / "tests" / "cases" / "valid").glob("*/process.yaml")
    first = next(iter(sorted(base)))
    loaded = load_file(first)
    assert loaded.document is not None
    assert fastcheck.accept(loaded.document.data) is not None
    key, _, value = text.partition(": ")
    data = dict(loaded.document.data)
    probe = load_text("x.yaml", f"{key}: {value}\n").document
    assert probe is not None
    if key in ("name", "id", "procmap", "extra", "runs", "value", "feeds", "roles", "tools"):
        data[key] = probe.data[key]
    elif key == "last":
        data["review"] = {"every": "weekly", "last": probe.data[key]}
    elif key == "baseline":
        data["metrics"] = {"m": {"name": "m", "baseline": probe.data[key]}}
    else:
        data["steps"] = [{**data["steps"][0], key: probe.data[key]}, *data["steps"][1:]]
    assert fastcheck.accept(data) is None


def _pydantic_models() -> dict[str, type[BaseModel]]:
    return {
        name: value
        for name, value in vars(model).items()
        if isinstance(value, type)
        and issubclass(value, BaseModel)
        and value.__module__ == model.__name__
        and not name.startswith("_")
    }


def test_every_model_has_a_record_with_the_same_fields():
    records = {cls.__name__: cls for cls in fastcheck.RECORDS}
    assert set(records) == set(_pydantic_models())
    for name, cls in _pydantic_models().items():
        fields = records[name].FIELDS
        assert [f[0] for f in fields] == list(cls.model_fields), name
        for attribute, key, _, default in fields:
            info = cls.model_fields[attribute]
            assert key == (info.alias or attribute), (name, attribute)
            if info.is_required():
                assert default is fastcheck._REQUIRED, (name, attribute)
            elif info.default_factory is list:
                assert default is fastcheck._LIST, (name, attribute)
            elif info.default_factory is dict:
                assert default is fastcheck._DICT, (name, attribute)
            else:
                assert info.default is not PydanticUndefined
                assert default == info.default, (name, attribute)


def test_records_are_frozen_and_compare_by_value():
    loaded = load_file(REPO / "processes" / "webinar-funnel.yaml")
    assert loaded.document is not None
    one = fastcheck.accept(loaded.document.data)
    two = fastcheck.accept(loaded.document.data)
    assert one == two and one is not two
    with pytest.raises(AttributeError):
        one.name = "other"
    assert one.step(one.steps[0].id) is one.steps[0]
    assert (
        one.steps[0].targets()
        == model.Step.model_validate(loaded.document.data["steps"][0]).targets()
    )


def test_records_survive_pickling_as_a_worker_sends_them_back():
    # `procmap measure` keeps records, and a run of many files reads them in worker
    # processes: a frozen record must still be rebuilt on the other side.
    import pickle

    loaded = load_file(REPO / "processes" / "webinar-funnel.yaml")
    assert loaded.document is not None
    record = fastcheck.accept(loaded.document.data)
    again = pickle.loads(pickle.dumps(record, pickle.HIGHEST_PROTOCOL))
    assert again == record and again is not record
    assert type(again.steps[0]) is type(record.steps[0])
    assert again.called() == record.called()


def test_activities_and_measures_read_the_same_by_both_readers():
    loaded = load_file(REPO / "processes" / "webinar-funnel.yaml")
    assert loaded.document is not None
    fast = fastcheck.accept(loaded.document.data)
    assert fast is not None
    slow = model.Process.model_validate(loaded.document.data)
    steps = {s.id: s.activities() for s in fast.steps}
    assert steps == {s.id: s.activities() for s in slow.steps}
    assert any(len(names) > 1 for names in steps.values()), "the example shows a list"
    assert any(len(names) == 1 for names in steps.values()), "and one name"
    assert all(names == [] for sid, names in steps.items() if sid == "webinar")
    measures = {
        mid: (m.measure.kind, m.measure.steps(), m.measure.statistic, m.measure.period)
        for mid, m in fast.metrics.items()
        if m.measure is not None
    }
    assert len(measures) >= 2
    assert measures == {
        mid: (m.measure.kind, m.measure.steps(), m.measure.statistic, m.measure.period)
        for mid, m in slow.metrics.items()
        if m.measure is not None
    }
    one = fastcheck.accept(
        {
            **loaded.document.data,
            "steps": [
                {**loaded.document.data["steps"][0], "activity": "Webinar held"},
                *loaded.document.data["steps"][1:],
            ],
        }
    )
    assert one is not None and one.steps[0].activities() == ["Webinar held"]


UNITS = REPO / "tests" / "cases" / "valid" / "measure-units" / "process.yaml"


@pytest.mark.parametrize(
    "kind, unit, good",
    [
        *(("time", unit, True) for unit in ("m", "minutes", "hour", "days", "w", "weeks")),
        ("time", None, False),
        ("time", "Days", False),
        ("time", "mins", False),
        ("time", "%", False),
        ("time", 7, False),
        ("rate", "%", True),
        ("rate", None, True),
        ("rate", "percent", False),
        ("count", "leads", True),
        ("count", 7, True),
        ("count", "days", False),
        ("count", "%", False),
    ],
)
def test_a_measured_metrics_unit_is_read_by_both_readers_or_refused_by_the_model(
    kind: str, unit: Any, good: bool
):
    # S015: the fast reader takes what suits the kind, as the model does, and declines
    # the rest, which the model refuses at the unit (or at the metric, without one).
    loaded = load_file(UNITS)
    assert loaded.document is not None
    data = loaded.document.data
    measure = {"time": {"time": ["arrives", "qualify"]}, "rate": {"rate": ["arrives", "qualify"]}}
    metric = {"name": "M", "measure": measure.get(kind, {"count": "arrives"})}
    if unit is not None:
        metric["unit"] = unit
    data = {**data, "metrics": {**data["metrics"], "time-m": metric}}
    fast = fastcheck.accept(data)
    try:
        slow = model.Process.model_validate(data)
    except ValidationError as error:
        assert not good
        assert fast is None
        assert [e["type"] for e in error.errors()] == ["measure_unit"]
    else:
        assert good
        assert fast is not None and fastcheck.dump(fast) == slow.model_dump()


def test_validating_a_valid_file_imports_neither_typer_nor_pydantic():
    status, loaded = modules_after("validate", "-q", "processes/webinar-funnel.yaml")
    assert status == 0
    assert "procmap.lint.rules" in loaded
    assert "pydantic" not in loaded and "typer" not in loaded


def test_an_invalid_file_still_gets_pydantics_messages(tmp_path):
    bad = tmp_path / "bad.yaml"
    text = (REPO / "processes" / "webinar-funnel.yaml").read_text()
    bad.write_text(text.replace("procmap: 1", "procmap: 2", 1))
    code = (
        "import sys\n"
        f"sys.argv = ['procmap', 'validate', {str(bad)!r}]\n"
        "from procmap.cli import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=clean_env(), capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "S008" in done.stdout


def test_a_large_run_validates_with_pydantic_and_a_small_one_does_not(monkeypatch):
    from procmap.format import fastcheck as module
    from procmap.lint import linter

    calls = []
    real = module.accept
    monkeypatch.setattr(module, "accept", lambda data: calls.append(1) or real(data))
    monkeypatch.setattr("procmap.format.accept", module.accept)
    files = [str(p) for p in sorted((REPO / "processes").glob("*.yaml"))]
    config = linter.Config()
    linter.check_files(files, config, jobs=1)
    assert len(calls) == len(files)
    calls.clear()
    monkeypatch.setattr(linter, "FASTCHECK_LIMIT", len(files))
    reports = linter.check_files(files, config, jobs=1)
    assert calls == [] and all(r.process_id for r in reports)

"""The bundled example processes validate cleanly (warnings allowed)."""

from procmap.config import Config
from procmap.linter import validate_paths


def test_bundled_processes_have_no_errors():
    report = validate_paths(["processes"], Config())
    assert report.files
    assert report.errors == 0, report.problems

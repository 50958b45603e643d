"""The bundled example processes validate cleanly (warnings allowed)."""

from procmap.config.project import Config
from procmap.lint.linter import validate_paths


def test_bundled_processes_have_no_errors():
    report = validate_paths(["processes"], Config())
    assert report.files
    assert report.errors == 0, report.problems

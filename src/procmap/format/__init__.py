"""The process format: reading a file, the model, and problems as data.

Offers the `Problem` record every layer speaks, the registry of its codes (`RULES`), the bounded YAML loader (positions for
every value), the pydantic model of the format, schema validation of loaded data into a
`Process`, the static type of a process from either reader (`ProcessLike` and its
parts: the model and the fast reader's records both are one), the flow graph of a
process, and the JSON Schema for editors.

The bottom layer: imports nothing else of procmap (docs/architecture.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

attach(
    __name__,
    {
        "accept": "fastcheck",
        "Flow": "graph",
        "Block": "graph",
        "Strand": "graph",
        "CriticalPath": "graph",
        "renamed_steps": "graph",
        "schema_text": "jsonschema",
        "Document": "loader",
        "MAX_BYTES": "loader",
        "decode": "loader",
        "load_file": "loader",
        "load_text": "loader",
        "CADENCES": "values",
        "GATEWAY_KINDS": "values",
        "KINDS": "values",
        "DATE_YEARS": "values",
        "CADENCE_PATTERN": "values",
        "ChangelogEntry": "model",
        "ControlPoint": "model",
        "DURATION_PATTERN": "values",
        "Dmaic": "model",
        "ExceptionCase": "model",
        "FORMAT_VERSION": "values",
        "ID_PATTERN": "values",
        "Measure": "model",
        "Metric": "model",
        "Process": "model",
        "Review": "model",
        "SHARES_TOLERANCE": "values",
        "STAGES": "values",
        "SYSTEMS": "values",
        "TIME_UNITS": "values",
        "Scope": "model",
        "Step": "model",
        "slugify": "values",
        "ChangelogEntryLike": "protocols",
        "ControlPointLike": "protocols",
        "DmaicLike": "protocols",
        "ExceptionCaseLike": "protocols",
        "ImprovementLike": "protocols",
        "MeasureLike": "protocols",
        "MetricLike": "protocols",
        "ProcessLike": "protocols",
        "ReviewLike": "protocols",
        "ScopeLike": "protocols",
        "StepLike": "protocols",
        "Checked": "problems",
        "Problem": "problems",
        "ProblemCounts": "problems",
        "Severity": "problems",
        "FAMILIES": "registry",
        "RULES": "registry",
        "Rule": "registry",
        "SelectorError": "registry",
        "expand": "registry",
        "check_document": "schema",
        "add_months": "values",
        "due_date": "values",
        "duration_minutes": "values",
        "suggest": "values",
        "visible": "values",
        "validate_document": "schema",
        "yaml_scalar": "yamltext",
    },
)

if TYPE_CHECKING:
    from .fastcheck import accept
    from .graph import Block, CriticalPath, Flow, Strand, renamed_steps
    from .jsonschema import schema_text
    from .loader import MAX_BYTES, Document, decode, load_file, load_text
    from .model import (
        ChangelogEntry,
        ControlPoint,
        Dmaic,
        ExceptionCase,
        Measure,
        Metric,
        Process,
        Review,
        Scope,
        Step,
    )
    from .problems import Checked, Problem, ProblemCounts, Severity
    from .protocols import (
        ChangelogEntryLike,
        ControlPointLike,
        DmaicLike,
        ExceptionCaseLike,
        ImprovementLike,
        MeasureLike,
        MetricLike,
        ProcessLike,
        ReviewLike,
        ScopeLike,
        StepLike,
    )
    from .registry import FAMILIES, RULES, Rule, SelectorError, expand
    from .schema import check_document, validate_document
    from .values import (
        CADENCE_PATTERN,
        CADENCES,
        DATE_YEARS,
        DURATION_PATTERN,
        FORMAT_VERSION,
        GATEWAY_KINDS,
        ID_PATTERN,
        KINDS,
        SHARES_TOLERANCE,
        STAGES,
        SYSTEMS,
        TIME_UNITS,
        add_months,
        due_date,
        duration_minutes,
        slugify,
        suggest,
        visible,
    )
    from .yamltext import yaml_scalar

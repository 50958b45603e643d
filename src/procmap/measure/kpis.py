"""The process's measured metrics (KPIs) and the status of its control plan.

Owns: the `actual` figure of each metric with `measure` (`rate` in percent of the cases
that reached FROM; `time` per case from the first FROM event to the first TO event after
it, in the metric's unit, one of `TIME_UNITS`: m, min, minute(s), h, hour(s), d, day(s),
w, week(s), as rule S015 holds them; `count`: events of the step per day, week or month
over the log's span), whether it meets its target, and each
`dmaic.control` entry of a measured metric against its threshold, with its position in
the process file.

Must not know: how the log is read, SQL beyond the `tables` it calls, how a result is shown.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..format import TIME_UNITS
from .tables import CaseVariant, Mapped, round6, step_events, time_between

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

    from ..format import MetricLike, ProcessLike
    from ..render import ControlFigures, MetricFigures

_PERIOD_DAYS = {"day": 1.0, "week": 7.0, "month": 365.2425 / 12}


def metrics(
    con: DuckDBPyConnection,
    e: Mapped,
    process: ProcessLike,
    variants: Sequence[CaseVariant],
    span: tuple[int | None, int | None],
) -> list[MetricFigures]:
    """The metrics with `measure`, in file order, measured from `e` and the variants;
    `span`: the first and last timestamp of the log (microseconds)."""
    result: list[MetricFigures] = []
    for mid, metric in process.metrics.items():
        if metric.measure is None:
            continue
        actual = _actual(con, e, metric, variants, span)
        meets: bool | None = None
        if actual is not None and metric.target is not None:
            target = float(metric.target)
            meets = actual >= target if metric.direction == "up" else actual <= target
        result.append(
            {
                "id": mid,
                "name": metric.name,
                "unit": metric.unit,
                "actual": round6(actual),
                "baseline": _figure(metric.baseline),
                "target": _figure(metric.target),
                "direction": metric.direction,
                "meets_target": meets,
            }
        )
    return result


def _actual(
    con: DuckDBPyConnection,
    e: Mapped,
    metric: MetricLike,
    variants: Sequence[CaseVariant],
    span: tuple[int | None, int | None],
) -> float | None:
    """The figure of `metric` (which has a `measure`: a rate, a time or a count)."""
    measure = metric.measure
    assert measure is not None
    if measure.rate is not None:
        return _rate(variants, *measure.rate)
    if measure.time is not None:
        src, dst = measure.time
        seconds = time_between(con, e, src, dst, measure.statistic)
        # The unit is one of TIME_UNITS: validation refuses a time in any other (S015).
        return None if seconds is None else seconds / TIME_UNITS[metric.unit or ""]
    assert measure.count is not None
    return _per_period(step_events(con, e, measure.count), span, measure.period)


def _rate(variants: Sequence[CaseVariant], src: str, dst: str) -> float | None:
    """Percent of the cases that reached `src` and reached `dst` after it."""
    reached = later = 0
    for v in variants:
        if src in v.steps:
            reached += v.cases
            if dst in v.steps[v.steps.index(src) + 1 :]:
                later += v.cases
    return 100.0 * later / reached if reached else None


def _per_period(events: int, span: tuple[int | None, int | None], period: str) -> float | None:
    """`events` per `period` (day, week, month) over `span` (None for a span of no time)."""
    first, last = span
    if first is None or last is None or last <= first:
        return None
    days = (last - first) / 86_400_000_000
    return events / (days / _PERIOD_DAYS[period])


def _figure(value: float | None) -> float | None:
    return None if value is None else float(value)


def control(
    process: ProcessLike, metrics: list[MetricFigures], source: str | os.PathLike[str] | None
) -> list[ControlFigures]:
    """Each `dmaic.control` entry of a measured metric (in `metrics`), in file order: up,
    below the threshold is a breach; down, above it. Its line and column in `source`, the
    process file (None when not given or unreadable)."""
    dmaic = process.dmaic
    if dmaic is None or not dmaic.control:
        return []
    by_id = {m["id"]: m for m in metrics}
    doc = None
    if source is not None:
        from ..format import load_file

        with contextlib.suppress(Exception):
            doc = load_file(source).document
    result: list[ControlFigures] = []
    for index, point in enumerate(dmaic.control):
        metric = by_id.get(point.metric)
        if metric is None:
            continue
        actual = metric["actual"]
        threshold = _figure(point.threshold)
        breached: bool | None = None
        if actual is not None and threshold is not None:
            breached = actual < threshold if metric["direction"] == "up" else actual > threshold
        line = column = None
        if doc is not None:
            line, column = doc.position(("dmaic", "control", index))
        result.append(
            {
                "metric": point.metric,
                "threshold": threshold,
                "actual": actual,
                "breached": breached,
                "line": line,
                "column": column,
            }
        )
    return result

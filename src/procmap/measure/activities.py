"""The log's activities mapped to the steps of a process.

Owns: which step an activity stands for (a step that declares it in `activities:`, else
a step whose id or name equals it, case and runs of whitespace ignored) and the unmapped
activities, the first `UNMAPPED_LISTED` listed and the rest counted, in memory bounded by
a chunk of activities and those that map.

Must not know: DuckDB or how the log is read (it is given (activity, events) chunks).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .logread import norm

if TYPE_CHECKING:
    from ..format import ProcessLike

#: Unmapped activities listed (most events first, then by name); the rest are counted
#: in `unmapped_more`.
UNMAPPED_LISTED = 20


@dataclass
class Activities:
    """The log's activities read against the map: `mapping` activity -> step id, the
    unmapped ones with their events, `listed` (the first `UNMAPPED_LISTED`, most events
    first, then by name) and the rest counted (`more`: activities, events)."""

    mapping: dict[str, str]
    listed: list[tuple[str, int]]
    more: tuple[int, int]


def step_of(process: ProcessLike, activities: list[str]) -> dict[str, str]:
    """activity -> step id: a step that declares it, else a step whose id or name equals
    it (case and runs of whitespace ignored)."""
    declared: dict[str, str] = {}
    named: dict[str, str] = {}
    for step in process.steps:
        for act in step.activities():
            declared.setdefault(act, step.id)
            declared.setdefault(norm(act), step.id)
    for step in process.steps:
        if not step.activities():
            named.setdefault(norm(step.id), step.id)
            named.setdefault(norm(step.name), step.id)
    mapping = {}
    for act in activities:
        hit = declared.get(act) or declared.get(norm(act)) or named.get(norm(act))
        if hit is not None:
            mapping[act] = hit
    return mapping


def map_activities(
    process: ProcessLike, chunks: Iterable[list[tuple[str, int]]]
) -> Activities | None:
    """`Activities` from (activity, events) in chunks, in memory bounded by a chunk and
    the activities that map; None when there are none."""
    mapping: dict[str, str] = {}
    unmapped: list[tuple[str, int]] = []
    more = [0, 0]
    seen = False

    def keep(items: list[tuple[str, int]]) -> list[tuple[str, int]]:
        items.sort(key=lambda item: (-item[1], item[0]))
        for _, events in items[UNMAPPED_LISTED:]:
            more[0] += 1
            more[1] += events
        return items[:UNMAPPED_LISTED]

    for chunk in chunks:
        seen = seen or bool(chunk)
        hits = step_of(process, [a for a, _ in chunk])
        mapping.update(hits)
        unmapped += [(a, n) for a, n in chunk if a not in hits]
        if len(unmapped) > 50 * UNMAPPED_LISTED:
            unmapped = keep(unmapped)
    if not seen:
        return None
    listed = keep(unmapped)
    return Activities(mapping, listed, (more[0], more[1]))

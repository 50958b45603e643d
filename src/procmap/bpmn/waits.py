"""Timers with a duration as waits: the time before the step after them (`wait:`).

Owns: `settle_waits`, which moves each timer's minutes (`kinds` read them, kind `timer`)
onto the element it holds up, and drops the timer from the flow (kind `merge`, stepped
over like a merging gateway). A timer holds up the element after it when that is its only
way in, so that the wait is that step's on every path: a task, a decision, a parallel
split or an end. In a file procmap exported, a timer marked `procmap:wait` with the id of
the join before it is that join's wait (a join's wait runs once its strands are done).
A timer's name that says more than its duration is kept in that step's description.

A timer that holds up no step on its own stays a task that waits (I013): one before a
join (it delays one strand, not the join), before a step other flows also reach, after
another timer, or one of the events an event-based gateway races.

Must not know: steps' fields (`steps` writes `wait:`), files.
"""

from __future__ import annotations

import re

from .durations import procmap_wait
from .elements import Item, Report, Wiring, procmap_element
from .kinds import read_as_task

#: A timer's name that only says its duration ("3 days", procmap's "Wait 3 days"): the
#: wait says it; any other name is kept in the description of the step it holds up.
_CAPTION = re.compile(
    r"^(?:wait\s+)?[0-9]+(?:[.,][0-9]+)?\s*(?:m|min|minutes?|h|hours?|d|days?|w|weeks?)$",
    re.IGNORECASE,
)
#: What a wait cannot be put on: a merge is dropped, a timer is no step.
_NO_WAIT = ("merge", "timer", "start")


def _held_up(iid: str, items: dict[str, Item], wiring: Wiring) -> str | None:
    """The element the timer `iid` holds up, or None when it holds up no step alone."""
    ins, outs = wiring.ins[iid], wiring.outs[iid]
    if len(ins) != 1 or len(outs) != 1:
        return None
    before = ins[0].get("sourceRef") or ""
    if before in items and items[before].node.name == "eventBasedGateway":
        return None
    marker = procmap_element(items[iid].node, "wait")
    if marker is not None and before in items and items[before].kind == "join":
        own = procmap_element(items[before].node, "step")
        if own is not None and own.get("id") == marker.get("step"):
            return before
    after = outs[0].get("targetRef") or ""
    if after not in items or items[after].kind in _NO_WAIT or len(wiring.ins[after]) != 1:
        return None
    return after


def settle_waits(items: dict[str, Item], wiring: Wiring, report: Report) -> None:
    """Each timer's wait on the element it holds up (the timer then dropped), else the
    timer a task that waits (I013)."""
    for iid, item in items.items():
        if item.kind != "timer" or item.wait is None:
            continue
        target = _held_up(iid, items, wiring)
        if target is not None:
            items[target].wait = (items[target].wait or 0.0) + item.wait
            item.kind = "merge"
            if item.name and not _CAPTION.match(item.name):
                items[target].notes.append(
                    f"In the BPMN file the wait before it is the timer {item.name!r}."
                )
            continue
        wait = procmap_wait(item.wait)
        item.name = item.name or f"Wait {wait}"
        read_as_task(
            report,
            item,
            f"waits {wait} but holds up no step on its own (a join, a step other flows"
            " reach, another timer or a race follows it): read as a task with that wait",
        )

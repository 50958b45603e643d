"""Give a simulated CSV log the long tail of a real one: rare extra activities and
swapped neighbours in a share of the cases, as helpdesk and loan exports show them.

Used by tests/test_discover.py (its reader and writer too) and bench/discover_bench.py;
deterministic for a seed.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

#: Rare activities a real log has that no map draws: (name, share of the cases).
RARE = (
    ("Change the priority", 0.04),
    ("Reassign to another agent", 0.03),
    ("Call the customer", 0.02),
    ("Merge with a duplicate", 0.01),
    ("Update the contact details", 0.01),
)


def long_tail(source: Path, target: Path, seed: int, swaps: float = 0.02) -> int:
    """Write `source` with rare activities inserted and neighbours swapped to `target`;
    returns how many cases were changed. Columns as `procmap simulate` writes them: the
    case first, the activity second, the timestamp third (an inserted event takes the
    time of the event before it)."""
    rng = random.Random(seed)
    head, by_case = read_cases(source)
    changed = 0
    for events in by_case.values():
        touched = False
        for name, share in RARE:
            if len(events) > 2 and rng.random() < share:
                at = rng.randrange(1, len(events) - 1)
                extra = list(events[at])
                extra[1] = name
                events.insert(at + 1, extra)
                touched = True
        if len(events) > 3 and rng.random() < swaps:
            at = rng.randrange(1, len(events) - 2)
            a, b = events[at], events[at + 1]
            a[1], b[1] = b[1], a[1]
            touched = True
        changed += touched
    write_cases(target, head, by_case)
    return changed


def read_cases(source: Path) -> tuple[list[str], dict[str, list[list[str]]]]:
    """A CSV log's header and its rows by case (the first column), in file order."""
    with source.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    by_case: dict[str, list[list[str]]] = {}
    for row in rows[1:]:
        by_case.setdefault(row[0], []).append(row)
    return rows[0], by_case


def write_cases(target: Path, head: list[str], by_case: dict[str, list[list[str]]]) -> None:
    """The header, then each case's rows, case after case."""
    with target.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(head)
        for events in by_case.values():
            writer.writerows(events)

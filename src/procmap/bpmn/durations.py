"""Waits as BPMN timer durations and back: procmap's `7d` as ISO 8601's `P7D`.

Owns: a wait's ISO 8601 duration for a timer's `timeDuration` (`iso_duration`), the
words a timer is named with (`spoken`), and the reading of a modeler's `timeDuration`
into minutes (`read_duration`) and back into a `wait:` (`procmap_wait`).

The export writes days, hours, minutes and seconds only (`1w` -> `P7D`, `36h` ->
`P1DT12H`, `45m` -> `PT45M`): every engine reads them. A week (`P1W`) is ISO 8601 but not
an XML Schema `xs:duration`, which Camunda 7 and Flowable parse timers as (through
`javax.xml.datatype`), so they refuse it; `P7D` means the same to all of them and to
Zeebe. The text is the bare duration, as Camunda Modeler writes it: SpiffWorkflow parses
the file, but its engine evaluates a timer's text as a Python expression and would need
`"P7D"` in quotes, which every other engine refuses. The import reads weeks too, and a
modeler's expression when it is a duration in quotes (`"P7D"`, SpiffWorkflow's) or FEEL's
`=duration("P7D")`.
Months and years have no fixed length and no unit in `wait:`: `read_duration` says so.

Must not know: XML, steps or problems (the callers report).
"""

from __future__ import annotations

import re

from ..format import duration_minutes

_ISO = re.compile(
    r"^P(?!$)(?:(?P<Y>\d+(?:[.,]\d+)?)Y)?(?:(?P<MO>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<W>\d+(?:[.,]\d+)?)W)?(?:(?P<D>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<H>\d+(?:[.,]\d+)?)H)?(?:(?P<MI>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<S>\d+(?:[.,]\d+)?)S)?)?$",
    re.IGNORECASE,
)
_WRAPPED = re.compile(r"""^=?\s*(?:duration\s*\(\s*)?(["']?)(?P<text>[^"']*)\1\s*\)?$""")
_MINUTES = {"W": 10080.0, "D": 1440.0, "H": 60.0, "MI": 1.0, "S": 1 / 60}
_WORDS = {"m": "minute", "min": "minute", "h": "hour", "d": "day", "w": "week"}


def iso_duration(wait: str) -> str:
    """The ISO 8601 duration of a `wait:` (`7d` -> `P7D`, `1w` -> `P7D`, `2h` -> `PT2H`,
    `1.5h` -> `PT1H30M`): days, hours, minutes and seconds, which every engine reads."""
    seconds = round(duration_minutes(wait) * 60, 3)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, rest = divmod(rest, 60)
    date = f"{_n(days)}D" if days else ""
    time = "".join(
        f"{_n(value)}{unit}" for value, unit in ((hours, "H"), (minutes, "M"), (rest, "S")) if value
    )
    if not date and not time:
        return "PT0S"
    return f"P{date}" + (f"T{time}" if time else "")


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(round(value, 3))


def spoken(wait: str) -> str:
    """A wait as words for a timer's name: `7d` -> `7 days`, `1w` -> `1 week`."""
    match = re.match(r"^([0-9.]+)\s*([a-z]+)$", wait.strip())
    if match is None:  # pragma: no cover - the model checked the spelling
        return wait
    number, unit = match.groups()
    word = _WORDS.get(unit, unit)
    return f"{number} {word}" + ("" if number == "1" else "s")


def read_duration(text: str) -> float | str:
    """The minutes of a timer's `timeDuration`, or why it is no `wait:` (months or years,
    or not an ISO 8601 duration)."""
    wrapped = _WRAPPED.match(text.strip())
    found = _ISO.match(wrapped.group("text").strip()) if wrapped else None
    if found is None:
        return "it is not an ISO 8601 duration procmap can read"
    parts = {k: float(v.replace(",", ".")) for k, v in found.groupdict().items() if v}
    if parts.get("Y") or parts.get("MO"):
        return "months and years have no fixed length, and `wait:` has no unit for them"
    return sum(value * _MINUTES[key] for key, value in parts.items() if key in _MINUTES)


def procmap_wait(minutes: float) -> str:
    """A `wait:` for `minutes`, in the largest unit that holds it whole (weeks are left
    to the author: `P7D` comes back as `7d`, as the modeler showed it)."""
    for unit, size in (("d", 1440), ("h", 60)):
        if minutes >= size and float(minutes / size).is_integer():
            return f"{int(minutes / size)}{unit}"
    if float(minutes).is_integer():
        return f"{int(minutes)}m"
    return f"{round(minutes, 4):g}m"

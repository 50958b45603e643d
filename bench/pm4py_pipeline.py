"""pm4py's pandas pipeline on an event-log CSV: the peer `make bench` times `procmap measure`
against (issue 8).

Owns: the work pm4py does for the figures `procmap measure` shares with it, as pm4py's
documentation shows it: `pandas.read_csv` of the three columns these figures need (case,
activity, timestamp) and `pm4py.format_dataframe`, then
`discover_dfg` (directly-follows counts), `discover_performance_dfg` (their times: mean,
median, max, min, sum, stdev), `get_all_case_durations` (throughput) and `get_variants`.
An XES log (`.xes`, `.xes.gz`, issue 17) is read with `pm4py.read_xes`, pm4py's
documented reader (every attribute: it has no column choice), the same three columns then
taken from its dataframe. Prints one JSON object: seconds per stage (inside this
interpreter, after imports) and a few sizes, so that a wrong run shows.

Why only three columns: with a `start_timestamp` column pm4py 2.7 measures a
directly-follows time from A's timestamp to B's *start* (procmap: to B's timestamp), and
`get_all_case_durations` fails with KeyError 'start_timestamp' (it selects the case and
timestamp columns, then reads the start column). Reading fewer columns also spares pm4py
work: procmap reads every column of the same file.

Runs only in bench/.data/pm4py-venv (installed from requirements/oracle.lock by
bench/measure_bench.py): pm4py is AGPL-3.0 and never a dependency of procmap, which this
file does not import.

Usage: bench/.data/pm4py-venv/bin/python bench/pm4py_pipeline.py LOG.csv|LOG.xes
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
import warnings

CASE, ACTIVITY, TIMESTAMP = "case:concept:name", "concept:name", "time:timestamp"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: pm4py_pipeline.py LOG.csv|LOG.xes\n")
        return 2
    with contextlib.redirect_stderr(io.StringIO()):  # pm4py prints a licence banner
        import pandas as pd
        import pm4py
    warnings.simplefilter("ignore")
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[name] = now - clock
        clock = now

    if argv[0].endswith((".xes", ".xes.gz")):
        df = pm4py.read_xes(argv[0])[[CASE, ACTIVITY, TIMESTAMP]]
        df = pm4py.format_dataframe(
            df, case_id=CASE, activity_key=ACTIVITY, timestamp_key=TIMESTAMP
        )
        lap("read_xes + format_dataframe")
    else:
        df = pd.read_csv(argv[0], usecols=[CASE, ACTIVITY, TIMESTAMP])
        df = pm4py.format_dataframe(
            df, case_id=CASE, activity_key=ACTIVITY, timestamp_key=TIMESTAMP
        )
        lap("read_csv + format_dataframe")
    dfg, _, _ = pm4py.discover_dfg(df)
    lap("discover_dfg")
    performance, _, _ = pm4py.discover_performance_dfg(df)
    lap("discover_performance_dfg")
    durations = pm4py.get_all_case_durations(df)
    lap("get_all_case_durations")
    variants = pm4py.get_variants(df)
    lap("get_variants")
    print(
        json.dumps(
            {
                "pm4py": pm4py.__version__,
                "pandas": pd.__version__,
                "seconds": seconds,
                "events": len(df),
                "pairs": len(dfg),
                "timed_pairs": len(performance),
                "cases": len(durations),
                "variants": len(variants),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

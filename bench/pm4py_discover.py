"""pm4py's inductive miner on a CSV log, for bench/discover_bench.py: run in the pm4py
interpreter (bench/.data/pm4py-venv); prints one JSON line: the seconds the discovery
took, the nodes of its BPMN model, and the share of traces its Petri net fits by
token-based replay.

Usage: pm4py-venv/bin/python bench/pm4py_discover.py LOG.csv
"""

from __future__ import annotations

import json
import sys
import time


def fit(path: str) -> dict[str, float]:
    """pm4py's IMf model of the log at `path`: the seconds its discovery took, its BPMN
    model's nodes, the share of traces its Petri net fits by token-based replay (used by
    tests/test_oracle_discover.py too)."""
    import pandas as pd
    import pm4py

    frame = pd.read_csv(path)
    if "lifecycle:transition" in frame.columns:  # activity instances: complete events
        frame = frame[frame["lifecycle:transition"].isin(["complete"])]
    frame["time:timestamp"] = pd.to_datetime(frame["time:timestamp"], utc=True, format="ISO8601")
    frame = pm4py.format_dataframe(
        frame,
        case_id="case:concept:name",
        activity_key="concept:name",
        timestamp_key="time:timestamp",
    )
    started = time.perf_counter()
    net, initial, final = pm4py.discover_petri_net_inductive(frame, noise_threshold=0.2)
    seconds = time.perf_counter() - started
    replayed = pm4py.conformance_diagnostics_token_based_replay(frame, net, initial, final)
    fitting = sum(1 for trace in replayed if trace["trace_is_fit"]) / len(replayed)
    nodes = len(pm4py.discover_bpmn_inductive(frame, noise_threshold=0.2).get_nodes())
    return {"seconds": seconds, "nodes": nodes, "fitness": fitting}


if __name__ == "__main__":
    print(json.dumps(fit(sys.argv[1])))

"""`procmap discover` (issue 20): its time against `procmap measure` on the same log, the
size and fitness of its draft, and pm4py's inductive miner beside it.

Owns:
1. Two logs shaped like real ones, made once and reused from bench/.data while their
   recipe is unchanged: a helpdesk-like export (`procmap simulate
   tests/discover_logs/helpdesk.yaml --cases 3000`, then a long tail: five rare activities
   and swapped neighbours in about 10 % of the cases, tests/discover_logs/longtail.py), and
   a loan-application-like log (tests/discover_logs/loan.yaml, 23 activities with a parallel
   block, decisions and loops, `--lifecycle full`: schedule, start and complete rows and some
   aborted instances, resources; with the same long tail; about 250,000 rows).
2. On each: `procmap discover LOG -o DRAFT` and `procmap measure DRAFT LOG -f json`, each a
   separate process timed from outside (bench.py's `run`), `rounds` times (medians);
   printed: discover's time over measure's (issue 20: at most 0.5), the draft's steps (at
   most 25) and its fitness on its own log (at least 80 %).
3. The peer, when its interpreter can be installed (bench/.data/pm4py-venv, as for the
   measure section): pm4py's inductive miner, infrequent variant (noise 0.2), its time,
   its BPMN model's nodes, and the share of traces its Petri net fits by token-based replay
   (bench/pm4py_discover.py).

Must not know: procmap's internals. It calls the `procmap` command.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
LOGS = ROOT / "tests" / "discover_logs"
TIME_TARGET = 0.5  # discover / measure on the same log
STEPS_TARGET = 25
FITNESS_TARGET = 0.8
#: name -> (process, cases, lifecycle)
RECIPES = {
    "helpdesk": ("helpdesk.yaml", 3000, "none"),
    "loan": ("loan.yaml", 9000, "full"),
}

sys.path.insert(0, str(BENCH))
from measure_bench import Runner, _procmap, _recipe, pm4py_python, progress  # noqa: E402


def ensure_log(data: Path, name: str) -> Path:
    """The log `name` of RECIPES, made once (its recipe in the file name)."""
    process, cases, lifecycle = RECIPES[name]
    key = _recipe(
        (LOGS / process).read_text(), (LOGS / "longtail.py").read_text(), cases, lifecycle
    )
    log = data / f"discover-{name}-{key}.csv"
    if log.exists():
        return log
    progress(f"making the {name} log ({cases} cases)")
    with tempfile.TemporaryDirectory() as tmp:
        clean = Path(tmp) / "clean.csv"
        subprocess.run(
            [_procmap(), "simulate", str(LOGS / process), "--cases", str(cases), "--seed", "3",
             "--lifecycle", lifecycle, "-o", str(clean), "-q"],
            check=True,
        )  # fmt: skip
        sys.path.insert(0, str(LOGS))
        from longtail import long_tail

        part = log.with_suffix(".part")
        long_tail(clean, part, seed=7)
        part.rename(log)
    return log


def run(data: Path, runner: Runner, rounds: int, notes: list[str]) -> dict[str, Any]:
    """The figures on each log (see the module)."""
    results: dict[str, Any] = {}
    peer = _peer(data, notes)
    for name in RECIPES:
        log = ensure_log(data, name)
        draft = data / f"discover-{name}-draft.yaml"
        discover = [
            _timed(runner, [_procmap(), "discover", str(log), "-o", str(draft), "--force", "-q"])
            for _ in range(rounds)
        ]
        measure: list[float] = []
        figures: dict[str, Any] = {}
        for _ in range(rounds):
            seconds, figures = _measure(draft, log)
            measure.append(seconds)
        steps = sum(
            1
            for line in draft.read_text(encoding="utf-8").splitlines()
            if line.startswith("  - id: ")
        )
        results[name] = {
            "rows": sum(1 for _ in log.open(encoding="utf-8")) - 1,
            "cases": figures.get("cases"),
            "discover_s": statistics.median(discover),
            "measure_s": statistics.median(measure),
            "steps": steps,
            "fitness": figures.get("conformance", {}).get("fitness"),
        }
        if peer is not None:
            progress(f"pm4py's inductive miner on the {name} log")
            done = subprocess.run(
                [str(peer), str(BENCH / "pm4py_discover.py"), str(log)],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if done.returncode == 0:
                results[name]["pm4py"] = json.loads(done.stdout.strip().splitlines()[-1])
            else:
                notes.append(f"Discover: pm4py on {name} failed: {done.stderr.strip()[-300:]}")
    return results


def _peer(data: Path, notes: list[str]) -> Path | None:
    return pm4py_python(data, notes)


def _timed(runner: Runner, cmd: list[str]) -> float:
    done = runner(cmd, 600, subprocess.DEVNULL)
    if done.status != 0:
        raise RuntimeError(f"{' '.join(cmd[1:3])} exited {done.status}")
    return float(done.seconds)


def _measure(draft: Path, log: Path) -> tuple[float, dict[str, Any]]:
    import time

    started = time.perf_counter()
    done = subprocess.run(
        [_procmap(), "measure", str(draft), str(log), "-f", "json", "-q"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise RuntimeError(f"measure exited {done.returncode}: {done.stderr.strip()[-300:]}")
    return seconds, json.loads(done.stdout)


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(m: dict[str, Any]) -> list[str]:
    lines = ["Discover (bench/discover_bench.py): the draft, against measure on the same log"]
    for name, r in m.items():
        ratio = r["discover_s"] / r["measure_s"] if r["measure_s"] else float("nan")
        fitness = r["fitness"] or 0.0
        lines.append(f"  {name}: {r['rows']:,} rows, {r['cases']:,} cases")
        lines.append(
            f"    procmap discover {r['discover_s']:.2f} s, procmap measure {r['measure_s']:.2f} s:"
            f" ratio {ratio:.2f} (target <= {TIME_TARGET}) {_verdict(ratio <= TIME_TARGET)}"
        )
        lines.append(
            f"    draft: {r['steps']} steps (target <= {STEPS_TARGET}) {_verdict(r['steps'] <= STEPS_TARGET)},"
            f" fitness {fitness:.1%} (target >= {FITNESS_TARGET:.0%}) {_verdict(fitness >= FITNESS_TARGET)}"
        )
        peer = r.get("pm4py")
        if peer:
            lines.append(
                f"    pm4py inductive miner (IMf, noise 0.2): {peer['seconds']:.2f} s, {peer['nodes']}"
                f" BPMN nodes, fitness {peer['fitness']:.1%} (token-based replay);"
                f" procmap's draft {'fits at least as much' if fitness >= peer['fitness'] else 'fits less'}"
                f" with {'fewer' if r['steps'] < peer['nodes'] else 'more'} nodes"
            )
    return lines

"""`procmap measure` speed and memory (issue 8): against pm4py on a 1-million-event log,
and alone on a 10-million-event log.

Owns:
1. The logs, made once and reused from bench/.data while their recipe is unchanged:
   - about 1,000,000 events: `procmap simulate processes/content-production.yaml
     --cases 122000 --rate 250 --seed 1` (a process with three decisions and loops back
     for rework; about 1M events, the count printed by the report);
   - about 10,000,000 events: ten copies of that log one after another, copy k with its
     case ids suffixed `-k` and every timestamp shifted by k times (the log's span plus
     a day), written by DuckDB (`procmap simulate` holds every event in memory: 89,000
     cases took 35 s and 430 MB here, so 890,000 would take some six minutes and 4 GB,
     not tried). Each copy starts after the previous one ends, so the file is in time
     order, as exports are.
   - the same ~1M events as XES (`--format xes`, a `<trace>` per case), simulated once
     and cached the same way (issue 17).
2. The peer: pm4py's pandas pipeline (bench/pm4py_pipeline.py) in its own interpreter
   from bench/.data/pm4py-venv, installed on first use from requirements/oracle.lock
   with hashes (pm4py is AGPL-3.0: a benchmark peer and test oracle only). When it
   cannot be installed, the report says so and leaves the comparison out.
3. The measurements, each a separate process timed from outside (wall time and peak RSS
   from `os.wait4`, bench.py's `run`): `procmap measure P LOG -f json` and the pipeline,
   in turn, `rounds` times (medians of the times, the highest peaks); then procmap once on
   the 10M log. Printed: both ratios procmap/pm4py against issue 8's targets (time <= 0.2,
   aim 0.1; peak memory <= 0.5) and the 10M peak against 2048 MB. On the XES log:
   procmap `rounds` times, pm4py's pipeline (`pm4py.read_xes` first) once, its run
   being long; both ratios against issue 17's targets (time <= 0.25, aim 0.1; peak
   memory <= 0.5), and procmap's XES time over its CSV time.

Must not know: procmap's internals. It calls the `procmap` command; DuckDB (procmap's own
dependency, in the bench's interpreter) only writes the 10M file.

Usage: python bench/bench.py --measure-only   (or `make bench`, which runs this too)
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PROCESS = Path("processes") / "content-production.yaml"
CASES, RATE, SEED = 122_000, 250.0, 1
COPIES = 10  # the 10M log: this many shifted copies of the 1M one
ORACLE_LOCK = ROOT / "requirements" / "oracle.lock"
TIME_TARGET, TIME_AIM = 0.2, 0.1  # procmap / pm4py wall time, issue 8
MEMORY_TARGET = 0.5  # procmap / pm4py peak memory
XES_TIME_TARGET = 0.25  # procmap / pm4py wall time on the XES log, issue 17
BIG_TARGET_MB = 2048  # the 10M log

#: `run(cmd, timeout, stdout)` from bench.py: wall seconds, exit status, peak RSS (KB).
Runner = Callable[..., Any]


def progress(message: str) -> None:
    sys.stderr.write(f"bench: {message}\n")
    sys.stderr.flush()


def _procmap() -> str:
    return str(Path(sys.executable).parent / "procmap")


def _recipe(*parts: object) -> str:
    """A short digest of what a cached file is made from: a new recipe, a new file."""
    text = "\n".join(str(p) for p in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def ensure_log(data: Path, log_format: str = "csv") -> Path:
    """The ~1M-event log, simulated once (procmap's own simulate, its output cached): a
    CSV, or with `log_format="xes"` the same events as XES (a `<trace>` per case)."""
    process = ROOT / PROCESS
    source = (ROOT / "src" / "procmap" / "measure" / "simulate.py").read_bytes()
    extra = () if log_format == "csv" else (log_format,)  # the CSV's key as it always was
    key = _recipe(process.read_bytes(), source, CASES, RATE, SEED, *extra)
    path = data / f"measure-{process.stem}-{CASES}-{key}.{log_format}"
    if not path.exists():
        shown = "" if log_format == "csv" else f" as {log_format.upper()}"
        progress(f"simulating {CASES} cases of {PROCESS}{shown} (about 1M events, once)")
        done = subprocess.run(
            [
                _procmap(),
                *("simulate", str(PROCESS), "--cases", str(CASES), "--format", log_format),
                *("--rate", str(RATE), "--seed", str(SEED), "-o", str(path)),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"procmap simulate exited {done.returncode}: {done.stderr[-300:]}")
    return path


def ensure_big_log(data: Path, log: Path) -> Path:
    """The ~10M-event log: `COPIES` copies of `log`, each shifted past the one before.

    Written by a child process (`_write_big`): every process the benchmark starts
    inherits its parent's peak memory in `ru_maxrss` (the fork copies it), so the parent
    must stay small."""
    path = data / f"{log.stem}-x{COPIES}.csv"
    if path.exists():
        return path
    progress(f"writing {COPIES} shifted copies of {log.name} (about 10M events, once)")
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--big", str(log), str(path)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"writing {path.name} failed: {done.stderr.strip()[-300:]}")
    return path


def _write_big(log: Path, path: Path) -> None:
    """Copy k of `log`: case ids suffixed `-k`, timestamps shifted by k times (the span
    plus a day); the copies one after another, so the file stays in time order."""
    import shutil

    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET preserve_insertion_order = true")
    con.execute(
        "CREATE TABLE one AS SELECT * FROM read_csv(?, all_varchar = true, header = true)",
        [str(log)],
    )
    first, last = con.execute(
        'SELECT min("time:timestamp"::TIMESTAMPTZ), max("time:timestamp"::TIMESTAMPTZ) FROM one'
    ).fetchone()
    shift_us = round(((last - first).total_seconds() + 86_400) * 1e6)
    fmt = "%Y-%m-%dT%H:%M:%S.%gZ"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            for k in range(COPIES):
                part = f"{tmp}.{k}"
                shift = f"to_microseconds({k * shift_us}::BIGINT)"
                con.execute(
                    f"""COPY (
                         SELECT "case:concept:name" || '-{k}' AS "case:concept:name",
                                "concept:name",
                                strftime("time:timestamp"::TIMESTAMPTZ + {shift}, '{fmt}')
                                  AS "time:timestamp",
                                strftime("start_timestamp"::TIMESTAMPTZ + {shift}, '{fmt}')
                                  AS "start_timestamp",
                                "org:resource"
                         FROM one)
                       TO '{part}' (HEADER {"true" if k == 0 else "false"}, DELIMITER ',')"""
                )
                with open(part, "rb") as chunk:
                    shutil.copyfileobj(chunk, out, 1 << 20)
                os.unlink(part)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        for leftover in (tmp, *(f"{tmp}.{k}" for k in range(COPIES))):
            if os.path.exists(leftover):
                os.unlink(leftover)
        raise
    finally:
        con.close()


def pm4py_python(data: Path, notes: list[str]) -> Path | None:
    """The interpreter of bench/.data/pm4py-venv, installed from oracle.lock when missing
    or when the lock changed; None (with a note) when that fails."""
    venv = data / "pm4py-venv"
    python = venv / "bin" / "python"
    stamp = venv / ".oracle-lock"
    wanted = hashlib.sha256(ORACLE_LOCK.read_bytes()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    progress("installing pm4py into bench/.data/pm4py-venv from requirements/oracle.lock (once)")
    try:
        subprocess.run(
            [sys.executable, "-m", "venv", "--clear", str(venv)],
            check=True,
            capture_output=True,
            timeout=300,
        )
        subprocess.run(
            [
                str(python),
                *("-m", "pip", "install", "--quiet", "--disable-pip-version-check"),
                *("--require-hashes", "--no-deps", "-r", str(ORACLE_LOCK)),
            ],
            check=True,
            capture_output=True,
            timeout=900,
        )
    except (OSError, subprocess.SubprocessError) as error:
        detail = getattr(error, "stderr", b"") or b""
        tail = detail.decode(errors="replace").strip().splitlines()[-1:] if detail else []
        notes.append(
            "Measure: pm4py could not be installed into bench/.data/pm4py-venv"
            f" ({error}{'; ' + tail[0] if tail else ''}); the comparison is left out."
        )
        return None
    stamp.write_text(wanted)
    return python


def run(data: Path, runner: Runner, rounds: int, notes: list[str]) -> dict[str, Any]:
    """Every measurement of the section, as plain figures (see `report` for the text)."""
    log = ensure_log(data)
    big = ensure_big_log(data, log)
    python = pm4py_python(data, notes)
    mine = [_procmap(), "measure", str(PROCESS), os.path.relpath(log, ROOT), "-f", "json"]
    theirs = (
        [str(python), str(BENCH / "pm4py_pipeline.py"), os.path.relpath(log, ROOT)]
        if python
        else None
    )
    times: dict[str, list[float]] = {"procmap": [], "pm4py": []}
    peaks: dict[str, int] = {"procmap": 0, "pm4py": 0}
    stages: dict[str, Any] = {}
    for i in range(rounds):
        progress(f"measure: 1M events, round {i + 1} of {rounds}")
        got = runner(mine)
        if got.status != 0:
            raise RuntimeError(f"procmap measure exited {got.status} on {log}")
        times["procmap"].append(got.seconds)
        peaks["procmap"] = max(peaks["procmap"], got.maxrss_kb)
        if theirs is None:
            continue
        with tempfile.TemporaryFile() as out:
            got = runner(theirs, stdout=out)
            out.seek(0)
            text = out.read().decode()
        if got.status != 0:
            notes.append(f"Measure: the pm4py pipeline exited {got.status}; left out.")
            theirs = None
            continue
        times["pm4py"].append(got.seconds)
        peaks["pm4py"] = max(peaks["pm4py"], got.maxrss_kb)
        stages = json.loads(text)
    xes = _xes_figures(data, runner, rounds, python, notes)
    progress(f"measure: {COPIES}x the log (about 10M events), once")
    got = runner([_procmap(), "measure", str(PROCESS), os.path.relpath(big, ROOT), "-f", "json"])
    if got.status != 0:
        raise RuntimeError(f"procmap measure exited {got.status} on {big}")
    result: dict[str, Any] = {
        "process": str(PROCESS),
        "log": os.path.relpath(log, ROOT),
        "log_bytes": log.stat().st_size,
        "events": _events(log),
        "rounds": rounds,
        "procmap_seconds": statistics.median(times["procmap"]),
        "procmap_peak_mb": peaks["procmap"] / 1024,
        "big_log": os.path.relpath(big, ROOT),
        "big_log_bytes": big.stat().st_size,
        "big_events": _events(log) * COPIES,
        "big_seconds": got.seconds,
        "big_peak_mb": got.maxrss_kb / 1024,
        "big_target_mb": BIG_TARGET_MB,
        **xes,
    }
    if times["pm4py"]:
        result.update(
            {
                "pm4py_seconds": statistics.median(times["pm4py"]),
                "pm4py_peak_mb": peaks["pm4py"] / 1024,
                "pm4py_stages": stages,
                "time_ratio": result["procmap_seconds"] / statistics.median(times["pm4py"]),
                "memory_ratio": peaks["procmap"] / peaks["pm4py"],
                "time_target": TIME_TARGET,
                "time_aim": TIME_AIM,
                "memory_target": MEMORY_TARGET,
            }
        )
    return result


def _xes_figures(
    data: Path, runner: Runner, rounds: int, python: Path | None, notes: list[str]
) -> dict[str, Any]:
    """`procmap measure` on the XES copy of the 1M log, `rounds` times (median time,
    highest peak), and pm4py's pipeline on it once (`pm4py.read_xes`, then the same
    stages: about 100 s, so not in every round)."""
    xes = ensure_log(data, "xes")
    shown = os.path.relpath(xes, ROOT)
    times: list[float] = []
    peak = 0
    for i in range(rounds):
        progress(f"measure: 1M events of XES, round {i + 1} of {rounds}")
        got = runner([_procmap(), "measure", str(PROCESS), shown, "-f", "json"])
        if got.status != 0:
            raise RuntimeError(f"procmap measure exited {got.status} on {xes}")
        times.append(got.seconds)
        peak = max(peak, got.maxrss_kb)
    out: dict[str, Any] = {
        "xes_log": shown,
        "xes_log_bytes": xes.stat().st_size,
        "xes_seconds": statistics.median(times),
        "xes_peak_mb": peak / 1024,
    }
    if python is None:
        return out
    progress("measure: pm4py's pipeline on the XES log, once")
    with tempfile.TemporaryFile() as text:
        got = runner([str(python), str(BENCH / "pm4py_pipeline.py"), shown], stdout=text)
        text.seek(0)
        stages = text.read().decode()
    if got.status != 0:
        notes.append(f"Measure: the pm4py pipeline exited {got.status} on the XES log; left out.")
        return out
    out.update(
        {
            "pm4py_xes_seconds": got.seconds,
            "pm4py_xes_peak_mb": got.maxrss_kb / 1024,
            "pm4py_xes_stages": json.loads(stages),
            "xes_time_ratio": out["xes_seconds"] / got.seconds,
            "xes_memory_ratio": peak / got.maxrss_kb,
            "xes_time_target": XES_TIME_TARGET,
        }
    )
    return out


def _events(log: Path) -> int:
    with log.open("rb") as handle:
        return sum(1 for _ in handle) - 1


def _verdict(value: float, limit: float) -> str:
    return "ok" if value <= limit else "MISSED"


def report(m: dict[str, Any]) -> list[str]:
    """The section's lines for bench.py's text report."""
    out = [
        f"Measure: {m['process']}, {m['events']:,} events ({m['log_bytes'] / 1e6:.0f} MB),"
        f" {m['log']}",
        f"  Each command as a new process, in turn, {m['rounds']} round"
        f"{'s' if m['rounds'] != 1 else ''}: median wall time, highest peak RSS.",
        f"  procmap measure -f json         {m['procmap_seconds']:7.2f} s"
        f"  {m['procmap_peak_mb']:6.0f} MB",
    ]
    if "pm4py_seconds" in m:
        stages = m["pm4py_stages"]
        out.append(
            f"  pm4py {stages.get('pm4py', '?')} pandas pipeline   {m['pm4py_seconds']:7.2f} s"
            f"  {m['pm4py_peak_mb']:6.0f} MB"
        )
        inside = ", ".join(f"{k} {v:.2f} s" for k, v in stages.get("seconds", {}).items())
        out.append(f"    (inside, last round: {inside})")
        t, mem = m["time_ratio"], m["memory_ratio"]
        verdict = _verdict(t, TIME_TARGET) + (", aim met" if t <= TIME_AIM else "")
        out.append(
            f"  ratio time procmap/pm4py     {t:6.2f}   target <= {TIME_TARGET}, aim {TIME_AIM}:"
            f" {verdict}"
        )
        out.append(
            f"  ratio peak memory procmap/pm4py {mem:6.2f}   target <= {MEMORY_TARGET}:"
            f" {_verdict(mem, MEMORY_TARGET)}"
        )
    out.extend(_xes_report(m))
    out.append(
        f"  {m['big_events']:,} events ({m['big_log_bytes'] / 1e9:.1f} GB, {COPIES} shifted"
        f" copies), once: {m['big_seconds']:.1f} s, peak {m['big_peak_mb']:.0f} MB,"
        f" target < {BIG_TARGET_MB} MB: {_verdict(m['big_peak_mb'], BIG_TARGET_MB)}"
    )
    return out


def _xes_report(m: dict[str, Any]) -> list[str]:
    """The XES lines of the section (none from a run that did not measure XES)."""
    if "xes_seconds" not in m:
        return []
    out = [
        f"  The same events as XES ({m['xes_log_bytes'] / 1e6:.0f} MB), {m['xes_log']}:",
        f"  procmap measure -f json (XES)   {m['xes_seconds']:7.2f} s  {m['xes_peak_mb']:6.0f} MB"
        f"   ({m['xes_seconds'] / m['procmap_seconds']:.1f}x its time on the CSV)",
    ]
    if "pm4py_xes_seconds" in m:
        stages = m["pm4py_xes_stages"]
        out.append(
            f"  pm4py {stages.get('pm4py', '?')} read_xes pipeline, once"
            f" {m['pm4py_xes_seconds']:7.2f} s  {m['pm4py_xes_peak_mb']:6.0f} MB"
        )
        inside = ", ".join(f"{k} {v:.2f} s" for k, v in stages.get("seconds", {}).items())
        out.append(f"    (inside: {inside})")
        t, mem = m["xes_time_ratio"], m["xes_memory_ratio"]
        verdict = _verdict(t, XES_TIME_TARGET) + (", aim met" if t <= TIME_AIM else "")
        out.append(
            f"  ratio time procmap/pm4py (XES)  {t:6.2f}   target <= {XES_TIME_TARGET},"
            f" aim {TIME_AIM}: {verdict}"
        )
        out.append(
            f"  ratio peak memory (XES)         {mem:6.2f}   target <= {MEMORY_TARGET}:"
            f" {_verdict(mem, MEMORY_TARGET)}"
        )
    return out


if __name__ == "__main__":
    if sys.argv[1:2] == ["--big"] and len(sys.argv) == 4:
        _write_big(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.stderr.write("usage: python bench/bench.py --measure-only\n")
        raise SystemExit(2)

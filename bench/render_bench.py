"""`procmap render` speed: drawing 200 processes of 40 steps, re-rendering unchanged, and
the live preview's save-to-reload time.

Owns: three measurements, each against a floor measured in the same run:
1. `procmap render -f svg` on 200 generated processes of 40 steps vs Graphviz `dot -Tsvg`
   run on the same 200 DOT files one after another (target <= 1.0, aim 0.6);
2. `procmap render` again with nothing changed (every output skipped) vs
   `procmap validate` of the same files (target <= 1.2, issue 16);
3. `procmap serve` on 12 of those processes (issue 10): from writing a changed 40-step
   file to the reload event on the page's event stream (the user's wait: watcher,
   validation, drawing, the page), median of SERVE_ROUNDS saves, against the one-second
   budget and against `dot -Tsvg` of that one map (the floor of any redraw).
Every timed command runs as a separate process, as a user would run it.

Must not know: procmap's internals; it calls the `procmap` command and bench/generate.py.

Usage: python bench/render_bench.py   (or through `make bench`, which calls `run`)
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
DATA = BENCH / ".data"
PROCESSES, STEPS = 200, 40
DRAW_TARGET, DRAW_AIM = 1.0, 0.6
RERENDER_TARGET = 1.2  # issue 16: an unchanged re-render costs little more than validating
SERVE_BUDGET = 1.0  # seconds from save to reload, issue 10
SERVE_ROUNDS = 7
SERVE_PROCESSES = 12
ROUNDS = 3  # each figure is the median of this many runs
PROCMAP = [sys.executable, "-m", "procmap"]


def _timed(cmd: list[str], ok: tuple[int, ...] = (0, 1)) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        raise RuntimeError(f"{' '.join(cmd[:6])}... exited {done.returncode}: {done.stderr[-300:]}")
    return elapsed


def _verdict(value: float, limit: float) -> str:
    return "ok" if value <= limit else "MISSED"


def serve_latency(folder: Path, work: Path) -> tuple[float, float]:
    """Median seconds from save to the reload event, and `dot -Tsvg` of that map."""
    import re
    import urllib.request

    site = work / "serve"
    site.mkdir()
    for path in sorted(folder.rglob("*.yaml"))[:SERVE_PROCESSES]:
        shutil.copy(path, site / path.name)
    target = sorted(site.glob("*.yaml"))[0]
    server = subprocess.Popen(
        [*PROCMAP, "serve", str(site), "--port", "0", "--no-measure", "-o", str(work / "out")],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stderr is not None
        line = server.stderr.readline()
        while line and "Serving" not in line:
            line = server.stderr.readline()
        found = re.search(r"(http://[0-9.:]+/)", line)
        if found is None:
            raise RuntimeError(f"procmap serve did not start: {line!r}")
        stream = urllib.request.urlopen(found[1] + "_procmap/events", timeout=30)
        stream.readline(), stream.readline()  # ": connected"
        times = []
        text = target.read_text(encoding="utf-8")
        for round_ in range(SERVE_ROUNDS):
            time.sleep(0.3)  # as between two saves
            changed = text.replace("name: ", f"name: R{round_} ", 2)
            start = time.perf_counter()
            target.write_text(changed, encoding="utf-8")
            while stream.readline() != b"data: reload\n":
                pass
            times.append(time.perf_counter() - start)
            stream.readline()
        stream.close()
    finally:
        server.terminate()
        server.wait(10)
    _timed([*PROCMAP, "render", str(target), "-f", "dot", "-o", str(work / "one"), "-q"])
    dot_file = next((work / "one").glob("*.dot"))
    floors = []
    for _ in range(SERVE_ROUNDS):
        start = time.perf_counter()
        subprocess.run(["dot", "-Tsvg", str(dot_file), "-o", str(work / "one.svg")], check=True)
        floors.append(time.perf_counter() - start)
    return statistics.median(times), statistics.median(floors)


def run(data_dir: Path = DATA) -> list[tuple[str, str]]:
    """Run both measurements; (label, report lines) pairs for bench/bench.py."""
    if shutil.which("dot") is None:
        return [("render", "skipped: Graphviz dot is not installed")]
    sys.path.insert(0, str(BENCH))
    import generate

    folder = generate.ensure(PROCESSES, STEPS, seed=1)
    with tempfile.TemporaryDirectory(prefix="procmap-render-bench-", dir=data_dir) as tmp:
        work = Path(tmp)
        # 1. drawing: the DOT files first (untimed), then dot one after another
        dots = work / "dot"
        _timed([*PROCMAP, "render", str(folder), "-f", "dot", "-o", str(dots), "--no-index", "-q"])
        files = sorted(dots.glob("*.dot"))
        svg_out = work / "svg"
        svg = [*PROCMAP, "render", str(folder), "-f", "svg", "-o", str(svg_out), "--no-index", "-q"]
        floors, draws = [], []
        for _ in range(ROUNDS):  # interleaved, so a busy moment hits both sides
            start = time.perf_counter()
            for path in files:
                subprocess.run(
                    ["dot", "-Tsvg", str(path), "-o", str(work / "floor.svg")], check=True
                )
            floors.append(time.perf_counter() - start)
            shutil.rmtree(svg_out, ignore_errors=True)
            draws.append(_timed(svg))
        floor, drawn = statistics.median(floors), statistics.median(draws)
        draw_ratio = drawn / floor
        # 2. re-rendering with nothing changed, against validation of the same files
        full = work / "full"
        _timed([*PROCMAP, "render", str(folder), "-o", str(full), "-q"])
        again = [*PROCMAP, "render", str(folder), "-o", str(full), "-q"]
        validate = [*PROCMAP, "validate", str(folder), "-q"]
        rerender_times, validate_times = [], []
        for _ in range(ROUNDS):
            rerender_times.append(_timed(again))
            validate_times.append(_timed(validate))
        rerender, validated = statistics.median(rerender_times), statistics.median(validate_times)
        rerender_ratio = rerender / validated
        # 3. the live preview
        reload_time, one_dot = serve_latency(folder, work)
    return [
        (
            f"draw {len(files)} processes of {STEPS} steps to SVG (median of {ROUNDS})",
            f"procmap render -f svg: {drawn:.2f} s; dot -Tsvg one after another: {floor:.2f} s\n"
            f"ratio {draw_ratio:.2f}, target <= {DRAW_TARGET}, aim {DRAW_AIM}:"
            f" {_verdict(draw_ratio, DRAW_TARGET)}",
        ),
        (
            f"re-render with nothing changed (median of {ROUNDS})",
            f"procmap render: {rerender:.2f} s; procmap validate: {validated:.2f} s\n"
            f"ratio {rerender_ratio:.2f}, target <= {RERENDER_TARGET}:"
            f" {_verdict(rerender_ratio, RERENDER_TARGET)}",
        ),
        (
            f"procmap serve: save a {STEPS}-step process, until the page is told to reload"
            f" (median of {SERVE_ROUNDS})",
            f"{reload_time:.2f} s, budget <= {SERVE_BUDGET:.1f} s:"
            f" {_verdict(reload_time, SERVE_BUDGET)}; dot -Tsvg of that map alone:"
            f" {one_dot:.2f} s (ratio {reload_time / one_dot:.1f})",
        ),
    ]


if __name__ == "__main__":
    DATA.mkdir(exist_ok=True)
    for label, lines in run(DATA):
        print(label)
        for line in lines.splitlines():
            print(f"  {line}")

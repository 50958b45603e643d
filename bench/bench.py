"""`make bench`: how fast procmap validates, as ratios against floors measured in the same run.

Owns: running and timing the commands (always as separate processes, so no run warms
another's imports or memory), the floors (a bare interpreter, libyaml composing the same
text), the comparison tools (yamllint and check-jsonschema, installed on first use into
bench/.data/tools-venv), peak memory, the render hook (bench/render_bench.py, when present),
the measure section (bench/measure_bench.py: `procmap measure` against pm4py, issue 8),
the discover section (bench/discover_bench.py: `procmap discover` against measure and
pm4py's inductive miner, issue 20)
and the report, as text or JSON. Progress goes to stderr; the report to stdout.

Must not know: procmap's internals. It calls the `procmap` command and the library entry
point `procmap.lint.validate_paths`, nothing else. Timings never go into the test suite.

Usage: python bench/bench.py [--quick] [--full-tools] [--processes N] [--steps S] [--seed K]
                             [--runs R] [--json] [--measure-only] [--discover-only]
                             [--no-measure]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / ".data"
TOOLS_VENV = DATA / "tools-venv"
SAMPLE = Path("processes") / "webinar-funnel.yaml"
SCHEMA = DATA / "process.schema.json"
PYTHON = sys.executable

SINGLE_AIM = 0.12  # seconds, issue 2
#: One-file validate against yamllint (issue 7): at most 1.0, aim 0.8.
YAMLLINT_TARGET, YAMLLINT_AIM = 1.0, 0.8
REPO_TARGET, REPO_AIM = 1.5, 1.0  # procmap / libyaml floor, issue 2
MEMORY_TARGET_MB = 300

COMPOSE_ONE = (
    "import sys, yaml; yaml.compose(open(sys.argv[1], encoding='utf-8').read(),"
    " Loader=yaml.CSafeLoader)"
)


def progress(message: str) -> None:
    sys.stderr.write(f"bench: {message}\n")
    sys.stderr.flush()


# Running commands ----------------------------------------------------------------------


@dataclass
class Run:
    seconds: float  # wall time from start to exit
    status: int  # exit status
    maxrss_kb: int  # peak resident set of the process and the children it waited for


def run(cmd: list[str], timeout: float = 900.0, stdout: Any = None) -> Run:
    """Run `cmd` in the project folder with output discarded (or written to the file
    object `stdout`); wall time, status, peak RSS.

    `os.wait4` gives the rusage of this child alone, including the children it reaped
    (procmap's worker processes), which `RUSAGE_CHILDREN` of the benchmark would mix up
    with every earlier run.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL if stdout is None else stdout,
        stderr=subprocess.DEVNULL,
    )
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.0005)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(seconds, proc.returncode, int(usage.ru_maxrss))


def run_checked(cmd: list[str], ok: tuple[int, ...] = (0, 1)) -> Run:
    """`run`, failing the benchmark if the command crashed (status not in `ok`)."""
    result = run(cmd)
    if result.status not in ok:
        detail = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        tail = (detail.stderr or detail.stdout).strip().splitlines()[-5:]
        raise SystemExit(f"bench: {' '.join(cmd)} exited with {result.status}\n" + "\n".join(tail))
    return result


def worker(kind: str, *args: str) -> dict[str, Any]:
    """Run a measurement inside a fresh interpreter (see `_worker_main`) and read its JSON."""
    cmd = [PYTHON, str(Path(__file__).resolve()), "--worker", kind, *args]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench: worker {kind} failed:\n{done.stderr.strip()}")
    return json.loads(done.stdout)


def interleaved(commands: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    """Wall times of each command, `runs` times after one warm-up, in round-robin order.

    Round robin spreads any drift of the machine (another job, CPU frequency) over all
    commands instead of charging it to whichever ran last.
    """
    times: dict[str, list[float]] = {name: [] for name in commands}
    for cmd in commands.values():
        run_checked(cmd)
    for _ in range(runs):
        for name, cmd in commands.items():
            times[name].append(run_checked(cmd).seconds)
    return times


# The comparison tools ------------------------------------------------------------------


def tools(notes: list[str]) -> dict[str, Path]:
    """yamllint and check-jsonschema from bench/.data/tools-venv, installed on first use."""
    bindir = TOOLS_VENV / "bin"
    wanted = {"yamllint": bindir / "yamllint", "check-jsonschema": bindir / "check-jsonschema"}
    if not all(path.exists() for path in wanted.values()):
        progress("installing yamllint and check-jsonschema into bench/.data/tools-venv (once)")
        try:
            subprocess.run(
                [PYTHON, "-m", "venv", "--clear", str(TOOLS_VENV)],
                check=True,
                capture_output=True,
                timeout=300,
            )
            subprocess.run(
                [
                    str(bindir / "python"),
                    *("-m", "pip", "install", "--quiet", "--disable-pip-version-check"),
                    *("yamllint", "check-jsonschema"),
                ],
                check=True,
                capture_output=True,
                timeout=600,
            )
        except (OSError, subprocess.SubprocessError) as error:
            notes.append(
                f"yamllint and check-jsonschema skipped: could not install them ({error})."
            )
            return {}
    return {name: path for name, path in wanted.items() if path.exists()}


def version_of(path: Path) -> str:
    done = subprocess.run([str(path), "--version"], capture_output=True, text=True)
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else "?"


# Figures -------------------------------------------------------------------------------


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def single_file(runs: int, found: dict[str, Path]) -> dict[str, Any]:
    procmap = str(Path(PYTHON).parent / "procmap")
    commands = {
        "python -c pass": [PYTHON, "-c", "pass"],
        "python: libyaml compose": [PYTHON, "-c", COMPOSE_ONE, str(SAMPLE)],
        "procmap validate": [procmap, "validate", str(SAMPLE)],
    }
    if "yamllint" in found:
        commands["yamllint"] = [str(found["yamllint"]), str(SAMPLE)]
    if "check-jsonschema" in found:
        commands["check-jsonschema"] = [
            str(found["check-jsonschema"]),
            "--schemafile",
            str(SCHEMA),
            str(SAMPLE),
        ]
    progress(f"single file: {len(commands)} commands x {runs} runs")
    times = interleaved(commands, runs)
    medians = {name: statistics.median(values) for name, values in times.items()}
    spread = {name: (min(values), max(values)) for name, values in times.items()}
    mine = medians["procmap validate"]
    return {
        "file": str(SAMPLE),
        "runs": runs,
        "median_seconds": medians,
        "min_max_seconds": spread,
        "aim_seconds": SINGLE_AIM,
        "ratios": {
            f"procmap / {tool}": ratio(mine, medians[tool])
            for tool in ("yamllint", "check-jsonschema")
            if tool in medians
        },
        "above_interpreter_seconds": mine - medians["python -c pass"],
    }


def repository(folder: Path, repeat: int) -> dict[str, Any]:
    """Floor, library (default jobs and jobs=1) and CLI, `repeat` rounds back to back.

    Each ratio is taken within a round (the floor and procmap measured a few seconds
    apart, under the same load), and the median over the rounds is reported.
    """
    files = sorted(folder.rglob("*.yaml"))
    size = sum(f.stat().st_size for f in files)
    rel = os.path.relpath(folder, ROOT)
    procmap = str(Path(PYTHON).parent / "procmap")
    seconds: dict[str, list[float]] = {
        "floor": [],
        "floor wall": [],
        "library": [],
        "library jobs=1": [],
        "cli wall": [],
    }
    memory: dict[str, int] = {}

    def peak(name: str, kb: int) -> None:
        memory[name] = max(memory.get(name, 0), kb)

    jobs = "default"
    for i in range(repeat):
        progress(f"repository: round {i + 1} of {repeat}")
        start = time.perf_counter()
        got = worker("floor", rel)
        seconds["floor wall"].append(time.perf_counter() - start)
        seconds["floor"].append(got["seconds"])
        peak("floor", got["maxrss_kb"])
        got = worker("library", rel)
        if got["errors"]:
            raise SystemExit(f"bench: the generated files have {got['errors']} errors")
        seconds["library"].append(got["seconds"])
        jobs = got["jobs"]
        peak("library parent", got["maxrss_kb"])
        peak("library largest worker", got["children_maxrss_kb"])
        got = worker("library", rel, "1")
        seconds["library jobs=1"].append(got["seconds"])
        peak("library jobs=1", got["maxrss_kb"])
        result = run_checked([procmap, "validate", rel], ok=(0,))
        seconds["cli wall"].append(result.seconds)
        peak("cli tree", result.maxrss_kb)

    def paired(name: str, floor: str) -> float:
        return statistics.median(
            ratio(a, b) for a, b in zip(seconds[name], seconds[floor], strict=True)
        )

    return {
        "folder": rel,
        "files": len(files),
        "bytes": size,
        "repeat": repeat,
        "library_jobs": jobs,
        "median_seconds": {name: statistics.median(v) for name, v in seconds.items()},
        "min_max_seconds": {name: (min(v), max(v)) for name, v in seconds.items()},
        "ratio_library": paired("library", "floor"),
        "ratio_library_jobs1": paired("library jobs=1", "floor"),
        "ratio_cli": paired("cli wall", "floor wall"),
        "target": REPO_TARGET,
        "aim": REPO_AIM,
        "memory_kb": memory,
        "peak_memory_mb": max(
            memory["library parent"], memory["library largest worker"], memory["cli tree"]
        )
        / 1024,
        "memory_target_mb": MEMORY_TARGET_MB,
    }


def tools_on_repository(folder: Path, found: dict[str, Path], every: int) -> dict[str, Any]:
    """procmap, yamllint and check-jsonschema, once each, on every `every`-th file.

    Both tools take minutes on the whole repository, so by default they see a sample and
    the figure for all files is scaled from it (they work file by file, so it scales
    linearly); `--full-tools` gives them every file.
    """
    files = sorted(folder.rglob("*.yaml"))
    sample = [os.path.relpath(f, ROOT) for f in files[::every]]
    procmap = str(Path(PYTHON).parent / "procmap")
    commands = {"procmap validate": [procmap, "validate", *sample]}
    if "yamllint" in found:
        commands["yamllint"] = [str(found["yamllint"]), *sample]
    if "check-jsonschema" in found:
        commands["check-jsonschema"] = [
            str(found["check-jsonschema"]),
            *("--schemafile", str(SCHEMA)),
            *sample,
        ]
    seconds = {}
    for name, cmd in commands.items():
        progress(f"repository: {name} on {len(sample)} files (once)")
        seconds[name] = run_checked(cmd).seconds
    return {
        "files": len(sample),
        "every": every,
        "scale": len(files) / len(sample),
        "seconds": seconds,
    }


def render_hook(notes: list[str]) -> list[tuple[str, str]]:
    """Figures from bench/render_bench.py's `run(data_dir)`, when that module exists."""
    path = BENCH / "render_bench.py"
    if not path.exists():
        notes.append("Render: bench/render_bench.py is not there yet; skipped.")
        return []
    progress("render: bench/render_bench.py")
    spec = importlib.util.spec_from_file_location("render_bench", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(BENCH))
    try:
        spec.loader.exec_module(module)
        return [(str(label), str(lines)) for label, lines in module.run(DATA)]
    except Exception as error:  # the hook is someone else's code: report, don't crash
        notes.append(f"Render: bench/render_bench.py failed: {type(error).__name__}: {error}")
        return []


def discover_section(rounds: int, notes: list[str]) -> dict[str, Any] | None:
    """Figures from bench/discover_bench.py (issue 20), timed with `run`."""
    progress("discover: bench/discover_bench.py")
    sys.path.insert(0, str(BENCH))
    import discover_bench

    try:
        return discover_bench.run(DATA, run, rounds, notes)
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:
        notes.append(f"Discover: failed: {type(error).__name__}: {error}")
        return None


def measure_section(rounds: int, notes: list[str]) -> dict[str, Any] | None:
    """Figures from bench/measure_bench.py (issue 8), timed with `run`."""
    progress("measure: bench/measure_bench.py")
    sys.path.insert(0, str(BENCH))
    import measure_bench

    try:
        return measure_bench.run(DATA, run, rounds, notes)
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:
        notes.append(f"Measure: failed: {type(error).__name__}: {error}")
        return None


# The report ----------------------------------------------------------------------------


def _verdict(value: float, limit: float) -> str:
    return "ok" if value <= limit else "MISSED"


def text_report(result: dict[str, Any]) -> str:
    env = result["environment"]
    out: list[str] = []

    def w(line: str) -> None:
        out.append(line.rstrip())

    w(
        f"procmap benchmark: procmap {env['procmap']}, Python {env['python']},"
        f" PyYAML {env['pyyaml']}, {env['cpus']} CPUs, {env['machine']}"
    )
    s = result.get("single")
    if s:
        w("")
        w(f"Single file: {s['file']}")
        w(
            f"  Wall time of each command as a new process, median of {s['runs']} runs after"
            " one warm-up, run in turn (min-max in brackets)."
        )
        labels = {
            "python -c pass": "floor: bare interpreter start",
            "python: libyaml compose": "floor: start, import yaml, compose the file",
            "procmap validate": "",
            "yamllint": "syntax and style only, default config",
            "check-jsonschema": "JSON Schema of the format, bench/.data/process.schema.json",
        }
        for name, seconds in s["median_seconds"].items():
            low, high = s["min_max_seconds"][name]
            w(f"  {name:<26}{seconds:7.3f} s  [{low:.3f}-{high:.3f}]  {labels.get(name, '')}")
        mine = s["median_seconds"]["procmap validate"]
        w(
            f"  procmap above the bare interpreter: {s['above_interpreter_seconds']:.3f} s;"
            f" aim {SINGLE_AIM:.2f} s: {_verdict(mine, SINGLE_AIM)}"
        )
        for name, value in s["ratios"].items():
            if name == "procmap / yamllint":
                goal = f"target <= {YAMLLINT_TARGET}, aim {YAMLLINT_AIM}"
                verdict = _verdict(value, YAMLLINT_TARGET)
                if value <= YAMLLINT_AIM:
                    verdict += ", aim met"
            else:
                goal, verdict = "target < 1 (beat it)", _verdict(value, 1.0)
            w(f"  ratio {name:<28}{value:6.2f}   {goal}: {verdict}")
    r = result.get("repository")
    if r:
        mb = r["bytes"] / 1e6
        sec, span = r["median_seconds"], r["min_max_seconds"]

        def row(label: str, name: str, tail: str) -> None:
            low, high = span[name]
            w(f"  {label:<34}{sec[name]:7.2f} s  [{low:.2f}-{high:.2f}]  {tail}")

        w("")
        w(f"Repository: {r['files']} files, {mb:.1f} MB, in {r['folder']}")
        w(
            f"  {r['repeat']} round{'s' if r['repeat'] != 1 else ''}, medians (min-max); each measurement in a fresh process;"
            " ratios taken within a round."
        )
        w("  In-process times (after imports, no interpreter start):")
        row(
            "floor: libyaml compose",
            "floor",
            "read each file, yaml.compose(text, Loader=CSafeLoader)",
        )
        lib = r["ratio_library"]
        row(
            f"validate_paths, jobs {r['library_jobs']}",
            "library",
            f"ratio {lib:.2f}  target <= {REPO_TARGET}: {_verdict(lib, REPO_TARGET)},"
            f" aim {REPO_AIM}: {_verdict(lib, REPO_AIM)}",
        )
        row(
            "validate_paths, jobs=1",
            "library jobs=1",
            f"ratio {r['ratio_library_jobs1']:.2f}  (one core, for information)",
        )
        w("  Wall time of the whole command:")
        row("floor: python + libyaml compose", "floor wall", "")
        cli = r["ratio_cli"]
        row(
            "procmap validate FOLDER",
            "cli wall",
            f"ratio {cli:.2f}  target <= {REPO_TARGET}: {_verdict(cli, REPO_TARGET)},"
            f" aim {REPO_AIM}: {_verdict(cli, REPO_AIM)}",
        )
        m = r["memory_kb"]
        w("")
        w("Peak memory (ru_maxrss of each process; the max over parent and workers counts)")
        w(f"  validate_paths parent          {m['library parent'] / 1024:7.0f} MB")
        w(f"  validate_paths largest worker  {m['library largest worker'] / 1024:7.0f} MB")
        w(f"  procmap validate CLI (wait4)   {m['cli tree'] / 1024:7.0f} MB")
        w(f"  validate_paths, jobs=1         {m['library jobs=1'] / 1024:7.0f} MB")
        w(f"  floor: libyaml compose         {m['floor'] / 1024:7.0f} MB")
        w(
            f"  peak {r['peak_memory_mb']:.0f} MB, target < {MEMORY_TARGET_MB} MB:"
            f" {_verdict(r['peak_memory_mb'], MEMORY_TARGET_MB)}"
        )
    ts = result.get("tools")
    if ts and r:
        w("")
        which = "every file" if ts["every"] == 1 else f"every {ts['every']}th file"
        w(
            f"Repository against the tools: {ts['files']} files ({which}), each command once,"
            " wall time as a new process"
        )
        mine = ts["seconds"]["procmap validate"]
        for name, seconds in ts["seconds"].items():
            line = f"  {name:<22}{seconds:8.2f} s"
            if ts["every"] != 1:
                line += f"  (all {r['files']} files: about {seconds * ts['scale']:.0f} s)"
            if name != "procmap validate":
                line += f"  procmap is {seconds / mine:.0f}x faster"
            w(line)
    if result.get("render"):
        w("")
        w("Render (bench/render_bench.py)")
        for label, lines in result["render"]:
            w(f"  {label}")
            for line in lines.splitlines():
                w(f"    {line}")
    if result.get("measure"):
        import measure_bench

        w("")
        for line in measure_bench.report(result["measure"]):
            w(line)
    if result.get("discover"):
        import discover_bench

        w("")
        for line in discover_bench.report(result["discover"]):
            w(line)
    if result["notes"]:
        w("")
        for note in result["notes"]:
            w(f"Note: {note}")
    return "\n".join(out) + "\n"


# Workers: measurements inside a fresh interpreter -------------------------------------


def _worker_main(kind: str, args: list[str]) -> None:
    """Print one JSON object with the measurement; run by `worker` in a new process."""
    sys.path.insert(0, str(ROOT / "src"))
    if kind == "schema":
        from procmap.format.jsonschema import schema_text

        Path(args[0]).write_text(schema_text(), encoding="utf-8")
        print("{}")
        return
    if kind == "versions":
        import yaml

        import procmap

        print(json.dumps({"procmap": procmap.__version__, "pyyaml": yaml.__version__}))
        return
    folder = args[0]
    if kind == "floor":
        import yaml

        start = time.perf_counter()
        for path in sorted(Path(folder).rglob("*.yaml")):
            yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        seconds = time.perf_counter() - start
        extra: dict[str, Any] = {}
    elif kind == "library":
        from procmap.config import load
        from procmap.lint.linter import validate_paths

        jobs = int(args[1]) if len(args) > 1 else None
        config = load()
        start = time.perf_counter()
        report = validate_paths([folder], config, jobs=jobs)
        seconds = time.perf_counter() - start
        extra = {"errors": report.errors, "jobs": "default" if jobs is None else str(jobs)}
    else:
        raise SystemExit(f"unknown worker {kind!r}")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps({"seconds": seconds, "maxrss_kb": own, "children_maxrss_kb": children, **extra})
    )


# Main ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        _worker_main(argv[1], argv[2:])
        return 0
    parser = argparse.ArgumentParser(
        description="Time procmap validate against floors measured in the same run."
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer runs; skip the slow external tools"
    )
    parser.add_argument("--processes", type=int, default=2000, help="files in the repository")
    parser.add_argument("--steps", type=int, default=40, help="steps per process")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated repository")
    parser.add_argument("--runs", type=int, help="single-file runs (15; 5 with --quick)")
    parser.add_argument(
        "--full-tools",
        action="store_true",
        help="run yamllint and check-jsonschema on every file, not a 200-file sample (minutes)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--measure-only",
        action="store_true",
        help="only the measure section: procmap measure against pm4py, and a 10M-event log",
    )
    which.add_argument(
        "--discover-only",
        action="store_true",
        help="only the discover section: procmap discover against measure and pm4py's miner",
    )
    which.add_argument(
        "--no-measure", action="store_true", help="leave the measure and discover sections out"
    )
    args = parser.parse_args(argv)
    if args.processes < 1 or args.steps < 6:
        parser.error("--processes must be at least 1 and --steps at least 6")
    if not (Path(PYTHON).parent / "procmap").exists():
        raise SystemExit(f"bench: no procmap command beside {PYTHON}; run `make setup` first")

    sys.path.insert(0, str(BENCH))
    from generate import ensure

    notes: list[str] = []
    load_before = os.getloadavg()[0]
    DATA.mkdir(exist_ok=True)
    # Measure procmap as an installed user runs it, with its bytecode cached: an editable
    # install under PYTHONDONTWRITEBYTECODE would compile every module on every run.
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "src" / "procmap")], check=True)
    environment = {
        **worker("versions"),
        "python": platform.python_version(),
        "cpus": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "machine": f"{platform.system()} {platform.machine()}",
    }
    measure_rounds = 1 if args.quick else 3
    if args.measure_only or args.discover_only:
        result: dict[str, Any] = {"environment": environment, "notes": notes}
        if args.measure_only:
            result["measure"] = measure_section(measure_rounds, notes)
        else:
            result["discover"] = discover_section(measure_rounds, notes)
        return _finish(result, load_before, args.json)
    progress(f"generating or reusing {args.processes} processes of {args.steps} steps")
    folder = ensure(args.processes, args.steps, args.seed)
    worker("schema", str(SCHEMA))
    found = tools(notes)
    if found:
        notes.append("Tools: " + ", ".join(f"{version_of(path)}" for path in found.values()) + ".")
    runs = args.runs or (5 if args.quick else 15)
    result = {
        "environment": environment,
        "single": single_file(runs, found),
        "repository": repository(folder, 1 if args.quick else 3),
        "notes": notes,
    }
    if found and not args.quick:
        every = 1 if args.full_tools else max(1, args.processes // 200)
        result["tools"] = tools_on_repository(folder, found, every)
    elif found:
        notes.append("--quick: yamllint and check-jsonschema not run on the repository.")
    result["render"] = render_hook(notes)
    if not args.no_measure:
        result["measure"] = measure_section(measure_rounds, notes)
        result["discover"] = discover_section(measure_rounds, notes)
    return _finish(result, load_before, args.json)


def _finish(result: dict[str, Any], load_before: float, as_json: bool) -> int:
    """Note a busy machine, then print the report."""
    notes = result["notes"]
    load = max(load_before, os.getloadavg()[0])
    result["environment"]["load_average"] = load
    if load > 0.5:
        notes.append(
            f"The machine was busy (1-minute load average up to {load:.1f} at the start or end):"
            " other work slows the timings unevenly; ratios are steadier than seconds."
        )
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(text_report(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Time the whole ``xhht run --year 2015`` as a cold process, side by side with the naive way.

Target: median <= 1 s on a 2-core machine for the full run (feedback included). Each run writes into
a fresh temporary outputs folder, so nothing is cached between runs but the operating system's file
cache. The naive baseline (``benchmarks/naive_run.py``: openpyxl + python-docx) is timed in the same
invocation, interleaved run by run, and the ratio of the medians is printed.

    python benchmarks/bench_run.py [--runs 9] [--year 2015]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 1.0
HELP_TARGET_SECONDS = 0.1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--year", type=int, default=2015)
    args = ap.parse_args(argv)
    # An office PC caches compiled bytecode; some sandboxes set PYTHONDONTWRITEBYTECODE, which makes
    # every run recompile xhht from source. The warm-up run below writes the cache.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    variants = {
        "xhht run": lambda out: [sys.executable, "-m", "pipeline", "run", "--year", str(args.year), "--date",
                                 f"{args.year}-12-20", "--inputs", str(ROOT / "inputs"), "--outputs", out],
        "xhht run --no-charts": lambda out: [sys.executable, "-m", "pipeline", "run", "--year", str(args.year),
                                             "--date", f"{args.year}-12-20", "--inputs", str(ROOT / "inputs"),
                                             "--outputs", out, "--no-charts"],
        "xhht run --no-feedback": lambda out: [sys.executable, "-m", "pipeline", "run", "--year", str(args.year),
                                               "--date", f"{args.year}-12-20", "--inputs", str(ROOT / "inputs"),
                                               "--outputs", out, "--no-feedback"],
        "xhht --help": lambda out: [sys.executable, "-m", "pipeline", "--help"],
        "naive (openpyxl + python-docx)": lambda out: [sys.executable, str(ROOT / "benchmarks" / "naive_run.py"),
                                                       "--year", str(args.year), "--inputs", str(ROOT / "inputs"),
                                                       "--outputs", out],
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    for i in range(args.runs + 1):  # the first round warms the file cache and is not counted
        for name, make in variants.items():  # interleaved, so a load change hits every variant alike
            with tempfile.TemporaryDirectory() as out:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                proc = subprocess.run(make(out), cwd=ROOT, capture_output=True, text=True, env=env)
                elapsed = time.perf_counter() - start
                after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the process and the children it waited for
                used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                if proc.returncode != 0:
                    print(name, proc.stdout, proc.stderr, file=sys.stderr)
                    return proc.returncode
                if i:
                    times[name].append(elapsed)
                    cpu[name].append(used)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} CPUs, load average {load:.2f} at the end")
    medians = {name: statistics.median(t) for name, t in times.items()}
    naive = medians["naive (openpyxl + python-docx)"]
    for name, t in times.items():
        med = medians[name]
        line = (f"{name:32s} median {med:.3f} s over {len(t)} runs (min {min(t):.3f}, max {max(t):.3f}); "
                f"CPU (user+sys) median {statistics.median(cpu[name]):.3f} s; naive/this = {naive / med:.2f}x")
        if name == "xhht --help":
            line += f"; target <= {HELP_TARGET_SECONDS:.1f} s: {'met' if med <= HELP_TARGET_SECONDS else 'NOT met'}"
        if name == "xhht run":
            line += f"; target <= {TARGET_SECONDS:.1f} s: {'met' if med <= TARGET_SECONDS else 'NOT met'}"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

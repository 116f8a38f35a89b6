"""Time the period review (sơ kết / tổng kết): series over the years, charts, the BC and the workbook.

Issue #12's target: the tổng kết over 7 years × 37 units, charts included, in under 3 s on the
2-core machine. Each run is a fresh process (imports included, as for a user) calling
``pipeline.review.write_review`` (what ``xhht review`` does) into a temporary folder. Wall time and CPU
time (this process and its forked helper) are printed: on a machine loaded by other work the CPU
time is the steadier figure.

    python benchmarks/bench_review.py [--runs 5] [--from 2014] [--to 2020]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 3.0

_ONE_RUN = r"""
import json, os, sys, time, datetime as dt
start = time.perf_counter()
from pipeline.review import write_review
inputs, out, first, last = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
r = write_review(inputs, out, first, last, dt.date(last, 12, 28))
total = time.perf_counter() - start
t = os.times()
def _charts(r):  # native Word charts in the period BC (one part per panel and legend)
    import zipfile

    bc = next(p for p in r.paths if p.suffix == ".docx")
    with zipfile.ZipFile(bc) as z:
        return sum(n.startswith("word/charts/") and n.endswith(".xml") and "/_rels/" not in n for n in z.namelist())


print(json.dumps({"total": total, "load": r.seconds["load"], "charts": r.seconds["charts"], "docx": r.seconds["docx"],
                  "workbook": r.seconds["xlsx"], "cpu": t.user + t.system + t.children_user + t.children_system,
                  "years": [y for y in r.series.years if y not in r.series.missing_years],
                  "units": len(r.series.units), "charts_n": _charts(r)}))
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--from", dest="first", type=int, default=2014)
    ap.add_argument("--to", dest="last", type=int, default=None)
    ap.add_argument("--inputs", default=str(ROOT / "inputs"))
    args = ap.parse_args(argv)
    have = sorted(int(p.name) for p in (Path(args.inputs) / "submissions").iterdir() if p.name.isdigit())
    last = args.last or max(have)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    runs = []
    for i in range(args.runs + 1):  # the first run warms the file and bytecode caches and is not counted
        with tempfile.TemporaryDirectory() as out:
            proc = subprocess.run([sys.executable, "-c", _ONE_RUN, args.inputs, out, str(args.first), str(last)],
                                  cwd=ROOT, capture_output=True, text=True, env=env)
            if proc.returncode != 0:
                print(proc.stdout, proc.stderr, file=sys.stderr)
                return proc.returncode
            if i:
                runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    med = {k: statistics.median(r[k] for r in runs) for k in ("load", "charts", "docx", "workbook", "total", "cpu")}
    years = runs[0]["years"]
    print(f"review {args.first}-{last} (xhht review: series, {runs[0]['charts_n']} native charts in the BC, BC DOCX, workbook): "
          f"{len(years)} years with data × {runs[0]['units']} units, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")
    print("  median over %d runs: wall %.3f s (read+aggregate %.3f, charts %.3f, docx %.3f, workbook %.3f); "
          "CPU time %.3f s (both processes); fastest wall %.3f s" % (
              len(runs), med["total"], med["load"], med["charts"], med["docx"], med["workbook"], med["cpu"],
              min(r["total"] for r in runs)))
    print(f"  target (7 years, charts included) <= {TARGET_SECONDS:.1f} s wall on the 2-core machine")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

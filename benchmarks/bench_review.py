"""Time what a period review (sơ kết / tổng kết) computes: the series over the years and the charts.

Issue #12's target: the tổng kết over 7 years × 37 units, charts included, in under 3 s on the
2-core machine. Until samples exist for every year, the years that have submissions are timed
(2014–2016 today) and the count of years is printed beside the figure. Each run is a fresh process
(imports included, as for a user), writing the charts and the period workbook into a temporary folder.

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
import json, sys, time, datetime as dt
start = time.perf_counter()
from pipeline.catalog_load import load_catalog
from pipeline.series import load_models, build_series
inputs, out, first, last = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
catalog = load_catalog(inputs)
t0 = time.perf_counter()
models, sources = load_models(inputs, None, first, last, catalog)
t1 = time.perf_counter()
series = build_series(catalog, models, sources, first, last)
t2 = time.perf_counter()
from pipeline.charts import write_charts
charts = write_charts(series, out)
t3 = time.perf_counter()
from pipeline.render_trend_xlsx import write_period_workbook
write_period_workbook(series, f"{out}/period.xlsx", dt.date(last, 12, 20))
t4 = time.perf_counter()
print(json.dumps({"catalog": t0 - start, "load": t1 - t0, "series": t2 - t1, "charts": t3 - t2,
                  "workbook": t4 - t3, "total": t4 - start, "years": [y for y, m in models.items() if m],
                  "units": len(series.units), "chart_seconds": [round(c.seconds, 3) for c in charts]}))
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
    med = {k: statistics.median(r[k] for r in runs) for k in ("catalog", "load", "series", "charts", "workbook", "total")}
    years = runs[0]["years"]
    print(f"review {args.first}-{last}: {len(years)} years with data × {runs[0]['units']} units, "
          f"{len(runs[0]['chart_seconds'])} charts")
    print("  median over %d runs: total %.3f s (catalog %.3f, read+aggregate %.3f, series %.3f, charts %.3f, "
          "workbook %.3f); fastest total %.3f s" % (len(runs), med["total"], med["catalog"], med["load"],
                                                   med["series"], med["charts"], med["workbook"],
                                                   min(r["total"] for r in runs)))
    print("  seconds per chart (last run):", runs[-1]["chart_seconds"])
    per_year = med["load"] / max(len(years), 1)
    print(f"  target (7 years, charts included) <= {TARGET_SECONDS:.1f} s; "
          f"estimate for 7 years: {med['total'] + per_year * (7 - len(years)):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Scaling benchmark: ``xhht run`` on synthetic districts of 37 to 10.600 reporting units.

Target (issue #11, item 2): 10.600 units in <= 60 s wall and <= 1 GiB peak memory (resident set of
the whole process tree), CPU per unit flat (within 25 %) from 370 to 10.600 units.

The districts are made at run time by a seeded generator and deleted afterwards (nothing is shipped):
the 37 real units of ``inputs/units.yaml`` stay (the plan's organisation section names some of them),
and N - 37 clones are added, unit i copying the profile, kind and sample submissions (2014 and 2015)
of real unit ``i mod 37``. A clone's workbook is the real sample file with its identity (code and
name in the hidden ``_xhht`` sheet and in the "Đơn vị" line) patched in the sheet XML, so the real
ingest reads it, and the district keeps the sample's flaws in proportion: a unit that did not submit,
a corrected second file, a value over its denominator (which gets feedback). One clone in ten sends
its file as ``thu-<code>/bao-cao-<year>.xlsx`` (a name that names no unit). The seed shuffles which
real unit each clone copies, so every size is the same mix.

    python benchmarks/bench_scale.py [--sizes 37,370,1100,3700,10600] [--year 2015] [--keep DIR]
    python benchmarks/bench_scale.py --sizes 3700 --profile prof.out   # cProfile of the run, in process
    python benchmarks/bench_scale.py --no-charts                        # the runs without the trend charts

Each size runs ``python -m pipeline run --year Y --date Y-12-20`` as a separate cold process (five
times up to 1.100 units, whose runs vary by 10-25 %, keeping the median; those in rounds, with the
larger sizes between two rounds, so that the machine's drift falls on every size alike) and reports wall
time, CPU time (user + system of the process and its children), CPU per unit and the peak memory of the
process tree, sampled from /proc: the summed proportional set size (PSS: a page shared by forked
children counts once in all), with the summed resident sets (RSS, shared pages counted in each process,
an upper bound) beside it.

CPU per unit is shown two ways: the run's CPU over its units, and net of the 37-unit run (the real
district: imports, catalog, the five documents, what a run costs whatever its size), which is the cost
of each unit beyond them. A linear run has a flat net cost; its plain CPU per unit falls with size (a
fixed second of CPU is 2,7 ms per unit at 370 units, 0,1 ms at 10.600), so the flatness target is
checked on the net cost, and both spreads are printed.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SEED = 20151220
TARGET_SECONDS = 60.0
TARGET_BYTES = 1 << 30
FLAT_WITHIN = 0.25


def _xml_text(s: str) -> str:
    """The text as the form writer puts it in sheet XML: non-ASCII as decimal character references."""
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join(c if ord(c) < 128 else f"&#{ord(c)};" for c in s)


_MEMBERS: dict[Path, list[tuple[zipfile.ZipInfo, bytes]]] = {}


def _clone_workbook(src: Path, dst: Path, old: tuple[str, str], new: tuple[str, str]) -> None:
    """Copy ``src`` to ``dst`` with the unit (code, name) ``old`` replaced by ``new`` in every sheet."""
    (oc, on), (nc, nn) = old, new
    subs = [(f"<t>{oc}</t>", f"<t>{nc}</t>"), (f"(m&#227; {oc})", f"(m&#227; {nc})"), (_xml_text(on), _xml_text(nn))]
    if src not in _MEMBERS:
        with zipfile.ZipFile(src) as zin:
            _MEMBERS[src] = [(info, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for info, data in _MEMBERS[src]:
            if info.filename.startswith("xl/worksheets/"):
                text = data.decode("utf-8")
                for a, b in subs:
                    text = text.replace(a, b)
                data = text.encode("utf-8")
            zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    st = src.stat()
    os.utime(dst, (st.st_atime, st.st_mtime))  # the clone is received when its model was


def _files_by_unit(folder: Path) -> dict[str, list[Path]]:
    out: dict[str, list[Path]] = {}
    for p in sorted(folder.glob("*.xlsx")):
        with zipfile.ZipFile(p) as z:
            meta = z.read("xl/worksheets/sheet5.xml").decode("utf-8")
        m = re.search(r"<c r=\"B2\"[^>]*><is><t>([^<]+)</t>", meta)
        if m:
            out.setdefault(m.group(1), []).append(p)
    return out


def _inputs_digest() -> str:
    """A short hash of the shipped inputs a district is made from (a kept district is remade when they change)."""
    import hashlib

    h = hashlib.sha256()
    for p in sorted((ROOT / "inputs").rglob("*")):
        if p.is_file():
            h.update(p.relative_to(ROOT).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:12]


def make_district(size: int, dest: Path, years: tuple[int, ...], seed: int = SEED) -> Path:
    """Write ``dest/inputs`` for a district of ``size`` units (>= 37) and return it."""
    src = ROOT / "inputs"
    inputs = dest / "inputs"
    inputs.mkdir(parents=True)
    for item in src.iterdir():  # plan, office, rules, phrasebook, chỉ đạo...: all but the units and submissions
        if item.name in ("units.yaml", "submissions"):
            continue
        if item.is_dir():
            shutil.copytree(item, inputs / item.name)
        else:
            shutil.copy2(item, inputs / item.name)
    doc = yaml.safe_load((src / "units.yaml").read_text(encoding="utf-8"))
    real = [u for u in doc["units"] if "valid_from" not in u or str(u["valid_from"]) <= f"{min(years)}-12-31"]
    real = [u for u in real if "valid_to" not in u or str(u["valid_to"]) >= f"{max(years)}-12-31"]
    rng = random.Random(seed)
    models = [real[i % len(real)] for i in range(max(0, size - len(real)))]
    rng.shuffle(models)
    clones = []
    for i, model in enumerate(models, 1):
        u = {k: v for k, v in model.items() if k not in ("gso_code", "successors", "predecessors")}
        u["code"] = f"S{i:05d}"
        u["name"] = f"{model['name']} {i}"
        u["short_name"] = f"{model.get('short_name', model['name'])} {i}"
        clones.append((model, u))
    doc["units"] = list(doc["units"]) + [u for _m, u in clones]
    (inputs / "units.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for year in years:
        folder = inputs / "submissions" / str(year)
        folder.mkdir(parents=True)
        files = _files_by_unit(src / "submissions" / str(year))
        for paths in files.values():
            for p in paths:
                shutil.copy2(p, folder / p.name)
        for i, (model, u) in enumerate(clones, 1):
            for k, p in enumerate(files.get(str(model["code"]), [])):
                suffix = "_bo-sung" if k else ""
                # one clone in ten arrives as "bao-cao-2015.xlsx" in its sender's folder: a name that
                # names no unit, so the check that a file does not name another unit looks at them all
                dst = (folder / f"BieuMau_{year}_{u['code']}{suffix}.xlsx" if i % 10 else
                       folder / f"thu-{u['code']}" / f"bao-cao-{year}{suffix}.xlsx")
                dst.parent.mkdir(exist_ok=True)
                _clone_workbook(p, dst, (str(model["code"]), model["name"]), (u["code"], u["name"]))
    return inputs


class _TreeSampler(threading.Thread):
    """Samples the memory of a process and all its descendants from /proc.

    ``peak_pss``: the peak of the summed proportional set size (each shared page split between the
    processes that map it, so forked children are not counted twice): the physical memory the run
    holds. ``peak_rss``: the peak of the summed resident set sizes, an upper bound.

    The sampler must not take the CPU it measures (the machine has two cores and the run uses both).
    Reading a process's PSS (``smaps_rollup``) walks its page tables: 7 ms for a 600 MiB process, so
    three such processes sampled every 50 ms took 40 % of a core. The resident size (``statm``) is a
    counter, read every 50 ms; PSS is read only when the summed RSS is above the PSS peak so far (PSS
    <= RSS, so no other sample can raise it), at most every 250 ms unless RSS grew by 5 % since.
    The tree is found through ``/proc/<pid>/task/<tid>/children``, not a scan of every process.
    """

    def __init__(self, pid: int, every: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak_pss, self.peak_rss = pid, every, 0, 0
        self.pss_reads = 0
        self._halt = threading.Event()
        self.page = os.sysconf("SC_PAGE_SIZE")

    def _tree(self) -> list[int]:
        out, todo = [], [self.pid]
        while todo:
            p = todo.pop()
            out.append(p)
            try:
                for tid in os.listdir(f"/proc/{p}/task"):
                    with open(f"/proc/{p}/task/{tid}/children", "rb") as f:
                        todo += [int(x) for x in f.read().split()]
            except OSError:
                continue
        return out

    def _rss(self, pids: list[int]) -> int:
        total = 0
        for pid in pids:
            try:
                with open(f"/proc/{pid}/statm", "rb") as f:
                    total += int(f.read().split()[1]) * self.page
            except (OSError, IndexError, ValueError):
                continue
        return total

    def _pss(self, pids: list[int]) -> int:
        total = 0
        for pid in pids:
            try:
                with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                    for line in f:
                        if line.startswith(b"Pss:"):
                            total += int(line.split()[1]) * 1024
                            break
            except OSError:
                continue
        return total

    def run(self) -> None:
        last_read, rss_then = 0.0, 0
        while not self._halt.is_set():
            pids = self._tree()
            rss = self._rss(pids)
            self.peak_rss = max(self.peak_rss, rss)
            now = time.monotonic()
            if rss > self.peak_pss and (now - last_read >= 0.25 or rss > rss_then * 1.05):
                self.peak_pss = max(self.peak_pss, self._pss(pids))
                self.pss_reads += 1
                last_read, rss_then = now, rss
            self._halt.wait(self.every)

    def stop(self) -> None:
        self._halt.set()
        self.join()


def run_once(inputs: Path, outputs: Path, year: int, charts: bool = True) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cmd = [sys.executable, "-m", "pipeline", "run", "--year", str(year), "--date", f"{year}-12-20",
           "--inputs", str(inputs), "--outputs", str(outputs)] + ([] if charts else ["--no-charts"])
    before = os.times()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = _TreeSampler(proc.pid)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    sampler.stop()
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {"wall": wall, "cpu": cpu, "peak": sampler.peak_pss, "peak_rss": sampler.peak_rss, "rc": proc.returncode, "out": out, "err": err}


def _district(base: Path, size: int, year: int, keep: bool) -> Path | None:
    """The inputs of the kept district of ``size`` units under ``base`` when ``keep`` and it is there (same seed,
    year and inputs), else None."""
    inputs = base / f"d{size}" / "inputs"
    return inputs if keep and (inputs.parent / f"made-{SEED}-{year}-{_inputs_digest()}").exists() else None


def _make(base: Path, size: int, year: int) -> Path:
    """Make the district of ``size`` units under ``base`` afresh and return its inputs."""
    work = base / f"d{size}"
    shutil.rmtree(work, ignore_errors=True)
    inputs = make_district(size, work, (year - 1, year))
    (work / f"made-{SEED}-{year}-{_inputs_digest()}").touch()
    return inputs


def _rounds(sizes: list[int], repeat: dict[int, int]) -> list[int]:
    """The order of the runs: the sizes run several times in rounds, the others one each between two rounds.

    The machine's speed drifts by 20-40 % within the hour; in rounds, the median of a small size spans the
    whole benchmark instead of one moment, and the sizes are compared across the same phases."""
    small = [s for s in sizes if repeat[s] > 1]
    large = [s for s in sizes if repeat[s] == 1]
    order: list[int] = []
    for i in range(max([repeat[s] for s in small] or [0])):
        order += [s for s in small if repeat[s] > i]
        if i < len(large):
            order.append(large[i])
    return order + large[max(0, max([repeat[s] for s in small] or [0])):]


def _spread(values: list[float]) -> float:
    return max(values) / min(values) - 1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="37,370,1100,3700,10600")
    ap.add_argument("--year", type=int, default=2015)
    ap.add_argument("--keep", help="make the districts under this folder and keep them")
    ap.add_argument("--profile", help="run the largest size in this process under cProfile, stats to this file")
    ap.add_argument("--no-charts", action="store_true", help="run with --no-charts (the trend charts left out)")
    ap.add_argument("--repeat", type=int, help="runs per size, the median kept (default: 5 up to 1.100 units, 1 above)")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="xhht-scale-"))
    try:
        districts = {}
        for size in sizes:
            t0 = time.perf_counter()
            inputs = _district(base, size, args.year, bool(args.keep))
            made = inputs is None
            if made:
                inputs = _make(base, size, args.year)
            districts[size] = inputs
            print(f"{size:>6} units: district {'made' if made else 'kept'} ({time.perf_counter() - t0:.1f} s)", flush=True)
        if args.profile:
            import cProfile
            import pstats

            from pipeline import runner

            size = max(sizes)
            work = districts[size].parent
            shutil.rmtree(work / "outputs", ignore_errors=True)
            prof = cProfile.Profile()
            start = time.perf_counter()
            prof.runcall(runner.run, districts[size], work / "outputs", args.year, feedback=True,
                         charts=not args.no_charts)
            print(f"{size} units: {time.perf_counter() - start:.1f} s in process (profiled)")
            prof.dump_stats(args.profile)
            pstats.Stats(args.profile).sort_stats("cumulative").print_stats(40)
            return 0
        repeat = {s: args.repeat if args.repeat is not None else (5 if s <= 1100 else 1) for s in sizes}
        runs: dict[int, list[dict]] = {s: [] for s in sizes}
        for size in _rounds(sizes, repeat):
            work = districts[size].parent
            shutil.rmtree(work / "outputs", ignore_errors=True)
            r = run_once(districts[size], work / "outputs", args.year, charts=not args.no_charts)
            if r["rc"] != 0:
                print(f"{size} units: exit {r['rc']}\n{r['out'][-2000:]}\n{r['err'][-4000:]}", file=sys.stderr)
                return 1
            runs[size].append(r)
            print(f"{size:>6} units  run {len(runs[size])}: wall {r['wall']:6.1f} s  cpu {r['cpu']:6.1f} s  "
                  f"peak {r['peak'] / 2**20:5.0f} MiB", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    rows = []  # (size, wall, cpu, peak) of the median run by CPU
    for size in sizes:
        r = sorted(runs[size], key=lambda x: x["cpu"])[len(runs[size]) // 2]
        rows.append((size, r["wall"], r["cpu"], max(x["peak"] for x in runs[size]), r))
    fixed = rows[0][2] if rows[0][0] <= 100 else None  # the real district's run: what a run costs whatever its size
    print()
    print(f"{'units':>6} {'wall':>7} {'cpu':>7} {'cpu/unit':>9} {'net/unit':>9} {'peak PSS':>9} {'RSS sum':>8}")
    for size, wall, cpu, peak, r in rows:
        each = ", ".join(f"{1000 * x['cpu'] / size:.1f}" for x in runs[size])
        net = f"{1000 * (cpu - fixed) / (size - rows[0][0]):7.1f} ms" if fixed is not None and size > rows[0][0] else ""
        head = r["out"].splitlines()[0] if r["out"] else ""
        print(f"{size:>6} {wall:6.1f}s {cpu:6.1f}s {1000 * cpu / size:6.1f} ms {net:>9} {peak / 2**20:6.0f} MiB "
              f"{r['peak_rss'] / 2**20:5.0f} MiB  (runs: {each} ms) | {head}")
    ok = True
    big = [r for r in rows if r[0] >= 370]
    if big:
        per = [r[2] / r[0] for r in big]
        print(f"CPU per unit from {big[0][0]} to {big[-1][0]} units: {1000 * min(per):.1f}–{1000 * max(per):.1f} ms "
              f"(spread {100 * _spread(per):.0f} %)")
        if fixed is not None:
            # linear means a constant cost per unit on top of a fixed one: the fixed part (imports, catalog, the
            # five documents; the 37-unit run) weighs 2-3 ms per unit at 370 units and 0,1 ms at 10.600
            net = [(r[2] - fixed) / (r[0] - rows[0][0]) for r in big]
            print(f"CPU per unit net of the {rows[0][0]}-unit run ({fixed:.2f} s, the fixed part): "
                  f"{1000 * min(net):.1f}–{1000 * max(net):.1f} ms (spread {100 * _spread(net):.0f} %, "
                  f"target <= {100 * FLAT_WITHIN:.0f} %)")
            ok &= _spread(net) <= FLAT_WITHIN
        else:
            ok &= _spread(per) <= FLAT_WITHIN
    if len(rows) >= 2:
        # CPU = fixed + per unit x units, least squares over every size: linear growth shows as a per-unit cost
        # that explains the large sizes, the fixed part as what a run costs whatever its size
        n = [r[0] for r in rows]
        c = [r[2] for r in rows]
        mn, mc = sum(n) / len(n), sum(c) / len(c)
        slope = sum((x - mn) * (y - mc) for x, y in zip(n, c)) / sum((x - mn) ** 2 for x in n)
        print(f"CPU = {mc - slope * mn:.2f} s + {1000 * slope:.2f} ms x units (least squares over "
              f"{', '.join(str(x) for x in n)} units; worst residual "
              f"{max(abs(y - (mc - slope * mn) - slope * x) / y for x, y in zip(n, c)) * 100:.0f} %)")
    for size, wall, _cpu, peak, _r in rows:
        if size >= 10600:
            print(f"{size} units: {wall:.1f} s (target <= {TARGET_SECONDS:.0f} s), "
                  f"{peak / 2**20:.0f} MiB (target <= {TARGET_BYTES / 2**20:.0f} MiB)")
            ok &= wall <= TARGET_SECONDS and peak <= TARGET_BYTES
    if not any(size >= 10600 for size, *_ in rows):
        print("10.600 units not run: the wall-time and memory targets were not checked")
    print("targets met" if ok else "targets NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

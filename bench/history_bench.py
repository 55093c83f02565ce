"""Benchmark the linearizability checker on Porcupine's data.

    python bench/history_bench.py [--repeat N]

Prints machine info, the total and worst-case checking time over all etcd
histories, and the times for kv c50-ok and c50-bad.  Parsing is timed
separately.  Wall time (perf_counter) and CPU time (process_time) are both
shown: on a loaded machine the CPU time is the steadier number.  Each figure
is the best of ``--repeat`` runs.  Nothing is written to disk.
"""

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from detsim.history import (cas_register, check_linearizable, kv,  # noqa: E402
                            read_edn_kv, read_jepsen_etcd_log)

DATA = ROOT.parent / "shared" / "data" / "porcupine" / "test_data"


def timed(fn, repeat):
    """Best (wall, cpu) seconds over ``repeat`` runs, and the last result."""
    best_wall = best_cpu = float("inf")
    result = None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        best_wall = min(best_wall, time.perf_counter() - w)
        best_cpu = min(best_cpu, time.process_time() - c)
    return best_wall, best_cpu, result


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not DATA.is_dir():
        sys.exit(f"Porcupine data not found at {DATA}")

    print(f"date:     {datetime.datetime.now().isoformat(timespec='seconds')}")
    print(f"platform: {platform.platform()} ({platform.machine()})")
    print(f"cpus:     {os.cpu_count()}  load average: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"python:   {platform.python_implementation()} {platform.python_version()}")
    print()

    logs = sorted((DATA / "jepsen").glob("etcd_*.log"))
    parsed, empty, t_parse = {}, [], 0.0
    for p in logs:
        w, _, ops = timed(lambda p=p: read_jepsen_etcd_log(p), 1)
        t_parse += w
        if ops:
            parsed[p] = ops
        else:
            empty.append(p.name)
    tot_w = tot_c = 0.0
    worst = (0.0, 0.0, None, None)
    verdicts = {"linearizable": 0, "not linearizable": 0, "unknown": 0}
    for p, ops in parsed.items():
        w, c, r = timed(lambda ops=ops: check_linearizable(ops, cas_register), args.repeat)
        tot_w += w
        tot_c += c
        verdicts[r.verdict] += 1
        if w > worst[0]:
            worst = (w, c, p.name, len(ops))
    print(f"etcd: {len(parsed)} histories (empty, skipped: {', '.join(empty) or 'none'}), "
          f"parse {t_parse:.3f} s")
    print(f"  verdicts: {verdicts}")
    print(f"  check total: {tot_w:.3f} s wall, {tot_c:.3f} s cpu")
    print(f"  worst case:  {worst[0]:.3f} s wall, {worst[1]:.3f} s cpu "
          f"({worst[2]}, {worst[3]} ops)")
    for name in ("c50-ok", "c50-bad"):
        path = DATA / "kv" / f"{name}.txt"
        pw, _, ops = timed(lambda: read_edn_kv(path), 1)
        w, c, r = timed(lambda: check_linearizable(ops, kv), args.repeat)
        print(f"kv {name}: {len(ops)} ops, parse {pw:.3f} s, check {w:.3f} s wall, "
              f"{c:.3f} s cpu -> {r.verdict}"
              + (f" (key {r.partition_key!r})" if r.ok is False else ""))


if __name__ == "__main__":
    main()

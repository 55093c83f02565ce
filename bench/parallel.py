"""Parallel campaigns: the same CPU-bound campaign on 1 and 2 worker processes, side by
side in one process, and on a Dask cluster on loopback (a scheduler and 2 single-
threaded workers started as separate processes). docs/scale.md explains the design.

    python bench/parallel.py            # 3 repetitions, interleaved; median
    python bench/parallel.py --quick    # 1 repetition, smaller campaigns
    python bench/parallel.py --no-dask  # skip the cluster
    python bench/parallel.py --only raft

Every variant must report the same result (verdict, runs, counters); the script
checks that before it prints a number. The campaigns hold, so every run executes.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import detsim  # noqa: E402
from detsim.campaign import check  # noqa: E402
from models.lost_update import LostUpdate  # noqa: E402
from models.raft import Raft  # noqa: E402

WORKLOADS = {
    # name: (model, runs, quick runs)
    "lost update, locked, 6 workers x 40 checkpoints": (LostUpdate(workers=6, warmup=40, bug=None), 3000, 600),
    "raft, correct, with faults": (Raft(), 300, 60),
}


def spin(n: int = 3_000_000) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def ceiling(repeat: int) -> float:
    """What this machine gives two processes right now: a pure-Python loop run twice in
    this process vs once in each of two forked processes (median ratio). On an idle
    2-core machine it is about 2; a detsim speedup can only be read against it."""
    ctx = multiprocessing.get_context("fork")
    ratios = []
    for _ in range(repeat):
        start = time.perf_counter()
        spin()
        spin()
        alone = time.perf_counter() - start
        start = time.perf_counter()
        procs = [ctx.Process(target=spin) for _ in range(2)]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join()
        ratios.append(alone / (time.perf_counter() - start))
    return statistics.median(ratios)


def cpu_seconds(workers) -> float:
    """CPU time used so far by this process, its reaped children and the Dask workers."""
    times = os.times()
    total = times.user + times.system + times.children_user + times.children_system
    if not isinstance(workers, int):
        total += sum(workers.run(time.process_time).values())
    return total


def timed(model, runs, workers):
    cpu = cpu_seconds(workers)
    start = time.perf_counter()
    result = check(model, detsim.Random(0), runs=runs, workers=workers)
    return time.perf_counter() - start, cpu_seconds(workers) - cpu, result


def fingerprint(result):
    return (result.verdict, result.runs, sorted(result.counters.items()), result.stats)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--only", metavar="WORD", help="only the workloads whose name contains WORD")
    args = parser.parse_args()
    repeat = args.repeat or (1 if args.quick else 3)
    print(f"machine: nproc={os.cpu_count()}, Python {platform.python_version()}; "
          f"load average before: {os.getloadavg()[0]:.2f}")
    print(f"ceiling: a pure-Python loop on 2 processes vs 1: {ceiling(repeat):.2f}x")
    cluster = client = None
    if not args.no_dask:
        from distributed import Client

        from tests.campaign.dask_cluster import loopback_cluster

        started = time.perf_counter()
        cluster = loopback_cluster(workers=2)
        address = cluster.__enter__()
        client = Client(address)
        print(f"dask: scheduler + 2 workers on {address}, up in {time.perf_counter() - started:.1f} s")
    try:
        for name, (model, runs, quick_runs) in WORKLOADS.items():
            if args.only and args.only not in name:
                continue
            runs = quick_runs if args.quick else runs
            variants = {"1 worker": 1, "2 workers": 2}
            if client is not None:
                variants["dask, 2 workers"] = client
            times = {v: [] for v in variants}
            cpus = {v: [] for v in variants}
            expected = None
            for workers in variants.values():  # warm-up: the Dask workers import the model's modules
                check(model, detsim.Random(0), runs=8, workers=workers)
            for _ in range(repeat):
                for label, workers in variants.items():  # interleaved: load changes hit every variant
                    seconds, cpu, result = timed(model, runs, workers)
                    times[label].append(seconds)
                    cpus[label].append(cpu)
                    if expected is None:
                        expected = fingerprint(result)
                    assert fingerprint(result) == expected, f"{label} gave a different result"
            base, base_cpu = statistics.median(times["1 worker"]), statistics.median(cpus["1 worker"])
            print(f"\n{name}: {runs} runs, {expected[0]}")
            for label, samples in times.items():
                med, cpu = statistics.median(samples), statistics.median(cpus[label])
                # On a busy machine wall time says little; CPU time says what sharing out costs:
                # with the work split evenly, n idle cores give a speedup of n * base_cpu / cpu.
                print(f"  {label:<16} {med:7.2f} s  {runs / med:8.0f} runs/s  speedup {base / med:4.2f}x"
                      f"  cpu {cpu:6.2f} s ({cpu / base_cpu:4.2f}x of 1 worker)"
                      f"  (wall samples: {', '.join(f'{s:.2f}' for s in samples)})")
    finally:
        if client is not None:
            client.close()
            cluster.__exit__(None, None, None)
    print(f"\nceiling again: {ceiling(repeat):.2f}x; load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

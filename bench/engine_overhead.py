"""Engine overhead: the same workload under raw SimPy, World+Fifo and World+Random.

    python bench/engine_overhead.py            # main workload + tie-scaling table
    python bench/engine_overhead.py --quick    # fewer repetitions

The workload uses only the plain SimPy process API (``env.process``, ``env.timeout``),
so every variant runs exactly the same events; the World variants differ only in who
breaks ties. Variants are interleaved (rotated order each repetition) and the median
of the repetitions is reported. Events are counted as World steps; the script checks
that raw SimPy and World+Fifo process the same events in the same order.

The World keeps Fifo/Random decisions in a compact form and builds the
(step, time, label, candidates, chosen) tuples when ``world.decisions`` is first
read. "Random+tuples" reads it inside the timed region, so it includes that cost
(a real run pays it once, when its trace is built).
"""
from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time

import simpy

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from detsim import Fifo, Random, World  # noqa: E402

TARGET = 0.7  # World+Random as a fraction of raw SimPy (issue 2)


# ---- workloads ---------------------------------------------------------------------
def mixed(procs: int = 250, rounds: int = 300, spread: int = 64):
    """procs processes; each round a timeout of 1..spread (integer, so several
    processes wake at the same instant) and, every third round, a zero-delay yield."""

    def setup(env, log=None):
        def proc(i):
            for k in range(rounds):
                yield env.timeout(1 + (i * 7 + k * 13) % spread)
                if log is not None:
                    log.append((env.now, i, k))
                if (i + k) % 3 == 0:
                    yield env.timeout(0)

        for i in range(procs):
            env.process(proc(i))

    extra = sum(1 for i in range(procs) for k in range(rounds) if (i + k) % 3 == 0)
    events = procs * (rounds + 2) + extra  # Initialize + timeouts + process exit
    return setup, events


def lockstep(ties: int, total: int = 120_000):
    """``ties`` processes waking at every instant together: each instant is a
    ``ties``-way tie."""
    rounds = max(1, total // ties)

    def setup(env, log=None):
        def proc(i):
            for _ in range(rounds):
                yield env.timeout(1)
                if log is not None:
                    log.append((env.now, i))

        for i in range(ties):
            env.process(proc(i))

    return setup, ties * (rounds + 2)


# ---- runners -----------------------------------------------------------------------
def make_env(variant: str, seed: int = 0):
    if variant == "raw":
        return simpy.Environment()
    strategy = Fifo() if variant == "fifo" else Random(seed)  # "random", "random+tuples"
    strategy.begin(0)
    # budgets far above the workload: they must not trigger, only be checked
    return World(strategy, max_steps=10**9, instant_budget=10**9)


def timed(variant: str, setup, events: int) -> float:
    env = make_env(variant)
    setup(env)
    gc.collect()
    start = time.perf_counter()
    env.run()
    if variant == "random+tuples":
        len(env.decisions)
    elapsed = time.perf_counter() - start
    if variant != "raw" and env.steps != events:
        raise AssertionError(f"{variant}: {env.steps} steps, expected {events}")
    return events / elapsed


def check_same_order(setup) -> None:
    logs = []
    for variant in ("raw", "fifo"):
        env, log = make_env(variant), []
        setup(env, log)
        env.run()
        logs.append(log)
    if logs[0] != logs[1]:
        raise AssertionError("World+Fifo did not reproduce raw SimPy's order")


def measure(setup, events: int, reps: int, variants=("raw", "fifo", "random", "random+tuples")) -> dict:
    rates = {v: [] for v in variants}
    for rep in range(reps):
        order = variants[rep % len(variants):] + variants[:rep % len(variants)]
        for v in order:
            rates[v].append(timed(v, setup, events))
    return {v: statistics.median(r) for v, r in rates.items()}


def tie_profile(setup) -> str:
    """Decisions and mean candidates per decision under Random (how 'tied' the workload is)."""
    env = make_env("random")
    setup(env)
    env.run()
    n = len(env.decisions)
    mean = sum(len(d[3]) for d in env.decisions) / n if n else 0
    return f"{n} decisions over {env.steps} steps, mean {mean:.1f} candidates per decision"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=9, help="repetitions per variant (median)")
    ap.add_argument("--quick", action="store_true", help="3 repetitions, smaller tie table")
    args = ap.parse_args(argv)
    reps = 3 if args.quick else args.reps

    print(f"python {platform.python_version()}, simpy {simpy.__version__}, {reps} repetitions, median")
    setup, events = mixed()
    check_same_order(setup)
    print(f"\nmain workload: 250 processes x 300 timeouts (1..64) + zero-delay yields, {events} events")
    print(f"  ties: {tie_profile(setup)}")
    rates = measure(setup, events, reps)
    raw = rates["raw"]
    print(f"  {'variant':<21}{'events/s':>12}{'vs raw':>9}")
    for name, key in (("raw SimPy", "raw"), ("World+Fifo", "fifo"), ("World+Random", "random"),
                      ("World+Random+tuples", "random+tuples")):
        print(f"  {name:<21}{rates[key]:>12,.0f}{rates[key] / raw:>9.2f}")
    ok = rates["random"] / raw >= TARGET
    print(f"  target World+Random >= {TARGET}x raw: {'met' if ok else 'NOT MET'}")

    print("\ntie scaling: k processes waking together at every instant (~120k events)")
    print(f"  {'ties':>6}{'raw ev/s':>12}{'Fifo':>8}{'Random':>8}{'Random+tuples':>15}")
    for ties in (2, 10, 100, 1000):
        setup, events = lockstep(ties)
        check_same_order(setup)
        rates = measure(setup, events, max(3, reps // 2))
        raw = rates["raw"]
        print(f"  {ties:>6}{raw:>12,.0f}{rates['fifo'] / raw:>8.2f}{rates['random'] / raw:>8.2f}"
              f"{rates['random+tuples'] / raw:>15.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Engine overhead: full detsim runs against the same logic in raw SimPy (issue 14).

    python bench/engine_overhead.py            # 7 repetitions, median
    python bench/engine_overhead.py --quick    # 3 repetitions
    python bench/engine_overhead.py --ties     # also the tie-scaling table (World only)

Three workloads, each measured side by side in one process (variants interleaved,
rotated order each repetition):

1. ``timeouts``: 50 processes x 400 integer timeouts of 1..3 (about 17 processes
   wake at each instant). Raw SimPy events/s against ``detsim.run(model, Random(0))``
   events/s, the whole call timed: World, setup, monitor, lint, every decision and
   building the run's ``Trace``.
2. ``ties``: 1,000 processes doing ``timeout(1)`` in lock-step (every instant a
   1,000-way tie), the same comparison.
3. ``lost update``: the 3-worker locked lost-update model (models/lost_update.py,
   ``bug=None``). Raw SimPy runs/s of the same generator logic (a capacity-1
   Resource as the lock, a fresh Environment per run, the count checked at the
   end) against ``detsim.check(model, Random(0), runs=N)`` runs/s, and
   ``detsim.run`` runs/s for reference.

Targets (issue 14): timeouts >= 0.7x, ties >= 0.5x, lost update check >= 0.5x.
The script checks that detsim processes exactly as many events as raw SimPy.
Rates are per second of the process's CPU time (``time.process_time``), so that
other jobs on a shared machine do not land in one variant's timing; the rates
shown are medians, the ratios the median of per-repetition ratios (raw and detsim
measured a moment apart).
"""
from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass

import simpy

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import detsim  # noqa: E402
from detsim import Fifo, Random, World  # noqa: E402
from models.lost_update import LostUpdate  # noqa: E402

TARGETS = {"timeouts": 0.7, "ties": 0.5, "lost update": 0.5}


# ---- workloads: one generator body for raw SimPy and for detsim ------------------------
def _timeouts_body(env, i, rounds, spread):
    for k in range(rounds):
        yield env.timeout(1 + (i * 7 + k * 13) % spread)


def _lockstep_body(env, i, rounds, spread):
    for _ in range(rounds):
        yield env.timeout(1)


BODIES = {"timeouts": _timeouts_body, "ties": _lockstep_body}


@dataclass
class Procs(detsim.Model):
    """``procs`` named processes running one body: the detsim side of workloads 1 and 2."""

    body: str = "timeouts"
    procs: int = 50
    rounds: int = 400
    spread: int = 3

    def setup(self, world):
        body = BODIES[self.body]
        for i in range(self.procs):
            world.spawn(f"p{i}", body(world, i, self.rounds, self.spread))

    def properties(self):
        return []


def _name(body) -> str:
    return next(k for k, v in BODIES.items() if v is body)


def raw_procs(body, procs, rounds, spread=1) -> int:
    env = simpy.Environment()
    for i in range(procs):
        env.process(body(env, i, rounds, spread))
    env.run()
    return procs * (rounds + 2)  # start + timeouts + exit, as World counts steps


def detsim_procs(body, procs, rounds, spread=1) -> int:
    result = detsim.run(Procs(_name(body), procs, rounds, spread), Random(0))
    assert result.ok and result.trace is not None
    return result.steps


def raw_lost_update(runs: int, workers: int = 3, stagger: int = 1, warmup: int = 8) -> int:
    """LostUpdate(bug=None)'s worker, in plain SimPy."""
    for _ in range(runs):
        env = simpy.Environment()
        lock = simpy.Resource(env, capacity=1)
        state = [0]

        def worker(i):
            for _ in range(warmup + stagger * i):
                yield env.timeout(0)
            req = lock.request()
            yield req
            seen = state[0]
            yield env.timeout(0)
            state[0] = seen + 1
            lock.release(req)

        for i in range(workers):
            env.process(worker(i))
        env.run()
        assert state[0] == workers
    return runs


def detsim_check(runs: int) -> int:
    result = detsim.check(LostUpdate(bug=None), Random(0), runs=runs)
    assert result.ok and result.runs == runs, result
    return runs


def detsim_run(runs: int) -> int:
    model = LostUpdate(bug=None)
    for i in range(runs):
        assert detsim.run(model, Random(i)).ok
    return runs


# ---- measuring ---------------------------------------------------------------------------
def rate(fn, *args) -> float:
    """Units per second of this process's CPU time: on a shared machine, wall time
    also counts the other jobs' time slices."""
    gc.collect()
    start = time.process_time()
    n = fn(*args)
    return n / (time.process_time() - start)


def side_by_side(variants: dict, reps: int) -> tuple:
    """variants: name -> (fn, args), the first one the baseline. Interleaved, rotated
    each repetition. Returns the median rates and, per variant, the median of its
    per-repetition ratios to the baseline (each ratio from runs a moment apart, so a
    change in the machine's load between repetitions cancels out)."""
    names = list(variants)
    rates = {v: [] for v in names}
    for rep in range(reps):
        order = names[rep % len(names):] + names[:rep % len(names)]
        for v in order:
            fn, args = variants[v]
            rates[v].append(rate(fn, *args))
    base = rates[names[0]]
    ratios = {v: statistics.median(x / b for x, b in zip(r, base)) for v, r in rates.items()}
    return {v: statistics.median(r) for v, r in rates.items()}, ratios


def tie_profile(body, procs, rounds, spread) -> str:
    world = World(Random(0))
    for i in range(procs):
        world.spawn(f"p{i}", body(world, i, rounds, spread))
    world.run()
    n = len(world.decisions)
    mean = sum(len(d[3]) for d in world.decisions) / n if n else 0
    return f"{world.steps} events, {n} decisions, mean {mean:.1f} candidates per decision"


def workloads(reps: int) -> list:
    rows = []
    for name, body, procs, rounds, spread in (("timeouts", _timeouts_body, 50, 400, 3),
                                              ("ties", _lockstep_body, 1000, 60, 1)):
        events = raw_procs(body, procs, rounds, spread)
        steps = detsim_procs(body, procs, rounds, spread)
        if steps != events:
            raise AssertionError(f"{name}: detsim ran {steps} steps, raw SimPy {events} events")
        print(f"\n{name}: {procs} processes x {rounds} timeouts; {tie_profile(body, procs, rounds, spread)}")
        r, ratio = side_by_side({"raw SimPy": (raw_procs, (body, procs, rounds, spread)),
                                 "detsim.run(Random)": (detsim_procs, (body, procs, rounds, spread))}, reps)
        for v, x in r.items():
            print(f"  {v:<24}{x:>12,.0f} events/s {ratio[v]:>6.2f}x")
        rows.append((name, ratio["detsim.run(Random)"]))

    runs = 300
    print(f"\nlost update: LostUpdate(bug=None), 3 workers, {runs} runs per measurement")
    r, ratio = side_by_side({"raw SimPy": (raw_lost_update, (runs,)),
                             "detsim.check(Random)": (detsim_check, (runs,)),
                             "detsim.run(Random)": (detsim_run, (runs,))}, reps)
    for v, x in r.items():
        print(f"  {v:<24}{x:>12,.0f} runs/s   {ratio[v]:>6.2f}x")
    rows.append(("lost update", ratio["detsim.check(Random)"]))
    return rows


# ---- the World alone: tie scaling (no runner, no trace) -----------------------------------
def tie_table(reps: int) -> None:
    def world_only(strategy_cls, ties, rounds):
        strategy = strategy_cls()
        strategy.begin(0)
        world = World(strategy, max_steps=10**9, instant_budget=10**9)
        for i in range(ties):
            world.spawn(f"p{i}", _lockstep_body(world, i, rounds, 1))
        world.run()
        return world.steps

    print("\ntie scaling, World alone (no runner, no trace): k processes in lock-step, ~120k events")
    print(f"  {'ties':>6}{'raw ev/s':>12}{'Fifo':>8}{'Random':>8}")
    for ties in (2, 10, 100, 1000):
        rounds = max(1, 120_000 // ties)
        r, ratio = side_by_side({"raw": (raw_procs, (_lockstep_body, ties, rounds, 1)),
                                 "fifo": (world_only, (Fifo, ties, rounds)),
                                 "random": (world_only, (Random, ties, rounds))}, reps)
        print(f"  {ties:>6}{r['raw']:>12,.0f}{ratio['fifo']:>8.2f}{ratio['random']:>8.2f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=7, help="repetitions per variant (median)")
    ap.add_argument("--quick", action="store_true", help="3 repetitions")
    ap.add_argument("--ties", action="store_true", help="also print the World-only tie-scaling table")
    args = ap.parse_args(argv)
    reps = 3 if args.quick else args.reps
    print(f"python {platform.python_version()}, simpy {simpy.__version__}, {reps} repetitions, median")
    rows = workloads(reps)
    print("\ntargets (issue 14):")
    ok = True
    for name, ratio in rows:
        met = ratio >= TARGETS[name]
        ok &= met
        print(f"  {name:<12} {ratio:>5.2f}x  target >= {TARGETS[name]}x: {'met' if met else 'NOT MET'}")
    if args.ties:
        tie_table(max(3, reps // 2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

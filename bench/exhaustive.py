"""Exhaustive (source-DPOR + sleep sets) against the naive enumeration (unbounded DFS).

    python bench/exhaustive.py              # every soundness model, LostUpdate, models/ small instances
    python bench/exhaustive.py --quick      # skip the naive runs that take over ten seconds

For each model: the naive enumeration's complete executions and wall time, then
Exhaustive's complete executions, runs abandoned as already covered (sleep-set
blocked), transitions and wall time, side by side in one process, and whether
both found the same set of (end, violated property, terminal state). The soundness
models are those of tests/search/soundness_models.py.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import detsim  # noqa: E402
from detsim import DFS  # noqa: E402
from detsim.campaign import build_model  # noqa: E402
from detsim.search import Exhaustive  # noqa: E402
from tests.search.soundness_models import CASES, explore  # noqa: E402

SLOW = {"counter 3, no lock", "counter 3, lock", "reorder 3"}
NAIVE_CAP = 20_000  # for models/ instances the naive enumeration cannot finish
MODELS = [
    ("LostUpdate bug=None", "models.lost_update:LostUpdate", {"bug": None}),
    ("Mutex fifo 2x1", "models.mutex:Mutex", {"workers": 2, "rounds": 1, "work": 1, "stagger": 1}),
    ("Mutex counter 2x1", "models.mutex:Mutex", {"workers": 2, "rounds": 1, "work": 1, "stagger": 1,
                                                 "design": "counter"}),
    ("Philosophers n=3", "models.dining_philosophers:DiningPhilosophers",
     {"n": 3, "meals": 1, "think": 1, "stagger": 1}),
]


def row(name, naive, naive_t, strategy, reduced, reduced_t, same) -> str:
    ratio = f"{naive / reduced:,.0f}x" if isinstance(naive, int) and reduced else "-"
    naive_text = f"{naive:,}" if isinstance(naive, int) else naive
    return (f"| {name} | {naive_text} | {naive_t:.2f} | {reduced:,} | {strategy.pruned:,} | "
            f"{strategy.transitions:,} | {reduced_t:.2f} | {ratio} | {same} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print("| model | naive executions | naive s | exhaustive executions | abandoned | transitions "
          "| exhaustive s | fewer | same outcomes |")
    print("|---|---|---|---|---|---|---|---|---|")
    total_naive = total_reduced = 0
    for name, model in CASES:
        if args.quick and name in SLOW:
            continue
        t = time.perf_counter()
        naive_out, naive = explore(model, DFS())
        naive_t = time.perf_counter() - t
        strategy = Exhaustive()
        t = time.perf_counter()
        reduced_out, reduced = explore(model, strategy)
        reduced_t = time.perf_counter() - t
        total_naive, total_reduced = total_naive + naive, total_reduced + reduced
        print(row(name, naive, naive_t, strategy, reduced, reduced_t, "yes" if naive_out == reduced_out else "NO"),
              flush=True)
    print(f"| **soundness models, total** | {total_naive:,} | | {total_reduced:,} | | | | "
          f"{total_naive / total_reduced:,.0f}x | |")
    for name, ref, params in MODELS:
        model = build_model(ref, params)
        t = time.perf_counter()
        naive = detsim.check(model, DFS(max_runs=NAIVE_CAP), runs=None, shrink=False)
        naive_t = time.perf_counter() - t
        strategy = Exhaustive()
        t = time.perf_counter()
        result = detsim.check(model, strategy, runs=None, shrink=False)
        reduced_t = time.perf_counter() - t
        naive_n = naive.runs if naive.exhausted else f"> {naive.runs:,} (not finished)"
        print(row(name, naive_n, naive_t, strategy, result.runs, reduced_t, result.summary().split(":")[0]),
              flush=True)


if __name__ == "__main__":
    main()

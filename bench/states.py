"""State caching (``Exhaustive(states=True)``) against the naive enumeration and DPOR.

    python bench/states.py              # every soundness model, then models/ small instances
    python bench/states.py --quick      # skip the naive runs that take over ten seconds

For each soundness model (tests/search/soundness_models.py): the naive enumeration's
complete executions, Exhaustive()'s (source-DPOR), then state caching's complete
executions, runs cut at a state seen before, distinct states, transitions and wall
time, all in one process, and whether caching found the same set of (end,
violated property, terminal state) as the naive enumeration.
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
MODELS = [
    ("LostUpdate bug=None", "models.lost_update:LostUpdate", {"bug": None}),
    ("Philosophers backoff n=2", "models.dining_philosophers:DiningPhilosophers",
     {"n": 2, "meals": 1, "think": 1, "stagger": 1, "protocol": "backoff"}),
    ("Philosophers polite n=3", "models.dining_philosophers:DiningPhilosophers",
     {"n": 3, "meals": 1, "think": 1, "stagger": 1, "protocol": "backoff", "bug": "polite"}),
    ("Philosophers n=3", "models.dining_philosophers:DiningPhilosophers",
     {"n": 3, "meals": 1, "think": 1, "stagger": 1}),
]


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print("| model | naive executions | DPOR executions | cached executions | cut | distinct states "
          "| transitions | cached s | same outcomes as naive |")
    print("|---|---|---|---|---|---|---|---|---|")
    totals = [0, 0, 0]
    for name, model in CASES:
        if args.quick and name in SLOW:
            continue
        naive_out, naive = explore(model, DFS())
        _, dpor = explore(model, Exhaustive())
        strategy = Exhaustive(states=True)
        (cached_out, cached), t = timed(lambda: explore(model, strategy))
        totals = [totals[0] + naive, totals[1] + dpor, totals[2] + cached]
        print(f"| {name} | {naive:,} | {dpor:,} | {cached:,} | {strategy.pruned:,} | {len(strategy.seen):,} | "
              f"{strategy.transitions:,} | {t:.2f} | {'yes' if cached_out == naive_out else 'NO'} |", flush=True)
    print(f"| **soundness models, total** | {totals[0]:,} | {totals[1]:,} | {totals[2]:,} | | | | | |")
    for name, ref, params in MODELS:
        strategy = Exhaustive(states=True)
        result, t = timed(lambda: detsim.check(build_model(ref, params), strategy, runs=None, shrink=False))
        print(f"| {name} | | | {strategy.complete:,} | {strategy.pruned:,} | {len(strategy.seen):,} | "
              f"{strategy.transitions:,} | {t:.2f} | {result.summary().split(':')[0]} |", flush=True)


if __name__ == "__main__":
    main()

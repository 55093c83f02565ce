"""Schedules to the first failure on SCTBench-style programs: Random, PCT(2), PCT(3)
and DFS with iterative bounding (preemptions, and delays).

    python bench/sctbench.py                      # 10 seeds, budget 2,000 schedules
    python bench/sctbench.py --seeds 20 --budget 5000 --programs reorder_10 twostage_10

The programs are in bench/sctbench_models.py. For each (program, strategy) and seed
0..N-1 a campaign runs until the first violation or the budget (no shrinking).
Reported per cell: seeds that found the bug, the median number of schedules up to
and including the failing one (a seed that missed counts as "more than the budget",
so the median is "> budget" when half or more missed), and the median wall time
of one seed's campaign. DFS is deterministic: it is run once. A campaign that ended
with an error (a step budget) is counted in the "errors" column: PCT must have none.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import detsim  # noqa: E402
from sctbench_models import programs  # noqa: E402

STRATEGIES = {
    "Random": lambda seed: detsim.Random(seed),
    "PCT(2)": lambda seed: detsim.PCT(2, seed),
    "PCT(3)": lambda seed: detsim.PCT(3, seed),
    "DFS preemptions": None,
    "DFS delays": None,
}


def search(model, strategy, budget: int):
    """(schedules to the first failure or None, wall seconds, error or None)."""
    start = time.perf_counter()
    result = detsim.check(model, strategy, runs=budget, shrink=False)
    wall = time.perf_counter() - start
    return (result.runs if result.violation is not None else None), wall, result.error


def cell(found: list, walls: list, budget: int) -> str:
    hits = [f for f in found if f is not None]
    ranked = sorted(f if f is not None else budget + 1 for f in found)
    median = statistics.median(ranked)
    shown = f"> {budget:,}" if median > budget else f"{median:g}"
    return f"{len(hits)}/{len(found)}: {shown} ({statistics.median(walls):.2f} s)"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--budget", type=int, default=2000)
    parser.add_argument("--programs", nargs="*", default=None)
    args = parser.parse_args(argv)
    chosen = [(n, m) for n, m in programs() if not args.programs or n in args.programs]
    print(f"# {platform.python_implementation()} {platform.python_version()}, seeds 0..{args.seeds - 1}, "
          f"budget {args.budget:,} schedules")
    print("| program | " + " | ".join(STRATEGIES) + " | errors |")
    print("|---" * (len(STRATEGIES) + 2) + "|")
    for name, model in chosen:
        row, errors = [], 0
        for label, make in STRATEGIES.items():
            if make is None:  # deterministic: one campaign
                dfs = detsim.DFS() if label == "DFS preemptions" else detsim.DFS(max_delays=1_000)
                runs, wall, error = search(model, dfs, args.budget)
                errors += error is not None
                row.append(f"{runs:,} ({wall:.2f} s)" if runs is not None else f"> {args.budget:,} ({wall:.2f} s)")
                continue
            found, walls = [], []
            for seed in range(args.seeds):
                runs, wall, error = search(model, make(seed), args.budget)
                errors += error is not None
                found.append(runs)
                walls.append(wall)
            row.append(cell(found, walls, args.budget))
        print(f"| {name} | " + " | ".join(row) + f" | {errors} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

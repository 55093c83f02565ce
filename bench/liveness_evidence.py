"""Evidence for the liveness planted bugs: found?, schedules to the first failure
over 20 seeds (median / max), shrunk size (median / max deviations), and whether
the correct variant survives a long campaign.

    python bench/liveness_evidence.py            # 20 seeds, deep survival budget
    python bench/liveness_evidence.py --quick    # 5 seeds, short survival budget
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import detsim  # noqa: E402
from models.dining_philosophers import DiningPhilosophers  # noqa: E402
from models.mutex import Mutex  # noqa: E402
from models.priority_pool import PriorityPool  # noqa: E402
from models.rwlock import RwLock  # noqa: E402

# (label, buggy model, property, correct model(s), strategy factory)
CASES = [
    ("mutex barging", Mutex(bug="barging", work=0, rounds=4), "no starvation",
     [Mutex(work=0, rounds=4), Mutex(design="counter", work=0, rounds=4)], detsim.Random),
    ("mutex waiter-count", Mutex(bug="waiter-count"), "no deadlock",
     [Mutex(design="counter")], detsim.Random),
    ("rwlock reader-preferring", RwLock(bug="reader-preferring"), "writer not starved",
     [RwLock(), RwLock(lock="detsim")], detsim.Random),
    ("rwlock reader-preferring (world.rwlock)", RwLock(bug="reader-preferring", lock="detsim"),
     "writer not starved", [], detsim.Random),
    ("priority_pool strict-priority", PriorityPool(bug="strict-priority"), "low-priority work completes",
     [PriorityPool()], detsim.Random),
    ("dining_philosophers polite", DiningPhilosophers(bug="polite"), "no livelock",
     [DiningPhilosophers(protocol="backoff"), DiningPhilosophers()], detsim.Random),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--within", type=int, default=2000)
    args = parser.parse_args()
    seeds = range(5 if args.quick else 20)
    survive = 300 if args.quick else 3000
    print(f"| planted bug | property | found | schedules to failure, median / max ({len(seeds)} seeds) "
          f"| shrunk deviations, median / max | correct variant survives {survive} schedules "
          f"(Random and Fair(PCT(3))) | time |")
    print("|---|---|---|---|---|---|---|")
    for label, buggy, prop, correct, make in CASES:
        start = time.perf_counter()
        runs, sizes = [], []
        for seed in seeds:
            result = detsim.check(buggy, make(seed), runs=args.within)
            if not result.ok and result.violation.property == prop:
                runs.append(result.runs)
                sizes.append(len(result.trace.deviations()))
        survived = []
        for model in correct:
            for strategy in (detsim.Random(0), detsim.Fair(detsim.PCT(3, 0))):
                survived.append(detsim.check(model, strategy, runs=survive).ok)
        found = f"{len(runs)}/{len(seeds)}"
        med = f"{statistics.median(runs):g} / {max(runs)}" if runs else "-"
        shr = f"{statistics.median(sizes):g} / {max(sizes)}" if sizes else "-"
        ok = ("yes" if all(survived) else "NO") if survived else "(see row above)"
        print(f"| {label} | {prop} | {found} | {med} | {shr} | {ok} | {time.perf_counter() - start:.1f}s |")


if __name__ == "__main__":
    main()

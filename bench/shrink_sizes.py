"""Shrink sizes before and after the passes that follow 1-minimality (schedule cuts,
moving deviations earlier, undoing preemptions), side by side in one run.

    python bench/shrink_sizes.py            # Peterson turn-first, Random seeds 0-9
    python bench/shrink_sizes.py --also     # also RacyCounter, the tellers deadlock, philosophers
    python bench/shrink_sizes.py --raft     # the Raft bugs (seed 0): deviations and shrink runs

"before" is the same shrinker with the new passes switched off (delta debugging to a
1-minimal trace, as before); "after" is detsim's shrinker as it is.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import detsim  # noqa: E402
from detsim.campaign import _shrink  # noqa: E402
from tests.campaign.peterson import Peterson  # noqa: E402

SEEDS = range(10)


def campaign(model, seed, tidy: bool):
    saved = _shrink._Shrinker.tidy
    if not tidy:
        _shrink._Shrinker.tidy = lambda self, trace: trace
    try:
        return detsim.check(model, detsim.Random(seed), runs=2000)
    finally:
        _shrink._Shrinker.tidy = saved


def table(name, make) -> None:
    rows = []
    for seed in SEEDS:
        before, after = campaign(make(), seed, False), campaign(make(), seed, True)
        assert before.one_minimal and after.one_minimal
        rows.append((seed, len(before.original_trace.deviations()), len(before.trace.deviations()),
                     before.trace.strategy.get("preemptions"), before.shrink_runs,
                     len(after.trace.deviations()), after.trace.strategy.get("preemptions"), after.shrink_runs))
    print(f"\n### {name}\n")
    print("| seed | found | before: deviations | preemptions | shrink runs | after: deviations | preemptions | shrink runs |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print("| " + " | ".join(str(x) for x in r) + " |")
    b, a = [r[2] for r in rows], [r[5] for r in rows]
    print(f"\nbefore: median {statistics.median(b)}, at most 4 for {sum(x <= 4 for x in b)} of {len(b)} seeds; "
          f"after: median {statistics.median(a)}, at most 4 for {sum(x <= 4 for x in a)} of {len(a)} seeds; "
          f"shrink runs median {statistics.median(r[4] for r in rows)} -> {statistics.median(r[7] for r in rows)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--also", action="store_true")
    parser.add_argument("--raft", action="store_true")
    args = parser.parse_args()
    if args.raft:
        raft()
        return
    table("Peterson, turn-first (tests/campaign/peterson.py), Random seeds 0-9", Peterson)
    if args.also:
        from models.dining_philosophers import DiningPhilosophers
        from tests.support import RacyCounter
        from tests.view.models import Tellers
        table("RacyCounter (lost update)", RacyCounter)
        table("Tellers (deadlock, tests/view/models.py)", Tellers)
        table("Dining philosophers, circular-wait", lambda: DiningPhilosophers(bug="circular-wait"))


def raft() -> None:
    """Shrink runs are the cost that matters for long models: counted, not timed."""
    from models.raft import CRASH_FAULTS, PAUSE_FAULTS, Raft
    bugs = [("figure8", CRASH_FAULTS), ("vote-not-durable", CRASH_FAULTS),
            ("no-term-check", PAUSE_FAULTS), ("stale-read", PAUSE_FAULTS)]
    print("\n### Raft (Random(0), 300 schedules)\n")
    print("| bug | found | before: deviations | preemptions | shrink runs | after: deviations | preemptions | shrink runs |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for bug, plan in bugs:
        before = campaign(Raft(bug=bug, faults=plan), 0, False)
        after = campaign(Raft(bug=bug, faults=plan), 0, True)
        print(f"| {bug} | {len(before.original_trace.deviations())} | {len(before.trace.deviations())} | "
              f"{before.trace.strategy.get('preemptions')} | {before.shrink_runs} | {len(after.trace.deviations())} | "
              f"{after.trace.strategy.get('preemptions')} | {after.shrink_runs} |")


if __name__ == "__main__":
    main()

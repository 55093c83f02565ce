"""How quickly the planted bugs of the systems catalogue (event_sourcing, supervision,
task_group, load_balancer) are found and how small their counterexamples shrink.

    python bench/catalogue_systems.py            # Random, seeds 0-9, every bug
    python bench/catalogue_systems.py --dfs      # also DFS on the small instances

For each bug: the median (and worst) number of schedules Random ran up to the first
violation of the bug's property, the median (and largest) number of deviations of
the shrunk, 1-minimal trace, and the wall time of the ten campaigns including
shrinking. A campaign that finds another property, or nothing, is counted as a miss.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import detsim  # noqa: E402
from models.event_sourcing import EventSourcing  # noqa: E402
from models.load_balancer import LoadBalancer  # noqa: E402
from models.supervision import Supervision  # noqa: E402
from models.task_group import TaskGroupJobs  # noqa: E402

SEEDS = range(10)
BUDGET = 500
NO_FAULTS = {"kinds": []}

BUGS = [
    ("event_sourcing", "no-version-check", lambda: EventSourcing(bug="no-version-check"),
     "concurrent commands never both succeed from the same version"),
    ("event_sourcing", "projection-skips-on-retry", lambda: EventSourcing(bug="projection-skips-on-retry"),
     "the projection equals fold(events)"),
    ("supervision", "restart-storm", lambda: Supervision(bug="restart-storm"),
     "no more than 2 restarts in any window of 10"),
    ("supervision", "orphan-on-stop", lambda: Supervision(bug="orphan-on-stop"),
     "no child is left running after the supervisor stopped"),
    ("supervision", "lost-on-restart", lambda: Supervision(bug="lost-on-restart"), "no message is silently lost"),
    ("task_group", "leak-on-cancel", lambda: TaskGroupJobs(bug="leak-on-cancel"), "no leaked task"),
    ("task_group", "lock-held-after-cancel", lambda: TaskGroupJobs(bug="lock-held-after-cancel"),
     "a cancelled child releases the locks it held"),
    ("task_group", "unobserved-cancel", lambda: TaskGroupJobs(bug="unobserved-cancel"),
     "every child's outcome is observed once"),
    ("load_balancer", "stale-registry", lambda: LoadBalancer(bug="stale-registry"),
     "no request goes to an instance deregistered more than TTL ago"),
    ("load_balancer", "double-dispatch-on-timeout", lambda: LoadBalancer(bug="double-dispatch-on-timeout"),
     "every request is answered once"),
    ("load_balancer", "racy-round-robin (no faults)",
     lambda: LoadBalancer(bug="racy-round-robin", faults=NO_FAULTS), "load spread <= 1 when all are healthy"),
]

SMALL = [  # instances DFS explores completely
    ("event_sourcing", "no-version-check", lambda: EventSourcing(bug="no-version-check", commands=1, think=[1, 2]),
     "concurrent commands never both succeed from the same version"),
    ("event_sourcing", "projection-skips-on-retry",
     lambda: EventSourcing(bug="projection-skips-on-retry", commands=1, think=[1, 2]),
     "the projection equals fold(events)"),
    ("task_group", "lock-held-after-cancel", lambda: TaskGroupJobs(bug="lock-held-after-cancel", workers=2, deadline=4),
     "a cancelled child releases the locks it held"),
    ("task_group", "unobserved-cancel", lambda: TaskGroupJobs(bug="unobserved-cancel", workers=2, deadline=4),
     "every child's outcome is observed once"),
]


def random_row(model, bug, make, prop) -> str:
    found, sizes, misses = [], [], 0
    start = time.perf_counter()
    for seed in SEEDS:
        result = detsim.check(make(), detsim.Random(seed), runs=BUDGET)
        if result.violation is None or result.violation.property != prop or not result.one_minimal:
            misses += 1
            continue
        found.append(result.runs)
        sizes.append(len(result.trace.deviations()))
    wall = time.perf_counter() - start
    if not found:
        return f"| {model} | {bug} | random | not found in {BUDGET} | - | {wall:.1f} s |"
    miss = f" ({misses} missed)" if misses else ""
    return (f"| {model} | {bug} | random | {statistics.median(found):g} (max {max(found)}){miss} | "
            f"{statistics.median(sizes):g} (max {max(sizes)}) | {wall:.1f} s |")


def dfs_row(model, bug, make, prop) -> str:
    start = time.perf_counter()
    result = detsim.check(make(), detsim.DFS(), runs=20000)
    wall = time.perf_counter() - start
    ok = result.violation is not None and result.violation.property == prop
    found = result.runs if ok else f"not found ({result.summary()})"
    size = len(result.trace.deviations()) if ok else "-"
    return f"| {model} (small) | {bug} | dfs | {found} | {size} | {wall:.1f} s |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dfs", action="store_true", help="also DFS on the small instances")
    args = parser.parse_args()
    print(f"Random seeds {SEEDS.start}-{SEEDS.stop - 1}, at most {BUDGET} schedules each\n")
    print("| model | bug | strategy | schedules to find: median (max) | shrunk deviations: median (max) | wall, 10 seeds |")
    print("|---|---|---|---:|---:|---:|")
    for row in BUGS:
        print(random_row(*row), flush=True)
    if args.dfs:
        for row in SMALL:
            print(dfs_row(*row), flush=True)


if __name__ == "__main__":
    main()

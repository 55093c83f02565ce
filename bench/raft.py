"""Evidence for models/raft.py: the planted bugs (found?, schedules and wall time to the
first failure over many seeds, shrunk size), the shrunk figure8 timeline, throughput
(schedules/s, events/s) for 3 and 5 servers, and the correct model's survival counts.

    python bench/raft.py             # 12 seeds per bug, deep survival (5,200 / 2,100 schedules)
    python bench/raft.py --quick     # 4 seeds, short survival campaigns
    python bench/raft.py --default-plan   # also: the bugs under the default (all-kinds) plan
    python bench/raft.py --figure8   # only: Figure 8 from the default plan, seeds 1-5, up to
                                     # 10,000 schedules each, then one shrunk report

Seeds run in 2 worker processes (2 cores); each campaign's wall time is measured in its
worker. Throughput and survival runs use one process.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from multiprocessing import Pool

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import detsim  # noqa: E402
from models.raft import CRASH_FAULTS, DEFAULT_FAULTS, PAUSE_FAULTS, REPLY_CRASH_FAULTS, Raft  # noqa: E402

PLANS = {"crash points (crash only)": CRASH_FAULTS, "crash points after writes and sends": REPLY_CRASH_FAULTS, "long pauses": PAUSE_FAULTS, "default": DEFAULT_FAULTS}
# (bug, property it breaks first, fault plan)
BUGS = [("figure8", "Leader Completeness", "crash points (crash only)"),
        ("vote-not-durable", "Election Safety", "crash points after writes and sends"),
        ("no-term-check", "Leader Completeness", "long pauses"),
        ("stale-read", "the KV history is linearizable", "long pauses")]
CAP = 2000  # schedules per campaign before giving up


def campaign(args):
    """One seed: schedules and wall time to the first failure, then the shrunk size."""
    bug, prop, plan, seed, cap = args
    model = Raft(bug=bug, faults=PLANS[plan])
    start = time.perf_counter()
    result = detsim.check(model, detsim.Random(seed), runs=cap, shrink=False)
    found_in = time.perf_counter() - start
    if result.ok or result.violation.property != prop:
        return seed, None, found_in, None, None, result.violation and result.violation.property
    shrunk = detsim.check(model, detsim.Random(seed), runs=result.runs)  # the same failure, then shrunk
    trace = shrunk.trace
    return seed, result.runs, found_in, len(trace.deviations()), shrunk.one_minimal, trace.to_json()


def bug_table(seeds, plans_override=None, cap=CAP) -> dict:
    print(f"## Planted bugs: Random(seed) for seeds 0..{len(seeds) - 1}, up to {cap} schedules each\n")
    print("| bug | property | fault plan | found | schedules to 1st failure, median (min-max) "
          "| wall time to 1st failure, median | shrunk non-default decisions, seed 0 / median (max) "
          "| 1-minimal |")
    print("|---|---|---|---|---|---|---|---|")
    traces = {}
    for bug, prop, plan in BUGS:
        plan = plans_override or plan
        with Pool(2) as pool:
            rows = pool.map(campaign, [(bug, prop, plan, s, cap) for s in seeds])
        found = [r for r in rows if r[1] is not None]
        if not found:
            print(f"| {bug} | {prop} | {plan} | no (0/{len(seeds)}) | - | - | - | - |")
            continue
        runs = [r[1] if r[1] is not None else cap * 10 for r in rows]  # a miss counts as > cap
        times = [r[2] for r in rows]
        sizes = [r[3] for r in found]
        first = rows[0][3] if rows[0][1] is not None else "-"
        median_runs = statistics.median(runs)
        median_text = f"{median_runs:g}" if median_runs <= cap else f"> {cap}"
        print(f"| {bug} | {prop} | {plan} | yes ({len(found)}/{len(seeds)}) | {median_text} "
              f"({min(r[1] for r in found)}-{max(r[1] for r in found)}) | {statistics.median(times):.2f} s "
              f"| {first} / {statistics.median(sizes):g} ({max(sizes)}) | {all(r[4] for r in found)} |")
        if rows[0][1] is not None:
            traces[bug] = rows[0][5]
    print()
    return traces


def figure8_first(args):
    """One seed of the default plan: schedules and wall time to the first Figure 8 failure."""
    seed, cap = args
    start = time.perf_counter()
    result = detsim.check(Raft(bug="figure8"), detsim.Random(seed), runs=cap, shrink=False)
    elapsed = time.perf_counter() - start
    found = not result.ok and result.violation.property in ("Leader Completeness", "State Machine Safety")
    return seed, result.runs if found else None, elapsed, None if result.ok else result.violation.property


def figure8_default_plan(seeds=range(1, 6), cap=10_000) -> None:
    """Figure 8 with default parameters: ``detsim check models.raft:Raft -p bug=figure8
    --runs 10000 --seed S``; the crashes come from the engine's crash points only."""
    print(f"## Figure 8 from the default plan: Random(seed), up to {cap:,} schedules\n")
    print("| seed | found | schedules to 1st failure | wall time |")
    print("|---|---|---|---|")
    with Pool(2) as pool:
        rows = pool.map(figure8_first, [(seed, cap) for seed in seeds], chunksize=1)
    for seed, runs, elapsed, prop in rows:
        print(f"| {seed} | {'yes: ' + prop if runs else 'no'} | {runs if runs else '> ' + format(cap, ',')} "
              f"| {elapsed:.0f} s |")
    print()
    seed, runs = next(((seed, runs) for seed, runs, _, _ in rows if runs), (None, None))
    if seed is not None:
        start = time.perf_counter()
        shrunk = detsim.check(Raft(bug="figure8"), detsim.Random(seed), runs=runs)
        print(f"### The shrunk report (seed {seed}, shrinking {time.perf_counter() - start:.0f} s)\n")
        print(shrunk.report())
        print()


def throughput(servers: int, runs: int) -> tuple:
    model = Raft(servers=servers)
    steps = 0
    start = time.perf_counter()
    for seed in range(runs):
        result = detsim.run(model, detsim.Random(seed))
        assert result.ok, result.violation
        steps += result.steps
    elapsed = time.perf_counter() - start
    return runs / elapsed, steps / elapsed, steps / runs


def survival(servers: int, runs: int) -> None:
    start = time.perf_counter()
    result = detsim.check(Raft(servers=servers), detsim.Random(0), runs=runs)
    elapsed = time.perf_counter() - start
    faulty = result.counters.get("faulty-runs", 0)
    kinds = ", ".join(f"{k} {row['fired']}" for k, row in result.fault_coverage.items())
    print(f"| {servers} | {'held' if result.ok else 'VIOLATED: ' + str(result.violation)} | {result.runs} "
          f"| {faulty} | {result.runs / elapsed:.1f} | {kinds} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--default-plan", action="store_true")
    parser.add_argument("--figure8", action="store_true")
    args = parser.parse_args()
    if args.figure8:
        figure8_default_plan()
        return
    seeds = range(4 if args.quick else 12)
    m = Raft()
    print(f"Raft defaults: {m.servers} servers, {m.clients} clients x {m.ops} ops (think {m.think}), "
          f"horizon {m.horizon}, fault budget {m.budget}, heal_at {m.heal_at}, within {m.within}, "
          f"latency {m.latency}")
    print(f"fault plans: crash points = {CRASH_FAULTS}; after writes and sends = {REPLY_CRASH_FAULTS}; "
          f"long pauses = {PAUSE_FAULTS}; "
          f"default = {DEFAULT_FAULTS}\n")
    traces = bug_table(seeds)
    if args.default_plan:
        bug_table(seeds, plans_override="default", cap=1000)

    if "figure8" in traces:
        trace = detsim.Trace.from_json(traces["figure8"])
        print("## The shrunk figure8 counterexample (seed 0)\n")
        print(trace.describe())
        print(detsim.replay(trace).model.show(detsim.replay(trace)))
        print()

    print("## Throughput (Random(seed), one process, default parameters and fault plan)\n")
    print("| servers | horizon | fault budget | schedules/s | events/s | events per schedule |")
    print("|---|---|---|---|---|---|")
    for servers in (3, 5):
        per_s, events, per_run = throughput(servers, 60 if args.quick else 300)
        print(f"| {servers} | {m.horizon} | {m.budget} | {per_s:.1f} | {events:,.0f} | {per_run:.0f} |")
    print()

    print("## Correct model survival (Random(0), default fault plan)\n")
    print("| servers | result | schedules | faulty schedules | schedules/s | faults fired |")
    print("|---|---|---|---|---|---|")
    survival(3, 300 if args.quick else 5200)
    survival(5, 120 if args.quick else 2100)


if __name__ == "__main__":
    main()

"""Fault campaigns: speed, fault coverage, schedules to find the planted bugs, and
shrink quality.

    python bench/faults.py            # everything
    python bench/faults.py --quick    # fewer runs and seeds

Sections:
1. schedules/s and events/s of the correct CRDTs (both forms) and the lease, with
   their default fault plans, against the same models with no fault kinds enabled;
2. the fault-coverage table of one campaign (GSet, op form);
3. planted bugs: schedules to the first failure and shrunk deviations, over seeds;
   (detsim's shrinker keys deviations by (label, occurrence), see detsim/search/_guided.py;
   an earlier position-keyed version is what section 4 of older runs compared).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import detsim  # noqa: E402
from detsim.campaign import execute  # noqa: E402
from models.crdt import CRDTS, DEFAULT_FAULTS as CRDT_FAULTS, GSet, LWWRegister, TwoPSet  # noqa: E402
from models.lease import DEFAULT_FAULTS as LEASE_FAULTS, Lease  # noqa: E402


def campaign_speed(model, runs: int) -> tuple[float, float, int]:
    strategy = detsim.Random(0)
    steps = 0
    start = time.process_time()  # CPU time of this process: robust to a busy machine
    for i in range(runs):
        strategy.begin(i)
        result = execute(model, strategy)
        strategy.end(result)
        steps += result.steps
    elapsed = time.process_time() - start
    return runs / elapsed, steps / elapsed, steps // runs


def section_speed(runs: int) -> None:
    print(f"## 1. speed ({runs} runs each, Random(0), median of 3, per CPU second)")
    print(f"{'model':<22} {'faults':<8} {'schedules/s':>12} {'events/s':>10} {'events/run':>11}")
    cases = [(f"{c.__name__}-{f}", lambda c=c, f=f, k=None: c(form=f, faults=k or dict(CRDT_FAULTS)),
              CRDT_FAULTS) for c in CRDTS for f in ("op", "state")]
    cases.append(("Lease", lambda k=None: Lease(faults=k or dict(LEASE_FAULTS)), LEASE_FAULTS))
    for name, make, plan in cases:
        for label, faults in (("on", None), ("off", dict(plan, kinds=[]))):
            samples = [campaign_speed(make(k=faults), runs) for _ in range(3)]
            sps = statistics.median(s[0] for s in samples)
            eps = statistics.median(s[1] for s in samples)
            print(f"{name:<22} {label:<8} {sps:>12.0f} {eps:>10.0f} {samples[0][2]:>11}")


def section_coverage(runs: int) -> None:
    print(f"\n## 2. fault coverage of one campaign: GSet(form='op'), Random(0), {runs} runs")
    result = detsim.check(GSet(), detsim.Random(0), runs=runs)
    print(result)
    print(result.fault_table())


BUGS = {
    "TwoPSet remove-before-add": (lambda: TwoPSet(bug="remove-before-add"), "replicas converge"),
    "LWWRegister-op lww-tie": (lambda: LWWRegister(bug="lww-tie"), "replicas converge"),
    "LWWRegister-state lww-tie": (lambda: LWWRegister(form="state", bug="lww-tie"), None),
    "Lease no-fencing (pauses)": (lambda: Lease(bug="no-fencing", faults=dict(LEASE_FAULTS, kinds=["pause"],
                                                                               swarm=False)), None),
    "Lease no-fencing (all)": (lambda: Lease(bug="no-fencing"), None),
}


def section_bugs(seeds: int) -> dict:
    print(f"\n## 3. planted bugs over {seeds} seeds (Random(seed), up to 500 schedules, detsim shrinker)")
    print(f"{'bug':<28} {'found':>6} {'median schedules':>17} {'median cpu s':>13} {'median devs':>12} "
          f"{'max devs':>9}")
    out = {}
    for name, (make, _) in BUGS.items():
        runs, secs, devs = [], [], []
        for seed in range(seeds):
            start = time.process_time()
            result = detsim.check(make(), detsim.Random(seed), runs=500)
            secs.append(time.process_time() - start)
            if not result.ok:
                runs.append(result.runs)
                devs.append(len(result.trace.deviations()))
        out[name] = devs
        print(f"{name:<28} {len(runs):>3}/{seeds} {statistics.median(runs):>17} "
              f"{statistics.median(secs):>13.2f} {statistics.median(devs):>12} {max(devs):>9}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    runs, seeds = (100, 5) if args.quick else (500, 20)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpu(s)\n")
    section_speed(runs)
    section_coverage(runs)
    section_bugs(seeds)


if __name__ == "__main__":
    main()

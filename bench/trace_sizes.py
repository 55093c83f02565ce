"""Trace sizes, format version 1 (every candidate's name) against version 2 (their count).

    python bench/trace_sizes.py              # Raft vote-not-durable, Random seeds 0..2
    python bench/trace_sizes.py --seeds 5

For each seed: the first failing run of ``Raft(bug="vote-not-durable")`` with the
crash-point fault plan (``shrink=False``: the counterexample as found, long), then
the same campaign shrunk. Each trace is written in both formats; the table gives
the bytes, the decisions and the candidates version 1 lists, and checks that both
files load to the same decisions and that the version-2 file replays to the same
outcome. A last row, for scale, is a passing run of the 1,000-way-tie workload.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import detsim  # noqa: E402
from engine_overhead import Procs  # noqa: E402
from models.raft import CRASH_POINT_FAULTS, Raft  # noqa: E402


def sizes(trace, folder: str, name: str, replay: bool = True) -> tuple:
    v1 = trace.save(os.path.join(folder, f"{name}-v1.json"), version=1)
    v2 = trace.save(os.path.join(folder, f"{name}-v2.json"))
    if detsim.Trace.load(v1) != detsim.Trace.load(v2):
        raise AssertionError(f"{name}: the two formats load to different decisions")
    listed = sum(len(d.candidates) for d in trace.decisions)
    if not replay:
        return os.path.getsize(v1), os.path.getsize(v2), len(trace.decisions), listed
    replayed = detsim.replay(v2)
    if replayed.violation is None or replayed.violation.property != trace.violation.property:
        raise AssertionError(f"{name}: the version-2 file did not replay to the same violation")
    return os.path.getsize(v1), os.path.getsize(v2), len(trace.decisions), listed


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--cap", type=int, default=2000, help="schedules per campaign")
    args = ap.parse_args(argv)
    model = Raft(bug="vote-not-durable", faults=CRASH_POINT_FAULTS)
    print("| trace | decisions | names listed by v1 | v1 bytes | v2 bytes | v2 / v1 |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for seed in range(args.seeds):
            found = detsim.check(model, detsim.Random(seed), runs=args.cap, shrink=False)
            if found.ok:
                print(f"| seed {seed} | not found in {args.cap} schedules | | | | |")
                continue
            shrunk = detsim.check(model, detsim.Random(seed), runs=found.runs)
            for what, trace in (("as found", found.trace), ("shrunk", shrunk.trace)):
                v1, v2, n, listed = sizes(trace, folder, f"{seed}-{what}")
                print(f"| seed {seed}, {what} (run {found.runs - 1}) | {n:,} | {listed:,} | {v1:,} | {v2:,} "
                      f"| {v2 / v1:.2f} |")
        # for scale: a passing run of the 1,000-way-tie workload of bench/engine_overhead.py
        run = detsim.run(Procs("ties", 1000, 20, 1), detsim.Random(0))
        v1, v2, n, listed = sizes(run.trace, folder, "ties", replay=False)
        print(f"| 1,000 processes x 20 lock-step timeouts (passing run) | {n:,} | {listed:,} | {v1:,} | {v2:,} "
              f"| {v2 / v1:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark the linearizability checker on Porcupine's data.

    python bench/history_bench.py [--rounds R] [--repeat N] [--before DIR]
                                  [--porcupine-test BIN --porcupine-dir DIR]

Checks the 102 non-empty etcd logs (cas_register) and kv c50-ok / c50-bad
(kv), and prints, per checker: total, median and worst CPU seconds per file
(check only, then parsing), and the CPU of a whole process that parses and
checks each etcd log once, as Porcupine's etcd tests do.  Every verdict is
compared with EXPECTED.txt; a mismatch is an error.

Each measurement runs in a fresh subprocess.  ``--before DIR`` also measures
another checkout of detsim (e.g. ``git worktree add /tmp/before b37f34f``)
(``git archive b37f34f | tar -x -C DIR``) and ``--porcupine-test BIN``
times Porcupine's compiled Go test binary (``go test -c``) running its etcd
tests with GOMAXPROCS=1 in ``--porcupine-dir``.  The checkers take turns in every round, so they share
the machine's noise; each figure is the best over ``--rounds`` rounds of
``--repeat`` runs.  CPU time (``time.process_time``, ``getrusage`` for whole
processes) is used because wall time is noisy on a shared machine.
Nothing is written to disk.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "porcupine"
KV_FILES = ("c50-ok", "c50-bad")


def _expected():
    out = {}
    for line in (DATA / "EXPECTED.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, verdict = line.split()
            out[name] = verdict == "true"
    return out


def worker(tree: Path, repeat: int) -> dict:
    """Time every file with the detsim found in ``tree`` (run in a subprocess)."""
    sys.path.insert(0, str(tree))
    from detsim.history import (cas_register, check_linearizable, kv, read_edn_kv,
                                read_jepsen_etcd_log)

    expected = _expected()
    files = [(f"test_data/jepsen/{p.name}", read_jepsen_etcd_log, cas_register)
             for p in sorted((DATA / "test_data" / "jepsen").glob("etcd_*.log"))]
    files += [(f"test_data/kv/{k}.txt", read_edn_kv, kv) for k in KV_FILES]
    rows = {}
    for name, read, spec in files:
        c = time.process_time()
        ops = read(DATA / name)
        parse = time.process_time() - c
        if not ops:  # etcd_095.log: empty, no verdict
            continue
        best = float("inf")
        for _ in range(repeat):
            c = time.process_time()
            result = check_linearizable(ops, spec)
            best = min(best, time.process_time() - c)
        rows[name] = {"ops": len(ops), "parse": parse, "check": best,
                      "ok": result.ok, "expected": expected.get(name)}
    return rows


def etcd_once(tree: Path) -> None:
    """Parse and check every etcd log once (the work of Porcupine's etcd tests)."""
    sys.path.insert(0, str(tree))
    from detsim.history import cas_register, check_linearizable, read_jepsen_etcd_log

    expected = _expected()
    for p in sorted((DATA / "test_data" / "jepsen").glob("etcd_*.log")):
        ops = read_jepsen_etcd_log(p)
        if ops and check_linearizable(ops, cas_register).ok is not \
                expected[f"test_data/jepsen/{p.name}"]:
            sys.exit(f"wrong verdict for {p.name}")


def _child_cpu(cmd, **kw):
    """Run ``cmd``; return (stdout, CPU seconds of the child: user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return out, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _summary(rows, prefix):
    checks = [r["check"] for n, r in rows.items() if n.startswith(prefix)]
    worst = max((r["check"], n) for n, r in rows.items() if n.startswith(prefix))
    return sum(checks), statistics.median(checks), worst


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3, help="runs per file per round")
    ap.add_argument("--before", type=Path, help="another detsim checkout to compare with")
    ap.add_argument("--porcupine-test", type=Path, help="Porcupine's `go test -c` binary")
    ap.add_argument("--porcupine-dir", type=Path, help="folder holding Porcupine's test_data")
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--once", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not (DATA / "EXPECTED.txt").is_file():
        sys.exit(f"Porcupine data not found at {DATA}")
    if args.worker:
        json.dump(worker(args.worker, args.repeat), sys.stdout)
        return
    if args.once:
        etcd_once(args.once)
        return

    trees = ([("before", args.before)] if args.before else []) + [("after", ROOT)]
    best: dict = {label: {} for label, _ in trees}
    process: dict = {label: float("inf") for label, _ in trees}
    porcupine = float("inf")
    for _ in range(args.rounds):
        for label, tree in trees:
            out, cpu = _child_cpu([sys.executable, __file__, "--worker", str(tree),
                                   "--repeat", str(args.repeat)])
            for name, row in json.loads(out).items():
                old = best[label].get(name)
                if old is None or row["check"] < old["check"]:
                    best[label][name] = row
            _, cpu = _child_cpu([sys.executable, __file__, "--once", str(tree)])
            process[label] = min(process[label], cpu)
        if args.porcupine_test:
            _, cpu = _child_cpu([str(args.porcupine_test), "-test.run", "TestEtcdJepsen",
                                 "-test.count=1"], cwd=args.porcupine_dir,
                                env=dict(os.environ, GOMAXPROCS="1"))
            porcupine = min(porcupine, cpu)

    cpu_model = next((line.split(":", 1)[1].strip() for line in
                      Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "?")
    print(f"date:   {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"cpu:    {cpu_model}, {os.cpu_count()} cpus, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"python: {platform.python_implementation()} {platform.python_version()}")
    print(f"best of {args.rounds} rounds x {args.repeat} runs, CPU seconds\n")
    bad = []
    for label, _ in trees:
        rows = best[label]
        bad += [(label, n) for n, r in rows.items() if r["ok"] is not r["expected"]]
        total, median, (worst, worst_name) = _summary(rows, "test_data/jepsen/")
        parse = sum(r["parse"] for n, r in rows.items() if "/jepsen/" in n)
        print(f"{label}: etcd, {sum('/jepsen/' in n for n in rows)} logs: check total "
              f"{total:.3f}, median {median * 1000:.2f} ms, worst {worst:.3f} "
              f"({Path(worst_name).name}); parse total {parse:.3f}")
        for k in KV_FILES:
            r = rows[f"test_data/kv/{k}.txt"]
            print(f"{label}: kv {k}: {r['ops']} ops, check {r['check']:.3f}, "
                  f"parse {r['parse']:.3f}")
        print(f"{label}: whole process, each etcd log parsed and checked once: "
              f"{process[label]:.3f}")
    if args.before:
        (b, _, (bw, _)), (a, _, (aw, _)) = (_summary(best[t], "test_data/jepsen/")
                                            for t in ("before", "after"))
        print(f"\netcd check total after/before: {a / b:.3f}; worst: {aw / bw:.3f}")
    if args.porcupine_test:
        ours = _summary(best["after"], "test_data/jepsen/")[0] + sum(
            r["parse"] for n, r in best["after"].items() if "/jepsen/" in n)
        print(f"\nporcupine (Go, GOMAXPROCS=1), etcd tests, whole process: {porcupine:.3f}")
        print(f"  vs ours, whole process: {process['after'] / porcupine:.2f}x; "
              f"ours parse+check only ({ours:.3f}): {ours / porcupine:.2f}x")
    if bad:
        sys.exit(f"verdicts differ from EXPECTED.txt: {bad}")


if __name__ == "__main__":
    main()

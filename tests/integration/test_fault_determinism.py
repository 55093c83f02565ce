"""With faults on (drops, duplicates, partitions, crashes, pauses, clock faults,
swarm), the same seed gives byte-identical trace JSON in every process, whatever
PYTHONHASHSEED is."""
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import detsim
from models.crdt import GSet, LWWRegister, TwoPSet
from models.lease import Lease
from models.raft import Raft  # noqa: F401  (used by eval(MODELS))

REPO = Path(__file__).resolve().parents[2]
SEEDS = 25
MODELS = ("[GSet(form='op'), GSet(form='state'), LWWRegister(), TwoPSet(bug='remove-before-add'), "
          "Lease(), Lease(bug='no-fencing'), Raft(servers=3, ops=3, horizon=150, heal_at=80)]")

DIGEST_SCRIPT = f"""
import hashlib, sys
sys.path.insert(0, {str(REPO)!r})
import detsim
from models.crdt import GSet, LWWRegister, TwoPSet
from models.lease import Lease
from models.raft import Raft
for model in {MODELS}:
    h = hashlib.sha256()
    for seed in range({SEEDS}):
        h.update(detsim.run(model, detsim.Random(seed)).trace.to_json().encode())
        h.update(detsim.run(model, detsim.PCT(2, seed)).trace.to_json().encode())
    print(type(model).__name__, getattr(model, "form", "-"), model.bug, h.hexdigest())
"""


def digest_here() -> list[str]:
    lines = []
    for model in eval(MODELS):
        h = hashlib.sha256()
        for seed in range(SEEDS):
            h.update(detsim.run(model, detsim.Random(seed)).trace.to_json().encode())
            h.update(detsim.run(model, detsim.PCT(2, seed)).trace.to_json().encode())
        lines.append(f"{type(model).__name__} {getattr(model, 'form', '-')} {model.bug} {h.hexdigest()}")
    return lines


def test_fault_traces_are_identical_across_hash_seeds_and_processes():
    procs = []
    for hashseed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        procs.append(subprocess.Popen([sys.executable, "-c", DIGEST_SCRIPT], cwd=REPO, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outputs = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr
        outputs.append(stdout.splitlines())
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0] == digest_here()


def test_the_runs_really_contain_faults():
    """Determinism over runs without faults would prove little."""
    labels, fired = set(), {}
    for model in (GSet(), Lease()):
        for seed in range(SEEDS):
            result = detsim.run(model, detsim.Random(seed))
            labels.update(d.label.split(" ")[0] for d in result.trace.decisions)
            for key, n in result.counters.items():
                if key.startswith("fault:"):
                    fired[key] = fired.get(key, 0) + n
    assert {"swarm", "latency", "drop", "duplicate", "crash", "pause", "clock", "schedule"} <= labels
    assert {"fault:drop", "fault:duplicate", "fault:crash", "fault:pause", "fault:clock"} <= set(fired)


def test_replay_reproduces_faulty_runs_exactly():
    for model in (GSet(form="state"), Lease()):
        for seed in range(10):
            result = detsim.run(model, detsim.Random(seed))
            again = detsim.replay(result.trace)
            assert again.trace.to_json() == result.trace.to_json()  # same decisions, same outcome
            assert again.counters == result.counters

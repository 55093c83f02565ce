"""A run is a pure function of (model, parameters, decisions): the same seed gives
byte-identical trace JSON, whatever PYTHONHASHSEED is and in whichever process."""
import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass

import detsim
from tests.support import REPO, RacyCounter

SEEDS = 200


@dataclass
class Pipeline(detsim.Model):
    """Producers feed a bounded channel; consumers add what they receive to a total
    under a mutex. Uses a channel, a mutex, close() and model-level choices."""

    producers: int = 2
    items: int = 3
    capacity: int = 1
    bug: str | None = None

    def setup(self, world):
        self.queue = world.channel("queue", self.capacity)
        self.lock = world.mutex("total-lock")
        self.sent = self.total = self.finished = 0
        for p in range(self.producers):
            world.spawn(f"producer-{p}", self.producer(world, p))
        for c in range(2):
            world.spawn(f"consumer-{c}", self.consumer(world))

    def producer(self, world, p):
        for _ in range(self.items):
            yield world.checkpoint()
            size = world.choose(f"producer-{p} size", [1, 2, 3])
            self.sent += size
            yield self.queue.send(size)
        self.finished += 1
        if self.finished == self.producers:
            self.queue.close()

    def consumer(self, world):
        while True:
            item = yield self.queue.recv()
            if item is detsim.CLOSED:
                return
            if self.bug != "no-lock":
                yield self.lock.acquire()
            seen = self.total
            yield world.checkpoint()
            self.total = seen + item
            if self.bug != "no-lock":
                self.lock.release()

    def properties(self):
        return [detsim.at_end("total is the sum", lambda m: m.total == m.sent),
                detsim.always("never more than sent", lambda m: m.total <= m.sent)]


MODELS = "[RacyCounter(), RacyCounter(bug=None), Pipeline(), Pipeline(bug='no-lock')]"

DIGEST_SCRIPT = f"""
import hashlib, sys
sys.path.insert(0, {str(REPO)!r})
import detsim
from tests.support import RacyCounter
from tests.engine.test_determinism import Pipeline
for model in {MODELS}:
    h = hashlib.sha256()
    for seed in range({SEEDS}):
        h.update(detsim.run(model, detsim.Random(seed)).trace.to_json().encode())
        if model.bug == "no-lock":
            h.update(detsim.run(model, detsim.PCT(3, seed)).trace.to_json().encode())
    print(type(model).__name__, model.bug, h.hexdigest())
"""


def digests_in_subprocesses():
    procs = []
    for hashseed in ("0", "1", "2"):
        for _ in range(2):
            env = dict(os.environ, PYTHONHASHSEED=hashseed)
            procs.append((hashseed, subprocess.Popen([sys.executable, "-c", DIGEST_SCRIPT], cwd=REPO, env=env,
                                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                     text=True)))
    out = {}
    for hashseed, proc in procs:
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr
        out.setdefault(hashseed, []).append(stdout)
    return out


def test_traces_are_byte_identical_across_hash_seeds_and_processes():
    out = digests_in_subprocesses()
    runs = [text for texts in out.values() for text in texts]
    assert len(runs) == 6
    lines = runs[0].splitlines()
    assert len(lines) == 4 and all(len(line.split()[-1]) == 64 for line in lines)
    for text in runs[1:]:
        assert text == runs[0]
    # The subprocesses compute what this process computes.
    h = hashlib.sha256()
    for seed in range(SEEDS):
        h.update(detsim.run(RacyCounter(), detsim.Random(seed)).trace.to_json().encode())
        h.update(detsim.run(RacyCounter(), detsim.PCT(3, seed)).trace.to_json().encode())
    assert lines[0] == f"RacyCounter no-lock {h.hexdigest()}"


def test_the_workloads_are_not_trivial():
    """Determinism of traces without decisions or without failures would prove little."""
    for model in (RacyCounter(), Pipeline(bug="no-lock")):
        results = [detsim.run(model, detsim.Random(seed)) for seed in range(40)]
        jsons = {r.trace.to_json() for r in results}
        assert len(jsons) > 30, "different seeds must give different schedules"
        assert any(not r.ok for r in results) and any(r.ok for r in results)
        assert all(len(r.trace.decisions) > 10 for r in results)
    labels = {d.label for d in detsim.run(Pipeline(), detsim.Random(1)).trace.decisions}
    assert {"schedule", "producer-0 size", "producer-1 size"} <= labels


def test_correct_pipeline_holds():
    result = detsim.check(Pipeline(), detsim.Random(0), runs=200)
    assert result.ok, result.report()


def test_same_seed_twice_in_process_is_identical():
    for model in (RacyCounter(), Pipeline(), Pipeline(bug="no-lock")):
        for seed in range(25):
            first = detsim.run(model, detsim.Random(seed)).trace.to_json()
            second = detsim.run(model, detsim.Random(seed)).trace.to_json()
            assert first == second
            pct = detsim.run(model, detsim.PCT(2, seed)).trace.to_json()
            assert pct == detsim.run(model, detsim.PCT(2, seed)).trace.to_json()


def test_check_campaigns_are_reproducible():
    a = detsim.check(Pipeline(bug="no-lock"), detsim.Random(3), runs=200)
    b = detsim.check(Pipeline(bug="no-lock"), detsim.Random(3), runs=200)
    assert not a.ok
    assert a.runs == b.runs
    assert a.trace.to_json() == b.trace.to_json()
    assert a.original_trace.to_json() == b.original_trace.to_json()

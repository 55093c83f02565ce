"""Shrink quality: ``check(..., shrink=True)`` returns a 1-minimal counterexample —
dropping any single remaining deviation makes the violation disappear."""
from dataclasses import dataclass

import pytest

import detsim
from detsim.campaign import deviations_of, execute
from detsim.search import Guided
from tests.support import RacyCounter


@dataclass
class Ring(detsim.Model):
    """n processes each take lock-i then lock-(i+1). Process i first does
    ``stagger*i`` checkpoints, so FIFO never deadlocks: a cycle needs deviations."""

    n: int = 3
    stagger: int = 3
    bug: str | None = "circular-wait"

    def setup(self, world):
        self.locks = [world.mutex(f"lock-{i}") for i in range(self.n)]
        for i in range(self.n):
            world.spawn(f"p{i}", self.proc(world, i))

    def proc(self, world, i):
        for _ in range(self.stagger * i):
            yield world.checkpoint()
        first, second = self.locks[i], self.locks[(i + 1) % self.n]
        if self.bug is None and i == self.n - 1:
            first, second = second, first  # ordered acquisition: no cycle
        yield first.acquire()
        yield world.checkpoint()
        yield second.acquire()
        yield world.checkpoint()
        second.release()
        first.release()


def deviations(trace):
    """The shrinker's own deviation keys: 1-minimality is judged in its terms."""
    return deviations_of(trace)


def violates(model, devs, prop):
    result = execute(model, Guided(devs), {})
    return result.violation is not None and result.violation.property == prop


def assert_one_minimal(model, result):
    prop = result.violation.property
    devs = deviations(result.trace)
    assert devs, "the default schedule must not fail for these models"
    assert violates(model, devs, prop), "Guided(all deviations) must reproduce the violation"
    for i in range(len(devs)):
        without = devs[:i] + devs[i + 1:]
        assert not violates(model, without, prop), f"deviation {devs[i]} is not needed: not 1-minimal"
    assert result.one_minimal is True
    replayed = detsim.replay(result.trace)
    assert replayed.violation.property == prop


def test_default_schedules_hold():
    assert detsim.run(RacyCounter()).ok
    assert detsim.run(Ring()).ok
    assert detsim.check(Ring(bug=None), detsim.Random(0), runs=200).ok


@pytest.fixture(scope="module")
def lost_update_results():
    out = {}
    for seed in range(10):
        result = detsim.check(RacyCounter(), detsim.Random(seed), runs=300, shrink=True)
        assert not result.ok, f"seed {seed}: lost update not found in 300 runs"
        out[seed] = result
    return out


@pytest.mark.parametrize("seed", range(10))
def test_lost_update_shrinks_to_a_one_minimal_trace(lost_update_results, seed):
    result = lost_update_results[seed]
    assert result.violation.property == "no lost update"
    assert len(result.trace.deviations()) <= len(result.original_trace.deviations())
    assert_one_minimal(RacyCounter(), result)


def test_lost_update_usually_needs_exactly_one_deviation(lost_update_results):
    sizes = [len(r.trace.deviations()) for r in lost_update_results.values()]
    assert sum(1 for n in sizes if n == 1) >= 8, sizes
    originals = [len(r.original_trace.deviations()) for r in lost_update_results.values()]
    assert max(originals) > 1, "Random should find the bug with noisy schedules worth shrinking"


@pytest.mark.parametrize("seed", range(4))
def test_deadlock_shrinks_to_a_one_minimal_trace(seed):
    result = detsim.check(Ring(), detsim.Random(seed), runs=500, shrink=True)
    assert not result.ok and result.violation.property == "no deadlock"
    assert "wait-for cycle" in result.violation.message
    assert len(result.trace.deviations()) < len(result.original_trace.deviations())
    assert_one_minimal(Ring(), result)


def test_shrink_false_keeps_the_original():
    result = detsim.check(RacyCounter(), detsim.Random(0), runs=300, shrink=False)
    assert not result.ok
    assert result.trace is result.original_trace and result.shrink_runs == 0
    shrunk = detsim.check(RacyCounter(), detsim.Random(0), runs=300, shrink=True)
    assert shrunk.original_trace.to_json() == result.trace.to_json()
    assert shrunk.shrink_runs > 0


def test_shrunk_trace_records_where_it_came_from():
    result = detsim.check(RacyCounter(), detsim.Random(1), runs=300)
    assert result.trace.strategy["name"] == "shrunk"
    assert result.trace.strategy["from"] == result.original_trace.strategy
    assert result.trace.strategy["from"]["name"] == "random"
    text = result.report()
    assert "1-minimal" in text and "deviations from the default schedule" in text


def test_a_failing_default_schedule_shrinks_to_nothing():
    @dataclass
    class AlwaysBroken(detsim.Model):
        bug: str | None = None

        def setup(self, world):
            world.spawn("a", self.a(world))
            world.spawn("b", self.a(world))

        def a(self, world):
            yield world.checkpoint()
            self.done = True

        def properties(self):
            return [detsim.at_end("impossible", lambda m: False)]

    result = detsim.check(AlwaysBroken(), detsim.Random(3), runs=5)
    assert not result.ok and result.trace.deviations() == [] and result.one_minimal

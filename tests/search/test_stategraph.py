"""State caching (``Exhaustive(states=True)``): the same terminal states and violations
as the naive enumeration, far fewer executions, livelocks judged on the complete
state graph with a lasso that replays, and no pruning when the state cannot be
fingerprinted."""
import threading
from dataclasses import dataclass

import pytest

import detsim
from detsim import DFS, check
from detsim.campaign import execute
from detsim.engine import Recorder
from detsim.search import Exhaustive, Replay, StateCaching
from detsim.search._fingerprint import fingerprint
from tests.search.soundness_models import Polite, explore
from tests.search.test_exhaustive_soundness import FAST


@pytest.mark.parametrize("name", list(FAST))
def test_same_terminal_states_and_violations_as_the_naive_enumeration(name):
    model = FAST[name]
    naive, naive_runs = explore(model, DFS())
    strategy = Exhaustive(states=True)
    cached, cached_runs = explore(model, strategy)
    assert strategy.exhausted and strategy.unfingerprintable is None
    assert cached == naive
    assert cached_runs <= naive_runs


def test_caching_cuts_most_executions():
    naive = cached = 0
    for name in ("philosophers 3, naive", "peterson", "choose"):
        naive += explore(FAST[name], DFS())[1]
        cached += explore(FAST[name], Exhaustive(states=True))[1]
    assert naive >= 20 * cached, (naive, cached)


def test_exhaustive_states_true_is_state_caching():
    strategy = Exhaustive(states=True, max_runs=5)
    assert isinstance(strategy, StateCaching) and strategy.max_runs == 5
    assert not isinstance(Exhaustive(), StateCaching)


def test_the_verdict_names_distinct_states_and_the_collision_probability():
    result = check(FAST["peterson"], Exhaustive(states=True), runs=None)
    assert result.ok and result.exhausted
    assert result.stats["states"] > 10 and result.stats["depth"] > 0
    assert result.summary().startswith("verified: every behaviour explored (")
    assert f"{result.stats['states']:,} distinct states, depth" in result.summary()
    assert any("collision probability" in n and "n²/2^65" in n for n in result.notes)
    assert any("no_deadlock judged on the complete state graph" in n for n in result.notes)


def test_a_capped_search_is_bounded_not_verified():
    result = check(FAST["philosophers 3, naive"], Exhaustive(states=True), runs=3)
    assert result.summary().startswith(("bounded:", 'property "no deadlock"'))
    assert not result.exhausted


def test_planted_bugs_are_found():
    found = check(FAST["peterson, bug"], Exhaustive(states=True), runs=None)
    assert found.violation is not None and found.violation.property == "mutual exclusion"
    deadlock = check(FAST["philosophers 3, naive"], Exhaustive(states=True), runs=None)
    assert deadlock.violation is not None and deadlock.violation.property == "no deadlock"


class Fingerprints(Recorder):
    def attach(self, world, model):
        self.model, self.prints = model, []

    def after_step(self, world):
        self.prints.append(fingerprint(world, self.model, absolute=False))


def test_a_livelock_is_found_on_the_state_graph_and_its_lasso_replays():
    result = check(Polite(), Exhaustive(states=True), runs=None)
    assert result.exhausted
    v = result.violation
    assert v is not None and v.property == "no livelock" and "complete state graph" in v.message
    assert set(v.cycle) == {"p0", "p1"}  # both take steps: a fair cycle
    lasso = result.trace.outcome["lasso"]
    assert lasso["cycle"] == v.cycle
    # Replaying the trace passes through the cycle's entry state twice, one turn apart.
    rec = Fingerprints()
    execute(Polite(), Replay(result.trace), {}, recorder=rec)
    entry = lasso["entry_step"] - 1  # prints[k] is the state after step k + 1
    assert rec.prints[entry] == rec.prints[entry + len(v.cycle)]


def test_unfair_cycles_are_not_livelocks():
    # p1 waits for p0 in a loop; p0 is enabled throughout and never runs in that loop.
    result = check(Polite(both_yield=False), Exhaustive(states=True), runs=None)
    assert result.ok and result.exhausted
    assert any("no_livelock judged on the complete state graph" in n for n in result.notes)


@dataclass
class HostLock(detsim.Model):
    """Counter-like, but the model keeps a host lock nothing can compare."""

    def setup(self, world):
        self.guard = threading.Lock()
        self.count = 0
        for i in range(2):
            world.spawn(f"w{i}", self.worker(world))

    def worker(self, world):
        seen = self.count
        yield world.checkpoint()
        self.count = seen + 1

    def final(self):
        return self.count


def test_an_unfingerprintable_state_is_explored_without_pruning():
    strategy = Exhaustive(states=True)
    cached, runs = explore(HostLock(), strategy)
    naive, naive_runs = explore(HostLock(), DFS())
    assert "cannot be fingerprinted" in strategy.unfingerprintable and "lock" in strategy.unfingerprintable
    assert strategy.pruned == 0 and runs == naive_runs and cached == naive
    result = check(HostLock(), Exhaustive(states=True), runs=None)
    assert any("no run was cut" in n for n in result.notes)


@dataclass
class Reached(detsim.Model):
    """A sometimes-property that holds only on a path that state caching cuts short."""

    def setup(self, world):
        self.log = []
        for name in "ab":
            world.spawn(name, self.proc(world, name))

    def proc(self, world, name):
        yield world.checkpoint()
        self.log.append(name)
        yield world.checkpoint()
        self.log.clear()

    def properties(self):
        return [detsim.sometimes("b first", lambda m: m.log[:1] == ["b"])]


def test_sometimes_properties_reached_in_cut_runs_count():
    result = check(Reached(), Exhaustive(states=True), runs=None)
    assert result.ok and result.exhausted and "b first" in result.reached


@dataclass
class Clock(detsim.Model):
    """Loops on timeouts and stops when the clock says so: time is part of its state."""

    def setup(self, world):
        world.spawn("p", self.proc(world))

    def proc(self, world):
        while world.now < 3:
            yield world.timeout(1)
        self.done = True

    def final(self):
        return getattr(self, "done", False)


def test_a_model_that_reads_the_clock_keeps_absolute_time():
    strategy = Exhaustive(states=True)
    outcomes, _ = explore(Clock(), strategy)
    assert strategy.reads_clock and {o[2] for o in outcomes} == {True}

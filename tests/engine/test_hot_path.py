"""The World's fast paths must be invisible.

Fifo and Random declare the ``schedule_draw`` capability: their ties are recorded
compactly and turned into decision tuples when ``world.decisions`` is read; any other
strategy takes the general path. A subclass that declines the capability takes the
general path with the same choices, so comparing the two checks that both paths see
the same candidates and record the same decisions.
Future NORMAL events wait in per-time buckets instead of SimPy's heap: the
comparisons with plain SimPy check that order, ``now`` and ``peek`` are unchanged.
"""
from dataclasses import dataclass
from fractions import Fraction

import pytest
import simpy

import detsim
from detsim.engine._control import _BLAME_WINDOW
from tests.support import RacyCounter


class SlowRandom(detsim.Random):
    """Same choices as Random, through the general (candidate-reading) path."""

    def schedule_draw(self):
        return None


class SlowFifo(detsim.Fifo):
    def schedule_draw(self):
        return None


def test_only_the_declared_capability_selects_the_compact_path():
    assert detsim.World(detsim.Random(0))._compact and detsim.World(detsim.Fifo())._compact
    assert detsim.World()._compact  # no strategy: every tie takes the default
    assert not detsim.World(SlowRandom(0))._compact and not detsim.World(SlowFifo())._compact

    class Picky(detsim.Random):  # reads the names: must be asked through choose()
        def choose(self, label, candidates, world):
            return 0

    class Contrary(detsim.Fifo):
        def choose(self, label, candidates, world):
            return len(candidates) - 1

    assert not detsim.World(Picky(0))._compact and not detsim.World(Contrary())._compact


def busy_workload(world, log, peek_at_decisions=False):
    """Ties, zero-delay yields, conditions, interrupts, a resource, model choices."""
    res = simpy.Resource(world, capacity=2)

    def worker(i):
        for k in range(6):
            yield world.timeout((i * 7 + k * 3) % 4)
            if k % 2 == 0:
                yield world.timeout(0)
            if k == 3:
                log.append((world.now, i, "pick", world.choose(f"pick {i}", ["a", "b", "c"])))
            with res.request() as req:
                yield req
                yield world.timeout(i % 2)
            log.append((world.now, i, k))
            if peek_at_decisions:
                decisions = world.decisions  # reading mid-run must not disturb the record
                log.append(len(decisions) and decisions[-1][:3])

    def waiter():
        got = yield world.timeout(2, "x") | world.timeout(2, "y")
        log.append((world.now, "waiter", sorted(got.values())))
        yield world.all_of([world.timeout(1), world.timeout(1)])
        log.append((world.now, "waiter", "all"))

    def sleeper():
        try:
            yield world.timeout(50)
        except simpy.Interrupt as e:
            log.append((world.now, "sleeper", e.cause))

    sleepy = world.spawn("sleeper", sleeper())

    def boss():
        yield world.timeout(3)
        sleepy.interrupt("wake")

    for i in range(6):
        world.spawn(f"w{i}", worker(i))
    world.process(waiter())
    world.spawn("boss", boss())


def run(strategy, **kw):
    strategy.begin(0)
    world, log = detsim.World(strategy), []
    busy_workload(world, log, **kw)
    world.run(until=40)
    return world, log


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("peek", [False, True], ids=["read-at-end", "read-mid-run"])
def test_compact_and_general_paths_record_the_same_decisions(seed, peek):
    fast, fast_log = run(detsim.Random(seed), peek_at_decisions=peek)
    slow, slow_log = run(SlowRandom(seed), peek_at_decisions=peek)
    assert fast_log == slow_log
    assert fast.decisions == slow.decisions
    assert any(d[2] == "schedule" and d[4] for d in fast.decisions), "no deviating tie: weak test"
    assert any(d[2] != "schedule" for d in fast.decisions), "no model choice: weak test"
    for step, time, label, candidates, chosen, kind in fast.decisions:
        assert type(candidates) is tuple and all(type(c) is str for c in candidates)
        assert 0 <= chosen < len(candidates)


def _lean(decisions) -> list:
    return [(step, time, label, kind, len(cands), chosen, cands[chosen], cands[0])
            for step, time, label, cands, chosen, kind in decisions]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("peek", [False, True], ids=["read-at-end", "read-mid-run"])
def test_decision_rows_are_the_decisions_without_their_candidate_lists(seed, peek):
    """What a version-2 trace saves, read straight from the compact record, equals the
    full decisions cut down; reading it flushes nothing, and the general path agrees."""
    fast, _ = run(detsim.Random(seed), peek_at_decisions=peek)
    rows = fast.decision_rows()
    assert fast.decision_rows() == rows  # reading them changed nothing
    assert rows == _lean(fast.decisions) and fast.decision_rows() == rows  # and after a flush
    slow, _ = run(SlowRandom(seed), peek_at_decisions=peek)
    assert slow.decision_rows() == rows
    assert any(r[4] > 2 and r[5] for r in rows), "no deviation in a wide tie: weak test"


def test_fifo_compact_path_equals_general_path():
    fast, fast_log = run(detsim.Fifo())
    slow, slow_log = run(SlowFifo())
    assert fast_log == slow_log and fast.decisions == slow.decisions
    assert fast.decisions and all(d[4] == 0 for d in fast.decisions)


def test_traces_from_both_paths_are_identical():
    for seed in range(5):
        a = detsim.run(RacyCounter(bug="no-lock"), detsim.Random(seed)).trace.to_json()
        b = detsim.run(RacyCounter(bug="no-lock"), SlowRandom(seed)).trace.to_json()
        assert a == b


def times_workload(env, log):
    """Same instant reached as int, float and Fraction; run(until) lands on a busy instant.
    (Values only: SimPy sets ``now`` per event, so its type may change within an instant.)"""
    def proc(name, delays):
        for d in delays:
            yield env.timeout(d)
            log.append((env.now, name, env.peek()))

    env.process(proc("int", [1, 1, 1]))
    env.process(proc("float", [1.0, 0.5, 0.5, 1.0]))
    env.process(proc("frac", [Fraction(1), Fraction(1, 2), Fraction(1, 2)]))
    env.process(proc("zero", [0, 1, 0, 1]))


@pytest.mark.parametrize("until", [2, 3, 10])
def test_bucketed_times_match_simpy(until):
    raw, raw_log = simpy.Environment(), []
    times_workload(raw, raw_log)
    raw.run(until=until)
    world, world_log = detsim.World(detsim.Fifo()), []
    times_workload(world, world_log)
    world.run(until=until)
    assert world_log == raw_log
    assert world.now == raw.now and world.peek() == raw.peek()


def test_step_budget_stops_exactly_at_the_budget_and_names_the_busiest_process():
    def spinner(world):
        while True:
            yield world.checkpoint()

    def sleeper(world):
        yield world.timeout(5)

    world = detsim.World(detsim.Random(0), max_steps=_BLAME_WINDOW + 500)
    world.spawn("spinner", spinner(world))
    world.spawn("sleeper", sleeper(world))
    with pytest.raises(detsim.StepBudgetExceeded, match="busiest process spinner") as err:
        world.run()
    assert f"stopped after step {_BLAME_WINDOW + 500}, t=0;" in str(err.value)
    assert f"of the last {_BLAME_WINDOW} steps" in str(err.value)
    assert world.steps == _BLAME_WINDOW + 500


# ---- lint: paid only by a run that processed an event nobody waited on -------------------

@dataclass
class Timers(detsim.Model):
    """``forget``: a process makes a timeout and never yields it (a missing ``yield``).
    Otherwise each process races a timeout against a later one: the loser is processed
    with no callback left, which is not a mistake."""

    forget: bool = False

    def setup(self, world):
        for i in range(3):
            world.spawn(f"racer-{i}", self.racer(world, i))

    def racer(self, world, i):
        if self.forget and i == 1:
            world.timeout(1)  # the missing yield
        yield world.any_of([world.timeout(1 + i), world.timeout(10)])
        yield world.checkpoint()


def test_a_clean_linted_run_attaches_no_lint():
    result = detsim.run(RacyCounter(bug=None), detsim.Random(0))
    assert result.ok and result.world.unwaited == 0
    assert result.world.lint is None and result.warnings == []  # nothing watched each event


def test_an_anyof_loser_is_re_executed_and_found_innocent():
    result = detsim.run(Timers(), detsim.Random(0))
    assert result.ok and result.world.unwaited == 3  # each racer's timeout(10) lost
    assert result.world.lint is None and result.warnings == []


def test_a_missing_yield_is_found_by_re_execution_and_named():
    result = detsim.run(Timers(forget=True), detsim.Random(0))
    assert result.world.unwaited == 4 and result.world.lint is None
    assert len(result.warnings) == 1
    line = Timers.racer.__code__.co_firstlineno + 2
    assert result.warnings[0].startswith(f"process racer-1 made an event at tests/engine/test_hot_path.py:{line} "
                                          "that nobody waited on: `world.timeout(1)  # the missing yield`")


def test_an_unlinted_run_never_re_executes():
    from detsim.campaign._run import execute
    result = execute(Timers(forget=True), detsim.Random(0), lint=False)
    assert result.world.unwaited == 4 and result.warnings == []

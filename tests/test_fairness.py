"""Fair scheduling: the Fair wrapper, and the proof that an unfair schedule alone
never yields a liveness "bug".

``Starvable`` is live under fairness but starvable by an adversary: each round a
worker announces that it wants the lock (``world.arrive``), takes one step of
preparation, then queues on a FIFO mutex. Once the victim is scheduled it queues
and FIFO serves it next; a scheduler that never runs the victim while the other
worker can run lets the other overtake it on every round. ``Spin`` is the same
for livelock: a spinner waits for a flag that a setter raises in one step.
"""
from dataclasses import dataclass

import pytest

import detsim
from detsim.monitor import WITHHELD
from detsim.engine import Overtaking

UNBOUNDED = 10**9  # a "fairness bound" no schedule exceeds: judges every schedule, even unfair ones


@dataclass
class Starvable(detsim.Model):
    rounds: int = 12
    max_bypass: int = 3  # under 8-fairness the other worker runs at most 8 steps, 3 rounds, first
    fairness: int = 8

    def setup(self, world):
        self.lock = world.mutex("lock")
        for i in range(2):
            world.spawn(f"worker-{i}", self.worker(world))

    def worker(self, world):
        for _ in range(self.rounds):
            world.arrive("lock")  # wants the lock from here on
            yield world.checkpoint()  # preparing the request
            yield self.lock.acquire()
            yield world.checkpoint()  # critical section
            self.lock.release()

    def properties(self):
        return [detsim.no_starvation(max_bypass=self.max_bypass, fairness=self.fairness)]


@dataclass
class Spin(detsim.Model):
    spins: int = 400
    fairness: int = 8

    def setup(self, world):
        self.flag = False
        world.spawn("spinner", self.spinner(world))
        world.spawn("setter", self.setter(world))

    def spinner(self, world):
        for _ in range(self.spins):
            if self.flag:
                return
            yield world.checkpoint()

    def setter(self, world):
        yield world.checkpoint()
        self.flag = True
        world.progress("flag")

    def state(self):
        return ("raised" if self.flag else "lowered",)

    def properties(self):
        return [detsim.no_livelock(window=50, fairness=self.fairness)]


class Starver(detsim.Strategy):
    """The adversary: runs ``victim`` first (so that it starts waiting), then never
    schedules it while anyone else can run."""

    name = "starver"

    def __init__(self, victim):
        self.victim = victim
        self.started = False

    def begin(self, run):
        self.started = False
        return True

    def choose(self, label, candidates, world):
        if label != "schedule":
            return 0
        if not self.started and self.victim in candidates:
            self.started = True
            return candidates.index(self.victim)
        for i, name in enumerate(candidates):
            if name != self.victim:
                return i
        return 0

    def describe(self):
        return {"name": self.name, "victim": self.victim}


# ---- the adversary really starves; the verdict never blames the model -------------

def test_adversary_starves_the_victim_when_no_fairness_is_assumed():
    result = detsim.run(Starvable(fairness=UNBOUNDED), Starver("worker-1"))
    assert result.violation is not None and result.violation.property == "no starvation"
    assert "worker-1 waiting on lock" in result.violation.message
    assert "overtaken by 4 later arrivals" in result.violation.message


def test_unfair_schedule_alone_never_yields_a_starvation_bug():
    result = detsim.run(Starvable(), Starver("worker-1"))
    assert result.ok, result.violation
    assert result.counters[WITHHELD] == 1  # the would-be starvation was seen, and not reported
    assert result.counters["fairness: unfair decisions"] > 0


def test_unfair_schedule_alone_never_yields_a_livelock_bug():
    assert not detsim.run(Spin(fairness=UNBOUNDED), Starver("setter")).ok
    result = detsim.run(Spin(), Starver("setter"))
    assert result.ok, result.violation
    assert result.counters["fairness: unfair decisions"] > 300


@pytest.mark.parametrize("model", [Starvable(), Spin()], ids=["starvation", "livelock"])
@pytest.mark.parametrize("victim", ["worker-0", "worker-1", "spinner", "setter"])
def test_the_fair_wrapper_tames_the_adversary(model, victim):
    result = detsim.run(model, detsim.Fair(Starver(victim), bound=8))
    assert result.ok, result.violation
    assert result.counters.get("fairness: unfair decisions", 0) == 0
    assert WITHHELD not in result.counters


@pytest.mark.parametrize("strategy", [detsim.Random(1), detsim.PCT(3, 1), detsim.Fair(detsim.PCT(3, 1))],
                         ids=["random", "pct3", "fair-pct3"])
def test_no_starvation_bug_in_a_live_model_under_any_strategy(strategy):
    result = detsim.check(Starvable(), strategy, runs=100)
    assert result.ok, result.report()
    assert "no starvation: held assuming weak fairness, bound K=8" in str(result)


def test_no_livelock_bug_in_a_live_model_under_an_unfair_strategy():
    result = detsim.check(Spin(), detsim.PCT(3, 1), runs=100)  # PCT starves the setter for long stretches
    assert result.ok, result.report()
    assert result.counters["no livelock: runs longer than the window"] > 0


def test_under_a_fair_strategy_spin_never_runs_long_enough_to_judge():
    with pytest.warns(detsim.VacuityWarning, match="no run was longer than the window"):
        result = detsim.check(Spin(), detsim.Fair(detsim.PCT(3, 1)), runs=20)
    assert result.ok and any(n.startswith("warning:") for n in result.notes)


# ---- the wrapper itself ---------------------------------------------------------------

def test_fair_bounds_how_often_an_enabled_process_is_overtaken():
    model = Starvable(rounds=30)
    result = detsim.run(model, detsim.Fair(detsim.PCT(2, 5), bound=3))
    assert result.counters["fairness: forced decisions"] > 0
    # Replayed under a checker with the same bound, no decision is unfair.
    checker = Starvable(rounds=30, fairness=3, max_bypass=100)
    replayed = detsim.run(checker, detsim.Replay(result.trace))
    assert replayed.ok and replayed.counters.get("fairness: unfair decisions", 0) == 0


def test_fair_follows_the_inner_strategy_during_the_unfair_prefix():
    inner = detsim.run(Starvable(), Starver("worker-1")).trace.decisions
    wrapped = detsim.run(Starvable(), detsim.Fair(Starver("worker-1"), bound=2, unfair_prefix=10))
    assert [d.chosen for d in wrapped.trace.decisions[:10]] == [d.chosen for d in inner[:10]]
    assert [d.chosen for d in wrapped.trace.decisions] != [d.chosen for d in inner]


def test_fair_is_described_in_the_trace_and_replays():
    strategy = detsim.Fair(detsim.Random(3), bound=4, unfair_prefix=2)
    assert strategy.describe() == {"name": "fair", "bound": 4, "unfair_prefix": 2,
                                   "inner": {"name": "random", "seed": 3, "run": 0}}
    result = detsim.run(Starvable(), strategy)
    assert detsim.replay(result.trace).trace.decisions == result.trace.decisions
    with pytest.raises(ValueError):
        detsim.Fair(detsim.Random(0), bound=0)


def test_overtaking_forgets_a_process_that_ran_between_decisions():
    class Task:
        def __init__(self):
            self._target = object()

    a, b = Task(), Task()
    tasks = {"a": a, "b": b}
    tracker = Overtaking(bound=2)
    assert tracker.observe(("a", "b"), 0, tasks) is None  # b overtaken once
    assert tracker.observe(("a", "b"), 0, tasks) is None  # twice
    assert tracker.enforce(("a", "b"), 0, tasks) == 1  # a third time would break the bound
    assert tracker.observe(("a", "b"), 0, tasks) == ("b", "a", 3)
    b._target = object()  # b ran in a step without a decision: a fresh wait
    assert tracker.observe(("a", "b"), 0, tasks) is None

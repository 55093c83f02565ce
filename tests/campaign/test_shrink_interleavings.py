"""Smaller interleavings: after 1-minimality, shrinking cuts stretches of schedule, moves
deviations earlier and undoes preemptions, keeping only results that are themselves
1-minimal and smaller by (deviations, preemptions, positions)."""
import pytest

import detsim
from detsim.campaign import execute
from detsim.campaign._shrink import _earlier, _sizes
from detsim.engine import Recorder
from detsim.search import Replay
from detsim.trace import SCHEDULE, count_preemptions, is_preemption
from tests.campaign.peterson import Peterson
from tests.campaign.test_shrink import assert_one_minimal

SEEDS = range(10)


@pytest.fixture(scope="module")
def peterson_results():
    return {seed: detsim.check(Peterson(), detsim.Random(seed), runs=500) for seed in SEEDS}


class Previous(detsim.Strategy):
    """Replays a trace and notes (previous process, candidates, chosen) at each schedule tie."""

    def __init__(self, trace):
        self.replay, self.seen = Replay(trace), []

    def choose(self, label, candidates, world):
        chosen = self.replay.choose(label, candidates, world)
        if world.decision_kind == SCHEDULE:
            self.seen.append((world.current_name, candidates, chosen))
        return chosen


def test_the_correct_lock_holds_and_fifo_never_breaks_the_buggy_one():
    assert detsim.check(Peterson(bug=None), detsim.Random(0), runs=300).ok
    assert detsim.run(Peterson()).ok


def test_turn_first_shrinks_to_at_most_four_deviations_for_most_seeds(peterson_results):
    sizes = {seed: len(r.trace.deviations()) for seed, r in peterson_results.items()}
    assert all(r.violation.property == "mutual exclusion" for r in peterson_results.values())
    assert sum(1 for n in sizes.values() if n <= 4) >= 8, sizes
    assert min(sizes.values()) >= 3, sizes  # bounded search proves 3 is the least (DFS, 3 deviations)


@pytest.mark.parametrize("seed", [1, 7])
def test_the_smaller_trace_is_still_one_minimal(peterson_results, seed):
    assert_one_minimal(Peterson(), peterson_results[seed])


def test_the_preemptions_recorded_are_the_trace_s_own(peterson_results):
    for result in peterson_results.values():
        probe = Previous(result.trace)
        execute(Peterson(), probe, {})
        assert result.trace.strategy["preemptions"] == count_preemptions(probe.seen)
        assert result.trace.strategy["preemptions"] <= len(result.trace.decisions)


def test_shrinking_no_longer_stops_at_the_first_local_minimum(peterson_results):
    """Seed 1 finds t0 running a whole round alone first (10 deviations, 1-minimal);
    cutting that round out leaves the race alone."""
    result = peterson_results[1]
    assert len(result.original_trace.deviations()) == 10
    assert len(result.trace.deviations()) <= 4
    assert "preemption" in result.report()


def test_preemption_is_a_switch_away_from_a_process_that_could_go_on():
    assert is_preemption("t0", ("t1", "t0"), 0)  # t0 could continue; t1 runs
    assert not is_preemption("t0", ("t1", "t0"), 1)  # t0 continues
    assert not is_preemption("t0", ("t1", "t2"), 0)  # t0 blocked or finished: no choice to preempt it
    assert not is_preemption("-", ("t1", "t2"), 1)  # the previous step was a timer, not a process
    assert count_preemptions([("a", ("b", "a"), 0), ("b", ("a", "b"), 1), ("b", ("a", "c"), 0)]) == 1


def test_move_orders_are_earliest_first_and_longest_first():
    assert _earlier(0) == []
    assert _earlier(1) == [0]
    assert _earlier(9) == [0, 1, 5, 7, 8]
    assert _sizes(4) == [3, 2, 1]
    big = _sizes(200)
    assert big[0] == 199 and big[-1] == 1 and big == sorted(big, reverse=True) and len(big) < 30


class Watch(Recorder):
    def __init__(self):
        self.steps = 0

    def after_step(self, world):
        self.steps += 1


def test_a_shrink_budget_too_small_for_the_tidy_passes_keeps_a_one_minimal_trace():
    result = detsim.check(Peterson(), detsim.Random(7), runs=500, max_shrink_runs=60)
    assert result.violation.property == "mutual exclusion"
    if result.one_minimal:
        assert_one_minimal(Peterson(), result)
    watch = Watch()
    execute(Peterson(), Replay(result.trace), {}, recorder=watch)
    assert watch.steps == result.trace.outcome["steps"]

"""DFS in order of increasing bound (iterative context bounding): every schedule is
run exactly once, in the pass of its cost, cheaper passes first; a cap makes the
search exhaustive within it and says so; spin loops do not stall it."""
import pytest

import detsim
from detsim.campaign import execute
from detsim.errors import UsageError
from detsim.trace import SCHEDULE, is_preemption
from tests.campaign.peterson import Peterson
from tests.support import RacyCounter, scripted, stepper


class Prefix(detsim.Strategy):
    """A prefix of indices, then index 0; notes (chosen, number of candidates, cost): a
    preemption costs 1, and so does running a non-process event (a finished
    process's exit) ahead of the first process when the previous one cannot go on."""

    def __init__(self, prefix):
        self.prefix, self.seen = list(prefix), []

    def choose(self, label, candidates, world):
        pos = len(self.seen)
        chosen = self.prefix[pos] if pos < len(self.prefix) else 0
        pre = world.decision_kind == SCHEDULE and is_preemption(world.current_name, candidates, chosen)
        if world.current_name not in candidates:
            processes = [i for i, name in enumerate(candidates) if name in world.tasks]
            pre = chosen not in processes and chosen != (processes[0] if processes else 0)
        self.seen.append((chosen, len(candidates), pre))
        return chosen


def every_schedule(model):
    """Brute force, independent of DFS: {decision indices: cost} of every schedule."""
    out, stack = {}, [[]]
    while stack:
        prefix = stack.pop()
        strategy = Prefix(prefix)
        execute(model, strategy)
        seen = strategy.seen
        out[tuple(c for c, _, _ in seen)] = sum(p for _, _, p in seen)
        for pos in range(len(prefix), len(seen)):
            stack.extend([c for c, _, _ in seen[:pos]] + [alt] for alt in range(1, seen[pos][1]))
    return out


def explored(model, strategy, runs=None):
    """(the campaign's result, the decision indices of each run in order)."""
    order = []
    result = detsim.check(model, strategy, runs=runs, shrink=False,
                          on_run=lambda i, r: order.append(tuple(d.chosen for d in r.trace.decisions)))
    return result, order


def two_steppers():
    return scripted(a=stepper("a", 3), b=stepper("b", 2))


def test_every_schedule_is_run_once_in_order_of_increasing_preemptions():
    truth = every_schedule(two_steppers())
    result, order = explored(two_steppers(), detsim.DFS())
    assert result.ok and result.exhausted and result.bound is None
    assert sorted(order) == sorted(truth)  # each schedule exactly once
    costs = [truth[o] for o in order]
    assert costs == sorted(costs) and costs[0] == 0 and costs[-1] == max(truth.values()) > 1
    assert "every schedule explored" in str(result)
    top = max(truth.values())
    assert result.notes[0].startswith(f"every schedule with ≤ {top} preemptions")
    assert f" explored: {len(truth):,}" in result.notes[0]


@pytest.mark.parametrize("cap", [0, 1, 2])
def test_a_preemption_cap_covers_exactly_the_schedules_within_it(cap):
    truth = every_schedule(two_steppers())
    within = sorted(o for o, n in truth.items() if n <= cap)
    result, order = explored(two_steppers(), detsim.DFS(max_preemptions=cap))
    assert sorted(order) == within
    unit = "preemption" if cap == 1 else "preemptions"
    assert result.exhausted and result.bound.startswith(f"with at most {cap} {unit}")
    assert result.notes[0].startswith(f"every schedule with ≤ {cap} {unit}")
    assert f" explored: {len(within):,}" in result.notes[0]
    assert f"every schedule with at most {cap} {unit}" in result.summary()


def test_the_budget_running_out_mid_pass_claims_only_the_complete_passes():
    truth = every_schedule(two_steppers())
    zero = sum(1 for n in truth.values() if n == 0)
    result, order = explored(two_steppers(), detsim.DFS(), runs=zero + 3)
    assert not result.exhausted and len(order) == zero + 3
    assert result.notes[0].startswith("every schedule with ≤ 0 preemptions")
    assert f" explored: {zero}" in result.notes[0]
    assert result.notes[1].startswith("schedules with ≤ 1 preemption")
    assert ": 3 more run, not all of them (the budget ran out)" in result.notes[1]
    assert "every schedule explored" not in str(result)


def test_delay_bounding_charges_the_index_skipped_in_fifo_order():
    truth = every_schedule(two_steppers())
    result, order = explored(two_steppers(), detsim.DFS(max_delays=1))
    assert sorted(order) == sorted(o for o in truth if sum(o) <= 1)  # index i skips i candidates
    assert result.exhausted and result.bound == "with at most 1 delay"


def test_the_lost_update_is_found_with_one_preemption():
    result = detsim.check(RacyCounter(), detsim.DFS(), runs=500)
    assert not result.ok and result.violation.property == "no lost update"
    assert result.stats["dfs bound"] == 1 and result.preemptions is not None


def test_peterson_spin_loops_do_not_stall_dfs():
    found = detsim.check(Peterson(bug="turn-first"), detsim.DFS(), runs=1000)
    assert found.violation is not None and found.violation.property == "mutual exclusion"
    held = detsim.check(Peterson(bug=None, rounds=1), detsim.DFS(max_preemptions=2), runs=None)
    assert held.ok and held.exhausted and held.verdict == "held"
    assert held.notes[0].startswith("every schedule with ≤ 2 preemptions explored: ")


def test_one_bound_at_a_time():
    with pytest.raises(UsageError, match="one bound"):
        detsim.DFS(max_preemptions=1, max_delays=2)
    with pytest.raises(UsageError):
        detsim.DFS(max_preemptions=-1)
    with pytest.raises(UsageError):
        detsim.DFS(fair_after=0)


def test_a_larger_bound_never_loses_a_bug_a_smaller_one_found():
    # The passes below the cap run the same schedules in the same order whatever the cap.
    found = [detsim.check(RacyCounter(), detsim.DFS(max_deviations=k), runs=5000, shrink=False) for k in (1, 2, 3)]
    assert all(r.violation is not None for r in found) and found[0].runs == found[1].runs == found[2].runs
    bounded = [detsim.check(Peterson(bug="turn-first"), detsim.DFS(max_preemptions=k), runs=5000, shrink=False)
               for k in (2, 3)]
    unbounded = detsim.check(Peterson(bug="turn-first"), detsim.DFS(), runs=5000, shrink=False)
    assert bounded[0].runs == bounded[1].runs == unbounded.runs and unbounded.violation is not None

"""Priority worker pool: low-priority work completes under a bounded high-priority
load (``no_starvation(max_wait=T)``). Planted bug ``strict-priority``.

Budgets (schedules to the first failure over seeds 0..19, median / max; shrunk
deviations): see ``bench/liveness_evidence.py``. Under the default schedule the
worker looks before the client submits, so the bug needs the client to win
several ties in a row: the counterexample lists them.
"""
import pytest

import detsim
from models.priority_pool import PriorityPool


@pytest.mark.parametrize("strategy", [detsim.Random(0), detsim.PCT(3, 0), detsim.Fair(detsim.PCT(3, 0))],
                         ids=["random", "pct3", "fair-pct3"])
def test_aging_survives(campaign, strategy):
    result = campaign.holds(PriorityPool(), runs=campaign.budget(ci=200, deep=3000), strategy=strategy)
    assert "low job passed over" in result.reached


def test_default_schedule_serves_low_work_in_time():
    assert detsim.run(PriorityPool(bug="strict-priority")).ok


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_strict_priority_starves_low_work_within_budget(campaign, seed):
    result = campaign.finds(PriorityPool(bug="strict-priority"), "low-priority work completes", within=30,
                            strategy=detsim.Random(seed))
    v = result.violation
    assert v.process.startswith("low-") and f"{v.process} waiting on pool since" in v.message
    assert "> max_wait=3 while it was granted" in v.message and "high-" in v.message
    assert sum(d.choice == "high-client" for _, d in result.trace.deviations()) >= 2  # the client won ties
    assert 2 <= len(result.trace.deviations()) <= 8


def test_a_larger_skip_allowance_needs_a_larger_wait_bound(campaign):
    """Aging with max_skip=3 lets a low job wait up to 4 units: max_wait=3 then fails, max_wait=4 holds."""
    campaign.finds(PriorityPool(max_skip=3), "low-priority work completes", within=100)
    campaign.holds(PriorityPool(max_skip=3, max_wait=4), runs=campaign.budget(ci=150, deep=2000))

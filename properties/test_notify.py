"""Condition variable: no lost wakeup, waiters re-check their predicate.
Planted bugs: check-then-wait without the lock (ends in a global stall) and
``if`` instead of ``while``."""
import pytest

import detsim
from models.notify import CondQueue


def test_correct_condition_loop_survives(campaign):
    campaign.holds(CondQueue(), runs=campaign.budget(ci=1000, deep=20000))


def test_correct_condition_loop_survives_pct(campaign):
    campaign.holds(CondQueue(), runs=campaign.budget(ci=200, deep=5000), strategy=detsim.PCT(3, campaign.seed))


def test_unlocked_check_loses_a_wakeup_and_stalls(campaign):
    result = campaign.finds(CondQueue(bug="unlocked-check"), "no deadlock", within=50)
    message = result.violation.message
    assert message.startswith("global stall") and "waits on notify not-empty" in message


@pytest.mark.parametrize("strategy", [detsim.Random(0), detsim.PCT(3, 0)], ids=["random", "pct3"])
def test_no_recheck_takes_from_an_empty_queue(campaign, strategy):
    result = campaign.finds(CondQueue(bug="no-recheck"), "nobody takes from an empty queue", within=50,
                            strategy=strategy)
    assert result.trace.deviations()  # the default schedule is fine

# ---- exhaustive verification of a small instance (docs/exhaustive.md) --------------------

def _exhaustive(**params):
    return detsim.check(CondQueue(**params), detsim.Exhaustive(), runs=None)

def test_exhaustive_verifies_2_consumers_1_item_each():
    result = _exhaustive(consumers=2, per_consumer=1)
    assert result.ok and result.exhausted and result.summary().startswith("verified:")


def test_exhaustive_finds_no_recheck_with_2_items_each():
    # "unlocked-check" is not reachable at 2 consumers x 1 item: that instance verifies.
    result = _exhaustive(consumers=2, per_consumer=2, bug="no-recheck")
    assert result.violation.property == "nobody takes from an empty queue"

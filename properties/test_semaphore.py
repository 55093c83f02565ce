"""Permit pool over world.semaphore: never more than N inside, no permit leak;
planted bug: a cancelled job's cleanup releases a permit it never acquired."""
import pytest

import detsim
from models.semaphore import PermitPool


def test_correct_pool_survives(campaign):
    campaign.holds(PermitPool(), runs=campaign.budget(ci=1000, deep=20000))


@pytest.mark.parametrize("strategy", [detsim.Random(0), detsim.PCT(3, 0)], ids=["random", "pct3"])
def test_release_without_acquire_leaks_a_permit(campaign, strategy):
    result = campaign.finds(PermitPool(bug="release-without-acquire"), "no permit leak",
                            within=50, strategy=strategy)
    devs = [d for _, d in result.trace.deviations()]
    assert any(d.label.endswith("cancelled") and d.choice == "True" for d in devs)


def test_the_leak_lets_one_worker_too_many_in(campaign):
    # Without the leak check, the same bug shows up as N+1 workers inside.
    class WithoutLeakCheck(PermitPool):
        def properties(self):
            return [p for p in super().properties() if p.name != "no permit leak"]

    result = detsim.check(WithoutLeakCheck(bug="release-without-acquire"), detsim.Random(0), runs=200,
                          shrink=False)
    assert not result.ok and result.violation.property == "at most N permits held"

# ---- exhaustive verification of a small instance (docs/exhaustive.md) --------------------

def _exhaustive(**params):
    return detsim.check(PermitPool(**params), detsim.Exhaustive(), runs=None)

def test_exhaustive_verifies_2_workers_on_1_permit():
    result = _exhaustive(workers=2, permits=1, rounds=1)
    assert result.ok and result.exhausted and result.summary().startswith("verified:")


def test_exhaustive_finds_release_without_acquire():
    result = _exhaustive(workers=2, permits=1, rounds=1, bug="release-without-acquire")
    assert result.violation is not None and not result.exhausted

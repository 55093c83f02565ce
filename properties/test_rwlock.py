"""Readers–writer lock: never a writer together with anyone; a writer is not
starved by a stream of readers. Planted bug ``reader-preferring``.

Budgets (schedules to the first failure over seeds 0..19, median / max; shrunk
deviations): see ``bench/liveness_evidence.py``. The hand-written lock needs a run
of unlucky handovers (a new reader entering before the previous one leaves), so
its counterexamples have a few deviations; ``world.rwlock``'s reader-preferring
policy starves the writer on the default schedule itself.
"""
import pytest

import detsim
from models.rwlock import RwLock


@pytest.mark.parametrize("lock", ["model", "detsim"])
@pytest.mark.parametrize("strategy", [detsim.Random(0), detsim.PCT(3, 0), detsim.Fair(detsim.PCT(3, 0))],
                         ids=["random", "pct3", "fair-pct3"])
def test_fifo_lock_survives(campaign, lock, strategy):
    result = campaign.holds(RwLock(lock=lock), runs=campaign.budget(ci=150, deep=2000), strategy=strategy)
    assert "a writer waited behind readers" in result.reached
    assert "writer not starved: held assuming weak fairness, bound K=8" in str(result)


def test_default_schedule_lets_the_writer_in():
    assert detsim.run(RwLock(bug="reader-preferring")).ok


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reader_preferring_starves_the_writer_within_budget(campaign, seed):
    result = campaign.finds(RwLock(bug="reader-preferring"), "writer not starved", within=60,
                            strategy=detsim.Random(seed))
    v = result.violation
    assert v.process.startswith("writer-") and f"{v.process} waiting on rw since" in v.message
    assert "was overtaken by 3 later arrivals (max_bypass=2): reader-" in v.message
    assert "this schedule was checked fair" in v.message
    assert 1 <= len(result.trace.deviations()) <= 8


def test_world_rwlock_reader_preferring_policy_starves_the_writer(campaign):
    result = campaign.finds(RwLock(bug="reader-preferring", lock="detsim"), "writer not starved", within=60)
    assert result.violation.process == "writer-0"


def test_more_readers_and_writers_stay_exclusive(campaign):
    model = RwLock(readers=3, writers=2, reads=5, writes=2)
    campaign.holds(model, runs=campaign.budget(ci=100, deep=1500))
    result = campaign.finds(RwLock(readers=3, writers=2, reads=5, writes=2, bug="reader-preferring"),
                            "writer not starved", within=200)
    assert result.violation.process.startswith("writer-")

# ---- exhaustive verification of a small instance (docs/exhaustive.md) --------------------

def _exhaustive(**params):
    return detsim.check(RwLock(**params), detsim.Exhaustive(), runs=None)

def test_exhaustive_verifies_2_readers_1_writer():
    result = _exhaustive(readers=2, reads=1, writers=1, writes=1)
    assert result.ok and result.exhausted and result.summary().startswith("verified:")


def test_exhaustive_finds_reader_preference():
    result = _exhaustive(readers=2, reads=2, writers=1, writes=1, bug="reader-preferring")
    assert result.violation.property == "writer not starved"

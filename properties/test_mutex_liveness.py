"""Mutex liveness: planted bugs ``barging`` (starvation) and ``waiter-count`` (lost
wake-up); the correct FIFO and counter locks survive.

Budgets (schedules to the first failure over seeds 0..19, median / max):
``barging`` with a tight loop (work=0, rounds=4): Random 2 / 4, PCT(3) 6 / 41;
with the default work=4, rounds=2 the releaser needs 5 steps to come back and
Random finds nothing in 500 schedules. ``waiter-count``: Random 1.5 / 9, PCT(3)
186 / 637, PCT(2) none in 2,000. Shrunk (1-minimal) traces, median / max:
``waiter-count`` 1.5 / 2 deviations, ``barging`` 4 / 10 (before shrinking cut
stretches of schedule; now as few as 2: see the test). Regenerate: ``bench/liveness_evidence.py``.
"""
import pytest

import detsim
from detsim.search import Guided
from detsim.campaign import deviations_of
from models.mutex import Mutex

TIGHT = dict(work=0, rounds=4)  # the releaser asks again right away: where barging bites


class PatientMutex(Mutex):
    """The same model, judged with a larger bypass bound (set per test)."""

    MAX_BYPASS = 2


@pytest.mark.parametrize("design", ["fifo", "counter"])
@pytest.mark.parametrize("strategy", [detsim.Random(0), detsim.PCT(3, 0), detsim.Fair(detsim.PCT(3, 0))],
                         ids=["random", "pct3", "fair-pct3"])
def test_correct_locks_survive(campaign, design, strategy):
    result = campaign.holds(Mutex(design=design, **TIGHT), runs=campaign.budget(ci=200, deep=3000),
                            strategy=strategy)
    assert "contention" in result.reached
    assert any(n.startswith("no starvation: held assuming weak fairness") for n in result.notes)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_barging_starves_a_waiter_within_budget(campaign, seed):
    result = campaign.finds(Mutex(bug="barging", **TIGHT), "no starvation", within=20,
                            strategy=detsim.Random(seed))
    v = result.violation
    assert f"{v.process} waiting on lock since" in v.message
    assert "was overtaken by 3 later arrivals (max_bypass=2): worker-" in v.message
    assert v.process not in v.message.split("max_bypass=2): ")[1].split(";")[0]  # others overtook it
    assert "assuming weak fairness, bound K=8" in v.message
    # FIFO favours the woken waiter, but once one barge puts the releaser first, FIFO order
    # can repeat it: the shrinker's schedule cuts find such traces of 2 deviations.
    assert 2 <= len(result.trace.deviations()) <= 8


@pytest.mark.parametrize("bound", [4, 8, 16])
def test_barging_bypass_has_no_bound_even_under_a_fair_schedule(bound, monkeypatch):
    """Whatever bypass bound is asked for, a fair search finds a waiter overtaken more often."""
    monkeypatch.setattr(PatientMutex, "MAX_BYPASS", bound)
    model = PatientMutex(bug="barging", work=0, rounds=2 * bound)
    result = detsim.check(model, detsim.Fair(detsim.PCT(3, 0)), runs=300, shrink=False)
    assert not result.ok and result.violation.property == "no starvation"
    assert f"overtaken by {bound + 1} later arrivals" in result.violation.message
    assert result.counters.get("fairness: unfair decisions", 0) == 0


def test_fifo_lock_under_the_same_fair_search_has_no_bypass(monkeypatch):
    monkeypatch.setattr(PatientMutex, "MAX_BYPASS", 0)
    assert detsim.check(PatientMutex(work=0, rounds=8), detsim.Fair(detsim.PCT(3, 0)), runs=100).ok


@pytest.mark.parametrize("seed", [0, 1])
def test_waiter_count_loses_a_wakeup_within_budget(campaign, seed):
    result = campaign.finds(Mutex(bug="waiter-count"), "no deadlock", within=20, strategy=detsim.Random(seed))
    v = result.violation
    assert v.message.startswith("global stall: every non-daemon process is blocked")
    assert "waits on semaphore lock-wakeups (no permit)" in v.message
    assert 1 <= len(result.trace.deviations()) <= 2


def test_counter_lock_keeps_the_wakeup_on_the_same_schedule():
    """The schedule that loses the wake-up in ``waiter-count`` runs cleanly on the
    correct counter lock: the release lands in the window and leaves a permit."""
    found = detsim.check(Mutex(bug="waiter-count"), detsim.Random(0), runs=20)
    result = detsim.run(Mutex(design="counter"), Guided(deviations_of(found.trace)))
    assert result.ok, result.violation
    assert result.counters["wake-ups kept for a waiter not yet asleep"] >= 1


def test_unknown_design_is_rejected():
    with pytest.raises(ValueError, match="design must be"):
        Mutex(design="spin")

"""Mutex: mutual exclusion, no lost update, no deadlock; planted bug ``no-lock``.

Budgets for ``no-lock`` (schedules to the first failure, median / max over seeds
0..19): Random 1 / 6, PCT(2) 10 / 54, PCT(3) 4.5 / 25. Each shrinks to 1–2
deviations for the seeds used here.
"""
import pytest

import detsim
from models.mutex import Mutex


class ThenDefault(detsim.Strategy):
    """Follows a trace's decisions, then the default: runs past where the checker stopped."""

    def __init__(self, trace):
        self.chosen = [d.chosen for d in trace.decisions]

    def choose(self, label, candidates, world):
        pos = len(world.decisions)
        return self.chosen[pos] if pos < len(self.chosen) else 0


def test_default_schedule_is_safe_even_without_a_lock():
    assert detsim.run(Mutex(bug="no-lock"), detsim.Fifo()).ok
    assert detsim.run(Mutex(), detsim.Fifo()).ok


@pytest.mark.parametrize("strategy", [detsim.Random(0), detsim.PCT(2, 0), detsim.PCT(3, 0)],
                         ids=["random", "pct2", "pct3"])
def test_correct_variant_survives(campaign, strategy):
    result = campaign.holds(Mutex(), runs=campaign.budget(ci=300, deep=5000), strategy=strategy)
    assert "contention" in result.reached  # the lock really was fought over


@pytest.mark.parametrize("strategy, within", [(detsim.Random(0), 10), (detsim.PCT(2, 0), 100),
                                              (detsim.PCT(3, 0), 60)],
                         ids=["random-within-10", "pct2-within-100", "pct3-within-60"])
def test_no_lock_breaks_exclusion_within_budget(campaign, strategy, within):
    result = campaign.finds(Mutex(bug="no-lock"), "mutual exclusion", within=within, strategy=strategy)
    assert 1 <= len(result.trace.deviations()) <= 2


def test_no_lock_loses_an_update_when_run_to_the_end():
    """The end-to-end check is not vacuous: the exclusion counterexample, run on
    past the violation, ends with a lost increment."""
    found = detsim.check(Mutex(bug="no-lock"), detsim.Random(0), runs=10)
    model, world = Mutex(bug="no-lock"), detsim.World(ThenDefault(found.trace))
    model.setup(world)
    world.run()
    lost_update = next(p for p in model.properties() if p.name == "no lost update")
    assert model.count < model.workers * model.rounds
    assert not lost_update.pred(model)


def test_unknown_bug_is_rejected():
    with pytest.raises(ValueError, match="unknown bug 'nope'"):
        Mutex(bug="nope")

# ---- exhaustive verification of a small instance (docs/exhaustive.md) --------------------

def _exhaustive(**params):
    return detsim.check(Mutex(**params), detsim.Exhaustive(), runs=None)

SMALL = dict(workers=2, rounds=1, work=1, stagger=1)


@pytest.mark.parametrize("design", ["fifo", "counter"])
def test_exhaustive_verifies_both_correct_locks_for_2_workers_1_round(design):
    result = _exhaustive(design=design, **SMALL)
    assert result.ok and result.exhausted, result.summary()
    assert result.summary().startswith("verified:")


@pytest.mark.parametrize("bug, design, prop", [("no-lock", "fifo", "mutual exclusion"),
                                               ("waiter-count", "counter", "no deadlock")])
def test_exhaustive_finds_the_planted_bugs_at_that_size(bug, design, prop):
    assert _exhaustive(bug=bug, design=design, **SMALL).violation.property == prop
    # "barging" needs more rounds than this instance has to overtake anyone MAX_BYPASS times

"""The fairness witness behind every liveness verdict: an unfair schedule alone never
yields a starvation or livelock "bug". The ``Starver`` adversary really starves its
victim when no fairness is assumed; with a bound, the would-be verdict is withheld
and the unfair decisions are counted."""
import pytest

import detsim
from detsim.monitor import WITHHELD
from tests.support import UNBOUNDED, Spin, Starvable, Starver


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

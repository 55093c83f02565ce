"""The Fair strategy: any strategy made weakly fair. It tames the ``Starver``
adversary, bounds how often an enabled process is overtaken, follows the inner
strategy during the unfair prefix, and is described in (and replays from) the trace."""
import pytest

import detsim
from detsim.monitor import WITHHELD
from tests.support import Spin, Starvable, Starver


@pytest.mark.parametrize("model", [Starvable(), Spin()], ids=["starvation", "livelock"])
@pytest.mark.parametrize("victim", ["worker-0", "worker-1", "spinner", "setter"])
def test_the_fair_wrapper_tames_the_adversary(model, victim):
    result = detsim.run(model, detsim.Fair(Starver(victim), bound=8))
    assert result.ok, result.violation
    assert result.counters.get("fairness: unfair decisions", 0) == 0
    assert WITHHELD not in result.counters


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

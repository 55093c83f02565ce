"""Dining philosophers, livelock: the ``polite`` philosophers (try-lock, symmetric
back-off) retry in lock-step forever; asymmetric back-off (``protocol="backoff"``)
and ordered blocking acquisition make progress.

The lock-step does not depend on the interleaving: every philosopher takes its
left fork at the same instant, so every schedule livelocks, the first schedule of
any strategy finds it and the shrunk counterexample is the default schedule
(0 deviations). The report prints it as a lasso: the prefix into the trapped set
of states, then one turn of the cycle.
"""
import pytest

import detsim
from models.dining_philosophers import DiningPhilosophers


@pytest.mark.parametrize("protocol", ["backoff", "blocking"])
@pytest.mark.parametrize("strategy", [detsim.Random(0), detsim.PCT(3, 0), detsim.Fair(detsim.PCT(3, 0))],
                         ids=["random", "pct3", "fair-pct3"])
def test_progressing_philosophers_survive(campaign, protocol, strategy):
    result = campaign.holds(DiningPhilosophers(protocol=protocol), runs=campaign.budget(ci=100, deep=1500),
                            strategy=strategy)
    assert "no livelock: held assuming weak fairness, bound K=8, window 60 steps" in str(result)


@pytest.mark.parametrize("strategy", [detsim.Random(0), detsim.PCT(3, 0), detsim.DFS(max_runs=5)],
                         ids=["random", "pct3", "dfs"])
def test_polite_philosophers_livelock_on_the_first_schedule(campaign, strategy):
    result = campaign.finds(DiningPhilosophers(bug="polite"), "no livelock", within=1, strategy=strategy)
    assert result.trace.deviations() == []  # the default schedule livelocks: lock-step needs no luck


def test_polite_livelock_is_printed_as_a_lasso(campaign):
    result = campaign.finds(DiningPhilosophers(bug="polite"), "no livelock", within=1)
    message = result.violation.message
    assert message.startswith("livelock: no progress for ")
    assert "the run cycled among 10 abstract states and never left them" in message
    assert "assuming weak fairness, bound K=8" in message
    lines = message.splitlines()
    assert lines[1].startswith("  lasso: prefix of ") and ", then a cycle of 13 step(s), gone round" in lines[1]
    cycle = lines[lines.index("    cycle:") + 1:]
    states = [line.rsplit(": ", 1)[1] for line in cycle[:-1] if line.startswith("      step ")]
    assert "'forks held by - - - - - | hungry 5'" in states  # everyone put the left fork down...
    assert states[-1] == "'forks held by 0 1 2 3 4 | hungry 5'"  # ...and picked it up again
    assert cycle[-1] == "      ↺ back to 'forks held by 0 1 2 3 4 | hungry 5'"
    print(result.report())


@pytest.mark.parametrize("n", [2, 3, 7])
def test_polite_livelocks_for_any_table_size(campaign, n):
    campaign.finds(DiningPhilosophers(n=n, bug="polite"), "no livelock", within=1)


@pytest.mark.parametrize("n", [3, 7])
def test_asymmetric_backoff_progresses_for_other_table_sizes(campaign, n):
    campaign.holds(DiningPhilosophers(n=n, protocol="backoff"), runs=campaign.budget(ci=30, deep=500))


def test_two_philosophers_finish_before_a_livelock_could_be_judged():
    with pytest.warns(detsim.VacuityWarning, match="no run was longer than the window"):
        assert detsim.check(DiningPhilosophers(n=2, protocol="backoff"), detsim.Random(0), runs=30).ok


def test_unknown_protocol_is_rejected():
    with pytest.raises(ValueError, match="protocol must be"):
        DiningPhilosophers(protocol="telepathy")

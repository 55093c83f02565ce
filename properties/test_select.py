"""Select fairness: fair and random select bypass a continuously ready branch at
most K times; biased select starves the quiet branch (the planted bug)."""
import pytest

import detsim
from detsim import Strategy
from models.select import SelectMux


@pytest.mark.parametrize("policy", ["fair", "random"])
def test_fair_and_random_select_survive(campaign, policy):
    campaign.holds(SelectMux(policy=policy), runs=campaign.budget(ci=300, deep=5000))


def test_random_select_survives_pct(campaign):
    campaign.holds(SelectMux(policy="random"), runs=campaign.budget(ci=100, deep=2000),
                   strategy=detsim.PCT(3, campaign.seed))


def test_fair_select_bypasses_a_ready_branch_at_most_n_minus_1_times(campaign):
    campaign.holds(SelectMux(policy="fair", max_bypass=1), runs=campaign.budget(ci=100, deep=2000))


def test_biased_select_starves_the_quiet_branch(campaign, capsys):
    result = campaign.finds(SelectMux(bug="biased"), "no starved branch", within=5)
    message = result.violation.message
    assert "policy biased" in message and "starved branch 1 'slow'" in message
    assert "of receiver consumer" in message and "bound K=20" in message
    assert "bypassed every time" in message and "taken instead: fast ×21" in message
    assert result.trace.deviations() == []  # biased needs no unlucky schedule
    with capsys.disabled():
        print("\n" + result.report())


class AdversarialCoin(Strategy):
    """FIFO scheduling, but every select coin lands on the last option offered."""

    name = "adversarial-coin"

    def choose(self, label, candidates, world):
        return len(candidates) - 1 if label.startswith("select ") else 0


def test_random_select_starves_only_under_an_unfair_coin(campaign):
    # The random policy's default is round robin; starving a branch takes K+1
    # consecutive coin flips against it, and the shrunk trace keeps every one.
    model = SelectMux(policy="random", max_bypass=4)
    result = campaign.finds(model, "no starved branch", within=1, strategy=AdversarialCoin())
    devs = result.trace.deviations()
    assert len(devs) == 5 and all(d.label == "select mux" for _, d in devs)

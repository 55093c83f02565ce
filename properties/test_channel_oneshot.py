"""Oneshot: the answer arrives iff it was sent; planted bug: lost on close."""
import pytest

import detsim
from models.channel_oneshot import OneshotReply


def test_correct_oneshot_survives(campaign):
    campaign.holds(OneshotReply(), runs=campaign.budget(ci=1000, deep=20000))


@pytest.mark.parametrize("strategy", [detsim.Random(0), detsim.PCT(3, 0)], ids=["random", "pct3"])
def test_checking_closed_before_the_slot_loses_the_answer(campaign, strategy):
    result = campaign.finds(OneshotReply(bug="lost-on-close"), "answer received iff sent", within=30,
                            strategy=strategy)
    devs = result.trace.deviations()
    assert len(devs) == 1 and devs[0][1].choice.startswith("server-")  # the server ran first

# ---- exhaustive verification of a small instance (docs/exhaustive.md) --------------------

def _exhaustive(**params):
    return detsim.check(OneshotReply(**params), detsim.Exhaustive(), runs=None)

def test_exhaustive_verifies_2_pairs():
    result = _exhaustive(pairs=2)
    assert result.ok and result.exhausted and result.summary().startswith("verified:")


def test_exhaustive_finds_lost_on_close():
    assert _exhaustive(pairs=1, bug="lost-on-close").violation.property == "answer received iff sent"

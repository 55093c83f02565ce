"""Broadcast with lagging receivers: every message is received or reported as
Lagged(n); planted bug: the receive loop ignores the lag notice."""
import pytest

import detsim
from models.channel_broadcast import BroadcastFanout


def test_correct_broadcast_survives(campaign):
    campaign.holds(BroadcastFanout(), runs=campaign.budget(ci=1000, deep=20000))


@pytest.mark.parametrize("strategy", [detsim.Random(0), detsim.PCT(3, 0)], ids=["random", "pct3"])
def test_ignoring_lag_loses_messages_silently(campaign, strategy):
    result = campaign.finds(BroadcastFanout(bug="ignore-lag"), "every message received or reported lagged",
                            within=30, strategy=strategy)
    assert any(d.label.endswith("stalls") for _, d in result.trace.deviations())

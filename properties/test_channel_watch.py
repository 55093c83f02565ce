"""Watch: values only move forward and every watcher sees the final one;
planted bug: changed() checks "sender dropped" before "newer version"."""
import pytest

import detsim
from models.channel_watch import WatchConfig


def test_correct_watch_survives(campaign):
    campaign.holds(WatchConfig(), runs=campaign.budget(ci=1000, deep=20000))


@pytest.mark.parametrize("strategy", [detsim.Random(0), detsim.PCT(3, 0)], ids=["random", "pct3"])
def test_close_before_version_check_misses_the_final_value(campaign, strategy):
    result = campaign.finds(WatchConfig(bug="lost-on-close"), "every watcher saw the final value",
                            within=30, strategy=strategy)
    devs = result.trace.deviations()
    assert len(devs) == 1 and devs[0][1].label.endswith("busy")

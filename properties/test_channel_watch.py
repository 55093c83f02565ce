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

# ---- exhaustive verification of a small instance (docs/exhaustive.md) --------------------

def _exhaustive(**params):
    return detsim.check(WatchConfig(**params), detsim.Exhaustive(), runs=None)

def test_exhaustive_verifies_2_watchers_2_updates():
    result = _exhaustive(watchers=2, updates=2, busy=1)
    assert result.ok and result.exhausted and result.summary().startswith("verified:")


def test_exhaustive_finds_lost_on_close():
    result = _exhaustive(watchers=1, updates=2, busy=1, bug="lost-on-close")
    assert result.violation.property == "every watcher saw the final value"

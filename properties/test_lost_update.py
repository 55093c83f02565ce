"""Lost update: the strategies' yardstick. The race needs one late deviation."""
import pytest

import detsim
from models.lost_update import LostUpdate


def test_default_schedule_is_race_free():
    assert detsim.run(LostUpdate(bug="no-lock")).ok


def test_correct_variant_survives(campaign):
    campaign.holds(LostUpdate(bug=None), runs=campaign.budget(ci=300, deep=5000))


@pytest.mark.parametrize("strategy", [detsim.Random(0), detsim.PCT(2, 0), detsim.DFS(max_deviations=1)],
                         ids=["random", "pct2", "dfs1"])
def test_no_lock_is_found_and_shrunk_to_one_deviation(campaign, strategy):
    result = campaign.finds(LostUpdate(bug="no-lock"), "no lost update", within=200, strategy=strategy)
    assert len(result.trace.deviations()) == 1

# ---- exhaustive verification of a small instance (docs/exhaustive.md) --------------------

def _exhaustive(**params):
    return detsim.check(LostUpdate(**params), detsim.Exhaustive(), runs=None)

def test_exhaustive_verifies_the_locked_counter_with_3_workers():
    result = _exhaustive(bug=None)
    assert result.ok and result.exhausted and result.runs <= 100
    assert result.summary().startswith("verified: every behaviour explored")


def test_exhaustive_finds_no_lock():
    assert _exhaustive(bug="no-lock").violation.property == "no lost update"

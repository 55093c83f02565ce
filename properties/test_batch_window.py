"""A size-or-window batcher: every item is flushed exactly once and within the
window of its arrival; a debounce-style timer and a copy-then-clear flush break it."""
import pytest

import detsim
from models.batch_window import P_CONSERVED, P_WITHIN, BatchWindow

GUARDS = ["a batch was flushed by size", "a batch was flushed by the window",
          "an item arrived while a flush was being written"]


def test_correct_batcher_holds(campaign):
    result = campaign.holds(BatchWindow(), runs=campaign.budget(ci=1500, deep=20000))
    assert sorted(result.reached) == sorted(GUARDS)


def test_correct_batcher_holds_under_pct(campaign):
    campaign.holds(BatchWindow(), runs=campaign.budget(ci=500, deep=5000), strategy=detsim.PCT(3, campaign.seed))


@pytest.mark.parametrize("bug", BatchWindow.BUGS)
def test_the_default_schedule_shows_no_bug(bug):
    """All index 0: items arrive further apart than a window, each is flushed alone."""
    result = detsim.check(BatchWindow(bug=bug), detsim.Fifo(), runs=1)
    assert result.violation.property == "a batch was flushed by size"


def test_timer_reset_on_item_holds_a_batch_past_its_window(campaign):
    result = campaign.finds(BatchWindow(bug="timer-reset-on-item"), P_WITHIN, within=50, strategy=detsim.Random(0))
    [gap] = [d for _, d in result.trace.deviations()]  # one item soon after another restarts the window
    assert gap.label.startswith("gap before item") and int(gap.choice) < BatchWindow().window
    print(result.report())


def test_a_steady_trickle_is_never_flushed_by_the_window():
    """Items every 2 with a window of 3 and room for 10: the debounce keeps item 0
    waiting past its window, while the correct window flushes in time."""
    trickle = dict(items=5, size=10, gaps=[2])
    bad = detsim.check(BatchWindow(bug="timer-reset-on-item", **trickle), detsim.Fifo(), runs=1)
    assert bad.violation.property == P_WITHIN
    assert "item 0 arrived at t=0 and still waits" in bad.violation.message
    good = detsim.run(BatchWindow(**trickle))
    assert good.violation is None and good.model.by_window == 3 and sorted(good.model.delivered) == list(range(5))


def test_lost_on_flush_race_loses_an_item_added_during_a_write(campaign):
    result = campaign.finds(BatchWindow(bug="lost-on-flush-race"), P_CONSERVED, within=50, strategy=detsim.Random(0))
    assert len(result.trace.deviations()) <= 3, result.report()
    model = detsim.replay(result.trace).model
    assert sorted(model.delivered) != sorted(model.arrived) or len(set(model.delivered)) < len(model.delivered)
    print(result.report())


def test_lost_on_flush_race_also_duplicates(campaign):
    """A size flush that starts while a window flush is being written sends its items again."""
    found = [detsim.check(BatchWindow(bug="lost-on-flush-race"), detsim.Random(seed), runs=200) for seed in range(10)]
    messages = [r.violation.message for r in found if r.violation is not None]
    assert any("taken by 2 flushes" in m for m in messages), messages
    assert any("without being flushed" in m for m in messages), messages


# ---- exhaustive, on a small instance: every schedule within a deviation bound ----------------
def test_four_items_hold_every_schedule_within_the_bound(campaign):
    bound = 3 if campaign.profile != "deep" else 5
    result = campaign.holds(BatchWindow(items=4), runs=100_000, strategy=detsim.DFS(max_deviations=bound))
    assert result.exhausted and f"at most {bound} deviation" in result.summary()
    assert sorted(result.reached) == sorted(GUARDS)


def test_four_items_hold_every_schedule(campaign):
    """Without a deviation bound: the whole tree of four items is small enough."""
    result = campaign.holds(BatchWindow(items=4), runs=100_000, strategy=detsim.DFS())
    assert result.exhausted and "every schedule explored" in result.summary()


@pytest.mark.parametrize("bug, prop", [("timer-reset-on-item", P_WITHIN), ("lost-on-flush-race", P_CONSERVED)])
def test_exhaustive_search_finds_each_bug_with_four_items(campaign, bug, prop):
    result = campaign.finds(BatchWindow(items=4, bug=bug), prop, within=100_000, strategy=detsim.DFS(max_deviations=3))
    assert len(result.trace.deviations()) <= 2


PCT_FINDS = [("timer-reset-on-item", P_WITHIN), ("lost-on-flush-race", P_CONSERVED)]


@pytest.mark.parametrize("seed", range(3))
def test_pct_finds_every_planted_bug(campaign, seed):
    """PCT(3) finds each bug too, for three seeds, within 100 schedules."""
    for bug, prop in PCT_FINDS:
        campaign.finds(BatchWindow(bug=bug), prop, within=100, strategy=detsim.PCT(3, seed))


# ---- Exhaustive() (source-DPOR, docs/exhaustive.md): every behaviour of the smallest instance ----
EXHAUSTIVE = dict(items=3, size=3)


def _exhaustive(bug=None):
    return detsim.check(BatchWindow(bug=bug, **EXHAUSTIVE), detsim.Exhaustive(), runs=None)


def test_exhaustive_verifies_the_correct_batcher_with_three_items():
    """Instance: 3 items, size 3, window 3, cost 1, gaps [5, 1, 2, 3] (59 executions)."""
    result = _exhaustive()
    assert result.ok and result.exhausted
    assert result.summary().startswith("verified: every behaviour explored")
    assert sorted(result.reached) == sorted(GUARDS)


@pytest.mark.parametrize("bug, prop", [("timer-reset-on-item", P_WITHIN), ("lost-on-flush-race", P_CONSERVED)])
def test_exhaustive_finds_each_bug_with_three_items(bug, prop):
    """Instance: 3 items, size 3, window 3, cost 1, gaps [5, 1, 2, 3]."""
    result = _exhaustive(bug)
    assert not result.ok and result.violation.property == prop

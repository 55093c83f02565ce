"""State caching on models/ and the livelock fixtures: the complete state graph proves
the back-off philosophers and finds the polite ones' livelock (2 seats, 1 meal,
think 1, stagger 1), with a trace that replays."""
import pytest

from detsim import check
from detsim.campaign import execute
from detsim.search import Exhaustive, Replay
from models.dining_philosophers import DiningPhilosophers
from models.lost_update import LostUpdate
from tests.support import Spin

SMALL = dict(n=2, meals=1, think=1, stagger=1, protocol="backoff")


def test_backoff_philosophers_are_verified_livelock_free_on_the_state_graph():
    result = check(DiningPhilosophers(**SMALL), Exhaustive(states=True), runs=None)
    assert result.ok and result.exhausted
    assert result.summary().startswith("verified: every behaviour explored (")
    assert "distinct states" in result.summary()
    assert any("no_livelock judged on the complete state graph" in n for n in result.notes)


@pytest.mark.parametrize("n", [2, 3])
def test_polite_philosophers_livelock_is_found_with_a_replayable_lasso(n):
    model = DiningPhilosophers(**{**SMALL, "n": n, "bug": "polite"})
    result = check(model, Exhaustive(states=True), runs=None)
    assert result.exhausted and result.violation is not None
    assert result.violation.property == "no livelock" and "complete state graph" in result.violation.message
    assert {f"philosopher-{i}" for i in range(n)} <= set(result.violation.cycle)
    again = execute(model, Replay(result.trace), {})
    assert again.violation is not None and again.violation.property == "no livelock"
    assert again.steps == result.violation.step


def test_spin_terminates_so_the_graph_has_no_livelock():
    result = check(Spin(spins=5), Exhaustive(states=True), runs=None)
    assert result.ok and result.exhausted
    assert any("no_livelock judged on the complete state graph" in n for n in result.notes)


def test_lost_update_with_a_lock_is_verified_with_state_caching():
    result = check(LostUpdate(bug=None, workers=2), Exhaustive(states=True), runs=None)
    assert result.ok and result.exhausted and result.stats["states"] > 0
    found = check(LostUpdate(workers=2), Exhaustive(states=True), runs=None)
    assert found.violation is not None

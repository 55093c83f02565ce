"""A circuit breaker under concurrent callers and a flaky, sometimes slow backend:
the correct breaker keeps its four rules; each planted bug breaks one of them."""
import pytest

import detsim
from models.circuit_breaker import P_COOLDOWN, P_ONE_PROBE, P_OPENS, P_PROBE, CircuitBreaker

GUARDS = ["the breaker opened", "a successful probe closed the breaker", "a failed probe reopened the breaker",
          "a call was rejected", "a result came back from an earlier state"]


def test_correct_breaker_holds(campaign):
    result = campaign.holds(CircuitBreaker(), runs=campaign.budget(ci=1500, deep=20000))
    assert sorted(result.reached) == sorted(GUARDS)


def test_correct_breaker_holds_under_pct(campaign):
    campaign.holds(CircuitBreaker(), runs=campaign.budget(ci=500, deep=5000), strategy=detsim.PCT(3, campaign.seed))


@pytest.mark.parametrize("bug", CircuitBreaker.BUGS)
def test_the_default_schedule_shows_no_bug(bug):
    """All index 0: every call succeeds, the breaker never opens (its guard says so)."""
    result = detsim.check(CircuitBreaker(bug=bug), detsim.Fifo(), runs=1)
    assert result.violation.property == "the breaker opened"


@pytest.mark.parametrize("bug, prop, most", [
    ("half-open-flood", P_ONE_PROBE, 4), ("no-cooldown-reset", P_COOLDOWN, 5),
    ("count-not-reset", P_OPENS, 3), ("no-generation", P_PROBE, 4)])
def test_planted_bug_is_found_and_shrunk(campaign, bug, prop, most):
    result = campaign.finds(CircuitBreaker(bug=bug), prop, within=200, strategy=detsim.Random(0))
    assert len(result.trace.deviations()) <= most, result.report()
    replayed = detsim.replay(result.trace)
    assert prop in replayed.model.broken
    print(result.report())


def test_half_open_flood_admits_a_second_call_beside_the_probe(campaign):
    result = campaign.finds(CircuitBreaker(bug="half-open-flood"), P_ONE_PROBE, within=200,
                            strategy=detsim.Random(0))
    assert "admitted in half-open while probe call" in result.violation.message


def test_no_generation_lets_a_slow_call_decide_half_open(campaign):
    """The deviations include a slow latency: only a call that outlives the cool-down can do it."""
    result = campaign.finds(CircuitBreaker(bug="no-generation"), P_PROBE, within=200, strategy=detsim.Random(0))
    chosen = [d.choice for _, d in result.trace.deviations()]
    assert "6" in chosen, result.report()
    assert "not by probe call" in result.violation.message


# ---- exhaustive, on a small instance: every schedule within a deviation bound ----------------
SMALL = dict(callers=2, calls=4, threshold=1, cooldown=2, latency=[1, 3])


def test_small_breaker_holds_every_schedule_within_the_bound(campaign):
    bound = 3 if campaign.profile != "deep" else 4
    result = campaign.holds(CircuitBreaker(**SMALL), runs=100_000, strategy=detsim.DFS(max_deviations=bound))
    assert result.exhausted and f"at most {bound} deviation" in result.summary()
    assert sorted(result.reached) == sorted(GUARDS)


@pytest.mark.parametrize("bug, prop, params", [
    ("half-open-flood", P_ONE_PROBE, SMALL), ("no-cooldown-reset", P_COOLDOWN, SMALL),
    ("no-generation", P_PROBE, SMALL), ("count-not-reset", P_OPENS, dict(SMALL, threshold=2))])
def test_exhaustive_search_finds_each_bug_on_the_small_instance(campaign, bug, prop, params):
    result = campaign.finds(CircuitBreaker(bug=bug, **params), prop, within=100_000,
                            strategy=detsim.DFS(max_deviations=3))
    assert len(result.trace.deviations()) <= 3


PCT_FINDS = [("half-open-flood", P_ONE_PROBE), ("no-cooldown-reset", P_COOLDOWN), ("count-not-reset", P_OPENS),
             ("no-generation", P_PROBE)]


@pytest.mark.parametrize("seed", range(3))
def test_pct_finds_every_planted_bug(campaign, seed):
    """PCT(3) finds each bug too, for three seeds, within 100 schedules."""
    for bug, prop in PCT_FINDS:
        campaign.finds(CircuitBreaker(bug=bug), prop, within=100, strategy=detsim.PCT(3, seed))


# ---- Exhaustive() (source-DPOR, docs/exhaustive.md): every behaviour of the smallest instance ----
EXHAUSTIVE = dict(callers=2, calls=2, threshold=2, cooldown=1)


def _exhaustive(bug=None):
    return detsim.check(CircuitBreaker(bug=bug, **EXHAUSTIVE), detsim.Exhaustive(), runs=None)


def test_exhaustive_verifies_the_correct_breaker_on_the_smallest_instance():
    """Instance: 2 callers x 2 calls, threshold 2, cool-down 1, latency [1, 6] (1,537 executions).
    Every guard is reached, so the verdict is not vacuous."""
    result = _exhaustive()
    assert result.ok and result.exhausted
    assert result.summary().startswith("verified: every behaviour explored")
    assert sorted(result.reached) == sorted(GUARDS)


@pytest.mark.parametrize("bug, prop", [("half-open-flood", P_ONE_PROBE), ("count-not-reset", P_OPENS),
                                       ("no-generation", P_PROBE)])
def test_exhaustive_finds_each_reachable_bug_on_the_smallest_instance(bug, prop):
    """Instance: 2 callers x 2 calls, threshold 2, cool-down 1. ``no-cooldown-reset`` is not
    reachable here (with a cool-down of 1 the old and the fresh opening time admit the same
    calls); the next test takes a larger instance for it."""
    result = _exhaustive(bug)
    assert not result.ok and result.violation.property == prop


def test_exhaustive_finds_no_cooldown_reset_with_three_calls_each():
    """Instance: 2 callers x 3 calls, threshold 1, cool-down 2, latency [1, 2]: a probe fails at
    t=4 and the other caller calls at once. The correct breaker at this size is verified too, but
    only in about 50 s (9,849 executions; docs/exhaustive.md), so that is not a test."""
    result = detsim.check(CircuitBreaker(callers=2, calls=3, threshold=1, cooldown=2, latency=[1, 2],
                                         bug="no-cooldown-reset"), detsim.Exhaustive(), runs=None)
    assert not result.ok and result.violation.property == P_COOLDOWN

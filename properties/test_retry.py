"""Retries with exponential backoff and jitter over a lossy network: the correct
client keeps its attempt cap and delay bound and the idempotency key makes every
request take effect at most once; each planted bug breaks one of the three."""
import pytest

import detsim
from models.retry import DEFAULT_FAULTS, P_ATTEMPTS, P_DELAY, P_ONCE, Retry

GUARDS = ["a request was retried", "a retry used jitter", "the server absorbed a repeated key",
          "a client gave up after max attempts"]


def test_correct_retry_holds_under_drops_and_duplicates(campaign):
    result = campaign.holds(Retry(), runs=campaign.budget(ci=600, deep=10000))
    assert sorted(result.reached) == sorted(GUARDS)
    assert result.fault_coverage["drop"]["fired"] > 0, result.fault_table()
    assert result.fault_coverage["duplicate"]["fired"] > 0, result.fault_table()


def test_correct_retry_holds_under_pct(campaign):
    campaign.holds(Retry(), runs=campaign.budget(ci=200, deep=3000), strategy=detsim.PCT(3, campaign.seed))


@pytest.mark.parametrize("bug", Retry.BUGS)
def test_the_default_schedule_shows_no_bug(bug):
    """All index 0: no fault, no server error, so nothing is ever retried."""
    with pytest.warns(detsim.FaultCoverageWarning):
        result = detsim.check(Retry(bug=bug), detsim.Fifo(), runs=1)
    assert result.violation.property == "a request was retried"


def test_a_lost_reply_is_applied_twice_without_the_key(campaign):
    result = campaign.finds(Retry(bug="no-idempotency-key"), P_ONCE, within=100, strategy=detsim.Random(0))
    deviations = [d for _, d in result.trace.deviations()]
    assert len(deviations) <= 3, result.report()
    assert any(d.label.startswith(("drop", "duplicate")) for d in deviations), result.report()
    assert max(detsim.replay(result.trace).model.effects.values()) == 2
    print(result.report())


def test_without_faults_the_key_never_matters_and_the_guard_says_so():
    """No drop, no duplicate: the keyless client is never caught, and the campaign
    reports that the situation the key exists for was never reached."""
    result = detsim.check(Retry(bug="no-idempotency-key", faults=dict(DEFAULT_FAULTS, kinds=[])),
                          detsim.Random(0), runs=300)
    assert result.runs == 300 and result.violation.property == "the server absorbed a repeated key"


def test_retry_storm_exceeds_the_attempt_cap(campaign):
    result = campaign.finds(Retry(bug="retry-storm"), P_ATTEMPTS, within=100, strategy=detsim.Random(0))
    errors = [d for _, d in result.trace.deviations() if d.choice == "error"]
    assert len(errors) >= Retry().max_attempts, result.report()  # the server failed every attempt
    print(result.report())


def test_jitter_past_the_cap_breaks_the_delay_bound(campaign):
    result = campaign.finds(Retry(bug="jitter-past-cap"), P_DELAY, within=100, strategy=detsim.Random(0))
    assert any(d.label.startswith("c") and "jitter" in d.label for _, d in result.trace.deviations())
    assert len(result.trace.deviations()) <= 6, result.report()
    print(result.report())


# ---- exhaustive, on a small instance: every schedule within a deviation bound ----------------
SMALL = dict(clients=1, requests=1, max_attempts=2, cap=1, faults=dict(DEFAULT_FAULTS, swarm=False))


def test_small_retry_holds_every_schedule_within_the_bound(campaign):
    bound = 3 if campaign.profile != "deep" else 4
    result = campaign.holds(Retry(**SMALL), runs=100_000, strategy=detsim.DFS(max_deviations=bound))
    assert result.exhausted and f"at most {bound} deviation" in result.summary()
    assert sorted(result.reached) == sorted(GUARDS)


@pytest.mark.parametrize("bug, prop", [("no-idempotency-key", P_ONCE), ("retry-storm", P_ATTEMPTS),
                                       ("jitter-past-cap", P_DELAY)])
def test_exhaustive_search_finds_each_bug_on_the_small_instance(campaign, bug, prop):
    result = campaign.finds(Retry(bug=bug, **SMALL), prop, within=100_000, strategy=detsim.DFS(max_deviations=3))
    assert len(result.trace.deviations()) <= 2


PCT_FINDS = [("no-idempotency-key", P_ONCE), ("retry-storm", P_ATTEMPTS), ("jitter-past-cap", P_DELAY)]


@pytest.mark.parametrize("seed", range(3))
def test_pct_finds_every_planted_bug(campaign, seed):
    """PCT(3) finds each bug too, for three seeds, within 100 schedules."""
    for bug, prop in PCT_FINDS:
        campaign.finds(Retry(bug=bug), prop, within=100, strategy=detsim.PCT(3, seed))


# ---- Exhaustive() (source-DPOR, docs/exhaustive.md): every behaviour of the smallest instance ----
# Drops only, budget 1, one latency: with drops and duplicates (budget 2) it does not finish in 40 s.
EXHAUSTIVE = dict(clients=1, requests=1, max_attempts=2, cap=1, latency=[1, 1],
                  faults=dict(kinds=["drop"], budget=1))


def _exhaustive(bug=None):
    return detsim.check(Retry(bug=bug, **EXHAUSTIVE), detsim.Exhaustive(), runs=None)


def test_exhaustive_verifies_the_correct_retry_on_the_smallest_instance():
    """Instance: 1 client, 1 request, 2 attempts, cap 1, latency 1, at most one dropped message
    (22 executions)."""
    result = _exhaustive()
    assert result.ok and result.exhausted
    assert result.summary().startswith("verified: every behaviour explored")
    assert sorted(result.reached) == sorted(GUARDS)


@pytest.mark.parametrize("bug, prop", [("no-idempotency-key", P_ONCE), ("retry-storm", P_ATTEMPTS),
                                       ("jitter-past-cap", P_DELAY)])
def test_exhaustive_finds_each_bug_on_the_smallest_instance(bug, prop):
    """Instance: 1 client, 1 request, 2 attempts, cap 1, latency 1, at most one dropped message."""
    result = _exhaustive(bug)
    assert not result.ok and result.violation.property == prop

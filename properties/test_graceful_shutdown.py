"""Graceful shutdown: after the signal nothing new is accepted, every accepted
request is answered (completed or reported failed), and the server exits within
its grace period; each planted bug breaks one of the three."""
import pytest

import detsim
from models.graceful_shutdown import P_ANSWERED, P_GRACE, P_NO_NEW, GracefulShutdown

GUARDS = ["a connection was refused during shutdown", "a request finished during the drain",
          "the grace deadline cut a request off"]


def test_correct_shutdown_holds(campaign):
    result = campaign.holds(GracefulShutdown(), runs=campaign.budget(ci=1000, deep=10000))
    assert sorted(result.reached) == sorted(GUARDS)


def test_correct_shutdown_holds_under_pct(campaign):
    campaign.holds(GracefulShutdown(), runs=campaign.budget(ci=300, deep=3000), strategy=detsim.PCT(3, campaign.seed))


@pytest.mark.parametrize("bug", GracefulShutdown.BUGS)
def test_the_default_schedule_shows_no_bug(bug):
    """All index 0: the signal comes after the last client is done."""
    result = detsim.check(GracefulShutdown(bug=bug), detsim.Fifo(), runs=1)
    assert result.violation.property == "a connection was refused during shutdown"


def signal_time(result):
    return [int(d.choice) for _, d in result.trace.deviations() if d.label == "shutdown signal at"]


def test_drop_in_flight_leaves_a_client_unanswered(campaign):
    result = campaign.finds(GracefulShutdown(bug="drop-in-flight"), P_ANSWERED, within=50, strategy=detsim.Random(0))
    assert len(result.trace.deviations()) == 1 and signal_time(result), result.report()  # a signal mid-request
    model = detsim.replay(result.trace).model
    assert set(model.accepted) - set(model.answers)
    print(result.report())


def test_accept_after_signal_registers_a_connection_during_its_handshake(campaign):
    result = campaign.finds(GracefulShutdown(bug="accept-after-signal"), P_NO_NEW, within=100,
                            strategy=detsim.Random(0))
    [when] = signal_time(result)
    assert when % 2 == 1, result.report()  # client i arrives at 2i: the signal lands in a handshake
    print(result.report())


def test_unbounded_drain_overstays_the_grace_period(campaign):
    result = campaign.finds(GracefulShutdown(bug="unbounded-drain"), P_GRACE, within=50, strategy=detsim.Random(0))
    slow = [d.choice for _, d in result.trace.deviations() if d.label.startswith("work of request")]
    assert slow == ["9"] and len(signal_time(result)) == 1, result.report()  # an early signal, one slow request
    print(result.report())


# ---- exhaustive, on a small instance: every schedule within a deviation bound ----------------
def test_three_clients_hold_every_schedule_within_the_bound(campaign):
    bound = 2 if campaign.profile != "deep" else 3
    result = campaign.holds(GracefulShutdown(clients=3), runs=100_000, strategy=detsim.DFS(max_deviations=bound))
    assert result.exhausted and f"at most {bound} deviation" in result.summary()
    assert sorted(result.reached) == sorted(GUARDS)


@pytest.mark.parametrize("bug, prop", [("drop-in-flight", P_ANSWERED), ("accept-after-signal", P_NO_NEW),
                                       ("unbounded-drain", P_GRACE)])
def test_exhaustive_search_finds_each_bug_with_three_clients(campaign, bug, prop):
    result = campaign.finds(GracefulShutdown(clients=3, bug=bug), prop, within=100_000,
                            strategy=detsim.DFS(max_deviations=2))
    assert len(result.trace.deviations()) <= 2


PCT_FINDS = [("drop-in-flight", P_ANSWERED), ("accept-after-signal", P_NO_NEW), ("unbounded-drain", P_GRACE)]


@pytest.mark.parametrize("seed", range(3))
def test_pct_finds_every_planted_bug(campaign, seed):
    """PCT(3) finds each bug too, for three seeds, within 100 schedules."""
    for bug, prop in PCT_FINDS:
        campaign.finds(GracefulShutdown(bug=bug), prop, within=100, strategy=detsim.PCT(3, seed))


# ---- Exhaustive() (source-DPOR, docs/exhaustive.md): every behaviour of the smallest instance ----
EXHAUSTIVE = dict(clients=1, signal_at=[20, 1, 2], work=[2, 9])


def _exhaustive(bug=None):
    return detsim.check(GracefulShutdown(bug=bug, **EXHAUSTIVE), detsim.Exhaustive(), runs=None)


def test_exhaustive_verifies_the_correct_shutdown_with_one_client():
    """Instance: 1 client, signal at [20, 1, 2], work [2, 9], handshake 1, grace 4 (1,171 executions)."""
    result = _exhaustive()
    assert result.ok and result.exhausted
    assert result.summary().startswith("verified: every behaviour explored")
    assert sorted(result.reached) == sorted(GUARDS)


@pytest.mark.parametrize("bug, prop", [("drop-in-flight", P_ANSWERED), ("accept-after-signal", P_NO_NEW),
                                       ("unbounded-drain", P_GRACE)])
def test_exhaustive_finds_each_bug_with_one_client(bug, prop):
    """Instance: 1 client, signal at [20, 1, 2], work [2, 9], handshake 1, grace 4."""
    result = _exhaustive(bug)
    assert not result.ok and result.violation.property == prop

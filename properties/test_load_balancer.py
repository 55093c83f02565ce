"""Service discovery with TTL registrations behind a round-robin balancer: the
correct system survives instance crashes (no request to a long-deregistered
instance, one answer per request) and spreads load evenly when healthy; a
registry that never expires, a retry that keeps the old reply path open and a
racy round-robin counter are each found and shrunk."""
import detsim
from models.load_balancer import LoadBalancer

NO_FAULTS = {"kinds": []}
STALE = "no request goes to an instance deregistered more than TTL ago"
ONCE = "every request is answered once"
SPREAD = "load spread <= 1 when all are healthy"


def test_correct_system_survives_crashes(campaign):
    result = campaign.holds(LoadBalancer(), runs=campaign.budget(ci=100, deep=2000))
    assert len(result.reached) == 2, result.reached
    assert result.fault_coverage["crash"]["fired"] > 0, result.fault_table()


def test_correct_system_spreads_load_when_healthy(campaign):
    result = campaign.holds(LoadBalancer(faults=NO_FAULTS), runs=campaign.budget(ci=100, deep=2000))
    assert result.reached == ["a late reply was dropped after a retry"]


def test_default_schedule_is_round_robin_and_answers_everything():
    result = detsim.run(LoadBalancer())
    assert result.ok and result.model.load() == {"i1": 5, "i2": 5, "i3": 4}
    assert result.model.answers == dict.fromkeys(range(14), 1) and result.model.timeouts == 0


def test_stale_registry_is_found_through_one_crash(campaign):
    assert detsim.run(LoadBalancer(bug="stale-registry")).ok
    result = campaign.finds(LoadBalancer(bug="stale-registry"), STALE, within=20)
    devs = [d for _, d in result.trace.deviations()]
    assert len(devs) == 1 and devs[0].label.startswith("crash i"), result.report()


def test_double_dispatch_is_found_through_one_slow_instance(campaign):
    assert detsim.run(LoadBalancer(bug="double-dispatch-on-timeout")).ok
    result = campaign.finds(LoadBalancer(bug="double-dispatch-on-timeout"), ONCE, within=20)
    devs = [d for _, d in result.trace.deviations()]
    assert len(devs) == 1 and devs[0].choice == "6", result.report()  # one slow reply, then a retry
    assert ": 2" in result.violation.message


def test_racy_round_robin_is_found_when_healthy(campaign):
    assert detsim.run(LoadBalancer(bug="racy-round-robin", faults=NO_FAULTS)).ok
    result = campaign.finds(LoadBalancer(bug="racy-round-robin", faults=NO_FAULTS), SPREAD, within=50)
    # one late request, or retries after slow replies, that overlaps a read of the counter
    assert len(result.trace.deviations()) <= 4, result.report()


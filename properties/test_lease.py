"""A lease with fencing tokens survives pauses, crashes, clock faults, drops and
duplicates; without the fence, a client that pauses past its lease corrupts storage."""
import detsim
from models.lease import DEFAULT_FAULTS, Lease

PAUSES_ONLY = dict(DEFAULT_FAULTS, kinds=["pause"], swarm=False)


def test_fenced_lease_survives_faults(campaign):
    result = campaign.holds(Lease(), runs=campaign.budget(ci=300, deep=5000))
    # the sometimes-guard held: some write did reach storage after its lease had expired
    assert "a stale write reached storage" in result.reached
    assert result.fault_coverage["pause"]["fired"] > 0, result.fault_table()
    assert result.counters["faulty-runs"] >= 0.5 * result.runs, result.fault_table()


def test_no_fencing_is_found_through_a_pause_and_shrunk(campaign):
    result = campaign.finds(Lease(bug="no-fencing", faults=PAUSES_ONLY),
                            "storage accepts only strictly increasing fencing tokens", within=300,
                            strategy=detsim.Random(0))
    faults = [d for _, d in result.trace.deviations() if d.label.startswith("pause")]
    assert len(faults) == 1, result.report()  # one pause, longer than the lease
    assert faults[0].choice == "pause 20"
    assert len(result.trace.deviations()) <= 4, result.report()
    tokens = [token for token, _, _ in detsim.replay(result.trace).model.accepted]
    assert tokens != sorted(set(tokens))
    print(result.report())


def test_no_fencing_is_found_with_every_fault_kind(campaign):
    """With all faults on, duplicates and clock faults expose it as well as pauses."""
    campaign.finds(Lease(bug="no-fencing"), "storage accepts only strictly increasing fencing tokens",
                   within=300, strategy=detsim.Random(0))


def test_without_faults_the_campaign_is_vacuous_and_says_so():
    """No pause, no clock fault: a client always stops writing before its lease ends,
    so even the unfenced variant never breaks the safety property. The sometimes-guard
    reports that such a campaign never reached the situation fencing exists for."""
    no_faults = dict(DEFAULT_FAULTS, kinds=[])
    result = detsim.check(Lease(bug="no-fencing", faults=no_faults), detsim.Random(0), runs=200)
    assert not result.ok and result.runs == 200
    assert result.violation.property == "a stale write reached storage"
    assert "never held in 200 runs" in result.violation.message

"""Event sourcing with optimistic concurrency and a CQRS projection: the correct
store never accepts two appends from one version and its projection equals the
fold of the events; a store without the version check loses updates, and a
projector that commits its checkpoint before writing skips events."""
import pytest

import detsim
from models.event_sourcing import EventSourcing

SMALL = dict(commands=1, think=[1, 2])  # every schedule of this instance is explored

BUGS = [("no-version-check", "concurrent commands never both succeed from the same version"),
        ("projection-skips-on-retry", "the projection equals fold(events)")]


def test_correct_store_and_projection_hold(campaign):
    result = campaign.holds(EventSourcing(), runs=campaign.budget(ci=400, deep=5000))
    assert len(result.reached) == 2, result.reached  # conflicts and failed writes were both exercised


def test_correct_variant_holds_with_two_accounts_and_three_clients(campaign):
    # a slow handler (5) overlaps the next command on the same account, two slots later
    campaign.holds(EventSourcing(accounts=2, clients=3, think=[1, 3, 5]), runs=campaign.budget(ci=200, deep=2000))


def test_default_schedule_is_sequential_and_consistent():
    result = detsim.run(EventSourcing())
    assert result.ok and result.model.conflicts == 0
    assert result.model.read_model == {"acct-0": 6}  # 10 + 10 - 7 - 7; the third withdrawal is refused
    assert [o for _, _, o in result.model.outcomes].count("refused") == 2


def test_small_instance_holds_on_every_schedule():
    result = detsim.check(EventSourcing(**SMALL), detsim.DFS(), runs=10000)
    assert result.ok and result.exhausted, result.summary()


@pytest.mark.parametrize("bug, prop", BUGS)
def test_planted_bug_is_found_and_shrunk_to_one_deviation(campaign, bug, prop):
    assert detsim.run(EventSourcing(bug=bug)).ok  # the default schedule does not show it
    result = campaign.finds(EventSourcing(bug=bug), prop, within=20)
    devs = result.trace.deviations()
    assert len(devs) == 1, result.report()  # one slow handler, or one failed projection write


@pytest.mark.parametrize("bug, prop", BUGS)
def test_planted_bug_is_found_exhaustively_on_the_small_instance(bug, prop):
    result = detsim.check(EventSourcing(bug=bug, **SMALL), detsim.DFS(), runs=10000)
    assert result.violation is not None and result.violation.property == prop, result.summary()


def test_lost_update_is_explained(campaign):
    result = campaign.finds(EventSourcing(bug="no-version-check"), BUGS[0][1], within=20)
    assert "two commands both succeeded from acct-0 v" in result.violation.message
    streams = detsim.replay(result.trace).model.store.accepted_from
    assert max(streams.values()) == 2


# ---- Exhaustive() (source-DPOR, docs/exhaustive.md): every behaviour of the small instance ----
def _exhaustive(bug=None):
    return detsim.check(EventSourcing(bug=bug, **SMALL), detsim.Exhaustive(), runs=None)


def test_exhaustive_verifies_the_correct_store_on_the_small_instance():
    """Instance: 1 account, 2 clients x 1 command, slot 2, think [1, 2], 2 retries, 1 write
    failure per event (137 executions)."""
    result = _exhaustive()
    assert result.ok and result.exhausted
    assert result.summary().startswith("verified: every behaviour explored")


@pytest.mark.parametrize("bug, prop", BUGS)
def test_exhaustive_finds_each_bug_on_the_small_instance(bug, prop):
    """Instance: 1 account, 2 clients x 1 command, slot 2, think [1, 2], 2 retries."""
    result = _exhaustive(bug)
    assert not result.ok and result.violation.property == prop

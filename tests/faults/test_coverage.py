"""Fault coverage: a campaign whose faults never fire warns, and the fault table
counts the runs with a plan and the faults that fired."""
import warnings

import pytest

import detsim
from tests.support import Scenario, chatter, scenario


def test_a_campaign_whose_faults_never_fire_warns():
    plan = {"kinds": ["drop"], "rate": 0.0}
    with pytest.warns(detsim.FaultCoverageWarning, match="fault injection did nothing"):
        result = detsim.check(Scenario("chatter", plan), detsim.Random(0), runs=5)
    assert result.ok and any("did nothing" in note for note in result.notes)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fired = detsim.check(Scenario("chatter", {"kinds": ["drop"]}), detsim.Random(0), runs=5)
    assert fired.fault_coverage == {"drop": {"enabled": 5, "fired": fired.counters["fault:drop"]}}
    table = fired.fault_table()
    assert "5 run(s) with a fault plan of 5" in table and "drop" in table and "with at least one fault" in table
    quiet = detsim.check(Scenario("two_nodes_no_plan"), detsim.Random(0), runs=2)
    assert not quiet.notes


@scenario
def two_nodes_no_plan(model, world):
    chatter(model, world)

"""Campaign runs of the example models keep lean records (docs/lean-runs.md), and a
lean run's trace, rebuilt by re-execution, is byte-identical to the trace of the same
run recorded in full: passing and failing, with faults, choices and a linearizability
property (Raft), and with a state-coverage observer."""
import pytest

import detsim
from detsim.campaign._run import RunPlan
from models.lost_update import LostUpdate
from models.raft import Raft


def _both(model, strategy, run):
    plan = RunPlan(model, {})
    strategy.begin(run)
    lean = plan.execute(strategy, lean=True)
    strategy.begin(run)
    full = plan.execute(strategy)
    return lean, full


@pytest.mark.parametrize("run", [0, 1, 38])  # run 38 of Random(1) breaks linearizability
def test_raft_with_faults_rebuilds_the_trace_it_would_have_recorded(run):
    lean, full = _both(Raft(bug="stale-read"), detsim.Random(1), run)
    assert lean.world.lean  # its properties and its timeline observer say they read no decisions
    assert lean.ok == full.ok and lean.ok == (run != 38)
    assert lean.trace.to_json() == full.trace.to_json()


def test_a_lean_campaign_finds_and_reports_what_a_full_one_does():
    found = detsim.check(Raft(bug="stale-read"), detsim.Random(1), runs=60, shrink=False)
    assert found.runs == 39 and found.violation.property == "the KV history is linearizable"
    again = detsim.replay(found.trace)
    assert again.violation.property == found.violation.property and again.steps == found.trace.outcome["steps"]


def test_the_lost_update_counterexample_is_the_same_shrunk_trace():
    result = detsim.check(LostUpdate(), detsim.Random(0), runs=200)
    assert not result.ok
    lean, full = _both(LostUpdate(), detsim.Random(0), result.runs - 1)
    assert lean.trace.to_json() == full.trace.to_json() == result.original_trace.to_json()

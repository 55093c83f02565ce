"""One run (``detsim.run``): an exception in a process is a violation naming the
process, the time and the source line; a handled one is not; a failing setup is a
model error."""
import pytest

import detsim
from tests.support import scripted, stepper


def test_exception_in_a_process_is_a_violation():
    def bad(m, world):
        yield world.timeout(2)
        raise ValueError("boom")

    result = detsim.run(scripted(good=stepper("g"), bad=bad))
    v = result.violation
    assert not result.ok and result.end == "violation"
    assert v.property == "ValueError" and v.error == "ValueError"
    assert v.process == "bad" and v.time == 2
    assert v.message.startswith("ValueError: boom") and "(at test_run.py:" in v.message
    assert result.trace.violation.property == "ValueError"


def test_assert_in_a_process_is_a_violation():
    def checker(m, world):
        yield world.checkpoint()
        assert world.now > 5, "too early"

    result = detsim.run(scripted(checker=checker))
    assert result.violation.property == "AssertionError"
    assert result.violation.process == "checker" and "too early" in result.violation.message


def test_a_handled_exception_is_not_a_violation():
    def child(m, world):
        yield world.checkpoint()
        raise KeyError("child")

    def parent(m, world):
        try:
            yield world.spawn("child", child(m, world))
        except KeyError:
            m.log.append("caught")

    result = detsim.run(scripted(parent=parent))
    assert result.ok and result.model.log == ["caught"]


def test_exception_in_setup_is_a_model_error():
    class Broken(detsim.Model):
        def setup(self, world):
            raise RuntimeError("no setup for you")

    with pytest.raises(detsim.ModelError, match="setup.*RuntimeError: no setup for you"):
        detsim.run(Broken())


# ---- lean runs (docs/lean-runs.md) ---------------------------------------------------

def _lean_and_full(model, strategy, run, **settings):
    from detsim.campaign._run import RunPlan
    plan = RunPlan(model, settings)
    strategy.begin(run)
    lean = plan.execute(strategy, lean=True)
    strategy.begin(run)
    full = plan.execute(strategy)
    return lean, full


@pytest.mark.parametrize("run", range(12))
def test_a_lean_run_rebuilds_exactly_the_trace_a_full_run_records(run):
    from tests.support import RacyCounter
    lean, full = _lean_and_full(RacyCounter(), detsim.Random(5), run)
    assert lean.world.lean  # recorded lean, until the trace below is read
    assert lean.trace.to_json() == full.trace.to_json()
    assert not lean.world.lean


def test_choices_and_faults_interleave_the_same_in_a_rebuilt_trace():
    from tests.faults.test_crash_points import PLAN
    from tests.support import Scenario
    model, fired = Scenario("replicate", {**PLAN, "budget": 2}), 0
    for run in range(8):
        lean, full = _lean_and_full(model, detsim.Random(11, fault_rate=0.3), run)
        assert lean.trace.to_json() == full.trace.to_json()
        fired += sum(1 for d in full.trace.decisions if d.kind == "fault" and d.chosen)
    assert fired  # faults were in play, between the schedule ties


def test_a_property_that_reads_the_decisions_mid_run_gets_a_full_record():
    from detsim.campaign._run import RunPlan
    seen = []
    model = scripted(properties=[detsim.always("sees decisions",
                                               lambda m: seen.append(len(m.world.decisions)) is None)],
                     a=stepper("a"), b=stepper("b"))
    plan = RunPlan(model, {})
    strategy = detsim.Random(2)
    strategy.begin(0)
    result = plan.execute(strategy, lean=True)
    assert result.ok and seen and not plan.lean  # ran again in full; later runs are full from the start
    strategy.begin(0)
    assert plan.execute(strategy).trace.to_json() == result.trace.to_json()


_RUNS = []


class _Forgetful(detsim.Model):
    """Its second execution spawns a different process: hidden state across runs."""

    def setup(self, world):
        _RUNS.append(1)
        world.spawn("a", self.work(world))
        world.spawn("b" if len(_RUNS) == 1 else "c", self.work(world))

    def work(self, world):
        yield world.checkpoint()


def test_a_lean_run_that_does_not_repeat_itself_is_reported_when_read():
    _RUNS.clear()
    result = detsim.campaign.execute(_Forgetful(), detsim.Random(0))  # full: the names are known
    assert result.ok
    from detsim.campaign._run import RunPlan
    _RUNS.clear()
    strategy = detsim.Random(0)
    strategy.begin(0)
    lean = RunPlan(_Forgetful()).execute(strategy, lean=True)
    with pytest.raises(detsim.NondeterminismError, match="re-executed with the same decisions went differently"):
        lean.trace.to_json()


class _Watches(detsim.Property):
    """A custom property that does not say whether it reads the decisions."""

    def __init__(self):
        super().__init__("watches")


def test_a_property_that_does_not_declare_reads_decisions_keeps_the_record_full():
    from detsim.campaign._run import RunPlan
    model = scripted(properties=[_Watches()], a=stepper("a"), b=stepper("b"))
    plan = RunPlan(model, {})
    strategy = detsim.Random(2)
    strategy.begin(0)
    result = plan.execute(strategy, lean=True)
    assert result.ok and not result.world.lean and plan.lean  # full from the start, no rerun needed
    assert _Watches.reads_decisions  # the default: always safe


def test_the_built_in_properties_declare_that_they_do_not_read_decisions():
    from detsim.campaign._coverage import StateCoverage
    from detsim.history import Linearizable
    from detsim.monitor import Always, AtEnd, Eventually, NoDeadlock, Sometimes
    from detsim.monitor._select_fairness import SelectFairness
    for kind in (Always, AtEnd, Eventually, Sometimes, NoDeadlock, SelectFairness, Linearizable, StateCoverage):
        assert kind.reads_decisions is False, kind
    from detsim.monitor import NoLivelock, NoStarvation
    assert NoLivelock.reads_decisions and NoStarvation.reads_decisions  # they follow the schedule

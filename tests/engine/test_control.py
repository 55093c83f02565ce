"""The control point: every checkpoint and same-time tie is a recorded decision;
spawn gives named tasks; choose/decide are model-level decisions with stable names;
step budgets (per run and per instant) and the horizon end runs."""
import re

import pytest

import detsim
from detsim.engine import Task
from tests.support import Last, Script, scripted, stepper



# ---- checkpoint / spawn -----------------------------------------------------------

def test_checkpoints_interleave_round_robin_by_default():
    result = detsim.run(scripted(a=stepper("a"), b=stepper("b")))
    assert result.ok and result.end == "quiescent"
    assert result.model.log == ["a0", "b0", "a1", "b1", "a2", "b2"]
    decisions = result.trace.decisions
    assert decisions and all(d.label == "schedule" and d.chosen == 0 for d in decisions)
    assert decisions[0].candidates == ("a", "b")  # start order is itself a choice


def test_every_checkpoint_is_a_switch_point():
    result = detsim.run(scripted(a=stepper("a"), b=stepper("b")), Last())
    assert result.model.log == ["b0", "b1", "b2", "a0", "a1", "a2"]  # the newest event always wins
    assert all(d.chosen == 1 for d in result.trace.decisions)
    assert all(d.choice == d.candidates[-1] for d in result.trace.decisions)


def test_checkpoint_takes_no_virtual_time():
    def proc(m, world):
        yield world.checkpoint()
        m.log.append(world.now)
        yield world.timeout(3)
        yield world.checkpoint()
        m.log.append(world.now)

    assert detsim.run(scripted(p=proc)).model.log == [0, 3]


def test_spawn_returns_named_tasks():
    seen = {}

    def parent(m, world):
        child = world.spawn("child", child_proc(m, world), daemon=True)
        seen["child"] = child
        value = yield child
        m.log.append(value)

    def child_proc(m, world):
        yield world.checkpoint()
        return "child-value"

    result = detsim.run(scripted(parent=parent))
    child = seen["child"]
    assert isinstance(child, Task) and child.name == "child" and child.daemon and child.waiting_on is None
    assert result.model.log == ["child-value"]
    assert set(result.world.tasks) == {"parent", "child"}
    assert not result.world.tasks["parent"].daemon


def test_duplicate_spawn_name_is_a_model_error():
    def proc(m, world):
        yield world.checkpoint()

    class Twice(detsim.Model):
        def setup(self, world):
            world.spawn("worker", proc(self, world))
            world.spawn("worker", proc(self, world))

    with pytest.raises(detsim.ModelError, match="'worker' already exists"):
        detsim.run(Twice())


def test_spawn_needs_a_generator():
    class NotGen(detsim.Model):
        def setup(self, world):
            world.spawn("f", lambda: None)

    with pytest.raises(detsim.ModelError, match="expected a generator"):
        detsim.run(NotGen())


def test_tie_with_a_condition_event_gets_a_label():
    """A process waiting on AnyOf tied with another process must be schedulable."""
    def waiter(m, world):
        got = yield world.timeout(1, "a") | world.timeout(1, "b")
        m.log.append(sorted(got.values()))

    def other(m, world):
        yield world.timeout(1)
        yield world.checkpoint()

    result = detsim.run(scripted(waiter=waiter, other=other), detsim.Random(0))
    assert result.ok
    assert any("waiter" in d.candidates for d in result.trace.decisions)



# ---- choose ------------------------------------------------------------------------

class Named:
    def __init__(self, name):
        self.name = name


class Unnamed:
    pass


def chooser(label, options, out):
    def proc(m, world):
        out.append(world.choose(label, options))
        yield world.checkpoint()
    return proc


def test_choose_defaults_to_the_first_option():
    out = []
    result = detsim.run(scripted(p=chooser("fault?", ["none", "drop", "dup"], out)))
    assert out == ["none"]
    (d,) = result.trace.decisions
    assert (d.label, d.candidates, d.chosen) == ("fault?", ("none", "drop", "dup"), 0)
    assert d.step == 1 and d.time == 0


def test_choose_follows_the_strategy():
    out = []
    result = detsim.run(scripted(p=chooser("fault?", ["none", "drop", "dup"], out)), Last())
    assert out == ["dup"] and result.trace.decisions[0].chosen == 2
    assert result.trace.deviations()[0][1].choice == "dup"


def test_choose_with_one_option_records_no_decision():
    out = []
    result = detsim.run(scripted(p=chooser("only", ["x"], out)), Last())
    assert out == ["x"] and result.trace.decisions == []


def test_choose_with_no_option_is_a_model_error():
    result = detsim.run(scripted(p=chooser("none", [], [])))
    assert not result.ok and result.violation.property == "ModelError"
    assert "choose('none') needs at least one option" in result.violation.message


def test_candidate_names_are_stable_and_never_ids():
    objects = [Unnamed(), Named("alpha"), Unnamed(), None, 3, True, ("x", 2), Named(7)]
    names = []
    for _ in range(2):
        out = []
        result = detsim.run(scripted(p=chooser("pick", objects, out)))
        names.append(result.trace.decisions[0].candidates)
        assert out[0] is objects[0]
    assert names[0] == names[1]
    assert names[0] == ("Unnamed#0", "alpha", "Unnamed#2", "None", "3", "True", "(x, 2)", "Named#7")
    assert not any(re.search(r"0x[0-9a-f]+", n) for n in names[0])


def test_decide_returns_an_index():
    out = []

    def proc(m, world):
        out.append(world.decide("which", ("p", "q", "r")))
        yield world.checkpoint()

    result = detsim.run(scripted(p=proc), Last())
    assert out == [2] and result.trace.decisions[0].label == "which"



# ---- budgets and horizon -----------------------------------------------------------

def looper(m, world):
    while True:
        yield world.checkpoint()


def test_loop_at_one_instant_exceeds_the_step_budget_naming_the_process():
    model = scripted(spinner=looper, worker=stepper("w", 20))
    with pytest.raises(detsim.StepBudgetExceeded) as info:
        detsim.run(model, max_steps=1_000_000, instant_budget=200)
    message = str(info.value)
    assert "busiest process spinner" in message
    assert "200 steps at one instant" in message
    assert re.search(r"stopped after step 200, t=0\b", message)  # exactly the budget, no grace
    assert info.value.trace.outcome["steps"] == 200
    assert "\n" not in message
    assert info.value.trace.outcome["end"] == "error"


def test_step_budget_over_time_names_the_process():
    def ticker(m, world):
        while True:
            yield world.timeout(1)

    with pytest.raises(detsim.StepBudgetExceeded) as info:
        detsim.run(scripted(ticker=ticker), max_steps=300)
    message = str(info.value)
    assert "300 steps" in message and "busiest process ticker" in message
    step = int(re.search(r"stopped after step (\d+)", message).group(1))
    time = int(re.search(r"t=(\d+)", message).group(1))
    assert step == 300 and time > 0


def test_step_budget_error_trace_is_not_marked_ok():
    with pytest.raises(detsim.StepBudgetExceeded) as info:
        detsim.run(scripted(spinner=looper), instant_budget=50)
    assert info.value.trace.outcome["ok"] is False


def test_model_settings_give_the_default_budget():
    class Bounded(Script):
        procs = {"spinner": looper}
        instant_budget = 30

    with pytest.raises(detsim.StepBudgetExceeded, match="30 steps at one instant"):
        detsim.run(Bounded())


def test_horizon_ends_the_run():
    def ticker(m, world):
        while True:
            yield world.timeout(1)
            m.log.append(world.now)

    result = detsim.run(scripted(ticker=ticker), horizon=10)
    assert result.ok and result.end == "horizon"
    assert result.now == 10 and result.model.log == list(range(1, 11))
    assert result.trace.outcome["end"] == "horizon"


def test_horizon_checks_at_end_properties():
    def ticker(m, world):
        while True:
            yield world.timeout(1)

    prop = detsim.at_end("never ends", lambda m: False)
    result = detsim.run(scripted(properties=[prop], ticker=ticker), horizon=5)
    assert not result.ok and result.violation.property == "never ends" and result.end == "violation"

"""World basics: checkpoint/spawn/choose, budgets and horizon, exceptions, properties."""
import re

import pytest

import detsim
from detsim.engine import Task
from tests.support import scripted


class Last(detsim.Strategy):
    """Always the last candidate: the opposite of FIFO."""

    def choose(self, label, candidates, world):
        return len(candidates) - 1


class Script(detsim.Model):
    """A model whose processes are given as generator functions taking (model, world)."""

    procs: dict = {}
    props: list = []

    def setup(self, world):
        self.log = []
        for name, fn in self.procs.items():
            world.spawn(name, fn(self, world))

    def properties(self):
        return list(self.props)


def model_of(procs, props=(), **attrs):
    cls = type("Scripted", (Script,), {"procs": dict(procs), "props": list(props), **attrs})
    return cls()


# ---- checkpoint / spawn -----------------------------------------------------------

def stepper(name, n=3):
    def proc(m, world):
        for i in range(n):
            m.log.append(f"{name}{i}")
            yield world.checkpoint()
    return proc


def test_checkpoints_interleave_round_robin_by_default():
    result = detsim.run(model_of({"a": stepper("a"), "b": stepper("b")}))
    assert result.ok and result.end == "quiescent"
    assert result.model.log == ["a0", "b0", "a1", "b1", "a2", "b2"]
    decisions = result.trace.decisions
    assert decisions and all(d.label == "schedule" and d.chosen == 0 for d in decisions)
    assert decisions[0].candidates == ("a", "b")  # start order is itself a choice


def test_every_checkpoint_is_a_switch_point():
    result = detsim.run(model_of({"a": stepper("a"), "b": stepper("b")}), Last())
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

    assert detsim.run(model_of({"p": proc})).model.log == [0, 3]


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

    result = detsim.run(model_of({"parent": parent}))
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
    result = detsim.run(model_of({"p": chooser("fault?", ["none", "drop", "dup"], out)}))
    assert out == ["none"]
    (d,) = result.trace.decisions
    assert (d.label, d.candidates, d.chosen) == ("fault?", ("none", "drop", "dup"), 0)
    assert d.step == 1 and d.time == 0


def test_choose_follows_the_strategy():
    out = []
    result = detsim.run(model_of({"p": chooser("fault?", ["none", "drop", "dup"], out)}), Last())
    assert out == ["dup"] and result.trace.decisions[0].chosen == 2
    assert result.trace.deviations()[0][1].choice == "dup"


def test_choose_with_one_option_records_no_decision():
    out = []
    result = detsim.run(model_of({"p": chooser("only", ["x"], out)}), Last())
    assert out == ["x"] and result.trace.decisions == []


def test_choose_with_no_option_is_a_model_error():
    result = detsim.run(model_of({"p": chooser("none", [], [])}))
    assert not result.ok and result.violation.property == "ModelError"
    assert "choose('none') needs at least one option" in result.violation.message


def test_candidate_names_are_stable_and_never_ids():
    objects = [Unnamed(), Named("alpha"), Unnamed(), None, 3, True, ("x", 2), Named(7)]
    names = []
    for _ in range(2):
        out = []
        result = detsim.run(model_of({"p": chooser("pick", objects, out)}))
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

    result = detsim.run(model_of({"p": proc}), Last())
    assert out == [2] and result.trace.decisions[0].label == "which"


# ---- budgets and horizon -----------------------------------------------------------

def looper(m, world):
    while True:
        yield world.checkpoint()


def test_loop_at_one_instant_exceeds_the_step_budget_naming_the_process():
    model = model_of({"spinner": looper, "worker": stepper("w", 20)})
    with pytest.raises(detsim.StepBudgetExceeded) as info:
        detsim.run(model, max_steps=1_000_000, instant_budget=200)
    message = str(info.value)
    assert "process spinner" in message
    assert "200 steps at one instant" in message
    assert re.search(r"at step \d+, t=0\b", message)
    assert "\n" not in message
    assert info.value.trace.outcome["end"] == "error"


def test_step_budget_over_time_names_the_process():
    def ticker(m, world):
        while True:
            yield world.timeout(1)

    with pytest.raises(detsim.StepBudgetExceeded) as info:
        detsim.run(model_of({"ticker": ticker}), max_steps=300)
    message = str(info.value)
    assert "300 steps" in message and "process ticker" in message
    step = int(re.search(r"at step (\d+)", message).group(1))
    time = int(re.search(r"t=(\d+)", message).group(1))
    assert step > 300 and time > 0


def test_step_budget_error_trace_is_not_marked_ok():
    with pytest.raises(detsim.StepBudgetExceeded) as info:
        detsim.run(model_of({"spinner": looper}), instant_budget=50)
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

    result = detsim.run(model_of({"ticker": ticker}), horizon=10)
    assert result.ok and result.end == "horizon"
    assert result.now == 10 and result.model.log == list(range(1, 11))
    assert result.trace.outcome["end"] == "horizon"


def test_horizon_checks_at_end_properties():
    def ticker(m, world):
        while True:
            yield world.timeout(1)

    prop = detsim.at_end("never ends", lambda m: False)
    result = detsim.run(model_of({"ticker": ticker}, [prop]), horizon=5)
    assert not result.ok and result.violation.property == "never ends" and result.end == "violation"


# ---- exceptions --------------------------------------------------------------------

def test_exception_in_a_process_is_a_violation():
    def bad(m, world):
        yield world.timeout(2)
        raise ValueError("boom")

    result = detsim.run(model_of({"good": stepper("g"), "bad": bad}))
    v = result.violation
    assert not result.ok and result.end == "violation"
    assert v.property == "ValueError" and v.error == "ValueError"
    assert v.process == "bad" and v.time == 2
    assert v.message.startswith("ValueError: boom") and "test_world.py" in v.message
    assert result.trace.violation.property == "ValueError"


def test_assert_in_a_process_is_a_violation():
    def checker(m, world):
        yield world.checkpoint()
        assert world.now > 5, "too early"

    result = detsim.run(model_of({"checker": checker}))
    assert result.violation.property == "AssertionError"
    assert result.violation.process == "checker" and "too early" in result.violation.message


def test_exceptions_are_found_by_check_not_crashes():
    def racer(m, world):
        yield world.checkpoint()
        m.log.append("racer")

    def checker(m, world):
        yield world.checkpoint()
        assert "racer" in m.log, "racer has not run yet"

    result = detsim.check(model_of({"racer": racer, "checker": checker}), detsim.Random(0), runs=50)
    assert not result.ok and result.violation.property == "AssertionError"
    assert len(result.trace.deviations()) == 1


def test_a_handled_exception_is_not_a_violation():
    def child(m, world):
        yield world.checkpoint()
        raise KeyError("child")

    def parent(m, world):
        try:
            yield world.spawn("child", child(m, world))
        except KeyError:
            m.log.append("caught")

    result = detsim.run(model_of({"parent": parent}))
    assert result.ok and result.model.log == ["caught"]


def test_exception_in_setup_is_a_model_error():
    class Broken(detsim.Model):
        def setup(self, world):
            raise RuntimeError("no setup for you")

    with pytest.raises(detsim.ModelError, match="setup.*RuntimeError: no setup for you"):
        detsim.run(Broken())


def test_a_raising_predicate_is_reported_not_a_crash():
    def late(m, world):
        yield world.timeout(1)
        m.x = 1

    prop = detsim.always("x is one", lambda m: m.x == 1)  # AttributeError before x is set
    try:
        result = detsim.run(model_of({"late": late}, [prop]))
    except detsim.ModelError as e:
        assert "x is one" in str(e)
    else:
        assert not result.ok and "x is one" in str(result.violation)


def test_tie_with_a_condition_event_gets_a_label():
    """A process waiting on AnyOf tied with another process must be schedulable."""
    def waiter(m, world):
        got = yield world.timeout(1, "a") | world.timeout(1, "b")
        m.log.append(sorted(got.values()))

    def other(m, world):
        yield world.timeout(1)
        yield world.checkpoint()

    result = detsim.run(model_of({"waiter": waiter, "other": other}), detsim.Random(0))
    assert result.ok
    assert any("waiter" in d.candidates for d in result.trace.decisions)


# ---- properties --------------------------------------------------------------------

def flag_at(t):
    def proc(m, world):
        m.flag = False
        yield world.timeout(t)
        m.flag = True
        m.flag_step = world.steps
        yield world.timeout(1)
    return proc


def test_always_fails_at_the_step_it_breaks():
    prop = detsim.always("flag stays down", lambda m: not getattr(m, "flag", False))
    result = detsim.run(model_of({"p": flag_at(4)}, [prop]))
    v = result.violation
    assert v.property == "flag stays down" and v.time == 4 and v.step == result.model.flag_step
    assert result.steps == v.step  # the run stops right there


def test_a_property_violation_names_the_process_that_ran_the_step():
    prop = detsim.always("flag stays down", lambda m: not getattr(m, "flag", False))
    result = detsim.run(model_of({"idle": stepper("i", 1), "p": flag_at(4)}, [prop]))
    assert result.violation.process == "p"


def test_always_holds():
    prop = detsim.always("flag is a bool", lambda m: getattr(m, "flag", False) in (True, False))
    assert detsim.run(model_of({"p": flag_at(4)}, [prop])).ok


def test_at_end():
    up = detsim.at_end("flag up", lambda m: m.flag)
    down = detsim.at_end("flag down", lambda m: not m.flag)
    assert detsim.run(model_of({"p": flag_at(2)}, [up])).ok
    result = detsim.run(model_of({"p": flag_at(2)}, [down]))
    assert result.violation.property == "flag down" and result.violation.time == 3
    assert "end of the run" in result.violation.message


@pytest.mark.parametrize("t", [0, 3, 5])
def test_eventually_within_holds_when_true_in_time(t):
    prop = detsim.eventually("flag goes up", lambda m: getattr(m, "flag", False), within=5)
    assert detsim.run(model_of({"p": flag_at(t)}, [prop])).ok


def test_eventually_fails_when_not_true_by_the_deadline():
    prop = detsim.eventually("flag goes up", lambda m: getattr(m, "flag", False), within=5)
    result = detsim.run(model_of({"p": flag_at(8)}, [prop]))
    v = result.violation
    assert v.property == "flag goes up" and 5 < v.time <= 8
    assert "not true by t=5" in v.message


def test_eventually_fails_when_the_run_ends_first():
    prop = detsim.eventually("never", lambda m: False, within=100)
    result = detsim.run(model_of({"p": stepper("p")}, [prop]))
    assert result.violation.property == "never" and "never true" in result.violation.message


def test_eventually_is_not_judged_before_its_deadline_at_the_horizon():
    def ticker(m, world):
        while True:
            yield world.timeout(1)

    prop = detsim.eventually("later", lambda m: False, within=100)
    assert detsim.run(model_of({"t": ticker}, [prop]), horizon=10).ok


def test_eventually_needs_a_deadline():
    with pytest.raises(ValueError):
        detsim.eventually("x", lambda m: True, within=-1)


def test_sometimes_never_reached_fails_the_campaign():
    prop = detsim.sometimes("flag up early", lambda m: getattr(m, "flag", False) and False)
    single = detsim.run(model_of({"p": flag_at(1)}, [prop]))
    assert single.ok and single.reached == []  # judged over a campaign, not one run
    result = detsim.check(model_of({"p": flag_at(1)}, [prop]), detsim.Random(0), runs=5)
    assert result.ok is False and result.runs == 5
    assert result.violation.property == "flag up early" and "never held" in result.violation.message
    assert "flag up early" in result.report()


def test_sometimes_reached_in_one_run_is_enough():
    def maybe(m, world):
        m.flag = False
        yield world.checkpoint()
        m.flag = world.choose("raise flag?", [False, True])
        yield world.checkpoint()

    prop = detsim.sometimes("flag raised", lambda m: getattr(m, "flag", False))
    assert not detsim.run(model_of({"p": maybe}, [prop])).reached
    result = detsim.check(model_of({"p": maybe}, [prop]), detsim.Random(0), runs=20)
    assert result.ok and result.reached == ["flag raised"]


def test_properties_need_names():
    with pytest.raises(TypeError):
        detsim.always("", lambda m: True)


def test_counters_are_summed_over_a_campaign():
    def counting(m, world):
        world.count("ticks", 2)
        yield world.checkpoint()

    result = detsim.check(model_of({"c": counting}), detsim.Random(0), runs=7)
    assert result.ok and result.counters == {"ticks": 14}


def test_only_an_exhausted_search_claims_every_schedule():
    from models.lost_update import LostUpdate

    fifo = detsim.check(LostUpdate(), detsim.Fifo(), runs=10)
    assert fifo.ok and fifo.runs == 1 and not fifo.exhausted  # the race is there; Fifo cannot see it
    assert "every schedule explored" not in str(fifo)
    capped = detsim.check(LostUpdate(bug=None), detsim.DFS(max_runs=5), runs=100)
    assert capped.ok and capped.runs == 5 and not capped.exhausted
    small = model_of({"a": stepper("a", 2), "b": stepper("b", 2)})
    full = detsim.check(small, detsim.DFS(), runs=1000)
    assert full.ok and full.exhausted and 1 < full.runs < 1000
    assert "every schedule explored" in str(full)


def test_primitive_names_are_unique():
    def make(m, world):
        world.mutex("x")
        world.channel("x")

    with pytest.raises(detsim.ModelError, match="'x' already exists"):
        detsim.run(scripted(make))

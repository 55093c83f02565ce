"""The property kinds: ``always`` (after every step), ``at_end``, ``eventually(within)``
and ``sometimes`` (judged over a campaign); names are required and a raising
predicate is reported, not a crash."""
import pytest

import detsim
from tests.support import scripted, stepper


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
    result = detsim.run(scripted(properties=[prop], p=flag_at(4)))
    v = result.violation
    assert v.property == "flag stays down" and v.time == 4 and v.step == result.model.flag_step
    assert result.steps == v.step  # the run stops right there


def test_a_property_violation_names_the_process_that_ran_the_step():
    prop = detsim.always("flag stays down", lambda m: not getattr(m, "flag", False))
    result = detsim.run(scripted(properties=[prop], idle=stepper("i", 1), p=flag_at(4)))
    assert result.violation.process == "p"


def test_always_holds():
    prop = detsim.always("flag is a bool", lambda m: getattr(m, "flag", False) in (True, False))
    assert detsim.run(scripted(properties=[prop], p=flag_at(4))).ok


def test_at_end():
    up = detsim.at_end("flag up", lambda m: m.flag)
    down = detsim.at_end("flag down", lambda m: not m.flag)
    assert detsim.run(scripted(properties=[up], p=flag_at(2))).ok
    result = detsim.run(scripted(properties=[down], p=flag_at(2)))
    assert result.violation.property == "flag down" and result.violation.time == 3
    assert "end of the run" in result.violation.message


@pytest.mark.parametrize("t", [0, 3, 5])
def test_eventually_within_holds_when_true_in_time(t):
    prop = detsim.eventually("flag goes up", lambda m: getattr(m, "flag", False), within=5)
    assert detsim.run(scripted(properties=[prop], p=flag_at(t))).ok


def test_eventually_fails_when_not_true_by_the_deadline():
    prop = detsim.eventually("flag goes up", lambda m: getattr(m, "flag", False), within=5)
    result = detsim.run(scripted(properties=[prop], p=flag_at(8)))
    v = result.violation
    assert v.property == "flag goes up" and 5 < v.time <= 8
    assert "not true by t=5" in v.message


def test_eventually_fails_when_the_run_ends_first():
    prop = detsim.eventually("never", lambda m: False, within=100)
    result = detsim.run(scripted(properties=[prop], p=stepper("p")))
    assert result.violation.property == "never" and "never true" in result.violation.message


def test_eventually_is_not_judged_before_its_deadline_at_the_horizon():
    def ticker(m, world):
        while True:
            yield world.timeout(1)

    prop = detsim.eventually("later", lambda m: False, within=100)
    assert detsim.run(scripted(properties=[prop], t=ticker), horizon=10).ok


def test_eventually_needs_a_deadline():
    with pytest.raises(ValueError):
        detsim.eventually("x", lambda m: True, within=-1)


def test_sometimes_never_reached_fails_the_campaign():
    prop = detsim.sometimes("flag up early", lambda m: getattr(m, "flag", False) and False)
    single = detsim.run(scripted(properties=[prop], p=flag_at(1)))
    assert single.ok and single.reached == []  # judged over a campaign, not one run
    result = detsim.check(scripted(properties=[prop], p=flag_at(1)), detsim.Random(0), runs=5)
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
    assert not detsim.run(scripted(properties=[prop], p=maybe)).reached
    result = detsim.check(scripted(properties=[prop], p=maybe), detsim.Random(0), runs=20)
    assert result.ok and result.reached == ["flag raised"]


def test_properties_need_names():
    with pytest.raises(TypeError):
        detsim.always("", lambda m: True)


def test_a_raising_predicate_is_reported_not_a_crash():
    def late(m, world):
        yield world.timeout(1)
        m.x = 1

    prop = detsim.always("x is one", lambda m: m.x == 1)  # AttributeError before x is set
    try:
        result = detsim.run(scripted(properties=[prop], late=late))
    except detsim.ModelError as e:
        assert "x is one" in str(e)
    else:
        assert not result.ok and "x is one" in str(result.violation)

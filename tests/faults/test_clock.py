"""Node clocks: skew, drift and jumps are clock faults; sleeps are in node time, and a
forward jump ends a wall-clock wait at once."""
from fractions import Fraction

from tests.support import run_scenario, scenario


@scenario
def clocks(model, world):
    n1 = world.node("n1")

    def reader():
        model.log.append(("start", n1.clock()))
        yield n1.sleep(11)  # node time: with drift 11/10 that is 10 of world time
        model.log.append(("slept", world.now, n1.clock()))
        n1.clock_source.jump(5)
        model.log.append(("jumped", world.now, n1.clock()))
        yield n1.sleep_until(n1.clock() + 10)
        model.log.append(("until", world.now, n1.clock()))
        waiter = n1.sleep_until(n1.clock() + 10)
        n1.clock_source.jump(20)  # forward: the wall-clock wait ends at once
        yield waiter
        model.log.append(("woke early", world.now))

    n1.spawn("reader", reader())


def test_clock_skew_drift_and_jumps():
    plan = {"kinds": ["clock"], "heal_at": 1, "skew": 3, "drift": "1/10"}
    exact = run_scenario("clocks", faults=plan)
    assert exact.model.log[0] == ("start", 0)
    skewed = run_scenario("clocks", {"clock n1": 1}, faults=plan)
    assert skewed.model.log[0] == ("start", 3)
    drift = run_scenario("clocks", {"clock n1": 3}, faults=plan)
    d = next(d for d in drift.trace.decisions if d.label == "clock n1")
    assert d.candidates == ("exact", "skew +3", "skew -3", "drift 11/10", "drift 9/10")
    assert drift.model.log[1:] == [("slept", 10, 11), ("jumped", 10, 16),
                                   ("until", Fraction(210, 11), 26), ("woke early", Fraction(210, 11))]
    assert drift.counters["fault:clock"] == 1 and drift.counters["clock:jump"] == 2

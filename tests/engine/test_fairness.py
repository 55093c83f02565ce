"""Weak-fairness bookkeeping (``detsim.engine.Overtaking``), shared by the Fair
strategy and the liveness properties."""
import pytest

from detsim.engine import DEFAULT_FAIRNESS_BOUND, Overtaking, fairness_text


def test_overtaking_forgets_a_process_that_ran_between_decisions():
    class Task:
        def __init__(self):
            self._target = object()

    a, b = Task(), Task()
    tasks = {"a": a, "b": b}
    tracker = Overtaking(bound=2)
    assert tracker.observe(("a", "b"), 0, tasks) is None  # b overtaken once
    assert tracker.observe(("a", "b"), 0, tasks) is None  # twice
    assert tracker.enforce(("a", "b"), 0, tasks) == 1  # a third time would break the bound
    assert tracker.observe(("a", "b"), 0, tasks) == ("b", "a", 3)
    b._target = object()  # b ran in a step without a decision: a fresh wait
    assert tracker.observe(("a", "b"), 0, tasks) is None


class Waiting:
    """A stand-in for a task: Overtaking only reads the event it waits on."""

    def __init__(self):
        self._target = object()


def test_enforce_runs_the_overdue_process_that_waited_longest():
    tasks = {name: Waiting() for name in ("a", "b", "c")}
    tracker = Overtaking(bound=1)
    assert tracker.observe(("a", "c"), 0, tasks) is None  # c waits from the first decision
    assert tracker.observe(("a", "b", "c"), 0, tasks) == ("c", "a", 2)  # b starts waiting
    assert tracker.enforce(("a", "b", "c"), 0, tasks) == 2  # both are due; c waited longer
    assert tracker.enforce(("a", "b", "c"), 1, tasks) == 1  # b never overtook c: it may run
    assert tracker.enforce(("a", "b", "c"), 2, tasks) == 2


def test_the_bound_is_at_least_one_and_named_in_reports():
    with pytest.raises(ValueError, match="fairness bound must be >= 1"):
        Overtaking(bound=0)
    assert Overtaking().bound == DEFAULT_FAIRNESS_BOUND == 8
    assert fairness_text(3) == "weak fairness, bound K=3"

"""Exhaustive is sound on small models: the terminal states and violations it finds
are exactly those of the naive enumeration (unbounded DFS), both runs exhausted,
and it needs far fewer executions. The larger instances are in bench/exhaustive.py."""
import pytest

from detsim import DFS, check
from detsim.search import Exhaustive
from tests.search.soundness_models import (Chooser, Counter, Messages, PeekPermits, Peterson, Philosophers, Reorder,
                                           SharedByArgument, TimerArguments, Timeouts, Transient, WatchBorrow,
                                           explore)

FAST = {
    "counter 2, no lock": Counter(workers=2),
    "counter 2, lock": Counter(workers=2, locked=True),
    "reorder 2": Reorder(writers=2),
    "shared by argument": SharedByArgument(),
    "peterson": Peterson(),
    "peterson, bug": Peterson(bug=True),
    "philosophers 2, naive": Philosophers(seats=2, ordered=False),
    "philosophers 3, ordered": Philosophers(seats=3),
    "philosophers 3, naive": Philosophers(seats=3, ordered=False),
    "choose": Chooser(),
    "timeouts": Timeouts(),
    "messages": Messages(),
    "transient": Transient(),
    "timer arguments": TimerArguments(),
    "peek permits": PeekPermits(),
    "watch borrow": WatchBorrow(),
}
COUNTS: dict = {}


@pytest.mark.parametrize("name", list(FAST))
def test_same_terminal_states_and_violations_as_the_naive_enumeration(name):
    model = FAST[name]
    naive, naive_runs = explore(model, DFS())
    reduced, reduced_runs = explore(model, Exhaustive())
    assert reduced == naive
    assert reduced_runs <= naive_runs
    COUNTS[name] = (naive_runs, reduced_runs)


def test_the_enumerations_see_what_the_models_are_about():
    # The comparisons above are only worth something if the outcome sets are rich.
    assert {o[2] for o in explore(Counter(workers=2), Exhaustive())[0]} == {1, 2}
    assert {o[2] for o in explore(Counter(workers=2, locked=True), Exhaustive())[0]} == {2}
    assert {o[2] for o in explore(Reorder(writers=2), Exhaustive())[0]} == {(0, 1), (1, 0)}
    peterson = explore(Peterson(bug=True), Exhaustive())[0]
    assert any(o[1] == "mutual exclusion" for o in peterson)
    assert not any(o[1] for o in explore(Peterson(), Exhaustive())[0])
    deadlocks = [o for o in explore(Philosophers(seats=3, ordered=False), Exhaustive())[0] if o[1]]
    assert deadlocks and all(o[1] == "no deadlock" for o in deadlocks)
    messages = {o[2] for o in explore(Messages(), Exhaustive())[0]}
    assert any(entry[1] is None for log in messages for entry in log)  # a drop: the receiver timed out
    assert {log[0][0] for log in messages} == {1, 2}  # both latencies
    assert {o[1] for o in explore(Transient(), Exhaustive())[0]} == {None, "never both"}


def test_untrackable_sharing_is_ordered_not_ignored():
    strategy = Exhaustive()
    outcomes, _ = explore(SharedByArgument(), strategy)
    assert strategy.opaque > 0 and "list" in strategy.opaque_reasons[0]
    assert {o[2] for o in outcomes} >= {(0, 1, 1, 0), (1, 0, 0, 1), (0, 0, 1, 1)}


def test_far_fewer_executions_than_naive():
    for name, model in FAST.items():
        if name not in COUNTS:
            COUNTS[name] = (explore(model, DFS())[1], explore(model, Exhaustive())[1])
    naive = sum(n for n, _ in COUNTS.values())
    reduced = sum(r for _, r in COUNTS.values())
    assert naive >= 20 * reduced, COUNTS  # 100x and more on the larger instances (bench/README.md)


@pytest.mark.parametrize("model, prop", [(Peterson(bug=True), "mutual exclusion"),
                                         (Philosophers(seats=3, ordered=False), "no deadlock"),
                                         (Transient(), "never both")])
def test_check_finds_the_planted_bug_and_verifies_the_fixed_variant(model, prop):
    found = check(model, Exhaustive(), runs=None)
    assert found.violation is not None and found.violation.property == prop
    assert not found.exhausted

"""The decision record (``detsim.engine._record``): a lean record keeps the chosen
index of each schedule tie only, refuses to be read while its run goes on, and is
rebuilt by whoever the runner names once the run ended."""
import pytest

from detsim import PCT, Fifo, Random, World
from detsim.engine import LeanRecordRead
from detsim.trace import CHOICE, SCHEDULE


def _spawn_racers(world, n=3, steps=3):
    def racer():
        for _ in range(steps):
            yield world.checkpoint()
    for i in range(n):
        world.spawn(f"r{i}", racer())


def _drain(world):
    try:
        world.run_steps()
    except Exception:  # EmptySchedule: the run is over
        pass


def test_only_a_strategy_that_never_reads_names_records_lean():
    assert World(Random(0)).record_lean()
    assert World(Fifo()).record_lean()
    assert not World(PCT(2, 0)).record_lean()  # PCT reads every candidate's name


def test_only_before_the_first_step():
    world = World(Random(0))
    _spawn_racers(world)
    world.step()
    world.step()
    assert not world.record_lean() and not world.lean


def test_a_lean_run_keeps_the_chosen_indices_and_refuses_to_be_read_while_it_runs():
    world = World(Random(3))
    _spawn_racers(world)
    assert world.record_lean() and world.lean
    world.step()
    world.step()
    with pytest.raises(LeanRecordRead):
        world.decisions
    assert world.lean_broken
    _drain(world)
    assert world._ties and all(0 <= c < 3 for c in world._ties)


def test_after_the_run_the_rebuild_supplies_the_decisions():
    world = World(Random(3))
    assert world.record_lean()
    world.choose("colour", ["red", "green", "blue"])
    _drain(world)
    asked = []

    def rebuild(ties, rows):
        asked.append((list(ties), list(rows)))
        return [(0, 0, "colour", ("red", "green", "blue"), rows[0][4], CHOICE)]

    world.finish_lean(rebuild)
    rows = world.decision_rows()
    assert len(asked) == 1 and asked[0][1][0][2] == "colour"  # choices are kept in full, in order
    assert rows[0][2] == "colour" and not world.lean
    assert world.decisions[0][3] == ("red", "green", "blue")
    assert len(asked) == 1  # rebuilt once


def test_a_rebuild_that_fails_leaves_the_record_unreadable_and_is_not_tried_again():
    """A partial list would be a wrong counterexample; another execution, another story."""
    world = World(Random(3))
    _spawn_racers(world)
    assert world.record_lean()
    _drain(world)
    calls = []

    def rebuild(ties, rows):
        calls.append(1)
        raise RuntimeError("the run went differently")

    world.finish_lean(rebuild)
    for _ in range(2):
        with pytest.raises(RuntimeError, match="went differently"):
            world.decisions
    assert len(calls) == 1 and world.lean


def test_the_full_record_is_untouched_by_default():
    world = World(Random(3))
    _spawn_racers(world)
    _drain(world)
    assert not world.lean and world.decisions and all(d[5] == SCHEDULE for d in world.decisions)

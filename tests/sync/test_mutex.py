"""world.mutex: FIFO hand-over, statistics, try_acquire and misuse."""
import pytest

import detsim
from tests.support import scripted


def test_mutex_is_fifo_and_counts():
    def make(m, world):
        m.lock = world.mutex("lock")

    def user(name, hold):
        def proc(m, world):
            yield m.lock.acquire()
            m.log.append(("in", name, world.now))
            yield world.timeout(hold)
            m.log.append(("out", name, world.now))
            m.lock.release()
        return proc

    result = detsim.run(scripted(make, a=user("a", 2), b=user("b", 1), c=user("c", 1)))
    assert result.ok
    assert result.model.log == [("in", "a", 0), ("out", "a", 2), ("in", "b", 2), ("out", "b", 3),
                                ("in", "c", 3), ("out", "c", 4)]
    stats = result.model.lock.statistics()
    assert stats.locked is False and stats.owner is None and stats.tasks_waiting == 0
    assert stats.acquisitions == 3 and stats.contended == 2 and stats.max_waiting == 2


def test_mutex_statistics_while_held():
    snapshots = []

    def make(m, world):
        m.lock = world.mutex("lock")

    def holder(m, world):
        yield m.lock.acquire()
        assert m.lock.locked()
        yield world.timeout(5)
        m.lock.release()

    def waiter(m, world):
        yield world.timeout(1)
        yield m.lock.acquire()
        m.lock.release()

    def observer(m, world):
        yield world.timeout(2)
        snapshots.append(m.lock.statistics())
        snapshots.append(m.world.tasks["waiter"].waiting_on)

    detsim.run(scripted(make, holder=holder, waiter=waiter, observer=observer))
    stats, waiting_on = snapshots
    assert stats.locked and stats.owner == "holder" and stats.tasks_waiting == 1
    assert waiting_on == "mutex lock held by holder"


def test_try_acquire():
    def make(m, world):
        m.lock = world.mutex("lock")

    def first(m, world):
        m.log.append(("first", m.lock.try_acquire()))
        yield world.timeout(2)
        m.lock.release()

    def second(m, world):
        yield world.timeout(1)
        m.log.append(("second", m.lock.try_acquire()))
        yield world.timeout(2)
        m.log.append(("second again", m.lock.try_acquire()))
        m.lock.release()

    result = detsim.run(scripted(make, first=first, second=second))
    assert result.ok and result.model.log == [("first", True), ("second", False), ("second again", True)]


def test_releasing_a_mutex_held_by_another_is_a_model_error():
    def make(m, world):
        m.lock = world.mutex("lock")

    def holder(m, world):
        yield m.lock.acquire()
        yield world.timeout(5)

    def thief(m, world):
        yield world.timeout(1)
        m.lock.release()

    result = detsim.run(scripted(make, holder=holder, thief=thief))
    assert result.violation.property == "ModelError" and result.violation.process == "thief"
    assert "released mutex lock held by holder" in result.violation.message


def test_lock_outside_a_process_is_a_model_error():
    def make(m, world):
        world.mutex("x").acquire()

    with pytest.raises(detsim.ModelError, match="must be called from a process"):
        detsim.run(scripted(make))

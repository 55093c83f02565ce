"""world.semaphore: the permit limit, statistics, release by another task and misuse."""
import pytest

import detsim
from tests.support import scripted


def test_semaphore_limits_and_counts():
    def make(m, world):
        m.sem = world.semaphore("pool", 2)
        m.inside = m.most = 0

    def user(m, world):
        yield m.sem.acquire()
        m.inside += 1
        m.most = max(m.most, m.inside)
        yield world.timeout(1)
        m.inside -= 1
        m.sem.release()

    procs = {f"u{i}": user for i in range(5)}
    result = detsim.run(scripted(make, **procs))
    assert result.ok and result.now == 3 and result.model.most == 2
    stats = result.model.sem.statistics()
    assert (stats.permits, stats.available, stats.holders, stats.tasks_waiting) == (2, 2, (), 0)
    assert stats.acquisitions == 5 and stats.max_held == 2


def test_semaphore_released_by_another_task_and_overrelease():
    def make(m, world):
        m.sem = world.semaphore("gate", 1)

    def taker(m, world):
        yield m.sem.acquire()
        m.log.append(("taker in", world.now))

    def waiter(m, world):
        yield world.timeout(1)
        yield m.sem.acquire()
        m.log.append(("waiter in", world.now))

    def opener(m, world):
        yield world.timeout(3)
        assert m.sem.statistics().holders == ("taker",) and m.sem.statistics().tasks_waiting == 1
        m.sem.release()  # not a holder: releases the oldest holder's permit (signalling)

    result = detsim.run(scripted(make, taker=taker, waiter=waiter, opener=opener))
    assert result.ok and result.model.log == [("taker in", 0), ("waiter in", 3)]
    assert result.model.sem.statistics().holders == ("waiter",)

    def overreleaser(m, world):
        yield world.checkpoint()
        m.sem.release()

    bad = detsim.run(scripted(make, x=overreleaser))
    assert bad.violation.property == "ModelError" and "no permit held" in bad.violation.message


def test_semaphore_rejects_negative_permits():
    def make(m, world):
        world.semaphore("s", -1)

    with pytest.raises(detsim.ModelError, match="permits must be >= 0"):
        detsim.run(scripted(make))

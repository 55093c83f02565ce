"""world.notify: condition-variable semantics (no permit), tokio-style permits,
one event per waiter, wait(mutex) and statistics."""
import pytest

import detsim
from tests.support import scripted


def early_notify(permits):
    def make(m, world):
        m.n = world.notify("bell", permits=permits)

    def ringer(m, world):
        m.log.append(("rang", m.n.notify_one()))
        yield world.checkpoint()

    def listener(m, world):
        yield world.timeout(1)
        yield m.n.notified()
        m.log.append(("heard", world.now))

    return scripted(make, ringer=ringer, listener=listener)


def test_a_notification_nobody_waits_for_is_lost_and_the_waiter_stalls():
    result = detsim.run(early_notify(permits=False))
    assert result.model.log == [("rang", False)]
    v = result.violation
    assert v.property == "no deadlock"
    assert "listener (waits on notify bell (1 waiting, no notification pending))" in v.message
    stats = result.model.n.statistics()
    assert stats.unheard == 1 and stats.wakeups == 0 and stats.tasks_waiting == 1 and not stats.permit_stored


def test_with_permits_notify_one_is_remembered():
    result = detsim.run(early_notify(permits=True))
    assert result.ok, result.violation
    assert result.model.log == [("rang", False), ("heard", 1)]
    assert result.model.n.statistics().unheard == 0


def test_notify_all_wakes_each_waiter_in_its_own_step():
    def make(m, world):
        m.n = world.notify("bell")

    def waiter(name):
        def proc(m, world):
            yield m.n.notified()
            m.log.append(name)
        return proc

    def ringer(m, world):
        yield world.timeout(1)
        m.log.append(("woken", m.n.notify_all()))

    procs = {"w0": waiter("w0"), "w1": waiter("w1"), "w2": waiter("w2"), "ringer": ringer}
    result = detsim.run(scripted(make, **procs))
    assert result.model.log == [("woken", 3), "w0", "w1", "w2"]
    # the three wakeups are separate events, so their order is a scheduling decision
    at_one = [d for d in result.trace.decisions if d.time == 1]
    assert at_one and {"w0", "w1", "w2"} <= set(at_one[0].candidates)
    orders = {tuple(detsim.run(scripted(make, **procs), detsim.Random(s)).model.log[1:]) for s in range(30)}
    assert len(orders) > 1
    stats = result.model.n.statistics()
    assert stats.notifications == 1 and stats.wakeups == 3 and stats.max_waiting == 3


def test_wait_releases_the_lock_and_returns_holding_it():
    def make(m, world):
        m.lock, m.cond = world.mutex("lock"), world.notify("cond")
        m.ready = False

    def waiter(m, world):
        yield m.lock.acquire()
        while not m.ready:
            yield from m.cond.wait(m.lock)
        m.log.append(("holder after wait", m.lock.statistics().owner))
        m.lock.release()

    def setter(m, world):
        yield world.timeout(1)
        yield m.lock.acquire()  # free: wait() released it
        m.ready = True
        m.cond.notify_one()
        m.log.append(("setter holds", m.lock.statistics().owner))
        m.lock.release()

    result = detsim.run(scripted(make, waiter=waiter, setter=setter))
    assert result.ok, result.violation
    assert result.model.log == [("setter holds", "setter"), ("holder after wait", "waiter")]


def test_wait_without_the_lock_is_a_model_error():
    def make(m, world):
        m.lock, m.cond = world.mutex("lock"), world.notify("cond")

    def waiter(m, world):
        yield from m.cond.wait(m.lock)

    result = detsim.run(scripted(make, waiter=waiter))
    assert result.violation.property == "ModelError"
    assert "without holding mutex lock" in result.violation.message


def test_notified_outside_a_process_is_a_model_error():
    world = detsim.World()
    with pytest.raises(detsim.ModelError, match="must be called from a process"):
        world.notify("n").notified()

"""Oneshot, broadcast (Lagged notices) and watch channels (``detsim.sync._channel_kinds``)."""
import pytest

import detsim
from tests.support import scripted


def run_ok(make, **procs):
    result = detsim.run(scripted(make, **procs))
    assert result.ok, result.violation
    return result.model


# ---- oneshot ---------------------------------------------------------------------

@pytest.mark.parametrize("send_first", [True, False])
def test_oneshot_delivers_once_whoever_comes_first(send_first):
    def make(m, world):
        m.once = world.oneshot("once")

    def sender(m, world):
        yield world.timeout(0 if send_first else 1)
        m.once.send(42)
        m.once.close()  # dropping the sender keeps a sent value receivable

    def receiver(m, world):
        yield world.timeout(1 if send_first else 0)
        m.log.append((yield m.once.recv()))

    m = run_ok(make, sender=sender, receiver=receiver)
    assert m.log == [42]
    assert m.once.statistics() == detsim.sync.OneshotStatistics(True, True, True, False)


def test_oneshot_closed_without_a_value_yields_closed():
    def make(m, world):
        m.once = world.oneshot("once")

    def receiver(m, world):
        m.log.append((yield m.once.recv()))

    def dropper(m, world):
        yield world.timeout(1)
        m.once.close()

    assert run_ok(make, receiver=receiver, dropper=dropper).log == [detsim.CLOSED]


@pytest.mark.parametrize("misuse, match", [
    (lambda o: (o.send(1), o.send(2)), "sent twice"),
    (lambda o: (o.close(), o.send(1)), "after closing"),
    (lambda o: (o.send(1), o.recv(), o.recv()), "received twice"),
])
def test_oneshot_misuse_is_a_model_error(misuse, match):
    def make(m, world):
        m.once = world.oneshot("once")

    def user(m, world):
        misuse(m.once)
        yield world.checkpoint()

    result = detsim.run(scripted(make, user=user))
    assert result.violation.property == "ModelError" and match in result.violation.message


# ---- broadcast -------------------------------------------------------------------

def test_broadcast_reaches_every_receiver_and_reports_lag():
    def make(m, world):
        m.bus = world.broadcast("bus", 2)
        m.fast, m.slow = m.bus.subscribe("fast"), m.bus.subscribe("slow")

    def publisher(m, world):
        for i in range(5):
            yield world.timeout(1)
            m.log.append(("sent to", m.bus.send(i)))
        m.bus.close()

    def reader(name, delay):
        def proc(m, world):
            rx = getattr(m, name)
            yield world.timeout(delay)
            while True:
                msg = yield rx.recv()
                m.log.append((name, msg))
                if msg is detsim.CLOSED:
                    return
        return proc

    m = run_ok(make, publisher=publisher, fast=reader("fast", 0), slow=reader("slow", 10))
    fast = [msg for who, msg in m.log if who == "fast"]
    slow = [msg for who, msg in m.log if who == "slow"]
    assert fast == [0, 1, 2, 3, 4, detsim.CLOSED]
    assert slow == [detsim.Lagged(3), 3, 4, detsim.CLOSED]  # told, then resumes at the oldest kept
    stats = m.bus.statistics()
    assert stats.sent == 5 and stats.buffered == 2 and stats.lagged == {"fast": 0, "slow": 3}
    assert ("sent to", 2) in m.log and repr(detsim.Lagged(3)) == "Lagged(3)"


def test_broadcast_subscribers_see_only_later_messages_and_wake_separately():
    def make(m, world):
        m.bus = world.broadcast("bus", 4)
        m.rxs = [m.bus.subscribe(f"r{i}") for i in range(2)]

    def early(m, world):
        m.bus.send("before")
        m.late = m.bus.subscribe("late")
        yield world.timeout(1)
        m.bus.send("after")

    def reader(i):
        def proc(m, world):
            m.log.append((i, (yield m.rxs[i].recv()), (yield m.rxs[i].recv())))
        return proc

    result = detsim.run(scripted(make, early=early, r0=reader(0), r1=reader(1)))
    assert sorted(result.model.log) == [(0, "before", "after"), (1, "before", "after")]
    assert result.model.late.select_ready()  # it saw "after", not "before"
    woken = [d for d in result.trace.decisions if d.time == 1]
    assert woken and {"r0", "r1"} <= set(woken[0].candidates)  # one event per waiting receiver


def test_broadcast_misuse():
    world = detsim.World()
    with pytest.raises(detsim.ModelError, match="capacity must be >= 1"):
        world.broadcast("b0", 0)
    bus = world.broadcast("b", 1)
    bus.subscribe("x")
    with pytest.raises(detsim.ModelError, match="already has a receiver"):
        bus.subscribe("x")


# ---- watch -----------------------------------------------------------------------

def test_watch_skips_to_the_latest_value_and_closes_after_it():
    def make(m, world):
        m.cfg = world.watch("cfg", "v0")
        m.rx = m.cfg.subscribe("w")

    def publisher(m, world):
        for v in ("v1", "v2", "v3"):
            m.cfg.send(v)
            yield world.timeout(1)
        m.cfg.send("v4")
        m.cfg.close()

    def watcher(m, world):
        m.log.append(("borrow", m.rx.borrow(), m.rx.has_changed()))
        while True:
            value = yield m.rx.changed()
            m.log.append(value)
            if value is detsim.CLOSED:
                return
            yield world.timeout(2)  # busy: intermediate values are skipped

    m = run_ok(make, publisher=publisher, watcher=watcher)
    assert m.log[0] == ("borrow", "v1", True)
    assert m.log[1:] == ["v1", "v2", "v4", detsim.CLOSED]  # v3 came and went while it was busy
    assert m.cfg.statistics() == detsim.sync.WatchStatistics(4, 1, 0, True)


def test_watch_new_receivers_have_seen_the_current_value():
    def make(m, world):
        m.cfg = world.watch("cfg", 1)

    def user(m, world):
        m.cfg.send(2)
        rx = m.cfg.subscribe("late")
        m.log.append((rx.has_changed(), rx.borrow(), m.cfg.version))
        m.cfg.close()
        m.log.append((yield rx.changed()))
        with pytest.raises(detsim.ModelError, match="closed watch"):
            m.cfg.send(3)

    assert run_ok(make, user=user).log == [(False, 2, 1), detsim.CLOSED]


def test_a_watch_waiter_is_named_in_the_stall_report():
    def make(m, world):
        m.rx = world.watch("cfg", 0).subscribe("w")

    def waiter(m, world):
        yield m.rx.changed()

    result = detsim.run(scripted(make, waiter=waiter))
    assert "waiter (waits on watch cfg (receiver cfg/w has seen version 0))" in result.violation.message

"""Instrumented primitives, their statistics, the wait-for graph and deadlock reports."""
from dataclasses import dataclass

import pytest

import detsim


class Script(detsim.Model):
    """Processes given as generator functions (model, world); primitives made by ``make``."""

    procs: dict = {}
    daemons: tuple = ()

    def make(self, world):
        pass

    def setup(self, world):
        self.log = []
        self.world = world
        self.make(world)
        for name, fn in self.procs.items():
            world.spawn(name, fn(self, world), daemon=name in self.daemons)


def model(make, procs, daemons=()):
    return type("Scripted", (Script,), {"make": make, "procs": dict(procs), "daemons": tuple(daemons)})()


def task(name):
    return ("task", name)


def res(name):
    return ("resource", name)


# ---- mutex -------------------------------------------------------------------------

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

    result = detsim.run(model(make, {"a": user("a", 2), "b": user("b", 1), "c": user("c", 1)}))
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

    detsim.run(model(make, {"holder": holder, "waiter": waiter, "observer": observer}))
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

    result = detsim.run(model(make, {"first": first, "second": second}))
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

    result = detsim.run(model(make, {"holder": holder, "thief": thief}))
    assert result.violation.property == "ModelError" and result.violation.process == "thief"
    assert "released mutex lock held by holder" in result.violation.message


def test_primitive_names_are_unique():
    def make(m, world):
        world.mutex("x")
        world.channel("x")

    with pytest.raises(detsim.ModelError, match="'x' already exists"):
        detsim.run(model(make, {}))


def test_lock_outside_a_process_is_a_model_error():
    def make(m, world):
        world.mutex("x").acquire()

    with pytest.raises(detsim.ModelError, match="must be called from a process"):
        detsim.run(model(make, {}))


# ---- semaphore -----------------------------------------------------------------------

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
    result = detsim.run(model(make, procs))
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

    result = detsim.run(model(make, {"taker": taker, "waiter": waiter, "opener": opener}))
    assert result.ok and result.model.log == [("taker in", 0), ("waiter in", 3)]
    assert result.model.sem.statistics().holders == ("waiter",)

    def overreleaser(m, world):
        yield world.checkpoint()
        m.sem.release()

    bad = detsim.run(model(make, {"x": overreleaser}))
    assert bad.violation.property == "ModelError" and "no permit held" in bad.violation.message


def test_semaphore_rejects_negative_permits():
    def make(m, world):
        world.semaphore("s", -1)

    with pytest.raises(detsim.ModelError, match="permits must be >= 0"):
        detsim.run(model(make, {}))


# ---- channel -------------------------------------------------------------------------

def test_channel_is_fifo_bounded_and_closes():
    def make(m, world):
        m.ch = world.channel("jobs", 2)

    def producer(m, world):
        for i in range(5):
            yield m.ch.send(i)
            m.log.append(("sent", i, world.now))
        m.ch.close()

    def consumer(m, world):
        yield world.timeout(10)
        while True:
            item = yield m.ch.recv()
            if item is detsim.CLOSED:
                m.log.append(("closed", world.now))
                return
            m.log.append(("got", item, world.now))
            yield world.timeout(1)

    result = detsim.run(model(make, {"producer": producer, "consumer": consumer}))
    assert result.ok
    log = result.model.log
    assert [e[1] for e in log if e[0] == "got"] == [0, 1, 2, 3, 4]
    sent_at = {e[1]: e[2] for e in log if e[0] == "sent"}
    assert sent_at[0] == sent_at[1] == 0  # fits in the buffer
    assert sent_at[2] == 10  # backpressure: blocked until the consumer takes one
    assert log[-1] == ("closed", 15)
    stats = result.model.ch.statistics()
    assert (stats.capacity, stats.buffered, stats.sent, stats.received) == (2, 0, 5, 5)
    assert stats.max_buffered == 2 and stats.closed and stats.senders_waiting == 0


def test_rendezvous_channel_and_waiting_counts():
    seen = []

    def make(m, world):
        m.ch = world.channel("meet", 0)

    def sender(m, world):
        yield m.ch.send("hello")
        m.log.append(("sent", world.now))

    def receiver(m, world):
        yield world.timeout(4)
        seen.append(m.ch.statistics())
        item = yield m.ch.recv()
        m.log.append((item, world.now))

    result = detsim.run(model(make, {"sender": sender, "receiver": receiver}))
    assert result.ok and sorted(result.model.log) == [("hello", 4), ("sent", 4)]
    assert seen[0].senders_waiting == 1 and seen[0].buffered == 0
    stats = result.model.ch.statistics()
    assert stats.sent == stats.received == 1 and stats.max_buffered == 0


def test_send_on_a_closed_channel_is_a_model_error():
    def make(m, world):
        m.ch = world.channel("c", 1)

    def closer(m, world):
        m.ch.close()
        yield m.ch.send(1)

    result = detsim.run(model(make, {"closer": closer}))
    assert result.violation.property == "ModelError" and "closed channel c" in result.violation.message


# ---- the wait-for graph ----------------------------------------------------------

def test_wait_for_edges_run_waiter_resource_holder():
    graphs = []

    def make(m, world):
        m.lock = world.mutex("lock")
        m.ch = world.channel("inbox", 1)

    def holder(m, world):
        yield m.lock.acquire()
        yield world.timeout(3)
        m.lock.release()

    def waiter(m, world):
        yield world.timeout(1)
        yield m.lock.acquire()
        m.lock.release()

    def listener(m, world):
        yield m.ch.recv()

    def observer(m, world):
        yield world.timeout(2)
        graphs.append(sorted(m.world.waitfor.graph.edges()))
        yield world.timeout(2)
        graphs.append(sorted(m.world.waitfor.graph.edges()))
        yield m.ch.send("done")

    result = detsim.run(model(make, {"holder": holder, "waiter": waiter, "listener": listener,
                                     "observer": observer}))
    assert result.ok
    during, after = graphs
    assert during == sorted([(task("waiter"), res("lock")), (res("lock"), task("holder")),
                             (task("listener"), res("inbox"))])
    assert after == [(task("listener"), res("inbox"))]
    assert sorted(result.world.waitfor.graph.edges()) == []


def inversion(m, world):
    m.x, m.y = world.mutex("lock-x"), world.mutex("lock-y")


def ab(first, second):
    def proc(m, world):
        yield getattr(m, first).acquire()
        yield world.checkpoint()
        m.closing_step = world.steps  # the acquire below closes the cycle, if any
        yield getattr(m, second).acquire()
        getattr(m, second).release()
        getattr(m, first).release()
    return proc


def test_lock_order_inversion_is_reported_the_moment_it_forms():
    result = detsim.run(model(inversion, {"a": ab("x", "y"), "b": ab("y", "x")}))
    v = result.violation
    assert v is not None and v.property == "no deadlock"
    assert v.message == "wait-for cycle: a → lock-y (held by b) → b → lock-x (held by a) → a"
    assert v.cycle == ["a", "lock-y", "b", "lock-x"]
    assert v.step == result.model.closing_step == result.steps
    assert v.process == "b"  # b's acquire closed the cycle
    report = detsim.check(model(inversion, {"a": ab("x", "y"), "b": ab("y", "x")}), detsim.Random(0),
                          runs=1).report()
    assert "wait-for cycle: a → lock-y (held by b) → b → lock-x (held by a) → a" in report


def test_the_cycle_text_starts_at_the_smallest_name_whoever_closes_it():
    result = detsim.run(model(inversion, {"b": ab("y", "x"), "a": ab("x", "y")}))
    assert result.violation.process == "a"
    assert result.violation.message == "wait-for cycle: a → lock-y (held by b) → b → lock-x (held by a) → a"


def test_same_order_never_deadlocks():
    result = detsim.check(model(inversion, {"a": ab("x", "y"), "b": ab("x", "y")}), detsim.Random(0), runs=100)
    assert result.ok


def test_global_stall_names_every_blocked_process():
    def make(m, world):
        m.c1, m.c2 = world.channel("c1", 1), world.channel("c2", 0)
        m.ev = world.event()

    def recv_from(name):
        def proc(m, world):
            yield world.checkpoint()
            yield getattr(m, name).recv()
        return proc

    def waits_forever(m, world):
        yield m.ev

    result = detsim.run(model(make, {"p": recv_from("c1"), "q": recv_from("c2"), "r": waits_forever}))
    v = result.violation
    assert v.property == "no deadlock" and v.process == "p"
    assert v.message.startswith("global stall: every non-daemon process is blocked")
    assert "p (waits on channel c1 (empty, 0/1))" in v.message
    assert "q (waits on channel c2 (" in v.message
    assert "r (waits on an event nobody will trigger)" in v.message


def test_blocked_daemons_at_the_end_are_not_a_deadlock():
    def make(m, world):
        m.inbox = world.channel("inbox", 1)
        m.lock = world.mutex("lock")

    def server(m, world):
        while True:
            item = yield m.inbox.recv()
            m.log.append(item)

    def client(m, world):
        yield m.inbox.send("req")
        yield world.checkpoint()

    result = detsim.run(model(make, {"server": server, "client": client}, daemons=["server"]))
    assert result.ok and result.end == "quiescent" and result.model.log == ["req"]
    assert result.world.tasks["server"].is_alive

    stalled = detsim.run(model(make, {"server": server, "client": client}))
    assert stalled.violation.property == "no deadlock" and "server (waits on channel inbox" in stalled.violation.message


def test_a_daemon_in_a_cycle_is_still_a_deadlock():
    result = detsim.run(model(inversion, {"a": ab("x", "y"), "b": ab("y", "x")}, daemons=["b"]))
    assert result.violation.property == "no deadlock" and "wait-for cycle" in result.violation.message


def test_dining_ring_reports_the_whole_cycle():
    @dataclass
    class Ring(detsim.Model):
        n: int = 3

        def setup(self, world):
            forks = [world.mutex(f"fork-{i}") for i in range(self.n)]
            for i in range(self.n):
                world.spawn(f"philosopher-{i}", self.eat(world, forks[i], forks[(i + 1) % self.n]))

        def eat(self, world, left, right):
            yield left.acquire()
            yield world.checkpoint()
            yield right.acquire()

    result = detsim.run(Ring())
    assert result.violation.message == (
        "wait-for cycle: philosopher-0 → fork-1 (held by philosopher-1) → philosopher-1 → "
        "fork-2 (held by philosopher-2) → philosopher-2 → fork-0 (held by philosopher-0) → philosopher-0")

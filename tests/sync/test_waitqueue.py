"""detsim.sync.WaitQueue on its own: first-come order, park/pop/remove/discard,
wait-for edges and ``waiting_for``, statistics, and wait-log reports (only when
the world keeps a wait log). Real processes in a real World park on a bare
``Blocking`` owner, so nothing but the queue does the bookkeeping."""
from fractions import Fraction

import detsim
from detsim.sync import Blocking, WaitLog, WaitQueue

HALF = Fraction(1, 2)


class Gate(Blocking):
    """The smallest owner a queue can have: a name, a world and a description."""

    kind = "gate"

    def __init__(self, world, name="gate", **queue_options):
        super().__init__(world, name)
        self.queue = WaitQueue(self, **queue_options)


def waits_at(gate, log, data=None, delay=0):
    """A process that reports its arrival, parks itself and logs what wakes it."""
    def proc(world):
        yield world.timeout(delay)
        task = world.active_process
        event = world.event()
        gate.queue.arrive(task)
        gate.queue.park(task, event, data)
        value = yield event
        log.append((task.name, world.now, value))
    return proc


def opens_at(gate, when, seen=None):
    """A process that, at ``when``, wakes every waiter in queue order with its data."""
    def proc(world):
        yield world.timeout(when)
        if seen is not None:
            seen.append([w.task.name for w in gate.queue])
        while gate.queue:
            waiter = gate.queue.pop()
            gate.queue.granted(waiter.task)
            waiter.event.succeed(waiter.data)
    return proc


def world_with(gate_options=None, wait_log=False):
    world = detsim.World()
    if wait_log:
        world.wait_log = WaitLog(world)
    return world, Gate(world, **(gate_options or {}))


def edges(world):
    return sorted(world.waitfor.graph.edges())


def test_waiters_leave_first_come_first_served_with_their_data():
    world, gate = world_with()
    log, seen = [], []
    for i in (2, 0, 1):  # spawn order is arrival order under the default schedule
        world.spawn(f"w{i}", waits_at(gate, log, data=f"d{i}")(world))
    world.spawn("opener", opens_at(gate, 1, seen)(world))
    world.run()
    assert seen == [["w2", "w0", "w1"]]
    assert log == [("w2", 1, "d2"), ("w0", 1, "d0"), ("w1", 1, "d1")]
    assert len(gate.queue) == 0 and not gate.queue


def test_first_len_and_iteration_see_the_queue_without_changing_it():
    world, gate = world_with()
    snapshots = []

    def looker(world):
        yield world.timeout(1)
        q = gate.queue
        snapshots.append((len(q), bool(q), q.first.task.name, q.first.data, [w.task.name for w in q]))
        snapshots.append(len(q))

    for name in ("a", "b"):
        world.spawn(name, waits_at(gate, [], data=name.upper())(world))
    world.spawn("looker", looker(world))
    world.run()
    assert snapshots == [(2, True, "a", "A", ["a", "b"]), 2]


def test_remove_serves_a_waiter_out_of_order_and_discard_ignores_one_that_left():
    world, gate = world_with()
    log, order = [], []

    def picker(world):
        yield world.timeout(1)
        q = gate.queue
        middle = list(q)[1]
        q.remove(middle)  # served early: the others keep their order
        middle.event.succeed("early")
        q.discard(middle)  # already gone: nothing happens
        order.append([w.task.name for w in q])
        first = q.pop()
        first.event.succeed("popped")
        q.discard(q.first)  # still queued: removed, never woken
        order.append(len(q))

    for name in ("a", "b", "c"):
        world.spawn(name, waits_at(gate, log)(world))
    world.spawn("picker", picker(world))
    world.run()
    assert order == [["a", "c"], 0]
    assert sorted(log) == [("a", 1, "popped"), ("b", 1, "early")]  # c was discarded, so it never woke
    assert world.tasks["c"].is_alive and world.tasks["c"].waiting_for is None


def test_park_adds_a_wait_for_edge_and_leaving_removes_it():
    world, gate = world_with()
    during = []

    def watcher(world):
        yield world.timeout(HALF)
        during.append(edges(world))
        during.append({n: world.tasks[n].waiting_for for n in ("a", "b")})
        during.append(world.tasks["a"].waiting_on)

    world.spawn("a", waits_at(gate, [])(world))
    world.spawn("b", waits_at(gate, [])(world))
    world.spawn("watcher", watcher(world))
    world.spawn("opener", opens_at(gate, 1)(world))
    world.run()
    waits, waiting_for, waiting_on = during
    assert waits == [(("task", "a"), ("resource", "gate")), (("task", "b"), ("resource", "gate"))]
    assert waiting_for == {"a": gate, "b": gate}
    assert waiting_on == "gate gate"  # the owner describes the wait
    assert edges(world) == []
    assert world.tasks["a"].waiting_for is None and world.tasks["b"].waiting_for is None


def test_remove_and_discard_also_drop_the_edge():
    world, gate = world_with()
    after = []

    def picker(world):
        yield world.timeout(1)
        q = gate.queue
        a, b = list(q)
        q.remove(a)
        after.append((edges(world), world.tasks["a"].waiting_for))
        q.discard(b)
        after.append((edges(world), world.tasks["b"].waiting_for))
        a.event.succeed()
        b.event.succeed()

    world.spawn("a", waits_at(gate, [])(world))
    world.spawn("b", waits_at(gate, [])(world))
    world.spawn("picker", picker(world))
    world.run()
    assert after == [([(("task", "b"), ("resource", "gate"))], None), ([], None)]


def test_a_queue_without_edges_only_sets_waiting_for():
    world, gate = world_with({"edges": False})
    during = []

    def watcher(world):
        yield world.timeout(HALF)
        during.append((edges(world), world.tasks["a"].waiting_for))

    world.spawn("a", waits_at(gate, [])(world))
    world.spawn("watcher", watcher(world))
    world.spawn("opener", opens_at(gate, 1)(world))
    world.run()
    assert during == [([], gate)]  # a wait with no holder can close no cycle
    assert world.tasks["a"].waiting_for is None


def test_parked_counts_every_wait_and_max_waiting_the_longest_queue():
    world, gate = world_with()
    for name in ("a", "b", "c"):
        world.spawn(name, waits_at(gate, [])(world))
    world.spawn("late", waits_at(gate, [], delay=2)(world))
    world.spawn("opener", opens_at(gate, 1)(world))
    world.run(until=3)
    q = gate.queue
    assert (q.parked, q.max_waiting, len(q)) == (4, 3, 1)
    assert q.first.task.name == "late"


def test_clear_forgets_waiters_without_waking_them():
    world, gate = world_with()
    log = []

    def crasher(world):
        yield world.timeout(1)
        gate.queue.clear()

    world.spawn("a", waits_at(gate, log)(world))
    world.spawn("crasher", crasher(world))
    world.run()
    assert log == [] and len(gate.queue) == 0 and gate.queue.parked == 1


def test_without_a_wait_log_arrivals_and_grants_are_not_recorded():
    world, gate = world_with()
    world.spawn("a", waits_at(gate, [])(world))
    world.spawn("opener", opens_at(gate, 1)(world))
    world.run()
    assert world.wait_log is None  # a queue never creates one


def test_with_a_wait_log_arrivals_and_grants_are_reported_under_the_log_name():
    world, gate = world_with(wait_log=True)
    pending = []

    def watcher(world):
        yield world.timeout(HALF)
        pending.append({who: (rec.time, rec.seq) for who, rec in world.wait_log.by_resource["gate"].items()})

    world.spawn("a", waits_at(gate, [])(world))
    world.spawn("b", waits_at(gate, [], delay=HALF / 2)(world))
    world.spawn("watcher", watcher(world))
    world.spawn("opener", opens_at(gate, 1)(world))
    world.run()
    assert pending == [{"a": (0, 1), "b": (HALF / 2, 2)}]
    log = world.wait_log
    assert log.by_resource["gate"] == {}  # both granted
    assert log.waited == {("gate", "a"): 1, ("gate", "b"): 1}  # each blocked for at least a step
    # a was granted first, so b saw a grant to an earlier arrival, which is no overtaking
    (b_record,) = log.finished
    assert b_record.who == "b" and [other[2:] for other in b_record.others] == [("a", False)]


def test_a_custom_log_name_or_none_decides_what_the_wait_log_sees():
    world = detsim.World()
    world.wait_log = WaitLog(world)
    sends = Gate(world, "box", log_name="box:send")
    quiet = Gate(world, "quiet", log_name=None)
    for gate, name in ((sends, "s"), (quiet, "q")):
        world.spawn(name, waits_at(gate, [])(world))
    world.run(until=1)
    assert set(world.wait_log.by_resource) == {"box:send"}
    assert list(world.wait_log.by_resource["box:send"]) == ["s"]
    assert len(quiet.queue) == 1  # parked all the same

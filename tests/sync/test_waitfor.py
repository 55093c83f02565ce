"""The wait-for graph (waiter → resource → holder) and the deadlock reports built on it:
wait-for cycles, reported the moment they close, and global stalls."""
from dataclasses import dataclass

import detsim
from tests.support import scripted


def task(name):
    return ("task", name)


def res(name):
    return ("resource", name)


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

    result = detsim.run(scripted(make, holder=holder, waiter=waiter, listener=listener, observer=observer))
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
    result = detsim.run(scripted(inversion, a=ab("x", "y"), b=ab("y", "x")))
    v = result.violation
    assert v is not None and v.property == "no deadlock"
    assert v.message == "wait-for cycle: a → lock-y (held by b) → b → lock-x (held by a) → a"
    assert v.cycle == ["a", "lock-y", "b", "lock-x"]
    assert v.step == result.model.closing_step == result.steps
    assert v.process == "b"  # b's acquire closed the cycle
    report = detsim.check(scripted(inversion, a=ab("x", "y"), b=ab("y", "x")), detsim.Random(0),
                          runs=1).report()
    assert "wait-for cycle: a → lock-y (held by b) → b → lock-x (held by a) → a" in report


def test_the_cycle_text_starts_at_the_smallest_name_whoever_closes_it():
    result = detsim.run(scripted(inversion, b=ab("y", "x"), a=ab("x", "y")))
    assert result.violation.process == "a"
    assert result.violation.message == "wait-for cycle: a → lock-y (held by b) → b → lock-x (held by a) → a"


def test_same_order_never_deadlocks():
    result = detsim.check(scripted(inversion, a=ab("x", "y"), b=ab("x", "y")), detsim.Random(0), runs=100)
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

    result = detsim.run(scripted(make, p=recv_from("c1"), q=recv_from("c2"), r=waits_forever))
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

    result = detsim.run(scripted(make, daemons=["server"], server=server, client=client))
    assert result.ok and result.end == "quiescent" and result.model.log == ["req"]
    assert result.world.tasks["server"].is_alive

    stalled = detsim.run(scripted(make, server=server, client=client))
    assert stalled.violation.property == "no deadlock" and "server (waits on channel inbox" in stalled.violation.message


def test_a_daemon_in_a_cycle_is_still_a_deadlock():
    result = detsim.run(scripted(inversion, daemons=["b"], a=ab("x", "y"), b=ab("y", "x")))
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


# ---- the incremental search finds the cycle networkx.find_cycle finds ----------------------

def _random_graph(rng, nodes: int, edges: int):
    """A random digraph as ordered successor dicts (with removals, so insertion order
    differs from sorted order) and the same graph in networkx."""
    import networkx as nx

    succ, graph = {}, nx.DiGraph()
    for _ in range(edges):
        a, b = rng.randrange(nodes), rng.randrange(nodes)
        if rng.random() < 0.2 and b in succ.get(a, {}):
            del succ[a][b]
            graph.remove_edge(a, b)
            continue
        succ.setdefault(a, {})[b] = None
        succ.setdefault(b, {})
        graph.add_edge(a, b)
    return succ, graph


def test_first_cycle_is_networkx_find_cycle_on_random_graphs():
    import random

    import networkx as nx

    from detsim.sync._waitfor import first_cycle

    rng = random.Random(14)
    found = acyclic = 0
    for _ in range(3000):
        nodes = rng.randrange(1, 12)
        succ, graph = _random_graph(rng, nodes, rng.randrange(0, 3 * nodes))
        source = rng.randrange(nodes)
        if source not in succ:
            assert first_cycle(succ, source) is None
            continue
        try:
            expected = [u for u, _ in nx.find_cycle(graph, source=source)]
        except nx.NetworkXNoCycle:
            expected = None
        assert first_cycle(succ, source) == expected, (succ, source)
        found += expected is not None
        acyclic += expected is None
    assert found > 500 and acyclic > 500  # both outcomes were exercised


def test_the_graph_property_is_a_networkx_view_of_the_edges_now():
    world = detsim.World()

    class Named:
        def __init__(self, name):
            self.name, self.waiting_for = name, None

    a, b, lock = Named("a"), Named("b"), Named("lock")
    world.waitfor.hold(lock, a)
    world.waitfor.wait(b, lock)
    assert list(world.waitfor.graph.edges()) == [(res("lock"), task("a")), (task("b"), res("lock"))]
    assert b.waiting_for is lock and world.alarm is None
    world.waitfor.forget(a)
    assert list(world.waitfor.graph.edges()) == [(task("b"), res("lock"))]
    world.waitfor.hold(lock, a)
    world.waitfor.wait(a, lock)  # a waits on what it holds: a cycle of one task
    assert world.alarm is not None and world.alarm.cycle == ["a", "lock"]

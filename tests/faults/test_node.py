"""Nodes: a crash ends their processes cleanly (even the crashing one's own), a restart
rebuilds volatile state from the durable disk, buffered writes may be lost in a
crash, and a paused node is frozen while its messages queue."""
from fractions import Fraction

import detsim
from tests.support import run_scenario, scenario


# ---- crash and restart ------------------------------------------------------------

@scenario
def crash_and_restart(model, world):
    def boot(node):
        # volatile state is rebuilt from the disk at every boot
        state = {"count": node.disk.read("count", 0)}
        model.log.append(("boot", world.now, node.incarnation, state["count"]))

        def counter():
            try:
                while True:
                    yield node.sleep(1)
                    state["count"] += 1
                    if state["count"] % 2 == 0:
                        node.disk.write("count", state["count"])  # sync: survives a crash
            finally:
                node.send("other", "goodbye")  # runs on crash, but a down node cannot send

        node.spawn("counter", counter())
        node.spawn("listener", listener(node), daemon=True)

    def listener(node):
        while True:
            yield node.recv()

    world.node("other")
    n1 = world.node("n1", boot=boot)

    def driver():
        watcher = n1.tasks[0]
        yield world.timeout(Fraction(7, 2))
        n1.crash()
        model.log.append(("joined", (yield watcher)))
        model.log.append(("down", n1.up, sorted(t for t in world.tasks if t.startswith("n1/"))))
        yield world.timeout(2)
        n1.restart()
        yield world.timeout(Fraction(5, 2))
        n1.crash()

    world.spawn("driver", driver())


def test_crash_ends_processes_cleanly_and_restart_rebuilds_from_disk():
    result = run_scenario("crash_and_restart")
    assert result.ok, result.violation  # no exception is reported for killed processes
    log = result.model.log
    assert log[0] == ("boot", 0, 1, 0)
    assert log[1] == ("joined", detsim.CRASHED)
    assert log[2] == ("down", False, [])
    assert log[3] == ("boot", Fraction(11, 2), 2, 2)  # counted to 3, only 2 was durable
    assert result.counters["fault:crash"] == 2 and result.counters["node:restart"] == 1
    assert result.counters.get("net:sent", 0) == 0  # finally blocks cannot send from a down node
    assert detsim.replay(result.trace).model.log == log


@scenario
def buffered_writes(model, world):
    n1 = world.node("n1")

    def writer():
        n1.disk.write("a", 1, sync=False)
        n1.disk.write("b", 2, sync=False)
        n1.disk.write("c", 3, sync=False)
        model.log.append(("before crash", n1.disk.read("c"), n1.disk.pending))
        yield world.timeout(10)

    n1.spawn("writer", writer())

    def driver():
        yield world.timeout(1)
        n1.crash()
        model.log.append(("after crash", n1.disk.read("a"), n1.disk.read("b"), n1.disk.read("c")))

    world.spawn("driver", driver())


def test_buffered_writes_survive_by_default_and_a_crash_may_lose_a_suffix():
    plan = {"kinds": ["crash"], "heal_at": 50}
    kept = run_scenario("buffered_writes", faults=plan)
    assert kept.model.log == [("before crash", 3, 3), ("after crash", 1, 2, 3)]
    lost = run_scenario("buffered_writes", {"lose-writes n1": 2}, faults=plan)
    assert lost.model.log[1] == ("after crash", 1, None, None)
    d = next(d for d in lost.trace.decisions if d.label == "lose-writes n1")
    assert d.candidates == ("keep 3 of 3", "keep 2 of 3", "keep 1 of 3", "keep 0 of 3")
    assert lost.counters["fault:lost-writes"] == 1


@scenario
def crash_myself(model, world):
    n1 = world.node("n1")

    def suicidal():
        yield world.timeout(1)
        n1.crash()
        model.log.append(("still running until the next yield", world.now))
        yield world.timeout(1)
        model.log.append("never")

    n1.spawn("p", suicidal())


def test_a_node_crashing_itself_dies_at_its_next_yield():
    result = run_scenario("crash_myself")
    assert result.ok, result.violation
    assert result.model.log == [("still running until the next yield", 1)]


# ---- pause ------------------------------------------------------------------------

@scenario
def paused(model, world):
    world.network.configure(1)
    a, b = world.node("a"), world.node("b")

    def sleeper():
        yield b.sleep(3)
        model.log.append(("woke", world.now, b.clock()))
        msg = yield b.recv()
        model.log.append(("got", world.now, msg.body))

    b.spawn("sleeper", sleeper())

    def driver():
        yield world.timeout(1)
        b.pause(10)
        a.send("b", "hello")  # arrives at t=2, while b is frozen
        model.log.append(("paused", b.paused))

    world.spawn("driver", driver())


def test_pause_freezes_a_node_and_queues_its_messages():
    result = run_scenario("paused")
    assert result.ok, result.violation
    assert result.model.log == [("paused", True), ("woke", 11, 11), ("got", 11, "hello")]
    assert result.counters["fault:pause"] == 1

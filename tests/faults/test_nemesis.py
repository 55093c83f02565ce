"""The nemesis (``world.faults``): pauses of a chosen duration, the fault budget, swarm
testing, sparse fault rates in Random and PCT, nodes kept out of node faults
(``faults=False``) and crash points that ask the crash decision."""
import pytest

import detsim
from tests.support import CHATTER_MESSAGES, Scenario, run_scenario, scenario


# ---- pause ------------------------------------------------------------------------

@scenario
def nemesis_pause(model, world):
    world.network.configure(1)
    a, b = world.node("a"), world.node("b")

    def sleeper():
        yield b.sleep(3)
        model.log.append(("woke", world.now, b.clock()))
        msg = yield b.recv()
        model.log.append(("got", world.now, msg.body))

    b.spawn("sleeper", sleeper())

    def sender():
        yield a.sleep(1)
        a.send("b", "hello")

    a.spawn("sender", sender())


def test_the_nemesis_pauses_for_a_chosen_duration():
    plan = {"kinds": ["pause"], "heal_at": 40, "every": 2, "durations": [5, 20], "budget": 1}
    assert run_scenario("nemesis_pause", faults=plan).model.log == [("woke", 3, 3), ("got", 3, "hello")]
    result = run_scenario("nemesis_pause", {"pause b": 2}, faults=plan)
    d = next(d for d in result.trace.decisions if d.label == "pause b")
    assert d.candidates == ("no", "pause 5", "pause 20") and d.time == 2
    assert result.model.log[-2:] == [("woke", 22, 22), ("got", 22, "hello")]


# ---- budget, swarm, rates ---------------------------------------------------------

def test_the_budget_stops_fault_decisions_once_spent():
    plan = {"kinds": ["drop"], "budget": 2}
    result = detsim.run(Scenario("chatter", plan), detsim.Random(1, fault_rate=1.0))
    drops = [d for d in result.trace.decisions if d.label.startswith("drop")]
    assert len(drops) == 2 and all(d.chosen == 1 for d in drops)
    assert len(result.model.log) == CHATTER_MESSAGES - 2
    assert result.counters["fault:drop"] == 2


def test_swarm_decides_the_enabled_kinds_per_run():
    plan = {"kinds": ["drop", "duplicate"], "budget": 5, "swarm": True}
    on = run_scenario("chatter", faults=plan)
    assert [d.label for d in on.trace.decisions[:2]] == ["swarm drop", "swarm duplicate"]
    assert on.counters["fault-enabled:drop"] == 1
    off = run_scenario("chatter", {"swarm drop": 1}, faults=plan)
    assert not [d for d in off.trace.decisions if d.label.startswith("drop")]
    assert [d for d in off.trace.decisions if d.label.startswith("duplicate")]
    assert "fault-enabled:drop" not in off.counters


def test_random_makes_fault_decisions_sparse_and_schedules_uniform():
    plan = {"kinds": ["drop"], "budget": 1000, "rate": 0.05}
    fired = asked = 0
    for seed in range(20):
        result = detsim.run(Scenario("chatter", plan), detsim.Random(seed))
        drops = [d for d in result.trace.decisions if d.label.startswith("drop")]
        asked += len(drops)
        fired += sum(d.chosen for d in drops)
    assert asked == 20 * CHATTER_MESSAGES
    assert 0.02 < fired / asked < 0.09
    dense = detsim.run(Scenario("chatter", plan), detsim.Random(0, fault_rate=0.5))
    drops = [d.chosen for d in dense.trace.decisions if d.label.startswith("drop")]
    assert 10 < sum(drops) < 30
    pct = detsim.run(Scenario("chatter", plan), detsim.PCT(2, 0, fault_rate=0.0))
    assert all(d.chosen == 0 for d in pct.trace.decisions if d.label.startswith("drop"))


# ---- nodes that faults do not target, and crash points ----------------------------

@scenario
def servers_and_a_client(model, world):
    world.network.configure(1)

    def boot(node):
        def chat():
            while True:
                yield node.sleep(1)
                node.broadcast("ping")

        node.spawn("chat", chat(), daemon=True)

    for name in ("s1", "s2", "s3"):
        world.node(name, boot)
    world.node("c1", boot, faults=False)


def test_nodes_created_with_faults_false_are_never_node_fault_targets():
    plan = {"kinds": ["drop", "crash", "pause", "clock", "partition"], "budget": 1000, "heal_at": 30, "every": 2}
    labels = set()
    for seed in range(5):
        result = detsim.run(Scenario("servers_and_a_client", plan), detsim.Random(seed, fault_rate=0.5), horizon=40)
        assert result.ok, result.violation
        labels |= {d.label for d in result.trace.decisions}
        for d in result.trace.decisions:
            if d.label == "partition":
                assert not any("c1" in shape for shape in d.candidates)
                assert "isolate s1" in d.candidates and "s1-/->s2" in d.candidates
        assert result.counters.get("fault:crash", 0) + result.counters.get("fault:pause", 0) > 0
    node_faults = [label for label in labels if label.startswith(("crash ", "pause ", "clock "))]
    assert any("s1" in label for label in node_faults) and not any("c1" in label for label in node_faults)
    assert any(label.startswith("drop c1->") for label in labels)  # its messages may still be lost
    assert any(label.startswith("drop s1->c1") for label in labels)


def test_an_isolated_node_is_cut_from_fault_free_nodes_too_and_faults_is_set_at_creation():
    result = run_scenario("servers_and_a_client", {"partition": 1},
                 faults={"kinds": ["partition"], "budget": 1, "heal_at": 30, "every": 2}, horizon=5)
    net = result.world.network
    assert net.cut_name == "isolate s1" and net.partitioned("c1", "s1") and not net.partitioned("c1", "s2")
    assert [n.faults for n in net.nodes.values()] == [True, True, True, False]
    with pytest.raises(detsim.ModelError, match="already exists"):
        result.world.node("c1", faults=False)
    assert result.world.node("c1") is net.nodes["c1"]


@scenario
def crash_points(model, world):
    def boot(node):
        model.log.append((node.name, "boot", world.now, node.incarnation))

        def worker():
            for k in range(3):
                yield node.sleep(10)
                node.disk.write("k", k)
                model.log.append((node.name, world.now, world.faults.crash_point(node, "after write")))

        node.spawn("worker", worker())

    world.node("n1", boot)
    world.node("c1", boot, faults=False)


CRASH_POINT_PLAN = {"kinds": ["crash"], "budget": 1, "heal_at": 45, "every": 1000, "durations": [5, 20]}


def test_a_crash_point_asks_the_crash_decision_and_restarts_the_node_like_the_nemesis():
    quiet = run_scenario("crash_points", faults=CRASH_POINT_PLAN)
    asked = [d for d in quiet.trace.decisions if d.label.startswith("crash ")]
    # only n1 is asked, only while the budget lasts and before heal_at (45)
    assert [(d.label, d.time, d.candidates) for d in asked] == [
        ("crash n1 after write", t, ("no", "crash 5", "crash 20")) for t in (10, 20, 30)]
    result = run_scenario("crash_points", {"crash n1 after write": 2}, faults=CRASH_POINT_PLAN)
    assert [d.time for d in result.trace.decisions if d.label.startswith("crash ")] == [10]  # budget spent
    n1 = [entry for entry in result.model.log if entry[0] == "n1"]
    # the crash lands after the current step; the restart comes 20 later, as a nemesis crash would
    assert n1 == [("n1", "boot", 0, 1), ("n1", 10, True), ("n1", "boot", 30, 2),
                  ("n1", 40, False), ("n1", 50, False), ("n1", 60, False)]
    assert result.counters["fault:crash"] == 1 and result.world.faults.budget_left == 0
    assert [e for e in result.model.log if e[0] == "c1"][1:] == [("c1", t, False) for t in (10, 20, 30)]


def test_a_crash_point_asks_nothing_when_crashes_are_off():
    result = run_scenario("crash_points", faults={"kinds": ["drop"], "budget": 5})
    assert not [d for d in result.trace.decisions if d.label.startswith("crash ")]
    assert all(entry[2] is False for entry in result.model.log if entry[1] != "boot")

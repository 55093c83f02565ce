"""Nodes and fault plans: crash, restart from durable state, lost buffered writes,
pause, clocks, budget, swarm, two-phase runs, sparse fault rates, coverage,
shrinking over faults, and Hypothesis fault plans."""
import warnings
from dataclasses import dataclass, field
from fractions import Fraction

import pytest
from hypothesis import given, settings

import detsim
from detsim.testing import assert_run_holds, fault_plans, schedules
from tests.support import Pick

SCENARIOS = {}


def scenario(fn):
    SCENARIOS[fn.__name__] = fn
    return fn


@dataclass
class Scenario(detsim.Model):
    name: str = ""
    faults: dict = field(default_factory=dict)

    def setup(self, world):
        self.log = []
        if self.faults:
            world.faults.configure(self.faults)
        SCENARIOS[self.name](self, world)



def run(name, picks=None, faults=None, **settings):
    return detsim.run(Scenario(name, faults or {}), Pick(picks), **settings)


# ---- crash and restart ----------------------------------------------------------------------
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
    result = run("crash_and_restart")
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
    kept = run("buffered_writes", faults=plan)
    assert kept.model.log == [("before crash", 3, 3), ("after crash", 1, 2, 3)]
    lost = run("buffered_writes", {"lose-writes n1": 2}, faults=plan)
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
    result = run("crash_myself")
    assert result.ok, result.violation
    assert result.model.log == [("still running until the next yield", 1)]


# ---- pause ------------------------------------------------------------------------------------------
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
    result = run("paused")
    assert result.ok, result.violation
    assert result.model.log == [("paused", True), ("woke", 11, 11), ("got", 11, "hello")]
    assert result.counters["fault:pause"] == 1


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
    assert run("nemesis_pause", faults=plan).model.log == [("woke", 3, 3), ("got", 3, "hello")]
    result = run("nemesis_pause", {"pause b": 2}, faults=plan)
    d = next(d for d in result.trace.decisions if d.label == "pause b")
    assert d.candidates == ("no", "pause 5", "pause 20") and d.time == 2
    assert result.model.log[-2:] == [("woke", 22, 22), ("got", 22, "hello")]


# ---- clocks ------------------------------------------------------------------------------------------
@scenario
def clocks(model, world):
    n1 = world.node("n1")

    def reader():
        model.log.append(("start", n1.clock()))
        yield n1.sleep(11)  # node time: with drift 11/10 that is 10 of world time
        model.log.append(("slept", world.now, n1.clock()))
        n1.clock_source.jump(5)
        model.log.append(("jumped", world.now, n1.clock()))
        yield n1.sleep_until(n1.clock() + 10)
        model.log.append(("until", world.now, n1.clock()))
        waiter = n1.sleep_until(n1.clock() + 10)
        n1.clock_source.jump(20)  # forward: the wall-clock wait ends at once
        yield waiter
        model.log.append(("woke early", world.now))

    n1.spawn("reader", reader())


def test_clock_skew_drift_and_jumps():
    plan = {"kinds": ["clock"], "heal_at": 1, "skew": 3, "drift": "1/10"}
    exact = run("clocks", faults=plan)
    assert exact.model.log[0] == ("start", 0)
    skewed = run("clocks", {"clock n1": 1}, faults=plan)
    assert skewed.model.log[0] == ("start", 3)
    drift = run("clocks", {"clock n1": 3}, faults=plan)
    d = next(d for d in drift.trace.decisions if d.label == "clock n1")
    assert d.candidates == ("exact", "skew +3", "skew -3", "drift 11/10", "drift 9/10")
    assert drift.model.log[1:] == [("slept", 10, 11), ("jumped", 10, 16),
                                   ("until", Fraction(210, 11), 26), ("woke early", Fraction(210, 11))]
    assert drift.counters["fault:clock"] == 1 and drift.counters["clock:jump"] == 2


# ---- budget, swarm, rates --------------------------------------------------------------------------
@scenario
def chatter(model, world):
    world.network.configure(1)
    a, b = world.node("a"), world.node("b")

    def rx():
        while True:
            msg = yield b.recv()
            model.log.append(msg.number)

    b.spawn("rx", rx(), daemon=True)

    def tx():
        for _ in range(model_messages):
            a.send("b", "m")
            yield world.timeout(1)

    a.spawn("tx", tx())


model_messages = 40


def test_the_budget_stops_fault_decisions_once_spent():
    plan = {"kinds": ["drop"], "budget": 2}
    result = detsim.run(Scenario("chatter", plan), detsim.Random(1, fault_rate=1.0))
    drops = [d for d in result.trace.decisions if d.label.startswith("drop")]
    assert len(drops) == 2 and all(d.chosen == 1 for d in drops)
    assert len(result.model.log) == model_messages - 2
    assert result.counters["fault:drop"] == 2


def test_swarm_decides_the_enabled_kinds_per_run():
    plan = {"kinds": ["drop", "duplicate"], "budget": 5, "swarm": True}
    on = run("chatter", faults=plan)
    assert [d.label for d in on.trace.decisions[:2]] == ["swarm drop", "swarm duplicate"]
    assert on.counters["fault-enabled:drop"] == 1
    off = run("chatter", {"swarm drop": 1}, faults=plan)
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
    assert asked == 20 * model_messages
    assert 0.02 < fired / asked < 0.09
    dense = detsim.run(Scenario("chatter", plan), detsim.Random(0, fault_rate=0.5))
    drops = [d.chosen for d in dense.trace.decisions if d.label.startswith("drop")]
    assert 10 < sum(drops) < 30
    pct = detsim.run(Scenario("chatter", plan), detsim.PCT(2, 0, fault_rate=0.0))
    assert all(d.chosen == 0 for d in pct.trace.decisions if d.label.startswith("drop"))


# ---- two-phase runs ---------------------------------------------------------------------------------
@dataclass
class HealThenElect(detsim.Model):
    """Two nodes; the follower learns of the leader by heartbeats, sent every 3."""

    within: int = 10
    faults: dict = field(default_factory=lambda: {"kinds": ["drop", "partition", "crash", "pause"],
                                                  "budget": 10, "heal_at": 30, "rate": 0.5, "every": 4})
    horizon: int = 60  # heartbeats never stop: the run ends at the horizon

    def setup(self, world):
        self.world = world
        self.heard = None
        world.faults.configure(self.faults)
        world.network.configure((1, 2))
        world.node("leader", boot=lambda n: n.spawn("beat", self.beat(n), daemon=True))
        world.node("follower", boot=lambda n: n.spawn("listen", self.listen(n), daemon=True))

    def beat(self, node):
        while True:
            node.send("follower", "beat")
            yield node.sleep(3)

    def listen(self, node):
        while True:
            yield node.recv()
            self.heard = self.world.now

    def properties(self):
        heal = self.faults["heal_at"]
        return [detsim.eventually("heard after heal", lambda m: m.heard is not None and m.heard >= heal,
                                  within=self.within)]


def test_faults_happen_only_before_heal_and_liveness_is_judged_from_it():
    for seed in range(30):
        result = detsim.run(HealThenElect(), detsim.Random(seed))
        assert result.ok, result.violation
        assert result.world.liveness_origin == 30
        faults = [d for d in result.trace.decisions if d.chosen and d.label.startswith(
            ("drop", "partition", "crash", "pause"))]
        assert all(d.time < 30 for d in faults)
        assert all(node.up and not node.paused for node in result.world.network.nodes.values())
        assert result.world.network.cut_name is None
    check = detsim.check(HealThenElect(), detsim.Random(0), runs=30)
    assert check.ok
    assert all(check.fault_coverage[k]["fired"] > 0 for k in ("drop", "partition", "crash", "pause"))
    too_tight = detsim.run(HealThenElect(within=0), detsim.Fifo())
    assert too_tight.violation.property == "heard after heal"
    assert "t=30" in too_tight.violation.message


# ---- coverage --------------------------------------------------------------------------------------------
def test_a_campaign_whose_faults_never_fire_warns():
    plan = {"kinds": ["drop"], "rate": 0.0}
    with pytest.warns(detsim.FaultCoverageWarning, match="fault injection did nothing"):
        result = detsim.check(Scenario("chatter", plan), detsim.Random(0), runs=5)
    assert result.ok and any("did nothing" in note for note in result.notes)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fired = detsim.check(Scenario("chatter", {"kinds": ["drop"]}), detsim.Random(0), runs=5)
    assert fired.fault_coverage == {"drop": {"enabled": 5, "fired": fired.counters["fault:drop"]}}
    table = fired.fault_table()
    assert "5 run(s) with a fault plan of 5" in table and "drop" in table and "with at least one fault" in table
    quiet = detsim.check(Scenario("two_nodes_no_plan"), detsim.Random(0), runs=2)
    assert not quiet.notes


@scenario
def two_nodes_no_plan(model, world):
    chatter(model, world)


# ---- shrinking over faults and deviations together ----------------------------------------------------
@dataclass
class NeedsDropAndRace(detsim.Model):
    """c1 asks at t=0, c2 at t=1, each retries blindly 3 later; the server must
    hear c1 first. Only a lost first request from c1 breaks that."""

    faults: dict = field(default_factory=lambda: {"kinds": ["drop", "duplicate"], "budget": 4, "rate": 0.2})

    def setup(self, world):
        self.order = []
        world.faults.configure(self.faults)
        world.network.configure(1)
        server = world.node("server")
        server.spawn("serve", self.serve(server), daemon=True)
        for name in ("c1", "c2"):
            node = world.node(name)
            node.spawn("client", self.client(node))

    def serve(self, node):
        while True:
            msg = yield node.recv()
            if msg.body not in self.order:
                self.order.append(msg.body)

    def client(self, node):
        yield node.sleep(0 if node.name == "c1" else 1)
        node.send("server", node.name)
        yield node.sleep(3)
        node.send("server", node.name)  # a blind retry

    def properties(self):
        return [detsim.at_end("c1 first", lambda m: m.order[:1] == ["c1"])]


def test_a_shrunk_counterexample_is_one_minimal_over_faults_and_schedules():
    result = detsim.check(NeedsDropAndRace(), detsim.Random(0), runs=300)
    assert not result.ok and result.one_minimal
    labels = [d.label for _, d in result.trace.deviations()]
    # The drop is the fault the bug needs. The shrinker anchors deviations by
    # position, so a start-order deviation that moves the drop's position can stay.
    assert "drop c1->server #1" in labels and len(labels) <= 2, result.report()
    assert len(result.original_trace.deviations()) > len(labels)
    assert detsim.replay(result.trace).violation.property == "c1 first"


# ---- Hypothesis: fault plans compose with schedules ----------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(schedule=schedules(), plan=fault_plans(base={"heal_at": 30, "every": 4}))
def test_fault_plans_compose_with_schedules(schedule, plan):
    assert plan.kinds and 1 <= plan.budget <= 4 and plan.heal_at == 30
    assert_run_holds(plan.apply(HealThenElect()), schedule, save_dir=None)


def test_fault_plans_find_and_report_a_planted_fault_bug():
    from hypothesis import find

    plan = find(fault_plans(kinds=("drop", "duplicate")),
                lambda p: not detsim.check(p.apply(NeedsDropAndRace()), detsim.Random(0), runs=30,
                                           shrink=False).ok, settings=settings(database=None))
    assert plan.kinds == ("drop",) and plan.budget == 1 and not plan.swarm


# ---- nodes that faults do not target, and crash points ----------------------------------------------
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
    result = run("servers_and_a_client", {"partition": 1},
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
    quiet = run("crash_points", faults=CRASH_POINT_PLAN)
    asked = [d for d in quiet.trace.decisions if d.label.startswith("crash ")]
    # only n1 is asked, only while the budget lasts and before heal_at (45)
    assert [(d.label, d.time, d.candidates) for d in asked] == [
        ("crash n1 after write", t, ("no", "crash 5", "crash 20")) for t in (10, 20, 30)]
    result = run("crash_points", {"crash n1 after write": 2}, faults=CRASH_POINT_PLAN)
    assert [d.time for d in result.trace.decisions if d.label.startswith("crash ")] == [10]  # budget spent
    n1 = [entry for entry in result.model.log if entry[0] == "n1"]
    # the crash lands after the current step; the restart comes 20 later, as a nemesis crash would
    assert n1 == [("n1", "boot", 0, 1), ("n1", 10, True), ("n1", "boot", 30, 2),
                  ("n1", 40, False), ("n1", 50, False), ("n1", 60, False)]
    assert result.counters["fault:crash"] == 1 and result.world.faults.budget_left == 0
    assert [e for e in result.model.log if e[0] == "c1"][1:] == [("c1", t, False) for t in (10, 20, 30)]


def test_a_crash_point_asks_nothing_when_crashes_are_off():
    result = run("crash_points", faults={"kinds": ["drop"], "budget": 5})
    assert not [d for d in result.trace.decisions if d.label.startswith("crash ")]
    assert all(entry[2] is False for entry in result.model.log if entry[1] != "boot")

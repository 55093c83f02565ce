"""Fault plans: two-phase runs (faults only before heal_at, liveness judged from it),
counterexamples shrunk over faults and schedules together, and Hypothesis fault
plans that compose with schedules and find a planted fault bug."""
from dataclasses import dataclass, field

from hypothesis import find, given, settings

import detsim
from detsim.testing import assert_run_holds, fault_plans, schedules


# ---- two-phase runs ---------------------------------------------------------------

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


# ---- shrinking over faults and deviations together --------------------------------

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


# ---- Hypothesis: fault plans compose with schedules -------------------------------
@settings(max_examples=25, deadline=None)
@given(schedule=schedules(), plan=fault_plans(base={"heal_at": 30, "every": 4}))
def test_fault_plans_compose_with_schedules(schedule, plan):
    assert plan.kinds and 1 <= plan.budget <= 4 and plan.heal_at == 30
    assert_run_holds(plan.apply(HealThenElect()), schedule, save_dir=None)


def test_fault_plans_find_and_report_a_planted_fault_bug():
    plan = find(fault_plans(kinds=("drop", "duplicate")),
                lambda p: not detsim.check(p.apply(NeedsDropAndRace()), detsim.Random(0), runs=30,
                                           shrink=False).ok, settings=settings(database=None))
    assert plan.kinds == ("drop",) and plan.budget == 1 and not plan.swarm


# ---- crash points in drawn plans ------------------------------------------------------

def test_drawn_plans_have_crash_points_only_with_the_crash_kind():
    @settings(max_examples=60, database=None, derandomize=True)
    @given(fault_plans(kinds=("drop", "crash")))
    def check(plan):
        if "crash" not in plan.kinds:
            assert plan.crash_points == ()
        assert set(plan.crash_points) <= set(detsim.faults.CRASH_POINTS)

    check()


def test_a_base_with_crash_points_draws_plans_without_the_crash_kind_too():
    base = {"kinds": ["drop", "crash"], "crash_points": ["write"], "budget": 2}
    plans = []

    @settings(max_examples=40, database=None, derandomize=True)
    @given(fault_plans(base=base))
    def check(plan):
        plans.append(plan)
        assert plan.crash_points in ((), ("write",))

    check()
    assert any("crash" not in p.kinds for p in plans) and any(p.crash_points for p in plans)


def test_hypothesis_shrinks_to_the_one_crash_point_needed():
    plan = find(fault_plans(kinds=("crash", "drop")), lambda p: "recv" in p.crash_points,
                settings=settings(database=None))
    assert plan.kinds == ("crash",) and plan.crash_points == ("recv",) and plan.budget == 1

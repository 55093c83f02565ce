"""11. Small semantic traps a user fell into (the history-reader traps are tested with
the history checker in tests/history/)."""
from dataclasses import dataclass, field

from hypothesis import given, settings

import detsim
from detsim.faults import FaultPlan
from detsim.testing import fault_plans, from_seed, schedules


@dataclass
class Gossip(detsim.Model):
    """Two nodes send each other a message; a fault plan may drop it."""
    faults: dict = field(default_factory=lambda: {"kinds": ["drop"], "budget": 1, "rate": 0.5})

    def setup(self, world):
        world.faults.configure(self.faults)
        self.got = []
        for name in ("a", "b"):
            world.node(name, boot=self.boot)

    def boot(self, node):
        node.spawn("main", self.main(node))

    def main(self, node):
        node.send("b" if node.name == "a" else "a", "hello")
        msg = yield node.recv(timeout=5)
        if msg is not None:
            self.got.append(node.name)


def test_a_drawn_fault_plan_can_be_a_model_parameter():
    @settings(max_examples=10, database=None, derandomize=True)
    @given(fault_plans(base=Gossip().faults))
    def check(plan):
        assert isinstance(plan, FaultPlan)
        result = detsim.run(Gossip(faults=plan), detsim.Random(3))
        assert result.trace.params["faults"] == plan.to_dict()  # stored as JSON, replayable
        assert detsim.replay(result.trace).trace.decisions == result.trace.decisions
        assert plan.apply(Gossip()).faults == plan.to_dict()  # the other documented way

    check()


def test_a_failing_schedules_example_prints_as_code_to_paste():
    drawn = []

    @settings(max_examples=5, database=None, derandomize=True)
    @given(schedules())
    def collect(schedule):
        drawn.append(schedule)

    collect()
    for schedule in drawn:
        again = eval(repr(schedule), {"Random": detsim.Random, "PCT": detsim.PCT})
        assert repr(again) == repr(schedule) and type(again) is type(schedule)
    assert repr(from_seed(15, 3)) == "PCT(depth=3, seed=15)" and repr(from_seed(4)) == "Random(4)"


@dataclass
class Stall(detsim.Model):
    """Three waiters on a notify that nobody notifies: a global stall."""

    def setup(self, world):
        self.bell = world.notify("bell")
        for i in range(3):
            world.spawn(f"w{i}", self.wait(world, i))

    def wait(self, world, i):
        yield world.timeout(i)
        yield self.bell.notified()


def test_a_stall_report_shows_the_waiting_counts_of_now():
    result = detsim.run(Stall(), detsim.Fifo())
    message = result.violation.message
    assert message.count("notify bell (3 waiting") == 3, message  # not 1, 2, 3 from when each began

"""no_livelock: the run's abstract state graph, lassos found, shrunk and printed,
progress marks, and clear errors for a bad ``state()``."""
import itertools
import re
from dataclasses import dataclass

import networkx as nx
import pytest

import detsim
from detsim.search import Guided

HERE = re.escape(__name__)  # errors name the model as module:Class


@dataclass
class Cycler(detsim.Model):
    """Warms up through distinct states, then cycles among ``period`` states.
    ``leader="b"`` (a race at the start; FIFO lets "a" win) makes it cycle without
    progress; otherwise every turn of the cycle is progress."""

    warmup: int = 3
    period: int = 3
    turns: int = 40
    progress_every: int = 0  # 0: never

    def setup(self, world):
        self.phase, self.leader = ("warm", 0), None
        world.spawn("a", self.racer("a"))
        world.spawn("b", self.racer("b"))
        world.spawn("looper", self.looper(world))

    def racer(self, name):
        if self.leader is None:
            self.leader = name
        return
        yield

    def looper(self, world):
        yield world.checkpoint()
        for i in range(self.warmup):
            self.phase = ("warm", i + 1)
            yield world.checkpoint()
        for n in range(self.turns * self.period):
            self.phase = ("loop", n % self.period)
            if self.leader == "a" and n % self.period == 0 or self.progress_every and n % self.progress_every == 0:
                world.progress("turn")
            yield world.checkpoint()

    def state(self):
        return self.phase

    def properties(self):
        return [detsim.no_livelock(window=30)]


def test_livelock_found_shrunk_and_printed_as_a_lasso():
    assert detsim.run(Cycler()).ok  # FIFO: "a" leads, every turn is progress
    result = detsim.check(Cycler(), detsim.Random(0), runs=20)
    assert not result.ok and result.violation.property == "no livelock"
    assert result.one_minimal and len(result.trace.deviations()) == 1
    message = result.violation.message
    assert "the run cycled among 3 abstract states and never left them" in message
    assert "lasso: prefix of" in message and "then a cycle of 3 step(s), gone round 10 time(s)" in message
    lines = message.splitlines()
    cycle = lines[lines.index("    cycle:") + 1:]
    assert len(cycle) == 4 and all(" looper: ('loop', " in line for line in cycle[:3])
    assert sorted(line.rsplit(": ", 1)[1] for line in cycle[:3]) == ["('loop', 0)", "('loop', 1)", "('loop', 2)"]
    assert cycle[3] == "      ↺ back to " + cycle[2].rsplit(": ", 1)[1]  # the state the turn started from
    assert "    prefix:" in message and "looper: ('warm', 3)" in message
    assert detsim.replay(result.trace).violation.message == message


def test_progress_inside_the_window_is_no_livelock():
    result = detsim.run(Cycler(progress_every=10), Guided([(0, 1, "b")]))
    assert result.ok, result.violation


def test_state_graph_of_a_run():
    result = detsim.run(Cycler())
    graph = result.world.state_graph
    assert isinstance(graph, nx.DiGraph)
    assert ("warm", 0) in graph and graph.has_edge(("loop", 2), ("loop", 0))
    assert graph[("loop", 0)][("loop", 1)]["count"] == 40


class Unhashable(Cycler):
    def state(self):
        return [self.phase]


class NoState(detsim.Model):
    def setup(self, world):
        pass

    def properties(self):
        return [detsim.no_livelock()]


_drift = itertools.count()


class Drifting(Cycler):
    """state() reads a global counter: a different story on every replay."""

    def state(self):
        return (self.phase, next(_drift))


def test_unhashable_state_is_a_clear_error_naming_the_model():
    with pytest.raises(detsim.ModelError, match=rf"{HERE}:Unhashable\.state\(\) must return a hashable"):
        detsim.run(Unhashable())


def test_missing_state_is_a_clear_error():
    with pytest.raises(detsim.ModelError, match="NoState: no_livelock needs a state"):
        detsim.run(NoState())


def test_state_that_changes_between_replays_is_a_clear_error_naming_the_model():
    result = detsim.run(Drifting())
    assert result.trace.outcome["state_digests"]["steps"] == result.steps
    with pytest.raises(detsim.ModelError, match=rf"{HERE}:Drifting\.state\(\) is not a function of the schedule"):
        detsim.replay(result.trace)
    longer = detsim.run(Drifting(turns=100))  # past the first digest checkpoint (256 steps)
    with pytest.raises(detsim.ModelError, match="different abstract states between steps 0 and 256"):
        detsim.replay(longer.trace)


def test_livelock_window_must_be_positive():
    with pytest.raises(ValueError):
        detsim.no_livelock(window=0)

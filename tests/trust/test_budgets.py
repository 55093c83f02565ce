"""6. Budgets are enforced as stated: ``--max-steps N`` ends a run at step N; the
overrun is reported (exit 2) with its trace saved and the busiest process named."""
from dataclasses import dataclass

import detsim
from detsim.trace import Trace


@dataclass
class Racy(detsim.Model):
    """Two spinners and a racy counter; b starts its update later, so the default
    schedule is safe and a counterexample needs a deviation (something to shrink)."""
    spin: int = 20

    def setup(self, world):
        self.count = 0
        for name, extra in (("a", 0), ("b", 2)):
            world.spawn(name, self.work(world, extra))

    def work(self, world, extra):
        for _ in range(self.spin + extra):
            yield world.checkpoint()
        seen = self.count
        yield world.checkpoint()
        self.count = seen + 1

    def properties(self):
        return [detsim.at_end("no lost update", lambda m: m.count == 2)]


SPINNER = '''
from dataclasses import dataclass
import detsim


@dataclass
class Spinner(detsim.Model):
    def setup(self, world):
        world.spawn("idle", self.idle(world))
        world.spawn("spinner", self.spin(world))

    def idle(self, world):
        yield world.timeout(1)

    def spin(self, world):
        while True:
            yield world.checkpoint()
'''


def test_max_steps_stops_the_run_at_exactly_n_steps(project):
    project.write("models/spinner.py", SPINNER)
    outcome = project.detsim("check", "models.spinner:Spinner", "--runs", "5", "--max-steps", "300")
    line = outcome.one_error_line("step budget of 300 steps exceeded", "stopped after step 300",
                                  "busiest process spinner", "trace")
    assert outcome.code == 2
    path = line.rsplit("the run's trace: ", 1)[1]
    trace = Trace.load(project.root / path)
    assert trace.outcome["steps"] == 300 and trace.outcome["end"] == "error"


def test_an_overrun_in_a_campaign_is_an_outcome_with_its_trace():
    result = detsim.check(Racy(spin=50), detsim.Random(0), runs=10, max_steps=40)
    assert result.verdict == "error" and not result.ok and result.runs == 1
    assert "run 0: step budget of 40 steps exceeded" in result.error
    assert result.trace is not None and result.trace.outcome["steps"] == 40


def test_the_instant_budget_names_the_busiest_process_of_the_last_steps():
    result = detsim.check(Racy(spin=10_000), detsim.Random(0), runs=3, instant_budget=500)
    assert result.verdict == "error" and "500 steps at one instant" in result.error
    assert "busiest process" in result.error and "of the last" in result.error

"""Exact replay of a recorded trace; any difference raises ReplayDivergence.

While it replays it counts the trace's preemptions (``detsim.trace.is_preemption``):
the process that ran before a schedule decision is known only while the run goes
on, so a trace's preemptions are counted by re-executing it."""
from ..engine import Strategy
from ..errors import ReplayDivergence
from ..trace import SCHEDULE, Trace, is_preemption


class Replay(Strategy):
    name = "replay"
    finite = True

    def __init__(self, trace):
        if not isinstance(trace, Trace):
            trace = Trace.load(trace)
        self.trace = trace
        self.preemptions = 0  # in the run replayed so far

    def begin(self, run: int) -> bool:
        self.preemptions = 0
        return run == 0

    def choose(self, label, candidates, world) -> int:
        pos = len(world.decisions)
        recorded = self.trace.decisions
        where = f"step {world.steps}, t={world.now}, process {world.current_name}"
        if pos >= len(recorded):
            raise ReplayDivergence(
                f"replay diverged at decision #{pos} ({where}): the trace has only {len(recorded)} "
                f"decisions, the run asks {label!r} among {list(candidates)}")
        d = recorded[pos]
        if not d.matches(label, candidates):
            raise ReplayDivergence(
                f"replay diverged at decision #{pos} ({where}): expected {d.label!r} choosing "
                f"{d.choice!r} {d.among()}, actual {label!r} among {list(candidates)}")
        if world.decision_kind == SCHEDULE and is_preemption(world.current_name, candidates, d.chosen):
            self.preemptions += 1
        return d.chosen

    def end(self, result) -> None:
        used, recorded = len(result.world.decisions), len(self.trace.decisions)
        if used < recorded:
            d = self.trace.decisions[used]
            raise ReplayDivergence(
                f"replay diverged at decision #{used}: the run ended at step {result.steps}, "
                f"t={result.now} but the trace expects {d.label!r} choosing {d.choice!r} {d.among()}")

    def describe(self) -> dict:
        return dict(self.trace.strategy)

    def recorded_outcome(self) -> dict:
        return self.trace.outcome

"""Checks, on the schedule actually run, that it was weakly fair.

Liveness verdicts rest on weak fairness with a bound K (``detsim.engine``'s
``Overtaking``). A witness feeds every scheduling decision of the run to the
bookkeeping and remembers the last unfair one: waits and no-progress stretches
only count from there, whatever strategy made the schedule.
"""
from __future__ import annotations

from ..engine import Overtaking, fairness_text
from ..trace import SCHEDULE


class FairnessWitness:
    """Feeds the run's scheduling decisions to ``Overtaking`` after every step."""

    def __init__(self, world, bound: int):
        self.world, self.bound = world, bound
        self.tracker = Overtaking(bound)
        self.seen = 0
        self.last_unfair_step = 0  # steps up to this one are outside the fair stretch
        self.last_unfair_time = None
        self.last_unfair = None  # (victim, overtaker, count)
        self.unfair_decisions = 0

    def sync(self) -> None:
        world = self.world
        decisions = world.decisions
        if self.seen == len(decisions):
            return
        tasks = world.tasks
        for step, time, _, candidates, chosen, kind in decisions[self.seen:]:
            if kind == SCHEDULE:
                over = self.tracker.observe(candidates, chosen, tasks)
                if over is not None:
                    self.last_unfair_step, self.last_unfair_time = step + 1, time
                    self.last_unfair = over
                    self.unfair_decisions += 1
                    world.count("fairness: unfair decisions")
        self.seen = len(decisions)

    def assumption(self) -> str:
        world = self.world
        if self.last_unfair_step:
            victim, overtaker, n = self.last_unfair
            since = (f"from step {self.last_unfair_step + 1} (step {self.last_unfair_step} was unfair: "
                     f"{overtaker} ran {n} times while {victim} was enabled)")
        else:
            since = "from the start"
        return f"assuming {fairness_text(self.bound)}; this schedule was checked fair {since} to step {world.steps}"


def witness_for(world, bound: int) -> FairnessWitness:
    """The run's witness for fairness bound ``bound`` (shared by every liveness property)."""
    witnesses = world.fairness_witnesses
    if bound not in witnesses:
        witnesses[bound] = FairnessWitness(world, bound)
    return witnesses[bound]

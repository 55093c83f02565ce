"""Fair scheduling: any strategy made weakly fair with a bound, as in CHESS and Coyote.

The bookkeeping (``Overtaking``) lives in ``detsim.engine`` because liveness
properties use it too, to check the fairness of whatever schedule was run.
"""
from __future__ import annotations

from ..engine import DEFAULT_FAIRNESS_BOUND, Overtaking, Strategy
from ..trace import SCHEDULE
from ._random import Random


class Fair(Strategy):
    """Wraps a strategy so that the schedule is K-fair after ``unfair_prefix``
    scheduling decisions: a choice that would overtake an enabled process more
    than ``bound`` times is replaced by the longest-overdue process."""

    name = "fair"

    def __init__(self, inner: Strategy | None = None, bound: int = DEFAULT_FAIRNESS_BOUND,
                 unfair_prefix: int = 0):
        self.inner = inner if inner is not None else Random(0)
        self.bound, self.unfair_prefix = int(bound), int(unfair_prefix)
        if self.unfair_prefix < 0:
            raise ValueError("unfair_prefix must be >= 0")
        self._tracker = Overtaking(self.bound)
        self.forced = 0

    @property
    def run(self):
        return self.inner.run

    @property
    def independent_runs(self):
        return self.inner.independent_runs  # the fairness bookkeeping restarts with every run

    @property
    def exhausted(self):
        return self.inner.exhausted

    def begin(self, run: int) -> bool:
        self._tracker = Overtaking(self.bound)
        return self.inner.begin(run)

    def choose(self, label, candidates, world) -> int:
        chosen = self.inner.choose(label, candidates, world)
        if world.decision_kind != SCHEDULE:
            return chosen
        tracker, tasks = self._tracker, world.tasks
        if tracker.decisions >= self.unfair_prefix:
            fair = tracker.enforce(candidates, chosen, tasks)
            if fair != chosen:
                self.forced += 1
                world.count("fairness: forced decisions")
                chosen = fair
        tracker.observe(candidates, chosen, tasks)
        return chosen

    def end(self, result) -> None:
        self.inner.end(result)

    def describe(self) -> dict:
        return {"name": self.name, "bound": self.bound, "unfair_prefix": self.unfair_prefix,
                "inner": self.inner.describe()}

    def __repr__(self) -> str:
        return f"Fair({self.inner!r}, bound={self.bound}, unfair_prefix={self.unfair_prefix})"

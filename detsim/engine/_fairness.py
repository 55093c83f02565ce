"""Weak fairness with a bound, as in CHESS and Coyote: the bookkeeping.

A process is *enabled* while its next event is due now (it is a candidate of
every "schedule" decision until it runs). The schedule is K-fair when, while a
process stays enabled, no other process is scheduled more than K times before
it. With n processes enabled, each therefore runs within (n-1)·K+1 decisions.

``Overtaking`` does the bookkeeping. The ``Fair`` strategy (detsim.search) uses it
to *enforce* K-fairness on any inner strategy; liveness properties
(detsim.monitor) use the same class to *check* that the stretch of schedule a
verdict rests on was fair, whatever strategy produced it.

Only scheduling is constrained. Model choices (``world.choose``: faults, inputs)
stay adversarial.
"""
from __future__ import annotations

DEFAULT_FAIRNESS_BOUND = 8


def fairness_text(bound: int) -> str:
    return f"weak fairness, bound K={bound}"


class _Wait:
    __slots__ = ("target", "since", "overtakers", "over")

    def __init__(self, target, since: int):
        self.target, self.since = target, since
        self.overtakers: dict[str, int] = {}
        self.over = None  # (overtaker, count) once the bound was exceeded


class Overtaking:
    """Per enabled process: how often each other process ran before it.

    A wait is identified by the event the process waits on (``task._target``):
    if that changed since the last decision, the process ran in between (possibly
    in a step with no decision) and its count starts afresh.
    """

    def __init__(self, bound: int = DEFAULT_FAIRNESS_BOUND):
        if bound < 1:
            raise ValueError(f"fairness bound must be >= 1, got {bound}")
        self.bound = bound
        self.decisions = 0
        self._waits: dict[str, _Wait] = {}

    def _current(self, name, tasks):
        task = tasks.get(name)
        if task is None:
            return None
        w = self._waits.get(name)
        return w if w is not None and w.target is task._target else None

    def enforce(self, candidates: tuple, chosen: int, tasks) -> int:
        """The index to run instead of ``chosen`` if running it would overtake an
        enabled process more than ``bound`` times. Follows the chain of overdue
        processes; it ends because each link waited strictly longer."""
        cur = candidates[chosen]
        while True:
            best = None
            for name in candidates:
                if name == cur:
                    continue
                w = self._current(name, tasks)
                if w is not None and w.overtakers.get(cur, 0) >= self.bound:
                    if best is None or w.since < best[1].since:
                        best = (name, w)
            if best is None:
                return candidates.index(cur)
            cur = best[0]

    def observe(self, candidates: tuple, chosen: int, tasks):
        """Record one scheduling decision. Returns (victim, overtaker, count) if some
        enabled process has now been overtaken more than ``bound`` times, else None."""
        self.decisions += 1
        ran = candidates[chosen]
        fresh: dict[str, _Wait] = {}
        unfair = None
        for name in candidates:
            if name == ran or name in fresh:
                continue
            task = tasks.get(name)
            if task is None:
                continue  # not a process (a bare timeout, an exit event)
            w = self._waits.get(name)
            if w is None or w.target is not task._target:
                w = _Wait(task._target, self.decisions)
            n = w.overtakers.get(ran, 0) + 1
            w.overtakers[ran] = n
            if n > self.bound and w.over is None:
                w.over = (ran, n)
            elif w.over is not None and w.over[0] == ran:
                w.over = (ran, n)
            fresh[name] = w
            if w.over is not None and unfair is None:
                unfair = (name, w.over[0], w.over[1])
        self._waits = fresh
        return unfair

"""Shrinking: delta debugging over deviations until the counterexample is 1-minimal.

A deviation is (position, index, candidate name). Every accepted attempt is
re-recorded, so the deviation list always describes a real run.
"""
from __future__ import annotations

from ._runner import execute
from ._sched import Guided


def deviations_of(trace) -> list[tuple]:
    return [(pos, d.chosen, d.choice) for pos, d in trace.deviations()]


class _Shrinker:
    def __init__(self, model, prop, settings, budget):
        self.model, self.prop, self.settings, self.budget = model, prop, settings, budget
        self.spent = 0

    def attempt(self, devs):
        """The run's trace if it still violates the same property, else None."""
        if self.spent >= self.budget:
            return None
        self.spent += 1
        result = execute(self.model, Guided(devs), self.settings)
        v = result.violation
        return result.trace if v is not None and v.property == self.prop else None

    def ddmin(self, trace):
        devs, n = deviations_of(trace), 2
        while len(devs) >= 2 and self.spent < self.budget:
            size = -(-len(devs) // n)
            chunks = [devs[i:i + size] for i in range(0, len(devs), size)]
            for chunk in chunks:
                rest = [d for d in devs if d not in chunk]
                found = self.attempt(rest)
                if found is not None:
                    trace, devs, n = found, deviations_of(found), max(n - 1, 2)
                    break
            else:
                if n >= len(devs):
                    break
                n = min(2 * n, len(devs))
        return trace

    def one_minimal(self, trace):
        """Drop single deviations until none can go; then try smaller indices."""
        while self.spent < self.budget:
            devs = deviations_of(trace)
            for i in range(len(devs)):
                found = self.attempt(devs[:i] + devs[i + 1:])
                if found is not None:
                    trace = found
                    break
            else:
                lowered = self.lower(trace)
                if lowered is None:
                    return trace, True
                trace = lowered
        return trace, False

    def lower(self, trace):
        devs = deviations_of(trace)
        for i, (pos, idx, _) in enumerate(devs):
            cands = trace.decisions[pos].candidates
            for smaller in range(1, idx):
                found = self.attempt(devs[:i] + [(pos, smaller, cands[smaller])] + devs[i + 1:])
                if found is not None:
                    return found
        return None


def shrink(model, trace, prop: str, settings: dict, budget: int = 2000):
    """Returns (shrunk trace, runs spent, whether it is proven 1-minimal)."""
    s = _Shrinker(model, prop, settings, budget)
    empty = s.attempt([])
    if empty is not None:
        result = empty
        minimal = True
    else:
        result, minimal = s.one_minimal(s.ddmin(trace))
    result.strategy = {"name": "shrunk", "from": dict(trace.strategy)}
    return result, s.spent, minimal

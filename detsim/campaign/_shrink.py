"""Shrinking: delta debugging over deviations until the counterexample is 1-minimal.

A deviation is (label, occurrence, index, candidate name): see Guided. Every accepted attempt is
re-recorded, so the deviation list always describes a real run.
"""
from __future__ import annotations

from ..errors import StepBudgetExceeded
from ..search import Guided
from ._run import execute


def deviations_of(trace) -> list[tuple]:
    """(label, occurrence of that label, index, candidate name) for each deviation."""
    seen: dict = {}
    out = []
    for d in trace.decisions:
        occ = seen.get(d.label, 0)
        seen[d.label] = occ + 1
        if d.chosen:
            out.append((d.label, occ, d.chosen, d.choice))
    return out


def _candidates(trace, label: str, occ: int) -> tuple:
    for d in trace.decisions:
        if d.label == label:
            if occ == 0:
                return d.candidates
            occ -= 1
    return ()


class ShrinkInterrupted(KeyboardInterrupt):
    """Ctrl-C during shrinking: carries the smallest failing trace found so far."""

    def __init__(self, best, spent: int):
        super().__init__()
        self.best, self.spent = best, spent


class _Shrinker:
    def __init__(self, model, prop, settings, budget, start):
        self.model, self.prop, self.settings, self.budget = model, prop, settings, budget
        self.spent = 0
        self.best = start  # the smallest reproducing trace so far (what Ctrl-C hands back)

    def attempt(self, devs):
        """The run's trace if it still violates the same property, else None."""
        if self.spent >= self.budget:
            return None
        self.spent += 1
        try:
            result = execute(self.model, Guided(devs), self.settings)
        except StepBudgetExceeded:  # this candidate runs away: it does not reproduce
            return None
        v = result.violation
        if v is None or v.property != self.prop:
            return None
        if len(result.trace.deviations()) <= len(self.best.deviations()):
            self.best = result.trace
        return result.trace

    def single(self, trace, limit: int = 64):
        """Often one deviation is the whole story: try each alone before bisecting,
        keyed by label and, failing that, by position (a removed fault shifts later
        positions, so the same position can land on a different, sufficient decision)."""
        devs = deviations_of(trace)
        if len(devs) > limit:
            return None
        for dev in devs:
            found = self.attempt([dev])
            if found is not None:
                return found
        for pos, d in trace.deviations():
            found = self.attempt([(pos, d.chosen, d.choice)])
            if found is not None:
                return found
        return None

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
        for i, (label, occ, idx, _) in enumerate(devs):
            cands = _candidates(trace, label, occ)
            for smaller in range(1, idx):
                found = self.attempt(devs[:i] + [(label, occ, smaller, cands[smaller])] + devs[i + 1:])
                if found is not None:
                    return found
        return None


def shrink(model, trace, prop: str, settings: dict, budget: int = 2000):
    """Returns (shrunk trace, runs spent, whether it is proven 1-minimal). Ctrl-C
    raises ShrinkInterrupted with the smallest failing trace found so far."""
    s = _Shrinker(model, prop, settings, budget, trace)
    try:
        empty = s.attempt([])
        if empty is not None:
            result = empty
            minimal = True
        else:
            single = s.single(trace)
            result, minimal = s.one_minimal(single if single is not None else s.ddmin(trace))
    except KeyboardInterrupt:
        best = s.best
        if best is not trace:
            best.strategy = {"name": "shrunk", "from": dict(trace.strategy), "interrupted": True}
        raise ShrinkInterrupted(best, s.spent) from None
    result.strategy = {"name": "shrunk", "from": dict(trace.strategy)}
    return result, s.spent, minimal

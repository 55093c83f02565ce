"""Shrinking: delta debugging over deviations until the counterexample is 1-minimal,
then smaller interleavings: fewer deviations where a move finds them, fewer
preemptions, and deviations as early as they still work.

A deviation is (label, occurrence, index, candidate name): see Guided. Every accepted
attempt is re-recorded, so the deviation list always describes a real run. The
passes after 1-minimality accept a candidate only if it is itself proven
1-minimal and strictly smaller by (deviations, preemptions, positions of the
deviations), so they end, and the result stays 1-minimal (docs/viewer.md).
"""
from __future__ import annotations

from collections import deque

from ..errors import StepBudgetExceeded
from ..search import Guided
from ..trace import SCHEDULE, is_preemption
from ._run import execute

# The passes after 1-minimality may spend TIDY_SHARE times the runs that reaching it took,
# plus TIDY_PER_DEVIATION runs per deviation left (within the shrink budget), and no more
# than TIDY_STEPS steps in all: long runs get fewer tries, a 1-deviation trace few.
TIDY_SHARE = 2
TIDY_PER_DEVIATION = 50
TIDY_STEPS = 40_000
CUT_ALL = 40  # schedules up to this long have every stretch tried as a cut


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


def _candidates(trace, label: str, occ: int):
    """The candidates' names of that decision, or None where the trace stores only
    their count (format version 2): a lowered index is then asked for by index."""
    for d in trace.decisions:
        if d.label == label:
            if occ == 0:
                return d.candidates
            occ -= 1
    return None


class ShrinkInterrupted(KeyboardInterrupt):
    """Ctrl-C during shrinking: carries the smallest failing trace found so far."""

    def __init__(self, best, spent: int):
        super().__init__()
        self.best, self.spent = best, spent


class _Counting(Guided):
    """Guided, noting each preemption as (occurrence of "schedule", previous process,
    its index among the candidates)."""

    def __init__(self, deviations=()):
        super().__init__(deviations)
        self.preemptions: list[tuple] = []
        self._schedules = 0

    def choose(self, label, candidates, world) -> int:
        chosen = super().choose(label, candidates, world)
        if world.decision_kind == SCHEDULE:
            previous = world.current_name
            if is_preemption(previous, candidates, chosen):
                self.preemptions.append((self._schedules, previous, candidates.index(previous)))
            self._schedules += 1
        return chosen


def _key(trace, preemptions: int) -> tuple:
    """What shrinking minimises, in order: deviations, preemptions, how late they are."""
    positions = tuple(pos for pos, _ in trace.deviations())
    return len(positions), preemptions, positions


class _Shrinker:
    def __init__(self, model, prop, settings, budget, start):
        self.model, self.prop, self.settings, self.budget = model, prop, settings, budget
        self.spent = 0
        self.steps = 0  # steps run by the attempts
        self.best = start  # the smallest reproducing trace so far (what Ctrl-C hands back)
        self.found: deque = deque(maxlen=64)  # (trace, its preemption points) for recent found traces
        self.limit = budget  # the run count the current phase may not pass
        self.starved = False  # an attempt was refused for want of budget

    def attempt(self, devs):
        """The run's trace if it still violates the same property, else None."""
        if self.spent >= min(self.budget, self.limit):
            self.starved = True
            return None
        self.spent += 1
        strategy = _Counting(devs)
        try:
            result = execute(self.model, strategy, self.settings)
        except StepBudgetExceeded:  # this candidate runs away: it does not reproduce
            self.steps += self.settings.get("max_steps") or 0
            return None
        self.steps += result.steps
        v = result.violation
        if v is None or v.property != self.prop:
            return None
        trace = result.trace
        self.found.append((trace, strategy.preemptions))
        if len(trace.deviations()) <= len(self.best.deviations()):
            self.best = trace
        return trace

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
        """Drop single deviations until none can go; then try smaller indices. Proven
        only if no attempt on the way was refused for want of budget."""
        self.starved = False
        while self.spent < min(self.budget, self.limit):
            devs = deviations_of(trace)
            for i in range(len(devs)):
                found = self.attempt(devs[:i] + devs[i + 1:])
                if found is not None:
                    trace = found
                    break
            else:
                lowered = self.lower(trace)
                if lowered is None:
                    return trace, not self.starved
                trace = lowered
        return trace, False

    def lower(self, trace):
        devs = deviations_of(trace)
        for i, (label, occ, idx, _) in enumerate(devs):
            cands = _candidates(trace, label, occ)
            for smaller in range(1, idx):
                name = cands[smaller] if cands is not None else None
                found = self.attempt(devs[:i] + [(label, occ, smaller, name)] + devs[i + 1:])
                if found is not None:
                    return found
        return None

    # ---- after 1-minimality: smaller interleavings ---------------------------------
    def points(self, trace) -> list:
        """Where ``trace`` preempts: (occurrence of "schedule", previous process, its index)."""
        for found, points in reversed(self.found):
            if found is trace:
                return points
        strategy = _Counting(deviations_of(trace))  # a trace no attempt returned: count them
        execute(self.model, strategy, self.settings)
        self.found.append((trace, strategy.preemptions))
        return strategy.preemptions

    def preemptions(self, trace) -> int:
        return len(self.points(trace))

    def tidy(self, trace):
        """Moves that keep the trace 1-minimal and make it smaller by ``_key``, until none does."""
        spend = TIDY_SHARE * self.spent + TIDY_PER_DEVIATION * len(trace.deviations())
        self.limit = min(self.budget, self.spent + spend)
        steps = self.steps + TIDY_STEPS
        key = _key(trace, self.preemptions(trace))
        while True:
            better = None
            for devs in self._moves(trace):
                if self.spent >= self.limit or self.steps >= steps:
                    return trace
                found = self.attempt(devs)
                if found is None:
                    continue
                settled, proven = self.one_minimal(found)
                if proven and _key(settled, self.preemptions(settled)) < key:
                    better = settled
                    break
            if better is None:
                return trace
            trace, key = better, _key(better, self.preemptions(better))

    def _moves(self, trace):
        """Candidate deviation lists: stretches of the schedule cut out, each deviation
        moved to an earlier occurrence of its label (earliest first, then closer), then
        each preemption undone."""
        devs = deviations_of(trace)
        yield from _cuts(trace, devs)
        taken = {(label, occ) for label, occ, _, _ in devs}
        for i, (label, occ, idx, cand) in enumerate(devs):
            for earlier in _earlier(occ):
                if (label, earlier) not in taken:
                    yield devs[:i] + [(label, earlier, idx, cand)] + devs[i + 1:]
        for occ, previous, index in self.points(trace):
            rest = [d for d in devs if (d[0], d[1]) != (SCHEDULE, occ)]
            yield rest + ([(SCHEDULE, occ, index, previous)] if index else [])


def _schedule(trace) -> list[str]:
    """Who ran at each schedule decision."""
    return [d.choice for d in trace.decisions if d.kind == SCHEDULE]


def _pinned(names) -> list[tuple]:
    """Deviations that pin every schedule decision to the named process."""
    return [(SCHEDULE, k, 0, name) for k, name in enumerate(names)]


def _cuts(trace, devs):
    """The schedule (who runs at each schedule decision) with a stretch of it cut out:
    big stretches first. Everything after the cut keeps its order, so a detour of one
    process that a later race does not need (a whole round run alone) can go, where
    removing its deviations one by one cannot."""
    names = _schedule(trace)
    others = [d for d in devs if d[0] != SCHEDULE]
    n = len(names)
    for size in _sizes(n):
        for start in range(0, n - size + 1, 1 if n <= CUT_ALL else max(1, size // 4)):
            rest = names[:start] + names[start + size:]
            yield others + _pinned(rest)


def _sizes(n: int) -> list[int]:
    """Stretch lengths to cut, longest first: every length for a short schedule, else
    lengths shrinking by a quarter."""
    if n <= CUT_ALL:
        return list(range(n - 1, 0, -1))
    out, size = [], n - 1
    while size >= 1:
        out.append(size)
        size = min(size - 1, size * 3 // 4)
    return out


def _earlier(occ: int) -> list[int]:
    """Earlier occurrences to try, ascending: 0, then closer and closer to ``occ``."""
    out, gap = set(), 1
    while gap <= occ:
        out.add(occ - gap)
        gap *= 2
    if occ:
        out.add(0)
    return sorted(out)


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
            if minimal:
                result = s.tidy(result)
    except KeyboardInterrupt:
        best = s.best
        if best is not trace:
            best.strategy = {"name": "shrunk", "from": dict(trace.strategy), "interrupted": True}
        raise ShrinkInterrupted(best, s.spent) from None
    result.strategy = {"name": "shrunk", "from": dict(trace.strategy),
                       "preemptions": s.preemptions(result)}
    return result, s.spent, minimal

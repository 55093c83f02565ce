"""The built-in property kinds. Each is a named object; a violation names it.

Limits, stated once: ``always`` is checked after every step (not between the
callbacks of one step); ``eventually`` is bounded liveness (a deadline in virtual
time, judged only if the run gets that far or quiesces); ``sometimes`` is judged
over a whole campaign, never a single run. ``always`` and ``at_end`` take an
optional ``explain(model) -> str`` that becomes the failure message.
"""
from __future__ import annotations

from ._base import Property


class _Predicate(Property):
    reads_decisions = False

    def __init__(self, name: str, pred, explain=None):
        super().__init__(name)
        if not callable(pred):
            raise TypeError(f"{self.kind}({name!r}): the predicate must be callable")
        if explain is not None and not callable(explain):
            raise TypeError(f"{self.kind}({name!r}): explain must be callable")
        self.pred, self.explain = pred, explain

    def _message(self, model, default: str) -> str:
        return default if self.explain is None else str(self.explain(model))


class Always(_Predicate):
    kind = "always"

    def after_step(self, model, world):
        if not self.pred(model):
            return self.violation(world, self._message(model, "predicate is false"))
        return None


class AtEnd(_Predicate):
    kind = "at_end"

    def at_finish(self, model, world):
        if not self.pred(model):
            return self.violation(world, self._message(model, "predicate is false at the end of the run"))
        return None


class Eventually(_Predicate):
    kind = "eventually"

    def __init__(self, name: str, pred, within):
        super().__init__(name, pred)
        if within is None or within < 0:
            raise ValueError(f"eventually({name!r}): within must be a non-negative virtual time")
        self.within = within

    def attach(self, model, world) -> None:
        self.pending = True

    def after_step(self, model, world):
        if not self.pending:
            return None
        origin = world.liveness_origin
        now = world.now
        if now > origin + self.within:  # the deadline first: a late success is still late
            return self.violation(world, f"not true by t={origin + self.within} (within={self.within})")
        if now >= origin and self.pred(model):  # before the origin (faults still on) nothing counts
            self.pending = False
        return None

    def at_finish(self, model, world):
        if not self.pending:
            return None
        origin = world.liveness_origin
        if world.now >= origin and self.pred(model):
            return None
        if world.end == "quiescent" or world.now >= origin + self.within:
            return self.violation(world, f"never true (run ended at t={world.now}, within={self.within})")
        return None


class Sometimes(_Predicate):
    """Judged over a campaign: the campaign fails if no run ever reached it."""

    kind = "sometimes"

    def attach(self, model, world) -> None:
        self.reached = False

    def after_step(self, model, world):
        if not self.reached and self.pred(model):
            self.reached = True
        return None


class NoDeadlock(Property):
    """Judged by the engine itself: the wait-for graph reports a cycle the moment it
    closes, and the runner reports a global stall. Listed so a model can name it."""

    kind = "no_deadlock"
    reads_decisions = False

    def __init__(self):
        super().__init__("no deadlock")


def always(name: str, pred, *, explain=None) -> Always:
    """pred(model) holds after every step; ``explain(model)`` words a failure."""
    return Always(name, pred, explain)


def at_end(name: str, pred, *, explain=None) -> AtEnd:
    """pred(model) holds when the run ends (quiescence or horizon)."""
    return AtEnd(name, pred, explain)


def eventually(name: str, pred, within) -> Eventually:
    """pred(model) becomes true no later than virtual time ``within`` (from the
    world's liveness origin: 0, or the time faults stop)."""
    return Eventually(name, pred, within)


def sometimes(name: str, pred) -> Sometimes:
    """pred(model) holds after some step of at least one run in a campaign."""
    return Sometimes(name, pred)


def no_deadlock() -> NoDeadlock:
    """No wait-for cycle, and no stall with every non-daemon process blocked. On by default."""
    return NoDeadlock()

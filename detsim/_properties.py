"""Property kinds. Each is a named object; a violation names it.

Limits, stated once: ``always`` is checked after every step (not between the
callbacks of one step); ``eventually`` is bounded liveness (a deadline in virtual
time, judged only if the run gets that far or quiesces); ``sometimes`` is judged
over a whole campaign, never a single run.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import DetsimError


@dataclass
class Violation:
    property: str
    message: str
    time: object
    step: int
    process: str
    cycle: list = field(default_factory=list)
    error: str | None = None  # exception type, for a process that raised

    def __str__(self) -> str:
        return (f'property "{self.property}" violated at t={self.time}, step {self.step}, '
                f"process {self.process}: {self.message}")

    def to_json(self) -> dict:
        from ._trace import encode_time

        return {"property": self.property, "message": self.message, "time": encode_time(self.time),
                "step": self.step, "process": self.process, "cycle": list(self.cycle),
                "error": self.error}

    @classmethod
    def from_json(cls, data: dict) -> "Violation":
        from ._trace import decode_time

        return cls(data["property"], data["message"], decode_time(data["time"]), data["step"],
                   data["process"], list(data.get("cycle") or []), data.get("error"))


class Property:
    kind = "property"

    def __init__(self, name: str, pred=None):
        if not isinstance(name, str) or not name:
            raise TypeError("a property needs a non-empty name")
        self.name, self.pred = name, pred

    def __repr__(self) -> str:
        return f"{self.kind}({self.name!r})"


class Always(Property):
    kind = "always"


class AtEnd(Property):
    kind = "at_end"


class Eventually(Property):
    kind = "eventually"

    def __init__(self, name: str, pred, within):
        super().__init__(name, pred)
        if within is None or within < 0:
            raise ValueError(f"eventually({name!r}): within must be a non-negative virtual time")
        self.within = within


class Sometimes(Property):
    kind = "sometimes"


class NoDeadlock(Property):
    kind = "no_deadlock"

    def __init__(self):
        super().__init__("no deadlock")


def always(name: str, pred) -> Always:
    """pred(model) holds after every step."""
    return Always(name, pred)


def at_end(name: str, pred) -> AtEnd:
    """pred(model) holds when the run ends (quiescence or horizon)."""
    return AtEnd(name, pred)


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


class Monitor:
    """Evaluates a model's properties during one run."""

    def __init__(self, model, world, props):
        self.model, self.world = model, world
        self.always = [p for p in props if p.kind == "always"]
        self.at_end = [p for p in props if p.kind == "at_end"]
        self.pending = [p for p in props if p.kind == "eventually"]
        self.unseen = [p for p in props if p.kind == "sometimes"]
        self.reached: list[str] = []
        self.custom = [p for p in props if hasattr(p, "after_step")]
        for p in self.custom:  # per-run setup (liveness properties), before the first step
            attach = getattr(p, "attach", None)
            if attach is not None:
                attach(model, world)
        self.busy = bool(self.always or self.pending or self.unseen or self.custom)

    def _violation(self, prop, message: str) -> Violation:
        w = self.world
        return Violation(prop.name, message, w.now, w.steps, w.current_name)

    def after_step(self):
        try:
            return self._after_step()
        except DetsimError:  # a ModelError from a property (e.g. a bad state()) stays an error
            raise
        except Exception as e:  # a raising predicate is a model defect, reported like a violation
            return self._raised(e)

    def _raised(self, error) -> Violation:
        """Name the property whose predicate raised (found again only on this error path)."""
        culprit = "a property"
        for p in self.always + self.at_end + self.pending + self.unseen:
            try:
                p.pred(self.model)
            except Exception:
                culprit = f'property "{p.name}"'
                break
        w = self.world
        return Violation(culprit.removeprefix("property ").strip('"'),
                         f"{culprit} raised {type(error).__name__}: {error}",
                         w.now, w.steps, w.current_name, error=type(error).__name__)

    def _after_step(self):
        model = self.model
        for p in self.always:
            if not p.pred(model):
                return self._violation(p, "predicate is false")
        if self.pending:
            origin = self.world.liveness_origin
            now = self.world.now
            for p in list(self.pending):
                if now > origin + p.within:  # the deadline first: a late success is still late
                    return self._violation(p, f"not true by t={origin + p.within} (within={p.within})")
                if now >= origin and p.pred(model):  # before the origin (faults still on) nothing counts
                    self.pending.remove(p)
        if self.unseen:
            for p in list(self.unseen):
                if p.pred(model):
                    self.unseen.remove(p)
                    self.reached.append(p.name)
        for p in self.custom:
            v = p.after_step(model, self.world)
            if v is not None:
                return v
        return None

    def at_finish(self, quiescent: bool):
        try:
            return self._at_finish(quiescent)
        except DetsimError:
            raise
        except Exception as e:
            return self._raised(e)

    def _at_finish(self, quiescent: bool):
        model = self.model
        for p in self.at_end:
            if not p.pred(model):
                return self._violation(p, "predicate is false at the end of the run")
        origin = self.world.liveness_origin
        for p in self.pending:
            if self.world.now >= origin and p.pred(model):
                continue
            if quiescent or self.world.now >= origin + p.within:
                return self._violation(p, f"never true (run ended at t={self.world.now}, within={p.within})")
        for p in self.custom:
            finish = getattr(p, "at_finish", None)
            v = finish(model, self.world) if finish else None
            if v is not None:
                return v
        return None

"""Fault plans: which faults a run may suffer, how many, and until when.

Every fault is a decision of kind ``fault`` whose index 0 means "no fault", so a
failing fault plan shrinks together with the interleaving. Three things keep
fault plans sparse and readable:

* a per-run **budget**: once spent, no fault decision is asked at all (not asking
  keeps traces short);
* a fault **rate** for Random and PCT: a ``fault`` decision deviates with that
  small probability;
* **swarm** testing: each run first decides which fault kinds it enables.

A **two-phase** run has faults only before ``heal_at``; at ``heal_at`` partitions
heal, crashed nodes restart, paused nodes resume, and ``eventually(within=T)`` is
judged from then on (``world.liveness_origin``).

**Crash points** (``crash_points``) make the engine ask a crash decision at every
durable write, send or receive of a node, not only on the nemesis' tick
(docs/faults.md).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction

from ..errors import ModelError

FAULT_KINDS = ("drop", "duplicate", "partition", "crash", "pause", "clock")
NODE_KINDS = ("partition", "crash", "pause", "clock")  # injected by the nemesis process
# Where the engine itself may crash a node (docs/faults.md): right after a durable write,
# right after a send, at the arrival of a message (before its receiver sees it).
CRASH_POINTS = ("write", "send", "recv")
DEFAULT_FAULT_RATE = 0.05


def _time(value, what: str):
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = Fraction(value)
        except (ValueError, ZeroDivisionError):
            raise ModelError(f"{what} must be a number, got {value!r}") from None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
        raise ModelError(f"{what} must be an int or a 'p/q' string (exact times tie), got {value!r}")
    if value < 0:
        raise ModelError(f"{what} must be >= 0, got {value}")
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value)
    return value


@dataclass(frozen=True)
class FaultPlan:
    """What may go wrong in one run. JSON-friendly, so a model can keep it as a parameter.

    kinds: enabled fault kinds (subset of FAULT_KINDS); budget: faults per run;
    heal_at: end of the fault phase (None: faults until the run's horizon);
    swarm: each run decides which of ``kinds`` it enables; rate: the probability
    that Random/PCT deviate at a fault decision; every: nemesis tick (crash, pause,
    clock jump, partition decisions are asked each tick); durations: how long a
    crash, pause or partition lasts (index 0, the default, is the shortest);
    skew/drift/jump: clock fault sizes (drift is a rate offset such as "1/10");
    crash_points: where the engine asks a crash decision besides the nemesis' tick, a
    subset of CRASH_POINTS ("write": after ``node.disk.write``, "send": after
    ``node.send``, "recv": when a message reaches the node); they need the crash kind.
    crash_rate: the probability that Random/PCT deviate at a crash point (None: ``rate``);
    with ``swarm``, each crash-point site (e.g. "after disk write 'log'") is also decided
    on or off per run, as FoundationDB's BUGGIFY enables each site in some runs only.
    """

    kinds: tuple = ()
    budget: int = 3
    heal_at: object = None
    swarm: bool = False
    rate: float = DEFAULT_FAULT_RATE
    every: object = 5
    durations: tuple = (5, 20, 50)
    skew: object = 5
    drift: object = "1/10"
    jump: object = 5
    crash_points: tuple = ()
    crash_rate: float | None = None

    def __post_init__(self):
        kinds = (self.kinds,) if isinstance(self.kinds, str) else tuple(self.kinds)
        unknown = [k for k in kinds if k not in FAULT_KINDS]
        if unknown:
            raise ModelError(f"unknown fault kind {unknown[0]!r} (known: {', '.join(FAULT_KINDS)})")
        # Canonical order: the order decisions are asked in never depends on how kinds were listed.
        object.__setattr__(self, "kinds", tuple(k for k in FAULT_KINDS if k in kinds))
        if type(self.budget) is not int or self.budget < 0:
            raise ModelError(f"fault budget must be an int >= 0, got {self.budget!r}")
        if not 0 <= float(self.rate) <= 1:
            raise ModelError(f"fault rate must be within [0, 1], got {self.rate!r}")
        object.__setattr__(self, "heal_at", _time(self.heal_at, "heal_at"))
        every = _time(self.every, "every")
        if not every:
            raise ModelError("the nemesis tick 'every' must be > 0")
        object.__setattr__(self, "every", every)
        durations = tuple(_time(d, "a fault duration") for d in self.durations)
        if not durations or not all(durations):
            raise ModelError(f"fault durations must be a non-empty list of times > 0, got {self.durations!r}")
        object.__setattr__(self, "durations", durations)
        for name in ("skew", "drift", "jump"):
            object.__setattr__(self, name, _time(getattr(self, name), name))
        if Fraction(self.drift) >= 1:
            raise ModelError(f"clock drift must be < 1 (a rate offset), got {self.drift}")
        points = (self.crash_points,) if isinstance(self.crash_points, str) else tuple(self.crash_points)
        unknown = [p for p in points if p not in CRASH_POINTS]
        if unknown:
            raise ModelError(f"unknown crash point {unknown[0]!r} (known: {', '.join(CRASH_POINTS)})")
        if points and "crash" not in kinds:
            raise ModelError("crash points need the 'crash' fault kind in the plan")
        object.__setattr__(self, "crash_points", tuple(p for p in CRASH_POINTS if p in points))
        if self.crash_rate is not None and not 0 <= float(self.crash_rate) <= 1:
            raise ModelError(f"crash rate must be within [0, 1], got {self.crash_rate!r}")

    @classmethod
    def of(cls, plan=None, **overrides) -> "FaultPlan":
        """A plan from a FaultPlan, a dict (a model parameter), or keyword arguments."""
        if plan is None:
            base = {}
        elif isinstance(plan, FaultPlan):
            base = plan.to_dict()
        elif isinstance(plan, dict):
            base = dict(plan)
        else:
            raise ModelError(f"a fault plan must be a FaultPlan or a dict, got {type(plan).__name__}")
        base.update(overrides)
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(base) - known)
        if unknown:
            raise ModelError(f"unknown fault plan setting {unknown[0]!r} (known: {', '.join(sorted(known))})")
        return cls(**base)

    def to_dict(self) -> dict:
        """JSON values only (times as int, float or "p/q")."""
        def enc(v):
            if isinstance(v, Fraction):
                return v.numerator if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
            return v

        return {"kinds": list(self.kinds), "budget": self.budget, "heal_at": enc(self.heal_at),
                "swarm": self.swarm, "rate": self.rate, "every": enc(self.every),
                "durations": [enc(d) for d in self.durations], "skew": enc(self.skew),
                "drift": enc(self.drift), "jump": enc(self.jump), "crash_points": list(self.crash_points),
                "crash_rate": self.crash_rate}

    def apply(self, model, field: str = "faults"):
        """A copy of ``model`` with this plan as its ``faults`` parameter."""
        if not dataclasses.is_dataclass(model) or field not in {f.name for f in dataclasses.fields(model)}:
            raise ModelError(f"{type(model).__name__} has no {field!r} parameter to take a fault plan")
        return dataclasses.replace(model, **{field: self.to_dict()})

"""Fault plans: which faults a run may suffer, how many, and until when.

Every fault is a decision from the run's choice source whose index 0 means "no
fault", so a failing fault plan shrinks together with the interleaving. Three
things keep fault plans sparse and readable:

* a per-run **budget**: once spent, no fault decision is asked at all (not asking
  keeps traces short);
* a fault **rate** for Random and PCT: a decision whose label starts with a fault
  word (``FAULT_PREFIXES``) deviates with that small probability;
* **swarm** testing: each run first decides which fault kinds it enables.

A **two-phase** run has faults only before ``heal_at``; at ``heal_at`` partitions
heal, crashed nodes restart, paused nodes resume, and ``eventually(within=T)`` is
judged from then on (``world.liveness_origin``).

Besides the nemesis' ticks, a model may ask for a crash where it matters with
``world.faults.crash_point(node, where)``; nodes created with ``faults=False`` are
never a crash, pause, clock or partition target.
"""
from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass
from fractions import Fraction

from .errors import ModelError

FAULT_KINDS = ("drop", "duplicate", "partition", "crash", "pause", "clock")
NODE_KINDS = ("partition", "crash", "pause", "clock")  # injected by the nemesis process
# Decision labels that are faults (a strategy's fault rate applies to them).
FAULT_PREFIXES = ("drop ", "duplicate ", "partition", "crash ", "pause ", "clock ", "lose-writes ")
DEFAULT_FAULT_RATE = 0.05


def is_fault_label(label: str) -> bool:
    return label.startswith(FAULT_PREFIXES)


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
    skew/drift/jump: clock fault sizes (drift is a rate offset such as "1/10").
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
                "drift": enc(self.drift), "jump": enc(self.jump)}

    def apply(self, model, field: str = "faults"):
        """A copy of ``model`` with this plan as its ``faults`` parameter."""
        if not dataclasses.is_dataclass(model) or field not in {f.name for f in dataclasses.fields(model)}:
            raise ModelError(f"{type(model).__name__} has no {field!r} parameter to take a fault plan")
        return dataclasses.replace(model, **{field: self.to_dict()})


class Faults:
    """``world.faults``: the run's fault plan, budget and nemesis."""

    def __init__(self, world):
        self.world = world
        self.plan = FaultPlan()
        self.configured = False
        self.enabled_kinds: tuple = ()
        self.budget_left = 0
        self.healed = False
        self.fired: dict[str, int] = {}

    @property
    def rate(self) -> float:
        return self.plan.rate

    @property
    def heal_at(self):
        return self.plan.heal_at

    def configure(self, plan=None, **settings) -> "Faults":
        """Set the run's fault plan (once, in setup, before creating nodes).

        With ``swarm`` each kind is first decided on or off (``swarm drop``: index 0 = on)."""
        world = self.world
        if self.configured:
            raise ModelError("world.faults.configure() may be called once per run")
        if "_network" in world.__dict__ and world.network.nodes:
            raise ModelError("configure faults before creating nodes (clock faults are decided at node creation)")
        plan = FaultPlan.of(plan, **settings)
        self.plan, self.configured = plan, True
        self.budget_left = plan.budget
        kinds = plan.kinds if plan.budget else ()
        if kinds and plan.swarm:
            kinds = tuple(k for k in kinds if world.decide(f"swarm {k}", ("on", "off")) == 0)
        self.enabled_kinds = kinds
        if plan.kinds and plan.budget:
            world.count("fault-plan")
            for kind in kinds:
                world.count(f"fault-enabled:{kind}")
        if plan.heal_at is not None:
            world.liveness_origin = plan.heal_at
        if any(k in NODE_KINDS for k in kinds):
            end = plan.heal_at if plan.heal_at is not None else world.horizon
            if end is None:
                raise ModelError("crash, pause, partition and clock faults need heal_at (or a run horizon) "
                                 "to bound the fault phase")
            world.spawn("nemesis", self._nemesis(end), daemon=True)
        elif plan.heal_at is not None:
            from ._network import after

            after(world, plan.heal_at, "heal", self.heal)
        return self

    # ---- the gate every fault decision passes --------------------------------
    def kind_on(self, kind: str) -> bool:
        """The kind is enabled and the fault phase is not over (ignores the budget)."""
        if kind not in self.enabled_kinds or self.healed:
            return False
        heal_at = self.plan.heal_at
        return heal_at is None or self.world.now < heal_at

    def enabled(self, kind: str) -> bool:
        return self.budget_left > 0 and self.kind_on(kind)

    def ask(self, kind: str, label: str, options: tuple, *, charge: bool = True, count: bool = True) -> int:
        """Index of the chosen option; 0 (no fault) without asking when the kind is off,
        the phase is over or the budget is spent. A non-default answer is a fired fault
        (``count=False``: the action that follows counts it, e.g. node.crash())."""
        if not (self.kind_on(kind) and (self.budget_left > 0 or not charge)):
            return 0
        chosen = self.world.decide(label, options)
        if chosen:
            if charge:
                self.budget_left -= 1
            if count:
                self.fire(kind)
        return chosen

    def fire(self, kind: str) -> None:
        if not self.fired:
            self.world.count("faulty-runs")  # runs in which at least one fault fired
        self.fired[kind] = self.fired.get(kind, 0) + 1
        self.world.count(f"fault:{kind}")

    # ---- the nemesis: node faults and partitions, one tick at a time ---------
    def _nemesis(self, end):
        world, every = self.world, self.plan.every
        while self.budget_left > 0 and world.now + every < end:
            yield world.timeout(every)
            self._tick()
        if self.plan.heal_at is not None:
            if world.now < self.plan.heal_at:
                yield world.timeout(self.plan.heal_at - world.now)
            self.heal()

    def _tick(self) -> None:
        from ._network import after

        world, plan = self.world, self.plan
        net = world.network
        durations = plan.durations
        for node in list(net.nodes.values()):
            if not node.faults or not node.up or node.paused:
                continue
            if self._crash_decision(node, f"crash {node.name}"):
                continue
            i = self.ask("pause", f"pause {node.name}", ("no",) + tuple(f"pause {d}" for d in durations),
                         count=False)
            if i:
                node.pause(durations[i - 1])
                continue
            j = plan.jump
            i = self.ask("clock", f"clock {node.name} jump", ("no", f"jump +{j}", f"jump -{j}"))
            if i:
                node.clock_source.jump(j if i == 1 else -j)
        if net.cut_name is None and self.enabled("partition"):
            shapes = net.partition_shapes()
            i = self.ask("partition", "partition", ("none",) + shapes, count=False)
            if i:
                shape = shapes[i - 1]
                net.partition(shape)
                length = world.choose(f"heal {shape} after", durations)
                token = net.cut_token
                after(world, length, f"heal {shape}", net._heal_if, token)

    # ---- crash points: a model asks for a crash where it matters ---------------
    def crash_point(self, node, where: str) -> bool:
        """A crash fault at a point of the model's choosing (e.g. right after a durable
        write, as in FoundationDB's simulator): the decision ``crash NODE WHERE`` (index 0:
        no crash) under the plan's crash kind, budget, rate and heal_at, exactly like the
        nemesis' crashes. On a crash the node goes down (after the current step when called
        from one of its own processes) and restarts after the chosen duration. A node
        created with ``faults=False`` never crashes here. Returns whether it crashed."""
        if isinstance(node, str):
            node = self.world.network.lookup(node)
        if not node.faults or not node.up:
            return False
        return self._crash_decision(node, f"crash {node.name} {where}")

    def _crash_decision(self, node, label: str) -> bool:
        from ._network import after

        durations = self.plan.durations
        i = self.ask("crash", label, ("no",) + tuple(f"crash {d}" for d in durations), count=False)
        if i:
            node.crash()  # counts the fault
            after(self.world, durations[i - 1], f"restart {node.name}", node._restart_if_down, node.incarnation)
        return bool(i)

    def heal(self) -> None:
        """End of the fault phase: the network is whole and every node runs again."""
        self.healed = True
        net = self.world.network
        net.heal()
        for node in list(net.nodes.values()):
            if not node.up:
                node.restart()
            elif node.paused:
                node.resume()


# ---- coverage: how often each kind actually fired over a campaign -------------
def fault_coverage(counters: dict) -> dict:
    """kind -> {"enabled": runs in which it was enabled, "fired": faults fired}."""
    out = {}
    for kind in FAULT_KINDS + ("lost-writes",):
        enabled, fired = counters.get(f"fault-enabled:{kind}", 0), counters.get(f"fault:{kind}", 0)
        if enabled or fired:
            out[kind] = {"enabled": enabled, "fired": fired}
    return out


def coverage_table(counters: dict, runs: int | None = None) -> str:
    cov = fault_coverage(counters)
    planned, faulty = counters.get("fault-plan", 0), counters.get("faulty-runs", 0)
    head = (f"fault coverage: {planned} run(s) with a fault plan" + (f" of {runs}" if runs is not None else "")
            + f", {faulty} with at least one fault")
    lines = [head, f"  {'kind':<12} {'enabled in runs':>16} {'fired':>7}"]
    for kind, row in cov.items():
        lines.append(f"  {kind:<12} {row['enabled']:>16} {row['fired']:>7}")
    for key in ("net:sent", "net:delivered", "net:dropped-partition", "net:dropped-crashed"):
        if key in counters:
            lines.append(f"  {key:<29} {counters[key]:>7}")
    return "\n".join(lines)


class FaultCoverageWarning(UserWarning):
    """A campaign asked for faults, but none fired: fault injection did nothing."""


def coverage_warning(counters: dict, runs: int) -> str | None:
    planned = counters.get("fault-plan", 0)
    if not planned:
        return None
    fired = sum(n for key, n in counters.items() if key.startswith("fault:"))
    if fired:
        return None
    enabled = [k for k in FAULT_KINDS if counters.get(f"fault-enabled:{k}")]
    return (f"fault injection did nothing: {planned} of {runs} run(s) had a fault plan "
            f"(kinds enabled: {', '.join(enabled) or 'none, after swarm'}) but no fault fired; "
            f"raise the fault rate or the budget, or check that the model's nodes use world.network")


def warn_coverage(counters: dict, runs: int) -> list[str]:
    message = coverage_warning(counters, runs)
    if message is None:
        return []
    warnings.warn(message, FaultCoverageWarning, stacklevel=4)  # the caller of check()
    return [message]


def sparse_choice(random, n: int, rate, world) -> int:
    """A fault decision for Random/PCT: deviate with probability ``rate`` (default:
    the run's fault plan rate), then uniformly among the faults."""
    if rate is None:
        rate = getattr(world, "fault_rate", DEFAULT_FAULT_RATE)
    if random() >= rate:
        return 0
    return 1 + int(random() * (n - 1))

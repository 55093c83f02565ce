"""``world.faults``: the run's fault plan, budget and nemesis.

Every fault decision passes ``Faults.ask``: it is asked (kind ``fault``, index 0 =
no fault) only while its kind is enabled, the fault phase lasts and the budget is
not spent. The nemesis process injects node faults and partitions one tick at a
time. With the plan's ``crash_points`` the engine also asks a crash decision right
after each durable write and send of a node and at each message's arrival
(docs/faults.md); a model may ask for one where it matters with
``world.faults.crash_point(node, where)``. Nodes created with ``faults=False`` are
never a crash, pause, clock or partition target.
"""
from __future__ import annotations

from ..engine import after
from ..errors import ModelError
from ..trace import CHOICE, FAULT
from ._plan import NODE_KINDS, FaultPlan


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
        self.points: tuple = ()  # the plan's crash points, when the run enables crashes
        self._rate = self.plan.rate
        self._sites: dict = {}  # crash-point site -> on (swarm decides each at first use)

    @property
    def rate(self) -> float:
        """The deviation rate of the decision being asked: crash_rate at a crash point."""
        return self._rate

    @property
    def heal_at(self):
        return self.plan.heal_at

    def configure(self, plan=None, **settings) -> "Faults":
        """Set the run's fault plan (once, in setup, before creating nodes).

        With ``swarm`` each kind is first decided on or off (``swarm drop``: index 0 = on)."""
        world = self.world
        if self.configured:
            raise ModelError("world.faults.configure() may be called once per run")
        if world.network.nodes:
            raise ModelError("configure faults before creating nodes (clock faults are decided at node creation)")
        plan = FaultPlan.of(plan, **settings)
        self.plan, self.configured = plan, True
        self._rate = plan.rate
        self.budget_left = plan.budget
        kinds = plan.kinds if plan.budget else ()
        if kinds and plan.swarm:
            kinds = tuple(k for k in kinds if world.decide(f"swarm {k}", ("on", "off"), CHOICE) == 0)
        self.enabled_kinds = kinds
        self.points = plan.crash_points if "crash" in kinds else ()
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
        chosen = self.world.decide(label, options, FAULT)
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
        if not node.faults or not node.up or node.crashing:
            return False
        return self._crash_decision(node, f"crash {node.name} {where}")

    # ---- the engine's crash points (FaultPlan.crash_points) -------------------
    def _at_point(self, node) -> bool:
        """A crash point applies: the node may crash, and the caller is one of its own
        processes (so the crash lands after the current step, which cannot leak out:
        ``Node.crashing``), never boot code or a callback."""
        if not node.faults or not node.up or node.paused or node.crashing or not self.enabled("crash"):
            return False  # checked before a swarm site decision is asked
        active = self.world.active_process
        return active is not None and any(t is active for t in node.tasks)

    def _site_on(self, site: str) -> bool:
        """With swarm, a crash-point site is decided on or off at its first use in a run
        (``swarm crash after disk write 'log'``, index 0 = on): runs differ in where
        crashes may land, so a rare site is not drowned by frequent ones."""
        on = self._sites.get(site)
        if on is None:
            on = not self.plan.swarm or self.world.decide(f"swarm crash {site}", ("on", "off"), CHOICE) == 0
            self._sites[site] = on
        return on

    def _point(self, node, site: str, label: str) -> bool:
        if not self._site_on(site):
            return False
        rate = self.plan.crash_rate
        if rate is None:
            return self._crash_decision(node, label)
        self._rate = rate
        try:
            return self._crash_decision(node, label)
        finally:
            self._rate = self.plan.rate

    def after_write(self, node, key) -> None:
        """Crash point: ``crash NODE after disk write 'KEY'`` (the write is durable)."""
        if "write" in self.points and self._at_point(node):
            site = f"after disk write {key!r}"
            self._point(node, site, f"crash {node.name} {site}")

    def after_send(self, node, msg, what: str) -> None:
        """Crash point: ``crash NODE after send WHAT to DST #N`` (the message is on its way)."""
        if "send" in self.points and self._at_point(node):
            site = f"after send {what}"
            self._point(node, site, f"crash {node.name} {site} to {msg.dst} #{msg.number}")

    def at_receipt(self, node, msg, what: str) -> bool:
        """Crash point: ``crash NODE at receipt of WHAT from SRC #N``: the node goes down as
        the message arrives, so no process of it sees the message. Returns whether it crashed."""
        if "recv" not in self.points or not node.faults or not node.up or node.paused or node.crashing \
                or not self.enabled("crash"):
            return False
        site = f"at receipt of {what}"
        return self._point(node, site, f"crash {node.name} {site} from {msg.src} #{msg.number}")

    def _crash_decision(self, node, label: str) -> bool:
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

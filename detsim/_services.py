"""World services beyond the control point: primitives, histories, wait reports,
the network, nodes and faults. A mixin, so _world.py stays the scheduling core."""
from __future__ import annotations

from .errors import ModelError


class WorldServices:
    """Factory methods bound to a World (``world.mutex(...)``, ``world.network``, ...)."""

    # ---- primitives ----------------------------------------------------------
    def _register(self, primitive):
        if primitive.name in self.primitives:
            raise ModelError(f"a primitive named {primitive.name!r} already exists")
        self.primitives[primitive.name] = primitive
        return primitive

    def mutex(self, name: str):
        from ._sync import Mutex

        return self._register(Mutex(self, name))

    def semaphore(self, name: str, permits: int = 1):
        from ._sync import Semaphore

        return self._register(Semaphore(self, name, permits))

    def channel(self, name: str, capacity: int = 1):
        from ._channel import Channel

        return self._register(Channel(self, name, capacity))

    def count(self, key: str, n: int = 1) -> None:
        """Bump a named counter (reported per run and summed over a campaign)."""
        self.counters[key] = self.counters.get(key, 0) + n

    def history(self, name: str):
        """A client-operation history (invoke/ok/fail/info) stamped with virtual time."""
        histories = self.__dict__.setdefault("histories", {})
        if name not in histories:
            from .history import History

            # (time, step): within one instant, steps are the true real-time order.
            histories[name] = History(name, now=lambda: (self._now, self.steps))
        return histories[name]

    # ---- more primitives (select, notify, channel kinds) ---------------------
    def select(self, branches, policy: str = "random", name: str | None = None):
        """A reusable selector over receive branches; ``yield sel.recv()`` -> Selected(index, value).
        policy: "biased" (in order), "fair" (round robin) or "random" (a recorded choice)."""
        from ._select import Select, default_name

        return self._register(Select(self, name or default_name(self), list(branches), policy))

    def notify(self, name: str, permits: bool = False):
        """A notify / condition variable; permits=True stores one notify_one permit (tokio Notify)."""
        from ._notify import Notify

        return self._register(Notify(self, name, permits))

    def oneshot(self, name: str):
        from ._chankinds import Oneshot

        return self._register(Oneshot(self, name))

    def broadcast(self, name: str, capacity: int):
        from ._chankinds import Broadcast

        return self._register(Broadcast(self, name, capacity))

    def watch(self, name: str, initial=None):
        from ._chankinds import Watch

        return self._register(Watch(self, name, initial))

    # ---- liveness: wait reports for no_starvation, the rwlock ----------------
    wait_log = None  # a WaitLog, set per run once a no_starvation property is attached

    def arrive(self, resource, who=None) -> None:
        """``who`` (default: the running process) starts waiting for ``resource``.
        detsim's primitives report this themselves; models with their own lock
        logic call ``arrive`` and ``grant`` so that no_starvation can judge them."""
        log = self.wait_log
        if log is not None:
            log.arrive(getattr(resource, "name", resource), self.current_name if who is None
                       else getattr(who, "name", who))

    def grant(self, resource, who=None) -> None:
        """``resource`` goes to ``who``; waiters that arrived earlier were overtaken."""
        log = self.wait_log
        if log is not None:
            log.grant(getattr(resource, "name", resource), self.current_name if who is None
                      else getattr(who, "name", who))

    def withdraw(self, resource, who=None) -> None:
        """``who`` stops waiting without being granted (a timeout, a cancelled request)."""
        log = self.wait_log
        if log is not None:
            log.withdraw(getattr(resource, "name", resource), self.current_name if who is None
                         else getattr(who, "name", who))

    def rwlock(self, name: str, policy: str = "fifo"):
        """Readers share, a writer is alone; FIFO by default (a writer is not starved)."""
        from ._rwlock import RwLock

        return self._register(RwLock(self, name, policy))

    # ---- network, nodes and faults (_network.py, _node.py, _faults.py) -------
    @property
    def network(self):
        """The run's simulated network (created on first use)."""
        net = self.__dict__.get("_network")
        if net is None:
            from ._network import Network

            net = self.__dict__["_network"] = Network(self)
        return net

    @property
    def faults(self):
        """The run's fault plan, budget and nemesis; ``world.faults.configure(...)`` once in setup."""
        faults = self.__dict__.get("_faults")
        if faults is None:
            from ._faults import Faults

            faults = self.__dict__["_faults"] = Faults(self)
        return faults

    def node(self, name: str, boot=None, *, faults: bool = True):
        """The node called ``name``; the first call creates it and runs ``boot(node)``.
        ``faults=False``: crash, pause, clock and partition faults never target it."""
        return self.network.node(name, boot, faults=faults)

    @property
    def fault_rate(self) -> float:
        """How often Random/PCT deviate at a fault decision (the fault plan's rate)."""
        faults = self.__dict__.get("_faults")
        if faults is None:
            from ._faults import DEFAULT_FAULT_RATE

            return DEFAULT_FAULT_RATE
        return faults.plan.rate

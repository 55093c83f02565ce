"""``detsim.World``: the control point plus the services a model uses.

Every piece of per-run state is declared in ``World.__init__`` (the scheduling
state in ``ControlPoint.__init__``); nothing is attached from outside. The
services are created here, on first use where they cost something:

=========================== ===================================================
``world.spawn/checkpoint``  processes and scheduling points (``detsim.engine``)
``world.spin``              a checkpoint in a busy-wait loop
``world.choose``            model-level nondeterminism, a recorded decision
``world.mutex`` ...         blocking primitives on one wait queue (``detsim.sync``)
``world.task_group``        structured concurrency: children, join, cancel, timeout
``world.network/node``      messages, nodes, disks, clocks (``detsim.faults``)
``world.faults``            the run's fault plan, budget and nemesis
``world.history``           client-operation histories (``detsim.history``)
``world.progress/count``    progress marks (livelock) and named counters
``world.arrive/grant/...``  wait reports for ``no_starvation`` (hand-written locks)
=========================== ===================================================

See docs/architecture.md for the whole pipeline.
"""
from __future__ import annotations

from .engine import DEFAULT_INSTANT_BUDGET, DEFAULT_MAX_STEPS, ControlPoint, SpinWait, current_task
from .errors import ModelError
from .faults import DEFAULT_FAULT_RATE, Faults, Network
from .history import History
from .sync import (Broadcast, Channel, Mutex, Notify, Oneshot, RwLock, Select, Semaphore, TaskGroup,
                   WaitForGraph, Watch, default_name)


class World(ControlPoint):
    """Virtual time plus a choice source, and the services models are written against.
    The public names are listed in README.md and docs/architecture.md."""

    def __init__(self, strategy=None, *, max_steps: int = DEFAULT_MAX_STEPS,
                 instant_budget: int = DEFAULT_INSTANT_BUDGET, horizon=None):
        super().__init__(strategy, max_steps=max_steps, instant_budget=instant_budget, horizon=horizon)
        self.end = None  # how the run ended: "quiescent" or "horizon" (set by the runner)
        self.progress_count = 0
        self.counters: dict[str, int] = {}  # named event counts (faults fired, ...), summed per campaign
        self.liveness_origin = 0  # eventually(within=T) is judged from here (two-phase runs move it)
        self.primitives: dict[str, object] = {}
        self.waitfor = WaitForGraph(self)
        self.wait_log = None  # a WaitLog, created per run once a no_starvation property is attached
        self.histories: dict[str, History] = {}
        self.fairness_witnesses: dict = {}  # fairness bound -> FairnessWitness (liveness properties)
        self.state_graph = None  # the run's abstract state graph, when no_livelock builds one
        self.trace_notes: dict = {}  # extra outcome fields for the trace (e.g. state digests)
        self.lint = None  # an EventLint in linted runs: events made and never waited on
        self.recorder = None  # a Recorder watching this run step by step, if any
        self._network = None  # created on first use of world.network
        self._faults = None  # created on first use of world.faults

    # ---- primitives ----------------------------------------------------------
    def _register(self, primitive):
        if primitive.name in self.primitives:
            raise ModelError(f"a primitive named {primitive.name!r} already exists")
        self.primitives[primitive.name] = primitive
        return primitive

    def mutex(self, name: str) -> Mutex:
        return self._register(Mutex(self, name))

    def semaphore(self, name: str, permits: int = 1) -> Semaphore:
        return self._register(Semaphore(self, name, permits))

    def rwlock(self, name: str, policy: str = "fifo") -> RwLock:
        """Readers share, a writer is alone; FIFO by default (a writer is not starved)."""
        return self._register(RwLock(self, name, policy))

    def channel(self, name: str, capacity: int = 1) -> Channel:
        return self._register(Channel(self, name, capacity))

    def oneshot(self, name: str) -> Oneshot:
        return self._register(Oneshot(self, name))

    def broadcast(self, name: str, capacity: int) -> Broadcast:
        return self._register(Broadcast(self, name, capacity))

    def watch(self, name: str, initial=None) -> Watch:
        return self._register(Watch(self, name, initial))

    def notify(self, name: str, permits: bool = False) -> Notify:
        """A notify / condition variable; permits=True stores one notify_one permit (tokio Notify)."""
        return self._register(Notify(self, name, permits))

    def select(self, branches, policy: str = "random", name: str | None = None) -> Select:
        """A reusable selector over receive branches; ``yield sel.recv()`` -> Selected(index, value).
        policy: "biased" (in order), "fair" (round robin) or "random" (a recorded choice)."""
        return self._register(Select(self, name or default_name(self), list(branches), policy))

    def task_group(self, name: str) -> TaskGroup:
        """A scope for child processes: spawn, join_next, cancel, timeout, wait, close
        (structured concurrency; a child outliving its scope is a "no leaked task" violation)."""
        return self._register(TaskGroup(self, name))

    # ---- busy-waiting ------------------------------------------------------------
    def spin(self) -> SpinWait:
        """``yield world.spin()`` in a busy-wait loop: a checkpoint that also tells the
        strategy "this process waits for another one". PCT moves it to the lowest
        priority (as shuttle's ``yield_now``) and DFS switches away from it at no cost,
        so a spinner never starves the process it waits for (docs/search.md)."""
        current_task(self, "world.spin()")
        return SpinWait(self, 0)

    # ---- counters, progress, histories -----------------------------------------
    def count(self, key: str, n: int = 1) -> None:
        """Bump a named counter (reported per run and summed over a campaign)."""
        self.counters[key] = self.counters.get(key, 0) + n

    def progress(self, label: str = "") -> None:
        """Marks real progress (livelock detection counts these)."""
        self.progress_count += 1

    def history(self, name: str) -> History:
        """A client-operation history (invoke/ok/fail/info) stamped with virtual time."""
        history = self.histories.get(name)
        if history is None:
            # (time, step): within one instant, steps are the true real-time order.
            history = self.histories[name] = History(name, now=lambda: (self._now, self.steps))
        return history

    # ---- wait reports for no_starvation, from models with their own lock logic ----
    def arrive(self, resource, who=None) -> None:
        """``who`` (default: the running process) starts waiting for ``resource``.
        detsim's primitives report this themselves; models with their own lock
        logic call ``arrive`` and ``grant`` so that no_starvation can judge them."""
        if self.wait_log is not None:
            self.wait_log.arrive(*self._wait_names(resource, who))

    def grant(self, resource, who=None) -> None:
        """``resource`` goes to ``who``; waiters that arrived earlier were overtaken."""
        if self.wait_log is not None:
            self.wait_log.grant(*self._wait_names(resource, who))

    def withdraw(self, resource, who=None) -> None:
        """``who`` stops waiting without being granted (a timeout, a cancelled request)."""
        if self.wait_log is not None:
            self.wait_log.withdraw(*self._wait_names(resource, who))

    def _wait_names(self, resource, who) -> tuple:
        return (getattr(resource, "name", resource),
                self.current_name if who is None else getattr(who, "name", who))

    # ---- network, nodes and faults ---------------------------------------------
    @property
    def network(self) -> Network:
        """The run's simulated network (created on first use)."""
        if self._network is None:
            self._network = Network(self)
        return self._network

    @property
    def faults(self) -> Faults:
        """The run's fault plan, budget and nemesis; ``world.faults.configure(...)`` once in setup."""
        if self._faults is None:
            self._faults = Faults(self)
        return self._faults

    def node(self, name: str, boot=None, *, faults: bool = True):
        """The node called ``name``; the first call creates it and runs ``boot(node)``.
        ``faults=False``: crash, pause, clock and partition faults never target it."""
        return self.network.node(name, boot, faults=faults)

    @property
    def fault_rate(self) -> float:
        """How often Random/PCT deviate at a fault decision (the fault plan's rate, or its
        crash_rate at a crash point)."""
        return DEFAULT_FAULT_RATE if self._faults is None else self._faults.rate

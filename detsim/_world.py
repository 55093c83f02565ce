"""The World: a SimPy environment whose every tie is a recorded choice.

SimPy orders events by (time, priority, id). Events due *now* are kept here in
per-priority FIFO lists instead of the heap, so a tie among NORMAL events can be
handed to the strategy; index 0 is SimPy's own order. URGENT events (process
start, interrupts) stay first-come: reordering them crashes SimPy.

Hot path (bench/engine_overhead.py): future NORMAL events wait in one list per
distinct time (schedule order = SimPy's id order) instead of one heap entry each.
Ties decided by an index-only strategy (Fifo, Random) are recorded in a flat list
and turned into decision tuples only when ``decisions`` is read: thousands of
retained tuples per run would otherwise keep the cyclic GC busy.
"""
from __future__ import annotations

from collections import deque
from fractions import Fraction
from heapq import heappop, heappush

import simpy
from simpy.core import EmptySchedule, Infinity, StopSimulation
from simpy.events import NORMAL, URGENT, Condition, Event, Process, Timeout

from ._services import WorldServices
from ._sched.fifo import Fifo
from ._sched.random import Random
from .errors import ModelError, StepBudgetExceeded

DEFAULT_MAX_STEPS = 200_000
DEFAULT_INSTANT_BUDGET = 50_000
_BLAME_WINDOW = 2_000  # extra steps watched after a budget overrun to name the looping process


class HorizonReached(Exception):
    """Internal: the next event lies beyond the run's virtual-time horizon."""


class ProcessFailed(Exception):
    """Internal: a process raised and nobody handled it."""

    def __init__(self, process, error):
        super().__init__(process, error)
        self.process, self.error = process, error


class Task(Process):
    """A named process. Its first step is a NORMAL event, so start order is a choice."""

    def __init__(self, world: "World", name: str, generator, daemon: bool):
        if not hasattr(generator, "throw"):
            raise ModelError(f"spawn({name!r}): expected a generator, got {type(generator).__name__}")
        self.env = world
        self.callbacks = []
        self._generator = generator
        self._name = name
        self.daemon = daemon
        self.waiting_on = None  # set by primitives: what this task is blocked on
        start = Event(world)
        start.callbacks.append(self._resume)
        start._ok, start._value = True, None
        self._target = start
        world.schedule(start, NORMAL)

    @property
    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"<Task {self._name}>"


def event_label(event) -> str:
    """A stable, human name for an event: the process it will resume."""
    callbacks = event.callbacks
    if callbacks:
        owner = getattr(callbacks[0], "__self__", None)
        kind = type(owner)
        if kind is Task:  # the common cases first: this runs once per tied event
            return owner._name
        if kind is Process:
            return owner._generator.__name__  # = Process.name
        if owner is event and len(callbacks) > 1:
            # a Condition's own _build_value comes first; whoever waits on it is next
            owner = getattr(callbacks[1], "__self__", None)
        if isinstance(owner, Task):
            return owner._name
        if isinstance(owner, Process):
            return owner.name
        if isinstance(owner, Condition) and owner is not event:
            return event_label(owner)
    if isinstance(event, Task):
        return f"{event._name}:exit"
    return type(event).__name__


def option_name(option, index: int) -> str:
    """A name for a choose() option that never contains an id()."""
    if option is None or isinstance(option, (str, int, float, bool, Fraction)):
        return str(option)
    if isinstance(option, (tuple, list)):
        return "(" + ", ".join(option_name(o, i) for i, o in enumerate(option)) + ")"
    name = getattr(option, "name", None)
    return name if isinstance(name, str) else f"{type(option).__name__}#{index}"


class World(WorldServices, simpy.Environment):
    """Virtual time plus a choice source. See DESIGN.md §2 for the public names."""

    # Slots for what every step touches: an instance dict past 30 keys (other state
    # is added lazily) loses CPython's fast attribute path and costs the hot path ~8%.
    __slots__ = ("_now", "_queue", "_eid", "_active_proc", "strategy", "_decisions", "_ops", "steps",
                 "_limit", "alarm", "max_steps", "instant_budget", "horizon", "_instant_start",
                 "_urgent", "_normal", "_names", "_named", "_late", "_times", "_buckets",
                 "_last_callbacks")

    def __init__(self, strategy=None, *, max_steps: int = DEFAULT_MAX_STEPS,
                 instant_budget: int = DEFAULT_INSTANT_BUDGET, horizon=None):
        super().__init__(0)
        self.strategy = strategy
        self.decisions: list[tuple] = []  # (step, time, label, candidates, chosen)
        self.tasks: dict[str, Task] = {}
        self.max_steps = max_steps
        self.instant_budget = instant_budget
        self.horizon = horizon
        self.steps = 0
        self.alarm = None  # a Violation or engine error raised outside a step's control flow
        self.progress_count = 0
        self.counters: dict[str, int] = {}  # named event counts (faults fired, ...), summed per campaign
        self.liveness_origin = 0  # eventually(within=T) is judged from here (two-phase runs move it)
        self.primitives: dict[str, object] = {}
        self._urgent: deque = deque()
        self._normal: list = []
        self._names: list = []  # labels of _normal[:_named] (once _ops is flushed), filled at decision time
        self._named = 0
        self._late: deque = deque()  # priority -1: StopSimulation re-schedules
        self._times: list = []  # heap of the future times that have NORMAL events
        self._buckets: dict = {}  # time -> the NORMAL events due then, in schedule order
        self._instant_start = 0
        self._limit = 0  # step count that triggers _over_budget; 0 = not computed yet
        self._blame = None
        self._last_callbacks = ()
        from ._waitfor import WaitForGraph

        self.waitfor = WaitForGraph(self)

    # ---- the control point -------------------------------------------------
    @property
    def decisions(self) -> list:
        """Every decision so far, as (step, time, label, candidates, chosen) tuples."""
        if self._ops:
            self._flush()
        return self._decisions

    @decisions.setter
    def decisions(self, rows: list) -> None:
        self._decisions, self._ops = rows, []

    def _flush(self) -> None:
        """Replay the compact record (see step) into decision tuples."""
        ops, names, rows = self._ops, self._names, self._decisions
        i, end = 0, len(ops)
        while i < end:
            step = ops[i]
            if step is None:  # the due list emptied while its last event was named
                names.clear()
                i += 1
                continue
            new = ops[i + 3]
            if new:
                names += ops[i + 4:i + 4 + new]
            chosen = ops[i + 2]
            rows.append((step, ops[i + 1], "schedule", tuple(names), chosen))
            names.pop(chosen)
            i += 4 + new
        ops.clear()

    def schedule(self, event, priority=NORMAL, delay=0):
        if delay:
            if priority == NORMAL:
                when = self._now + delay
                bucket = self._buckets.get(when)
                if bucket is None:
                    self._buckets[when] = [event]
                    heappush(self._times, when)
                else:
                    bucket.append(event)
            else:
                heappush(self._queue, (self._now + delay, priority, next(self._eid), event))
        elif priority == NORMAL:
            self._normal.append(event)
        elif priority == URGENT:
            self._urgent.append(event)
        else:
            self._late.append(event)

    def peek(self):
        if self._late or self._urgent or self._normal:
            return self._now
        times, queue = self._times, self._queue
        if queue and (not times or queue[0][0] < times[0]):
            return queue[0][0]
        return times[0] if times else Infinity

    def _advance(self) -> None:
        """Make the next instant's events due: other priorities from the heap, then
        the NORMAL bucket (the due lists are all empty when this is called)."""
        times, queue = self._times, self._queue
        if queue and (not times or queue[0][0] < times[0]
                      or (queue[0][0] == times[0] and queue[0][1] < NORMAL)):
            when = queue[0][0]
        elif times:
            when = times[0]
        else:
            raise EmptySchedule
        if self.horizon is not None and when > self.horizon:
            raise HorizonReached
        self._now = when
        self._instant_start = steps = self.steps
        limit = steps + self.instant_budget
        self._limit = limit if limit < self.max_steps else self.max_steps
        while queue and queue[0][0] == when:
            _, priority, _, event = heappop(queue)
            (self._urgent if priority == URGENT else self._late).append(event)
        if times and times[0] == when:
            heappop(times)
            self._normal = self._buckets.pop(when)

    def _pick(self, normal: list, n: int) -> int:
        """A strategy that reads the candidates: name the new ones, ask, record."""
        if self._ops:
            self._flush()
        names = self._names
        for j in range(self._named, n):
            names.append(event_label(normal[j]))
        chosen = self.decide("schedule", tuple(names))
        names.pop(chosen)
        return chosen

    def step(self):
        if self._late or self._urgent:
            event = self._late.popleft() if self._late else self._urgent.popleft()
        else:
            normal = self._normal
            n = len(normal)
            if not n:
                self._advance()
                if self._late or self._urgent:
                    return self.step()
                normal = self._normal
                n = len(normal)
            if n > 1:
                named, strategy = self._named, self.strategy
                kind = type(strategy)
                if kind is Random or kind is Fifo or strategy is None:
                    # Index-only strategies never read the names: log them flat (step,
                    # time, chosen, number of new labels, new labels...) for _flush.
                    chosen = int(strategy._random() * n) if kind is Random else 0  # = Random.choose
                    ops = self._ops
                    ops += (self.steps, self._now, chosen, n - named)
                    for j in range(named, n):
                        ops.append(event_label(normal[j]))
                else:
                    chosen = self._pick(normal, n)
                event = normal.pop(chosen)
                self._named = n - 1
            else:
                event = normal.pop()
                if self._named:
                    self._named = 0
                    if self._ops:
                        self._ops.append(None)
                    else:
                        self._names.pop()
        self.steps = steps = self.steps + 1
        if steps > self._limit:
            self._over_budget(event)

        # From here on this is SimPy's Environment.step, unchanged.
        callbacks, event.callbacks = event.callbacks, None
        self._last_callbacks = callbacks  # names the process for violations found after the step
        try:
            for callback in callbacks:
                callback(event)
        except StopSimulation:
            event.callbacks = callbacks[callbacks.index(callback) + 1:]
            self.schedule(event, -1)
            raise
        if not event._ok and not hasattr(event, "_defused"):
            raise ProcessFailed(event, event._value)

    def _over_budget(self, event) -> None:
        """Past _limit: refresh a stale limit; else watch a short window more, then
        blame the process that ran most."""
        if self._blame is None:
            limit = min(self._instant_start + self.instant_budget, self.max_steps)
            if self.steps <= limit:
                self._limit = limit
                return
            self._blame = {}
            self._blame_until = self.steps + _BLAME_WINDOW
        who = event_label(event)
        self._blame[who] = self._blame.get(who, 0) + 1
        if self.steps < self._blame_until:
            return
        culprit = max(self._blame.items(), key=lambda kv: (kv[1], kv[0]))[0]
        at_instant = self.steps - self._instant_start > self.instant_budget
        budget = f"{self.instant_budget} steps at one instant" if at_instant else f"{self.max_steps} steps"
        raise StepBudgetExceeded(
            f"step budget of {budget} exceeded at step {self.steps}, t={self._now}, "
            f"process {culprit} (ran {self._blame[culprit]} of the last {_BLAME_WINDOW} steps)")

    def timeout(self, delay, value=None) -> Timeout:
        """SimPy's BoundClass.bind_early skips subclasses, so each call went through the
        descriptor; a plain method is as fast as SimPy's own binding (bench/README.md)."""
        return Timeout(self, delay, value)

    # ---- choices -------------------------------------------------------------
    def decide(self, label: str, candidates: tuple) -> int:
        """Ask the strategy to pick among candidates and record the decision."""
        strategy = self.strategy
        chosen = strategy.choose(label, candidates, self) if strategy is not None else 0
        if not 0 <= chosen < len(candidates):
            raise ModelError(f"strategy chose {chosen} of {len(candidates)} at step {self.steps}")
        self.decisions.append((self.steps, self._now, label, candidates, chosen))
        return chosen

    def choose(self, label: str, options):
        """Model-level nondeterminism: returns one of options; options[0] is the default."""
        options = list(options)
        if not options:
            raise ModelError(f"choose({label!r}) needs at least one option")
        if len(options) == 1:
            return options[0]
        names = tuple(option_name(o, i) for i, o in enumerate(options))
        return options[self.decide(label, names)]

    # ---- processes -----------------------------------------------------------
    def spawn(self, name: str, generator, *, daemon: bool = False) -> Task:
        if name in self.tasks:
            raise ModelError(f"spawn: a process named {name!r} already exists")
        task = Task(self, name, generator, daemon)
        self.tasks[name] = task
        return task

    def checkpoint(self):
        """A zero-time yield: a place where the scheduler may switch."""
        return self.timeout(0)

    def progress(self, label: str = "") -> None:
        """Marks real progress (livelock detection counts these)."""
        self.progress_count += 1

    @property
    def current_name(self) -> str:
        """The running process, or between steps the process the last step resumed."""
        proc = self._active_proc
        if proc is not None:
            return proc.name
        for callback in self._last_callbacks:
            owner = getattr(callback, "__self__", None)
            if isinstance(owner, Process):
                return owner.name
        return "-"

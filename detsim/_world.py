"""The World: a SimPy environment whose every tie is a recorded choice.

SimPy orders events by (time, priority, id). Events due *now* are kept here in
per-priority FIFO lists instead of the heap, so a tie among NORMAL events can be
handed to the strategy; index 0 is SimPy's own order. URGENT events (process
start, interrupts) stay first-come: reordering them crashes SimPy.
"""
from __future__ import annotations

from collections import deque
from fractions import Fraction
from heapq import heappop, heappush

import simpy
from simpy.core import EmptySchedule, Infinity, StopSimulation
from simpy.events import NORMAL, URGENT, Condition, Event, Process

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
        if isinstance(owner, Task):
            return owner._name
        if isinstance(owner, Process):
            return owner.name
        if isinstance(owner, Condition):
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


class World(simpy.Environment):
    """Virtual time plus a choice source. See DESIGN.md §2 for the public names."""

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
        self._names: list = []  # labels of _normal[:_named], filled lazily at decision time
        self._named = 0
        self._late: deque = deque()  # priority -1: StopSimulation re-schedules
        self._instant_start = 0
        self._blame = None
        from ._waitfor import WaitForGraph

        self.waitfor = WaitForGraph(self)

    # ---- the control point -------------------------------------------------
    def schedule(self, event, priority=NORMAL, delay=0):
        if delay:
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
        try:
            return self._queue[0][0]
        except IndexError:
            return Infinity

    def _advance(self) -> None:
        """Move every event of the next instant from the heap into the due lists."""
        queue = self._queue
        if not queue:
            raise EmptySchedule
        when = queue[0][0]
        if self.horizon is not None and when > self.horizon:
            raise HorizonReached
        self._now = when
        self._instant_start = self.steps
        while queue and queue[0][0] == when:
            _, priority, _, event = heappop(queue)
            self.schedule(event, priority)

    def _pick(self, normal: list) -> int:
        names = self._names
        for j in range(self._named, len(normal)):
            names.append(event_label(normal[j]))
        self._named = len(normal)
        return self.decide("schedule", tuple(names))

    def step(self):
        if self._late:
            event = self._late.popleft()
        elif self._urgent:
            event = self._urgent.popleft()
        elif self._normal:
            normal = self._normal
            if len(normal) == 1:
                event = normal.pop()
                if self._named:
                    self._names.pop()
                    self._named = 0
            else:
                i = self._pick(normal)
                event = normal.pop(i)
                self._names.pop(i)
                self._named -= 1
        else:
            self._advance()
            return self.step()
        self.steps += 1
        if self.steps - self._instant_start > self.instant_budget or self.steps > self.max_steps:
            self._over_budget(event)

        # From here on this is SimPy's Environment.step, unchanged.
        callbacks, event.callbacks = event.callbacks, None
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
        """Watch a short window more, then blame the process that ran most."""
        if self._blame is None:
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
        proc = self._active_proc
        return proc.name if proc is not None else "-"

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

            histories[name] = History(name, now=lambda: self._now)
        return histories[name]

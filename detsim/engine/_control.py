"""The control point: a SimPy environment whose every tie is a recorded choice.

SimPy orders events by (time, priority, id). Events due *now* are kept here in
per-priority FIFO lists instead of the heap, so a tie among NORMAL events can be
handed to the strategy; index 0 is SimPy's own order. URGENT events (process
start, interrupts) stay first-come: reordering them crashes SimPy.

Hot path (bench/engine_overhead.py): future NORMAL events wait in one list per
distinct time (schedule order = SimPy's id order) instead of one heap entry each.
Ties decided by a strategy that declares a ``schedule_draw`` capability are
recorded in a flat list and turned into decision tuples only when ``decisions`` is
read: thousands of retained tuples per run would otherwise keep the cyclic GC busy.
"""
from __future__ import annotations

from collections import deque
from itertools import count
from heapq import heappop, heappush

import simpy
from simpy.core import EmptySchedule, Infinity, StopSimulation
from simpy.events import NORMAL, URGENT, Event, Process, Timeout

from ..errors import ModelError, StepBudgetExceeded
from ..trace import CHOICE, SCHEDULE
from ._abandon import SafeAllOf, SafeAnyOf
from ._record import DecisionRecord
from ._strategy import ALWAYS_DEFAULT, Strategy
from ._task import Task, event_label, option_name

DEFAULT_MAX_STEPS = 200_000
DEFAULT_INSTANT_BUDGET = 50_000
_PLAIN = (Timeout, Event)  # what the World's event factories make (see EventLint)
_BLAME_WINDOW = 2_000  # the last steps before a budget runs out are watched, to name the busiest process


def _once() -> bool:
    """``run_steps(_once)``: stop after one step."""
    return True


class HorizonReached(Exception):
    """Internal: the next event lies beyond the run's virtual-time horizon."""


class ProcessFailed(Exception):
    """Internal: a process raised and nobody handled it."""

    def __init__(self, process, error):
        super().__init__(process, error)
        self.process, self.error = process, error


class ControlPoint(DecisionRecord, simpy.Environment):
    """Virtual time plus a choice source: the scheduling core of ``detsim.World``."""

    # Slots for what every step touches: an instance dict past 30 keys loses CPython's
    # fast attribute path and costs the hot path ~8% (bench/README.md).
    __slots__ = ("_now", "_queue", "_eid", "_active_proc", "strategy", "_decisions", "_ops", "steps",
                 "_limit", "alarm", "max_steps", "instant_budget", "horizon", "_instant_start",
                 "_urgent", "_normal", "_names", "_named", "_late", "_times", "_buckets",
                 "_last_callbacks", "_compact", "_draw", "decision_kind", "unwaited", "_ties", "_rebuild",
                 "lean_broken")

    def __init__(self, strategy: Strategy | None = None, *, max_steps: int = DEFAULT_MAX_STEPS,
                 instant_budget: int = DEFAULT_INSTANT_BUDGET, horizon=None):
        # simpy.Environment.__init__, minus BoundClass.bind_early: it binds only the
        # exact class's attributes, so for a subclass it loops over World's for nothing.
        self._now, self._queue, self._eid, self._active_proc = 0, [], count(), None
        if strategy is not None and not isinstance(strategy, Strategy):
            raise ModelError(f"a strategy must be a detsim.Strategy, got {type(strategy).__name__}")
        self.strategy = strategy
        draw = strategy.schedule_draw() if strategy is not None else ALWAYS_DEFAULT
        self._compact = draw is not None  # schedule ties recorded in the flat _ops list
        self._draw = None if draw is ALWAYS_DEFAULT else draw
        self.decision_kind = None  # the kind of the decision a strategy is being asked
        self._ops: list = []  # the compact record of schedule ties (detsim/engine/_record.py)
        self.decisions: list[tuple] = []  # (step, time, label, candidates, chosen, kind)
        self._ties = None  # a lean record: the chosen index of each schedule tie (record_lean)
        self._rebuild = None  # how a lean run's decisions are rebuilt once it ended
        self.lean_broken = False  # someone read the decisions during a lean run
        self.tasks: dict[str, Task] = {}
        self.max_steps = max_steps
        self.instant_budget = instant_budget
        self.horizon = horizon
        self.steps = 0
        self.alarm = None  # a Violation or engine error raised outside a step's control flow
        self._urgent: deque = deque()
        self._normal: list = []
        self._names: list = []  # labels of _normal[:_named] (once _ops is flushed), filled at decision time
        self._named = 0
        self._late: deque = deque()  # priority -1: StopSimulation re-schedules
        self._times: list = []  # heap of the future times that have NORMAL events
        self._buckets: dict = {}  # time -> the NORMAL events due then, in schedule order
        self._instant_start = 0
        self._limit = 0  # step count that triggers _over_budget; 0 = not computed yet
        self._watched = None  # process name -> steps, over the last steps before a budget
        self._last_callbacks = ()
        # Plain events (timeouts, world.event()) processed with no callback: a missing
        # ``yield``, or a waiter that left (an AnyOf's loser). A linted run that sees any
        # re-executes itself with the EventLint to say where (detsim/campaign/_run.py).
        self.unwaited = 0

    # ---- SimPy's scheduling interface, overridden ------------------------------
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
        self._limit = (limit if limit < self.max_steps else self.max_steps) - _BLAME_WINDOW
        self._watched = None
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
        chosen = self.decide(SCHEDULE, tuple(names), SCHEDULE)
        names.pop(chosen)
        return chosen

    def step(self):
        """One step, as SimPy's ``Environment.step`` (the runner uses ``run_steps``)."""
        self.run_steps(_once)

    def run_steps(self, after=None):
        """Step until the alarm is raised (returned) or ``after()``, called after every
        step, returns something (returned). Raises as SimPy's ``step`` does
        (``EmptySchedule`` when nothing is left). The loop of ``step``, with the state
        every step touches held in locals: a run spends most of its time here."""
        late, urgent = self._late, self._urgent
        compact, draw, ties = self._compact, self._draw, self._ties
        ops = self._ops  # the compact record: one list for the World's life (_flush clears it)
        while True:
            if late or urgent:
                event = late.popleft() if late else urgent.popleft()
            else:
                normal = self._normal
                n = len(normal)
                if not n:
                    self._advance()
                    if late or urgent:
                        continue
                    normal = self._normal
                    n = len(normal)
                if n > 1:
                    if ties is not None:  # a lean record: the chosen index only
                        chosen = int(draw() * n) if draw is not None else 0
                        ties.append(chosen)
                    elif compact:
                        # The strategy never reads the names: log them flat (step, time,
                        # chosen, number of new labels, new labels...) for _flush.
                        named = self._named
                        chosen = int(draw() * n) if draw is not None else 0
                        if n == named:  # nobody joined the tie (the resumed process waits for later)
                            ops += (self.steps, self._now, chosen, 0)
                        elif n - named == 1:  # one event joined the tie
                            callbacks = normal[named].callbacks  # event_label's first case, inline
                            owner = getattr(callbacks[0], "__self__", None) if callbacks else None
                            ops += (self.steps, self._now, chosen, 1,
                                    owner._name if type(owner) is Task else event_label(normal[named]))
                        else:
                            ops += (self.steps, self._now, chosen, n - named)
                            ops += map(event_label, normal[named:])
                        self._named = n - 1
                    else:
                        chosen = self._pick(normal, n)
                        self._named = n - 1
                    event = normal.pop(chosen)
                else:
                    event = normal.pop()
                    if self._named:
                        self._named = 0
                        if ops:
                            ops.append(None)
                        else:
                            self._names.pop()
            self.steps = steps = self.steps + 1
            if steps > self._limit:
                self._over_budget(event)

            # From here on this is SimPy's Environment.step, unchanged.
            callbacks, event.callbacks = event.callbacks, None
            self._last_callbacks = callbacks  # names the process for violations found after the step
            if not callbacks and type(event) in _PLAIN:
                self.unwaited += 1
            try:
                for callback in callbacks:
                    callback(event)
            except StopSimulation:
                event.callbacks = callbacks[callbacks.index(callback) + 1:]
                self.schedule(event, -1)
                raise
            if not event._ok and not hasattr(event, "_defused"):
                raise ProcessFailed(event, event._value)
            if self.alarm is not None:
                return self.alarm
            if after is not None:
                verdict = after()
                if verdict is not None:
                    return verdict

    def _over_budget(self, event) -> None:
        """Past _limit: refresh a stale limit (a new instant began); within the last
        _BLAME_WINDOW steps of a budget, count who runs; at the budget, stop the run
        exactly there and name the process that ran most in that window."""
        limit = min(self._instant_start + self.instant_budget, self.max_steps)
        if self.steps <= limit - _BLAME_WINDOW:
            self._limit = limit - _BLAME_WINDOW
            return
        if self.steps <= limit:
            watched = self._watched if self._watched is not None else {}
            who = event_label(event)
            watched[who] = watched.get(who, 0) + 1
            self._watched, self._limit = watched, self.steps  # look again at the next step
            return
        at_instant = self.steps - self._instant_start > self.instant_budget
        budget = f"{self.instant_budget} steps at one instant" if at_instant else f"{self.max_steps} steps"
        self.steps -= 1  # the overrunning event does not run
        watched = self._watched or {event_label(event): 0}
        culprit = max(watched.items(), key=lambda kv: (kv[1], kv[0]))[0]
        raise StepBudgetExceeded(f"step budget of {budget} exceeded: the run was stopped after step "
                                 f"{self.steps}, t={self._now}; busiest process {culprit} (ran "
                                 f"{watched[culprit]} of the last {sum(watched.values())} steps)")

    def event(self) -> Event:
        """As SimPy's ``env.event()``, without the BoundClass descriptor on each call."""
        return Event(self)

    def timeout(self, delay, value=None) -> Timeout:
        """SimPy's BoundClass.bind_early skips subclasses, so each call went through the
        descriptor; a plain method is as fast as SimPy's own binding (bench/README.md)."""
        return Timeout(self, delay, value)

    def any_of(self, events) -> SafeAnyOf:
        """As SimPy's; the events it stops waiting for give back what they were handed."""
        return SafeAnyOf(self, events)

    def all_of(self, events) -> SafeAllOf:
        """As SimPy's; on a failure the other events give back what they were handed."""
        return SafeAllOf(self, events)

    # ---- choices -------------------------------------------------------------
    def decide(self, label: str, candidates: tuple, kind: str = CHOICE) -> int:
        """Ask the strategy to pick among candidates and record the decision."""
        strategy = self.strategy
        if strategy is None:
            chosen = 0
        else:
            self.decision_kind = kind
            chosen = strategy.choose(label, candidates, self)
        if not 0 <= chosen < len(candidates):
            raise ModelError(f"strategy chose {chosen} of {len(candidates)} at step {self.steps}")
        if self._ops:
            self._flush()  # the schedule ties logged before this decision come first
        # (a lean run keeps these rows in full too: re-executing it needs their order)
        self._decisions.append((self.steps, self._now, label, candidates, chosen, kind))
        return chosen

    def choose(self, label: str, options):
        """Model-level nondeterminism: returns one of options; options[0] is the default."""
        options = list(options)
        if not options:
            raise ModelError(f"choose({label!r}) needs at least one option")
        if len(options) == 1:
            return options[0]
        names = tuple(option_name(o, i) for i, o in enumerate(options))
        return options[self.decide(label, names, CHOICE)]

    # ---- processes -----------------------------------------------------------
    def spawn(self, name: str, generator, *, daemon: bool = False) -> Task:
        """Start a named process; names are unique and appear in traces. A daemon may
        still be blocked when the run ends without that being a deadlock."""
        if name in self.tasks:
            raise ModelError(f"spawn: a process named {name!r} already exists")
        task = Task(self, name, generator, daemon)
        self.tasks[name] = task
        return task

    def checkpoint(self):
        """A zero-time yield: a place where the scheduler may switch."""
        return Timeout(self, 0)  # not via self.timeout: one call less (the EventLint wraps both)

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

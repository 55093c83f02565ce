"""One wait queue under every blocking primitive (trio's ParkingLot, SimPy's BaseResource).

A primitive subclasses ``Blocking`` and keeps one ``WaitQueue`` per kind of wait
(a mutex has one; a channel has senders and receivers). The queue does the
bookkeeping every primitive needs, in one place:

* **park / wake**: each waiter has its own event (so waking several waiters is
  several schedulable steps, not one) and leaves in first-come order;
* **wait-for edges**: a parked task waits for the primitive (``WaitForGraph``),
  a holder is held by it; a cycle is reported the moment it closes;
* **the wait log** behind ``no_starvation``: arrivals and grants, when a
  starvation property asked for it;
* **statistics**: how many waited, the longest queue;
* **abandoned waits**: a waiter whose event nobody waits on any more (it lost an
  ``any_of`` race, or its process was interrupted or killed) is skipped and leaves
  the queue instead of being handed anything (tokio's and asyncio's dropped
  futures do the same). Yield an operation's event right away: an event nobody has
  yielded yet counts as abandoned once its process moves on;
* **give-backs**: a primitive that hands a waiter something registers how to take
  it back (``Blocking._handed``) if the waiter never receives it (see
  ``detsim.engine.abandon``).
"""
from __future__ import annotations

from collections import deque

from simpy.events import PENDING, Event

from ..engine import current_task, on_abandon


class Waiter:
    """One parked task: its event (or anything with ``succeed``) and optional data."""

    __slots__ = ("task", "event", "data")

    def __init__(self, task, event, data=None):
        self.task, self.event, self.data = task, event, data


class WaitQueue:
    """Tasks waiting on one primitive, first come first served.

    ``log_name`` is the resource name in the wait log (None: this kind of wait is not
    reported there); ``edges=False`` keeps the waits out of the wait-for graph (a
    wait for a message has no holder, so it can close no cycle).
    """

    __slots__ = ("owner", "log_name", "edges", "_waiters", "parked", "max_waiting")

    def __init__(self, owner, log_name: str | None = "", *, edges: bool = True):
        self.owner = owner
        self.log_name = owner.name if log_name == "" else log_name
        self.edges = edges
        self._waiters: deque = deque()
        self.parked = 0  # waits so far
        self.max_waiting = 0

    def __len__(self) -> int:
        return len(self._waiters)

    def __bool__(self) -> bool:
        self._prune()
        return bool(self._waiters)

    def __iter__(self):
        self._prune()
        return iter([w for w in self._waiters if not self._abandoned(w)])

    @property
    def first(self) -> Waiter:
        self._prune()
        return self._waiters[0]

    def _abandoned(self, waiter: Waiter) -> bool:
        event, task = waiter.event, waiter.task
        return (task is not None and isinstance(event, Event) and event._value is PENDING
                and not event.callbacks and task is not self.owner.world.active_process)

    def _prune(self) -> None:
        """Drop abandoned waiters from the front: they are never handed anything."""
        waiters = self._waiters
        while waiters and self._abandoned(waiters[0]):
            waiter = waiters.popleft()
            self._leave(waiter)
            log = self.owner.world.wait_log
            if log is not None and self.log_name is not None:
                log.withdraw(self.log_name, waiter.task.name)

    # ---- the wait log ----------------------------------------------------------
    def arrive(self, task) -> None:
        """``task`` starts wanting this resource (reported to the wait log, if any)."""
        log = self.owner.world.wait_log
        if log is not None and self.log_name is not None:
            log.arrive(self.log_name, task.name)

    def granted(self, task) -> None:
        """``task`` got what it waited for; earlier arrivals still waiting were overtaken."""
        world = self.owner.world
        log = world.wait_log
        if log is not None and self.log_name is not None:
            log.grant(self.log_name, task.name)
        if world.recorder is not None:
            world.recorder.note(self.owner, "get", task.name)

    # ---- park and wake ---------------------------------------------------------
    def park(self, task, event, data=None) -> Waiter:
        """Queue ``task`` until a wake hands ``event`` its value."""
        waiter = Waiter(task, event, data)
        waiters = self._waiters
        waiters.append(waiter)
        self.parked += 1
        if len(waiters) > self.max_waiting:
            self.max_waiting = len(waiters)
        world = self.owner.world
        if task is not None:
            if self.edges:
                world.waitfor.wait(task, self.owner)
            else:
                task.waiting_for = self.owner
        if world.recorder is not None:
            world.recorder.note(self.owner, "block", task.name if task is not None else "")
        return waiter

    def pop(self) -> Waiter:
        """The longest waiter still waiting leaves the queue (the caller grants or
        wakes it); test the queue first: ``if queue: waiter = queue.pop()``."""
        self._prune()
        waiter = self._waiters.popleft()
        self._leave(waiter)
        return waiter

    def remove(self, waiter: Waiter) -> None:
        """A waiter leaves out of order: served early (a reader-preferring lock admits
        readers past a writer) or not at all (select took another branch, a timeout)."""
        self._waiters.remove(waiter)
        self._leave(waiter)

    def discard(self, waiter: Waiter) -> None:
        """``remove`` if the waiter is still queued (a crash may have cleared the queue)."""
        if waiter in self._waiters:
            self.remove(waiter)

    def _leave(self, waiter: Waiter) -> None:
        task = waiter.task
        if task is None:
            return
        if self.edges:
            self.owner.world.waitfor.unwait(task, self.owner)
        else:
            task.waiting_for = None

    def clear(self) -> None:
        """Forget every waiter without waking it (a crashed node's receivers)."""
        self._waiters.clear()


class Blocking:
    """Base of every blocking primitive: a world, a unique name, holders in the
    wait-for graph and a ``describe_wait`` for deadlock reports."""

    kind = "primitive"

    def __init__(self, world, name: str):
        self.world, self.name = world, name

    def _task(self, what: str):
        """The calling task of operation ``what`` (a ModelError outside a task); the
        operation is noted as a use of this primitive for an attached recorder."""
        task = current_task(self.world, f"{self.name}.{what}")
        if self.world.recorder is not None:
            self.world.recorder.note(self, "use", what)
        return task

    def _touch(self, what: str) -> None:
        """An operation that needs no calling task: noted for an attached recorder."""
        if self.world.recorder is not None:
            self.world.recorder.note(self, "use", what)

    def _handed(self, event, undo) -> None:
        """``event`` handed its waiter something; ``undo()`` takes it back if the waiter
        never receives it (cancelled, or the event lost an ``any_of`` race)."""
        on_abandon(event, undo)

    def _hold(self, task) -> None:
        """``task`` now holds this primitive (a wait-for edge primitive → task)."""
        self.world.waitfor.hold(self, task)
        if self.world.recorder is not None:
            self.world.recorder.note(self, "hold", task.name)

    def _unhold(self, task) -> None:
        self.world.waitfor.unhold(self, task)
        if self.world.recorder is not None:
            self.world.recorder.note(self, "release", task.name)

    def describe_wait(self) -> str:
        return f"{self.kind} {self.name}"

    def queues(self) -> list:
        """This primitive's wait queues (its attributes that are WaitQueues)."""
        return [q for q in vars(self).values() if isinstance(q, WaitQueue)]

    def abandon(self, task) -> None:
        """``task`` stops waiting here without being served (it was cancelled)."""
        for queue in self.queues():
            for waiter in [w for w in queue if w.task is task]:
                queue.remove(waiter)
                if self.world.wait_log is not None and queue.log_name is not None:
                    self.world.wait_log.withdraw(queue.log_name, task.name)

    def statistics(self):
        raise NotImplementedError

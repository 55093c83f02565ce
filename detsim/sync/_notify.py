"""Notify / condition variable.

``notified()`` registers the caller as a waiter at the moment it is called and
returns that waiter's own event. ``notify_one()`` wakes the longest waiter;
``notify_all()`` wakes every current waiter (one event each, so the wakeups are
separate schedulable steps). With ``permits=False`` (the default: condition
variable semantics) a notification nobody waits for is lost and counted in
``statistics().unheard``; with ``permits=True`` (tokio ``Notify``) ``notify_one``
stores one permit that the next ``notified()`` consumes at once.

``wait(mutex)`` is the condition-variable wait, used as ``yield from
cond.wait(lock)``: it registers the waiter *before* releasing the mutex, so no
notification can slip between the check and the wait, then re-acquires.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import ModelError
from ._waitqueue import Blocking, WaitQueue


@dataclass(frozen=True)
class NotifyStatistics:
    tasks_waiting: int
    permit_stored: bool
    notifications: int  # notify_one / notify_all calls
    wakeups: int  # waiters woken
    unheard: int  # notifications that woke nobody and stored no permit
    max_waiting: int


class Notify(Blocking):
    kind = "notify"

    def __init__(self, world, name: str, permits: bool = False):
        super().__init__(world, name)
        self.stores_permit = bool(permits)
        self._permit = False
        self.waiters = WaitQueue(self)
        self._notifications = self._wakeups = self._unheard = 0

    def notified(self):
        """An event to yield; it fires at the next notification after this call."""
        task = self._task("notified()")
        event = self.world.event()
        self.waiters.arrive(task)
        if self._permit:
            self._permit = False
            self.waiters.granted(task)
            event.succeed()
            self._handed(event, self._forward)
            return event
        self.waiters.park(task, event)
        return event

    def notify_one(self) -> bool:
        """Wake the longest waiter. Returns whether anyone was woken."""
        self._touch("notify_one()")
        self._notifications += 1
        return self._forward()

    def _forward(self) -> bool:
        """One notification for the longest waiter, else a permit (or nobody heard it).
        Also where a notification goes if its waiter never received it."""
        if self.waiters:
            self._wake(self.waiters.pop(), forward=True)
            return True
        if self.stores_permit:
            self._permit = True
        else:
            self._unheard += 1
        return False

    def notify_all(self) -> int:
        """Wake every current waiter (never stores a permit). Returns how many."""
        self._touch("notify_all()")
        self._notifications += 1
        woken = 0
        while self.waiters:
            self._wake(self.waiters.pop(), forward=False)
            woken += 1
        if not woken:
            self._unheard += 1
        return woken

    def _wake(self, waiter, forward: bool) -> None:
        self._wakeups += 1
        self.waiters.granted(waiter.task)
        waiter.event.succeed()
        if forward:  # notify_one's notification is not lost with a waiter that never saw it
            self._handed(waiter.event, self._forward)

    def wait(self, mutex):
        """Condition wait: ``yield from cond.wait(lock)`` with ``lock`` held.
        Atomically releases ``lock`` and waits; returns with ``lock`` held again."""
        task = self._task("wait()")
        if mutex.holder is not task:
            raise ModelError(f"{task.name} called {self.name}.wait() without holding mutex {mutex.name}")
        woken = self.notified()  # registered first: the release below cannot lose a wakeup
        mutex.release()
        yield woken
        yield mutex.acquire()

    def describe_wait(self) -> str:
        return f"notify {self.name} ({len(self.waiters)} waiting, no notification pending)"

    def statistics(self) -> NotifyStatistics:
        return NotifyStatistics(len(self.waiters), self._permit, self._notifications,
                                self._wakeups, self._unheard, self.waiters.max_waiting)

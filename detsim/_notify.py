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

from collections import deque
from dataclasses import dataclass

from ._sync import current_task
from .errors import ModelError


@dataclass(frozen=True)
class NotifyStatistics:
    tasks_waiting: int
    permit_stored: bool
    notifications: int  # notify_one / notify_all calls
    wakeups: int  # waiters woken
    unheard: int  # notifications that woke nobody and stored no permit
    max_waiting: int


class Notify:
    def __init__(self, world, name: str, permits: bool = False):
        self.world, self.name, self.stores_permit = world, name, bool(permits)
        self._permit = False
        self._waiters: deque = deque()  # (task, event)
        self._notifications = self._wakeups = self._unheard = self._max_waiting = 0

    def notified(self):
        """An event to yield; it fires at the next notification after this call."""
        world = self.world
        task = current_task(world, f"{self.name}.notified()")
        event = world.event()
        if self._permit:
            self._permit = False
            event.succeed()
            return event
        self._waiters.append((task, event))
        self._max_waiting = max(self._max_waiting, len(self._waiters))
        world.waitfor.wait(task, self)
        return event

    def notify_one(self) -> bool:
        """Wake the longest waiter. Returns whether anyone was woken."""
        self._notifications += 1
        if self._waiters:
            self._wake(*self._waiters.popleft())
            return True
        if self.stores_permit:
            self._permit = True
        else:
            self._unheard += 1
        return False

    def notify_all(self) -> int:
        """Wake every current waiter (never stores a permit). Returns how many."""
        self._notifications += 1
        woken = len(self._waiters)
        if not woken:
            self._unheard += 1
        while self._waiters:
            self._wake(*self._waiters.popleft())
        return woken

    def _wake(self, task, event) -> None:
        self._wakeups += 1
        self.world.waitfor.unwait(task, self)
        event.succeed()

    def wait(self, mutex):
        """Condition wait: ``yield from cond.wait(lock)`` with ``lock`` held.
        Atomically releases ``lock`` and waits; returns with ``lock`` held again."""
        task = current_task(self.world, f"{self.name}.wait()")
        if mutex.holder is not task:
            raise ModelError(f"{task.name} called {self.name}.wait() without holding mutex {mutex.name}")
        woken = self.notified()  # registered first: the release below cannot lose a wakeup
        mutex.release()
        yield woken
        yield mutex.acquire()

    def describe_wait(self) -> str:
        return f"notify {self.name} ({len(self._waiters)} waiting, no notification pending)"

    def statistics(self) -> NotifyStatistics:
        return NotifyStatistics(len(self._waiters), self._permit, self._notifications,
                                self._wakeups, self._unheard, self._max_waiting)

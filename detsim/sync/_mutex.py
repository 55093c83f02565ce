"""A FIFO mutex on the shared wait queue."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import ModelError
from ._waitqueue import Blocking, WaitQueue


@dataclass(frozen=True)
class LockStatistics:
    locked: bool
    owner: str | None
    tasks_waiting: int
    acquisitions: int
    contended: int
    max_waiting: int


class Mutex(Blocking):
    """A FIFO mutex: release hands the lock to the longest waiter."""

    kind = "mutex"

    def __init__(self, world, name: str):
        super().__init__(world, name)
        self.holder = None
        self.waiters = WaitQueue(self)
        self._acquisitions = 0

    def locked(self) -> bool:
        self._touch("locked()")
        return self.holder is not None

    def acquire(self):
        """An event to yield; it fires once the caller holds the lock."""
        task = self._task("acquire()")
        event = self.world.event()
        self.waiters.arrive(task)
        if self.holder is None:
            self._grant(task, event)
        else:
            self.waiters.park(task, event)
        return event

    def try_acquire(self) -> bool:
        """Take the lock now if it is free; never blocks."""
        task = self._task("try_acquire()")
        if self.holder is not None:
            return False
        self._grant(task, None)
        return True

    def _grant(self, task, event) -> None:
        self.holder = task
        self._acquisitions += 1
        self._hold(task)
        self.waiters.granted(task)
        if event is not None:
            event.succeed()
            self._handed(event, lambda: self._give_back(task))

    def release(self) -> None:
        task = self._task("release()")
        if task is not self.holder:
            owner = self.holder.name if self.holder else "nobody"
            raise ModelError(f"{task.name} released mutex {self.name} held by {owner}")
        self._release(task)

    def _release(self, task) -> None:
        self._unhold(task)
        self.holder = None
        if self.waiters:
            waiter = self.waiters.pop()
            self._grant(waiter.task, waiter.event)

    def _give_back(self, task) -> None:
        """The lock was handed to ``task``, which never got to see it: pass it on."""
        if self.holder is task:
            self._release(task)

    def describe_wait(self) -> str:
        return f"mutex {self.name} held by {self.holder.name if self.holder else 'nobody'}"

    def statistics(self) -> LockStatistics:
        q = self.waiters
        return LockStatistics(self.holder is not None, self.holder.name if self.holder else None,
                              len(q), self._acquisitions, q.parked, q.max_waiting)

"""A counting semaphore with FIFO waiters, on the shared wait queue."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import ModelError
from ._waitqueue import Blocking, WaitQueue


@dataclass(frozen=True)
class SemaphoreStatistics:
    permits: int
    available: int
    holders: tuple
    tasks_waiting: int
    acquisitions: int
    max_held: int


class Semaphore(Blocking):
    """A counting semaphore with FIFO waiters. Releasing more than was acquired is an error."""

    kind = "semaphore"

    def __init__(self, world, name: str, permits: int):
        if permits < 0:
            raise ModelError(f"semaphore {name}: permits must be >= 0, got {permits}")
        super().__init__(world, name)
        self.permits = permits
        self.holders: list = []
        self.waiters = WaitQueue(self)
        self._acquisitions = self._max_held = 0

    @property
    def available(self) -> int:
        return self.permits - len(self.holders)

    def acquire(self):
        task = self._task("acquire()")
        event = self.world.event()
        self.waiters.arrive(task)
        if self.available > 0 and not self.waiters:
            self._grant(task, event)
        else:
            self.waiters.park(task, event)
        return event

    def _grant(self, task, event) -> None:
        self.holders.append(task)
        self._acquisitions += 1
        self._max_held = max(self._max_held, len(self.holders))
        self._hold(task)
        self.waiters.granted(task)
        event.succeed()
        self._handed(event, lambda: self._give_back(task))

    def release(self) -> None:
        task = self._task("release()")
        if not self.holders:
            raise ModelError(f"{task.name} released semaphore {self.name} with no permit held")
        # A permit may be released by another task than the one that took it (signalling).
        self._release(task if task in self.holders else self.holders[0])

    def _give_back(self, task) -> None:
        """A permit was handed to ``task``, which never got to see it: pass it on."""
        if task in self.holders:
            self._release(task)

    def _release(self, holder) -> None:
        self.holders.remove(holder)
        if holder not in self.holders:
            self._unhold(holder)
        if self.waiters:
            waiter = self.waiters.pop()
            self._grant(waiter.task, waiter.event)

    def describe_wait(self) -> str:
        names = ", ".join(t.name for t in self.holders) or "nobody"
        return f"semaphore {self.name} held by {names}"

    def statistics(self) -> SemaphoreStatistics:
        return SemaphoreStatistics(self.permits, self.available, tuple(t.name for t in self.holders),
                                   len(self.waiters), self._acquisitions, self._max_held)

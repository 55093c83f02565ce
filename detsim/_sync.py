"""Instrumented mutex and semaphore. Each waiter gets its own event, so waking
several waiters is several schedulable steps, not one."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from .errors import ModelError


def current_task(world, what: str):
    task = world.active_process
    if task is None or not hasattr(task, "waiting_on"):
        raise ModelError(f"{what} must be called from a process started with world.spawn()")
    return task


@dataclass(frozen=True)
class LockStatistics:
    locked: bool
    owner: str | None
    tasks_waiting: int
    acquisitions: int
    contended: int
    max_waiting: int


class Mutex:
    """A FIFO mutex: release hands the lock to the longest waiter."""

    def __init__(self, world, name: str):
        self.world, self.name = world, name
        self.holder = None
        self._waiters: deque = deque()
        self._acquisitions = self._contended = self._max_waiting = 0

    def locked(self) -> bool:
        return self.holder is not None

    def acquire(self):
        """An event to yield; it fires once the caller holds the lock."""
        world = self.world
        task = current_task(world, f"{self.name}.acquire()")
        event = world.event()
        if world.wait_log is not None:  # starvation bookkeeping, only when a property asks
            world.wait_log.arrive(self.name, task.name)
        if self.holder is None:
            self._grant(task, event)
        else:
            self._contended += 1
            self._waiters.append((task, event))
            self._max_waiting = max(self._max_waiting, len(self._waiters))
            world.waitfor.wait(task, self)
        return event

    def try_acquire(self) -> bool:
        """Take the lock now if it is free; never blocks."""
        task = current_task(self.world, f"{self.name}.try_acquire()")
        if self.holder is not None:
            return False
        self._grant(task, None)
        return True

    def _grant(self, task, event) -> None:
        self.holder = task
        self._acquisitions += 1
        self.world.waitfor.hold(self, task)
        if self.world.wait_log is not None:
            self.world.wait_log.grant(self.name, task.name)
        if event is not None:
            event.succeed()

    def release(self) -> None:
        task = current_task(self.world, f"{self.name}.release()")
        if task is not self.holder:
            owner = self.holder.name if self.holder else "nobody"
            raise ModelError(f"{task.name} released mutex {self.name} held by {owner}")
        self.world.waitfor.unhold(self, task)
        self.holder = None
        if self._waiters:
            waiter, event = self._waiters.popleft()
            self.world.waitfor.unwait(waiter, self)
            self._grant(waiter, event)

    def describe_wait(self) -> str:
        return f"mutex {self.name} held by {self.holder.name if self.holder else 'nobody'}"

    def statistics(self) -> LockStatistics:
        return LockStatistics(self.holder is not None, self.holder.name if self.holder else None,
                              len(self._waiters), self._acquisitions, self._contended, self._max_waiting)


@dataclass(frozen=True)
class SemaphoreStatistics:
    permits: int
    available: int
    holders: tuple
    tasks_waiting: int
    acquisitions: int
    max_held: int


class Semaphore:
    """A counting semaphore with FIFO waiters. Releasing more than was acquired is an error."""

    def __init__(self, world, name: str, permits: int):
        if permits < 0:
            raise ModelError(f"semaphore {name}: permits must be >= 0, got {permits}")
        self.world, self.name, self.permits = world, name, permits
        self.holders: list = []
        self._waiters: deque = deque()
        self._acquisitions = self._max_held = 0

    @property
    def available(self) -> int:
        return self.permits - len(self.holders)

    def acquire(self):
        world = self.world
        task = current_task(world, f"{self.name}.acquire()")
        event = world.event()
        if world.wait_log is not None:
            world.wait_log.arrive(self.name, task.name)
        if self.available > 0 and not self._waiters:
            self._grant(task, event)
        else:
            self._waiters.append((task, event))
            world.waitfor.wait(task, self)
        return event

    def _grant(self, task, event) -> None:
        self.holders.append(task)
        self._acquisitions += 1
        self._max_held = max(self._max_held, len(self.holders))
        self.world.waitfor.hold(self, task)
        if self.world.wait_log is not None:
            self.world.wait_log.grant(self.name, task.name)
        event.succeed()

    def release(self) -> None:
        task = current_task(self.world, f"{self.name}.release()")
        if not self.holders:
            raise ModelError(f"{task.name} released semaphore {self.name} with no permit held")
        # A permit may be released by another task than the one that took it (signalling).
        holder = task if task in self.holders else self.holders[0]
        self.holders.remove(holder)
        if holder not in self.holders:
            self.world.waitfor.unhold(self, holder)
        if self._waiters:
            waiter, event = self._waiters.popleft()
            self.world.waitfor.unwait(waiter, self)
            self._grant(waiter, event)

    def describe_wait(self) -> str:
        names = ", ".join(t.name for t in self.holders) or "nobody"
        return f"semaphore {self.name} held by {names}"

    def statistics(self) -> SemaphoreStatistics:
        return SemaphoreStatistics(self.permits, self.available, tuple(t.name for t in self.holders),
                                   len(self._waiters), self._acquisitions, self._max_held)

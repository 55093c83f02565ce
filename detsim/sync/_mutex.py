"""A FIFO mutex on the shared wait queue."""
from __future__ import annotations

from dataclasses import dataclass

from ..engine import Task, on_abandon
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
    """A FIFO mutex: release hands the lock to the longest waiter.

    Acquire and release take a short path when no recorder and no wait log is
    attached (a campaign's passing runs): the same wait-for edges and give-back,
    without the hooks' calls or the operation's name built for an error message
    (docs/lean-runs.md)."""

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
        world = self.world
        task = world.active_process
        if type(task) is not Task or world.recorder is not None:
            task = self._task("acquire()")
        event = world.event()  # not Event(world): a linted run wraps world.event
        if world.wait_log is not None:
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
        world = self.world
        if world.recorder is None and world.wait_log is None:
            world.waitfor.hold(self, task)
        else:
            self._hold(task)
            self.waiters.granted(task)
        if event is not None:
            event.succeed()
            on_abandon(event, lambda: self._give_back(task))

    def release(self) -> None:
        world = self.world
        task = world.active_process
        if type(task) is not Task or world.recorder is not None:
            task = self._task("release()")
        if task is not self.holder:
            owner = self.holder.name if self.holder else "nobody"
            raise ModelError(f"{task.name} released mutex {self.name} held by {owner}")
        self._release(task)

    def _release(self, task) -> None:
        world = self.world
        if world.recorder is None:
            world.waitfor.unhold(self, task)
        else:
            self._unhold(task)
        self.holder = None
        waiters = self.waiters
        if waiters._waiters and waiters:  # the plain deque first: usually nobody waits
            waiter = waiters.pop()
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

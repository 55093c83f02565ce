"""Instrumented readers–writer lock. Each waiter gets its own event.

``policy="fifo"`` (default, as tokio's RwLock): a request that finds anyone queued
queues too, and a release admits the head of the queue (a writer alone, or every
reader up to the next writer). A writer therefore waits only for the holders and
requests ahead of it; a stream of readers cannot starve it.

``policy="reader-preferring"`` (pthread's default): a reader enters whenever no
writer holds the lock, even past a queued writer; writers can starve. Offered
because real systems use it and it is what no_starvation should catch.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from ._sync import current_task
from .errors import ModelError

POLICIES = ("fifo", "reader-preferring")


@dataclass(frozen=True)
class RwLockStatistics:
    policy: str
    readers: tuple
    writer: str | None
    tasks_waiting: int
    reads: int
    writes: int
    max_readers: int


class RwLock:
    def __init__(self, world, name: str, policy: str = "fifo"):
        if policy not in POLICIES:
            raise ModelError(f"rwlock {name}: policy must be one of {', '.join(POLICIES)}, got {policy!r}")
        self.world, self.name, self.policy = world, name, policy
        self.readers: list = []
        self.writer = None
        self._waiters: deque = deque()  # (task, event, "read" | "write")
        self._reads = self._writes = self._max_readers = 0

    def read(self):
        """An event to yield; it fires once the caller shares the lock."""
        return self._request("read")

    def write(self):
        """An event to yield; it fires once the caller holds the lock alone."""
        return self._request("write")

    def _request(self, mode: str):
        world = self.world
        task = current_task(world, f"{self.name}.{mode}()")
        if task is self.writer or task in self.readers:
            raise ModelError(f"{task.name} requested rwlock {self.name} it already holds")
        event = world.event()
        log = world.wait_log
        if log is not None:
            log.arrive(self.name, task.name)
        if self._admissible(mode, queued=bool(self._waiters)):
            self._grant(task, event, mode)
        else:
            self._waiters.append((task, event, mode))
            world.waitfor.wait(task, self)
        return event

    def _admissible(self, mode: str, queued: bool) -> bool:
        if mode == "write":
            return self.writer is None and not self.readers and not queued
        if self.writer is not None:
            return False
        return self.policy == "reader-preferring" or not queued

    def _grant(self, task, event, mode: str) -> None:
        if mode == "write":
            self.writer = task
            self._writes += 1
        else:
            self.readers.append(task)
            self._reads += 1
            self._max_readers = max(self._max_readers, len(self.readers))
        world = self.world
        world.waitfor.hold(self, task)
        log = world.wait_log
        if log is not None:
            log.grant(self.name, task.name)
        event.succeed()

    def release(self) -> None:
        """Give up whatever the calling task holds (its read share or the write lock)."""
        world = self.world
        task = current_task(world, f"{self.name}.release()")
        if task is self.writer:
            self.writer = None
        elif task in self.readers:
            self.readers.remove(task)
        else:
            raise ModelError(f"{task.name} released rwlock {self.name} without holding it")
        world.waitfor.unhold(self, task)
        self._admit()

    def _admit(self) -> None:
        waiters = self._waiters
        if self.policy == "reader-preferring" and self.writer is None:
            readers = [w for w in waiters if w[2] == "read"]
            for w in readers:
                waiters.remove(w)
                self._wake(w)
        while waiters:
            task, event, mode = waiters[0]
            if not self._admissible(mode, queued=False):
                return
            waiters.popleft()
            self._wake((task, event, mode))
            if mode == "write":
                return

    def _wake(self, waiter) -> None:
        task, event, mode = waiter
        self.world.waitfor.unwait(task, self)
        self._grant(task, event, mode)

    def describe_wait(self) -> str:
        holders = f"writer {self.writer.name}" if self.writer else (
            "readers " + ", ".join(t.name for t in self.readers) if self.readers else "nobody")
        return f"rwlock {self.name} held by {holders}"

    def statistics(self) -> RwLockStatistics:
        return RwLockStatistics(self.policy, tuple(t.name for t in self.readers),
                                self.writer.name if self.writer else None, len(self._waiters),
                                self._reads, self._writes, self._max_readers)

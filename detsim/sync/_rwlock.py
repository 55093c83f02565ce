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

from dataclasses import dataclass

from ..errors import ModelError
from ._waitqueue import Blocking, WaitQueue

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


class RwLock(Blocking):
    kind = "rwlock"

    def __init__(self, world, name: str, policy: str = "fifo"):
        if policy not in POLICIES:
            raise ModelError(f"rwlock {name}: policy must be one of {', '.join(POLICIES)}, got {policy!r}")
        super().__init__(world, name)
        self.policy = policy
        self.readers: list = []
        self.writer = None
        self.waiters = WaitQueue(self)  # data: "read" | "write"
        self._reads = self._writes = self._max_readers = 0

    def read(self):
        """An event to yield; it fires once the caller shares the lock."""
        return self._request("read")

    def write(self):
        """An event to yield; it fires once the caller holds the lock alone."""
        return self._request("write")

    def _request(self, mode: str):
        task = self._task(f"{mode}()")
        if task is self.writer or task in self.readers:
            raise ModelError(f"{task.name} requested rwlock {self.name} it already holds")
        event = self.world.event()
        self.waiters.arrive(task)
        if self._admissible(mode, queued=bool(self.waiters)):
            self._grant(task, event, mode)
        else:
            self.waiters.park(task, event, mode)
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
        self._hold(task)
        self.waiters.granted(task)
        event.succeed()
        self._handed(event, lambda: self._give_back(task))

    def release(self) -> None:
        """Give up whatever the calling task holds (its read share or the write lock)."""
        task = self._task("release()")
        if task is not self.writer and task not in self.readers:
            raise ModelError(f"{task.name} released rwlock {self.name} without holding it")
        self._release(task)

    def _release(self, task) -> None:
        if task is self.writer:
            self.writer = None
        else:
            self.readers.remove(task)
        self._unhold(task)
        self._admit()

    def _give_back(self, task) -> None:
        """The lock was handed to ``task``, which never got to see it: pass it on."""
        if task is self.writer or task in self.readers:
            self._release(task)

    def _admit(self) -> None:
        waiters = self.waiters
        if self.policy == "reader-preferring" and self.writer is None:
            for waiter in [w for w in waiters if w.data == "read"]:
                waiters.remove(waiter)
                self._grant(waiter.task, waiter.event, "read")
        while waiters:
            mode = waiters.first.data
            if not self._admissible(mode, queued=False):
                return
            waiter = waiters.pop()
            self._grant(waiter.task, waiter.event, mode)
            if mode == "write":
                return

    def describe_wait(self) -> str:
        holders = f"writer {self.writer.name}" if self.writer else (
            "readers " + ", ".join(t.name for t in self.readers) if self.readers else "nobody")
        return f"rwlock {self.name} held by {holders}"

    def statistics(self) -> RwLockStatistics:
        return RwLockStatistics(self.policy, tuple(t.name for t in self.readers),
                                self.writer.name if self.writer else None, len(self.waiters),
                                self._reads, self._writes, self._max_readers)

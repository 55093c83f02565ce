"""Readers–writer lock over a weighted semaphore (the design of tokio's RwLock).

The lock is a semaphore of ``MAX_READERS`` permits: a reader takes one, a writer
takes all of them. Requests that cannot be served queue up; a release serves the
queue. Its waiters report to ``world.arrive``/``world.grant`` so that
``no_starvation`` can judge the lock.

Workload: ``readers`` readers form a stream. Reader i starts at t=i and then
holds the lock for 1 time unit every ``readers`` units, so at every instant one
reader hands over to the next: whether the two overlap (the next reader enters
before the previous one leaves) is a scheduling tie. ``writers`` writers ask for
the lock at t=``writer_at`` and then every ``writer_every`` units.

Properties: ``never a writer together with anyone`` (checked after every step),
``writer not starved`` (no waiter, writer or reader, is overtaken by more than
``max_bypass`` later arrivals), ``all done`` and the vacuity guard ``a writer
waited behind readers``.

Variants:

* ``None``: FIFO. A request that finds anyone queued queues too, and a release
  serves the head of the queue only. A writer waits for the readers already in,
  never for readers that came after it.
* ``"reader-preferring"``: the fast path grants a request whenever enough permits
  are free, ignoring the queue, and a release serves any waiter that fits. A
  reader that arrives while another reader is in walks past a queued writer; with
  unlucky handovers the writer is overtaken again and again.

``lock="detsim"`` runs the same workload on ``world.rwlock`` (policy ``fifo``, or
``reader-preferring`` for the bug), so the suite checks the library's primitive too.
"""
from collections import deque
from dataclasses import dataclass

import detsim

MAX_READERS = 8
VARIANTS = (None, "reader-preferring")


@dataclass
class RwLock(detsim.Model):
    readers: int = 2
    reads: int = 8
    writers: int = 1
    writes: int = 2
    writer_at: int = 1
    writer_every: int = 3
    max_bypass: int = 2
    lock: str = "model"  # "model": the semaphore design below; "detsim": world.rwlock
    bug: str | None = None

    def __post_init__(self):
        if self.bug not in VARIANTS:
            raise ValueError(f"unknown bug {self.bug!r} (known: {', '.join(map(repr, VARIANTS))})")
        if self.lock not in ("model", "detsim"):
            raise ValueError(f"lock must be 'model' or 'detsim', got {self.lock!r}")

    def setup(self, world):
        self.permits = MAX_READERS
        self.queue = deque()  # (process name, permits wanted, event)
        self.readers_in = self.writers_in = 0
        self.writer_waited = False  # a writer queued while readers held the lock
        self.reads_done = self.writes_done = 0
        if self.lock == "detsim":
            policy = "reader-preferring" if self.bug else "fifo"
            self.rw = world.rwlock("rw", policy=policy)
        for i in range(self.readers):
            world.spawn(f"reader-{i}", self.reader(world, i))
        for i in range(self.writers):
            world.spawn(f"writer-{i}", self.writer(world, i))

    # ---- the lock --------------------------------------------------------------
    def acquire(self, world, want: int):
        if self.lock == "detsim":
            yield self.rw.read() if want == 1 else self.rw.write()
            return
        me = world.current_name
        world.arrive("rw", me)
        ignore_queue = self.bug == "reader-preferring"
        if self.permits >= want and (ignore_queue or not self.queue):
            self.permits -= want
            world.grant("rw", me)
            return
        event = world.event()
        self.queue.append((me, want, event))
        yield event  # the release that served us already took our permits

    def release(self, world, want: int):
        if self.lock == "detsim":
            self.rw.release()
            return
        self.permits += want
        for waiter in list(self.queue):
            name, need, event = waiter
            if need > self.permits:
                if self.bug == "reader-preferring":
                    continue  # look further down the queue for someone who fits
                break  # FIFO: nobody passes the head
            self.queue.remove(waiter)
            self.permits -= need
            world.grant("rw", name)
            event.succeed()

    # ---- the workload --------------------------------------------------------------
    def reader(self, world, i):
        yield world.timeout(i)
        for _ in range(self.reads):
            yield from self.acquire(world, 1)
            self.readers_in += 1
            yield world.timeout(1)  # reading
            self.readers_in -= 1
            self.reads_done += 1
            world.progress("read")
            self.release(world, 1)
            yield world.timeout(self.readers - 1)

    def writer(self, world, i):
        yield world.timeout(self.writer_at)
        for _ in range(self.writes):
            if self.readers_in:
                self.writer_waited = True
            yield from self.acquire(world, MAX_READERS)
            self.writers_in += 1
            yield world.checkpoint()  # writing
            self.writers_in -= 1
            self.writes_done += 1
            world.progress("write")
            self.release(world, MAX_READERS)
            yield world.timeout(self.writer_every)

    def properties(self):
        return [
            detsim.always("never a writer together with anyone",
                          lambda m: m.writers_in == 0 or (m.writers_in == 1 and m.readers_in == 0)),
            detsim.no_starvation(max_bypass=self.max_bypass, name="writer not starved", resources=["rw"]),
            detsim.at_end("all done", lambda m: m.reads_done == m.readers * m.reads
                          and m.writes_done == m.writers * m.writes),
            detsim.sometimes("a writer waited behind readers", lambda m: m.writer_waited),
        ]

"""Condition variable: a producer hands ``per_consumer`` items to each of
``consumers`` consumers through a queue guarded by a mutex, waking them with ``notify_one``.

Correct consumer (the textbook loop): with the lock held, ``while queue is
empty: yield from cond.wait(lock)``. ``wait`` registers the waiter before it
releases the lock, so no notification is lost, and the ``while`` re-checks the
predicate after every wakeup because another consumer may have taken the item.

Properties: no deadlock (on by default: a lost wakeup leaves a consumer waiting
forever with nothing scheduled); nobody takes from an empty queue; every item
is consumed.

Planted bugs:
* ``unlocked-check``: the design report checks "queue empty?" under the lock,
  releases it, and only then waits on the notify. A notification that lands in
  between wakes nobody (condition variables keep no permit): lost wakeup, and
  the run ends in a global stall.
* ``no-recheck``: ``if`` instead of ``while``. A consumer woken for an item
  that a barging consumer already took goes on with an empty queue.
"""
from dataclasses import dataclass

import detsim


@dataclass
class CondQueue(detsim.Model):
    consumers: int = 2
    per_consumer: int = 2
    period: int = 2
    bug: str | None = None  # "unlocked-check" | "no-recheck"

    def setup(self, world):
        if self.bug not in (None, "unlocked-check", "no-recheck"):
            raise detsim.ModelError(f"CondQueue: unknown bug {self.bug!r}")
        self.lock = world.mutex("queue-lock")
        self.cond = world.notify("not-empty")
        self.items = self.consumers * self.per_consumer
        self.queue: list = []
        self.taken: list = []
        self.empty_takes = 0
        world.spawn("producer", self.producer(world))
        for c in range(self.consumers):
            world.spawn(f"consumer-{c}", self.consumer(world))

    def producer(self, world):
        for item in range(self.items):
            yield world.timeout(self.period)  # make the next item
            yield self.lock.acquire()
            self.queue.append(item)
            self.cond.notify_one()
            self.lock.release()

    def consumer(self, world):
        for _ in range(self.per_consumer):
            yield from self.take_one(world)
            # use the item: usually done before the next one is made, sometimes not
            yield world.timeout(world.choose("work", [self.period - 1, self.period]))

    def take_one(self, world):
        yield self.lock.acquire()
        if self.bug == "unlocked-check":
            while not self.queue:
                self.lock.release()
                yield world.checkpoint()  # the gap between the check and the wait
                yield self.cond.notified()
                yield self.lock.acquire()
        elif self.bug == "no-recheck":
            if not self.queue:
                yield from self.cond.wait(self.lock)
        else:
            while not self.queue:
                yield from self.cond.wait(self.lock)
        if self.queue:
            self.taken.append(self.queue.pop(0))
            world.progress("item taken")
        else:
            self.empty_takes += 1
        self.lock.release()

    def properties(self):
        return [
            detsim.always("nobody takes from an empty queue", lambda m: m.empty_takes == 0),
            detsim.at_end("every item consumed", lambda m: sorted(m.taken) == list(range(m.items))),
            detsim.sometimes("a consumer waited and was woken", lambda m: m.cond.statistics().wakeups > 0),
        ]

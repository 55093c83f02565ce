"""Bounded mpsc: ``producers`` tasks send ``messages`` items each into one
channel of ``capacity``; one consumer drains it. The last producer to finish
closes the channel (mpsc: the channel closes when every sender is dropped).

The consumer is normally fast (it waits in ``recv`` when a producer sends), but
it may stall for a while (``world.choose``, default: no stall); only then does
the channel fill up and a producer have to block.

Properties: the channel never buffers more than ``capacity`` (the producer
blocks instead); FIFO per sender and no duplication (each sender's items
arrive as 0, 1, 2, ...); no loss (all arrive by the end).

Planted bugs:
* ``unbounded-buffer``: the design report's sketch builds the queue unbounded
  (``capacity`` is only documented), so a stalled consumer lets it grow.
* ``lost-on-close``: the report's ``recv`` checks the closed flag before the
  buffer. If the last producer closes while its final item is still buffered,
  the consumer stops and that item is lost.
"""
from dataclasses import dataclass

import detsim

UNBOUNDED = 10**9


@dataclass
class BoundedMpsc(detsim.Model):
    producers: int = 2
    messages: int = 3
    capacity: int = 1
    stall: int = 3
    bug: str | None = None  # "unbounded-buffer" | "lost-on-close"

    def setup(self, world):
        if self.bug not in (None, "unbounded-buffer", "lost-on-close"):
            raise detsim.ModelError(f"BoundedMpsc: unknown bug {self.bug!r}")
        size = UNBOUNDED if self.bug == "unbounded-buffer" else self.capacity
        self.ch = world.channel("queue", size)
        self.live_senders = self.producers
        self.received = {f"producer-{p}": [] for p in range(self.producers)}
        self.closed_with_backlog = False
        self.max_buffered = 0
        world.spawn("consumer", self.consumer(world))
        for p in range(self.producers):
            world.spawn(f"producer-{p}", self.producer(world, f"producer-{p}"))

    def producer(self, world, name):
        for seq in range(self.messages):
            yield world.timeout(1)  # produce the next item
            yield self.ch.send((name, seq))
        self.live_senders -= 1
        if self.live_senders == 0:
            self.closed_with_backlog = len(self.ch) > 0
            self.ch.close()

    def recv(self):
        if self.bug == "lost-on-close" and self.ch.closed:
            return detsim.CLOSED  # the sketch: "closed? then we are done"
        return (yield self.ch.recv())

    def consumer(self, world):
        while True:
            item = yield from self.recv()
            if item is detsim.CLOSED:
                return
            sender, seq = item
            self.received[sender].append(seq)
            world.progress("received")
            pause = world.choose("consumer stalls", [0, self.stall])
            if pause:
                yield world.timeout(pause)

    def _buffered(self) -> int:
        n = len(self.ch)
        self.max_buffered = max(self.max_buffered, n)
        return n

    def properties(self):
        everything = list(range(self.messages))
        return [
            detsim.always("backpressure bound", lambda m: m._buffered() <= m.capacity),
            detsim.always("FIFO per sender, no duplicates",
                          lambda m: all(got == everything[:len(got)] for got in m.received.values())),
            detsim.at_end("no message lost", lambda m: all(got == everything for got in m.received.values())),
            detsim.sometimes("a producer blocked at capacity", lambda m: m.ch.statistics().senders_waiting > 0),
            detsim.sometimes("closed with messages still buffered", lambda m: m.closed_with_backlog),
        ]

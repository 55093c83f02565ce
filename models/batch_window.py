"""A batcher that flushes at ``size`` items or ``window`` after a batch's first item,
whichever comes first.

A producer adds ``items`` items; the gap before each next item is a choice (index
0: ``gaps[0]``, longer than a window, so the default schedule flushes every item on
its own by the window). Adding the item that fills a batch flushes it in the
producer's own call; a timer process flushes a batch whose window has passed.
A flush takes the batch out of the buffer and then writes it downstream, which
takes ``cost``; items keep arriving meanwhile (from the producer, while the timer
writes).

Properties: "no item is lost or duplicated" (``always``: every item that arrived
is either still in the buffer or was taken by exactly one flush; the ghost log
sees a loss the moment it happens); "every item is flushed within T of its
arrival" (``always``: no item is taken by a flush, or still waits in the buffer, more
than ``window`` after it arrived). Sometimes-guards: a batch was flushed by size, a batch was
flushed by the window, an item arrived while a flush was being written.

Planted bugs (issue 15):

* ``timer-reset-on-item``: the window restarts on each item (a debounce, not a
  batch window), so a steady trickle faster than the window is only flushed
  when the batch fills up;
* ``lost-on-flush-race``: the flush copies the buffer, writes the copy and only
  then clears the buffer: an item added during the write is cleared without
  being flushed, and a size flush that starts during a window flush sends the
  same items twice.

How the four resilience models are built: docs/resilience-models.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import detsim

P_CONSERVED = "no item is lost or duplicated"
P_WITHIN = "every item is flushed within T of its arrival"


@dataclass
class BatchWindow(detsim.Model):
    items: int = 6
    size: int = 3
    window: int = 3
    cost: int = 1
    gaps: list = field(default_factory=lambda: [5, 1, 2, 3])
    bug: str | None = None

    BUGS = ("timer-reset-on-item", "lost-on-flush-race")

    def setup(self, world):
        if self.bug is not None and self.bug not in self.BUGS:
            raise detsim.ModelError(f"BatchWindow has no planted bug {self.bug!r} (known: {', '.join(self.BUGS)})")
        self.world = world
        self.buffer: list = []
        self.deadline = None
        self.wake = None
        self.writing = 0  # flushes being written downstream
        # ghost state
        self.arrived: dict = {}  # item -> arrival time
        self.taken: dict = {}  # item -> how many flushes took it
        self.delivered: list = []  # items written downstream, in order
        self.broken: dict = {}
        self.by_size = self.by_window = self.during_write = 0
        world.spawn("producer", self.producer(world))
        world.spawn("timer", self.timer(world), daemon=True)

    # ---- the batcher -------------------------------------------------------------------
    def add(self, world, item):
        self.arrived[item] = world.now
        self.during_write += self.writing > 0
        self.buffer.append(item)
        if len(self.buffer) == 1 or self.bug == "timer-reset-on-item":
            self.deadline = world.now + self.window
        if self.wake is not None and not self.wake.triggered:
            self.wake.succeed()
        if len(self.buffer) >= self.size:
            self.by_size += 1
            yield from self.flush(world)

    def flush(self, world):
        if self.bug == "lost-on-flush-race":
            batch = list(self.buffer)  # cleared only after the write: items added meanwhile go too
        else:
            batch, self.buffer = self.buffer, []
        self.take(batch)
        self.writing += 1
        yield world.timeout(self.cost)
        self.writing -= 1
        self.delivered.extend(batch)
        if self.bug == "lost-on-flush-race":
            self.buffer.clear()
        self.check_conserved()

    def timer(self, world):
        while True:
            if not self.buffer:
                self.wake = world.event()
                yield self.wake
                continue
            if world.now < self.deadline:
                yield world.timeout(self.deadline - world.now)
                continue
            self.by_window += 1
            yield from self.flush(world)

    # ---- the producer -------------------------------------------------------------------------
    def producer(self, world):
        for item in range(self.items):
            if item:
                yield world.timeout(world.choose(f"gap before item {item}", self.gaps))
            yield from self.add(world, item)

    # ---- ghost and properties ----------------------------------------------------------------
    def fail(self, prop: str, why: str) -> None:
        self.broken.setdefault(prop, f"t={self.world.now}: {why}")

    def take(self, batch) -> None:
        now = self.world.now
        for item in batch:
            if not self.taken.get(item) and now - self.arrived[item] > self.window:
                self.fail(P_WITHIN, f"item {item} arrived at t={self.arrived[item]} and was flushed at t={now} "
                          f"(window {self.window})")
            self.taken[item] = self.taken.get(item, 0) + 1
            if self.taken[item] > 1:
                self.fail(P_CONSERVED, f"item {item} was taken by {self.taken[item]} flushes")

    def check_conserved(self) -> None:
        lost = [i for i in self.arrived if i not in self.taken and i not in self.buffer]
        if lost:
            self.fail(P_CONSERVED, f"item(s) {lost} left the buffer without being flushed")

    def within_window(self) -> bool:
        now = self.world.now
        late = [i for i in self.buffer if i not in self.taken and now - self.arrived[i] > self.window]
        if late:
            self.fail(P_WITHIN, f"item {late[0]} arrived at t={self.arrived[late[0]]} and still waits "
                      f"(window {self.window})")
        return P_WITHIN not in self.broken

    def properties(self):
        return [
            detsim.always(P_CONSERVED, lambda m: P_CONSERVED not in m.broken, explain=lambda m: m.broken[P_CONSERVED]),
            detsim.always(P_WITHIN, BatchWindow.within_window, explain=lambda m: m.broken[P_WITHIN]),
            detsim.sometimes("a batch was flushed by size", lambda m: m.by_size > 0),
            detsim.sometimes("a batch was flushed by the window", lambda m: m.by_window > 0),
            detsim.sometimes("an item arrived while a flush was being written", lambda m: m.during_write > 0),
        ]

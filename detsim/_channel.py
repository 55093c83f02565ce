"""A bounded FIFO channel (capacity 0 = rendezvous). ``recv`` on a closed, empty
channel yields ``CLOSED``; sending on a closed channel is a model error."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from ._sync import current_task
from .errors import ModelError


class _Closed:
    def __repr__(self) -> str:
        return "CLOSED"


CLOSED = _Closed()


@dataclass(frozen=True)
class ChannelStatistics:
    capacity: int
    buffered: int
    senders_waiting: int
    receivers_waiting: int
    sent: int
    received: int
    max_buffered: int
    closed: bool


class Channel:
    def __init__(self, world, name: str, capacity: int):
        if capacity < 0:
            raise ModelError(f"channel {name}: capacity must be >= 0, got {capacity}")
        self.world, self.name, self.capacity = world, name, capacity
        self.closed = False
        self._buffer: deque = deque()
        self._senders: deque = deque()  # (task, event, item)
        self._receivers: deque = deque()  # (task, event)
        self._sent = self._received = self._max_buffered = 0

    def send(self, item):
        """An event to yield; it fires once the item is buffered or handed over."""
        world = self.world
        task = current_task(world, f"{self.name}.send()")
        if self.closed:
            raise ModelError(f"{task.name} sent on closed channel {self.name}")
        event = world.event()
        self._sent += 1
        if self._receivers:
            receiver, rev = self._receivers.popleft()
            world.waitfor.unwait(receiver, self)
            self._deliver(rev, item)
            event.succeed()
        elif len(self._buffer) < self.capacity:
            self._buffer.append(item)
            self._max_buffered = max(self._max_buffered, len(self._buffer))
            event.succeed()
        else:
            self._senders.append((task, event, item))
            world.waitfor.wait(task, self)
        return event

    def recv(self):
        """An event to yield; its value is the next item, or CLOSED."""
        world = self.world
        task = current_task(world, f"{self.name}.recv()")
        event = world.event()
        if self._buffer:
            self._deliver(event, self._buffer.popleft())
            if self._senders:  # a slot opened: admit the longest-blocked sender
                sender, sev, item = self._senders.popleft()
                world.waitfor.unwait(sender, self)
                self._buffer.append(item)
                sev.succeed()
        elif self._senders:  # rendezvous
            sender, sev, item = self._senders.popleft()
            world.waitfor.unwait(sender, self)
            self._deliver(event, item)
            sev.succeed()
        elif self.closed:
            event.succeed(CLOSED)
        else:
            self._receivers.append((task, event))
            world.waitfor.wait(task, self)
        return event

    def _deliver(self, event, item) -> None:
        self._received += 1
        event.succeed(item)

    def close(self) -> None:
        """No more sends; blocked receivers get CLOSED once the buffer is drained."""
        self.closed = True
        while self._receivers:
            receiver, event = self._receivers.popleft()
            self.world.waitfor.unwait(receiver, self)
            event.succeed(CLOSED)

    def __len__(self) -> int:
        return len(self._buffer)

    def describe_wait(self) -> str:
        state = "full" if len(self._buffer) >= self.capacity else "empty"
        return f"channel {self.name} ({state}, {len(self._buffer)}/{self.capacity})"

    def statistics(self) -> ChannelStatistics:
        return ChannelStatistics(self.capacity, len(self._buffer), len(self._senders),
                                 len(self._receivers), self._sent, self._received,
                                 self._max_buffered, self.closed)

"""A bounded FIFO channel (capacity 0 = rendezvous). ``recv`` on a closed, empty
channel yields ``CLOSED``; sending on a closed channel is a model error.

Receivers wait in ``receivers`` (reported to the wait log as the channel's name),
senders blocked on a full channel in ``senders`` (as ``NAME:send``).
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from ..errors import ModelError
from ._waitqueue import Blocking, WaitQueue


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


class Channel(Blocking):
    kind = "channel"

    def __init__(self, world, name: str, capacity: int):
        if capacity < 0:
            raise ModelError(f"channel {name}: capacity must be >= 0, got {capacity}")
        super().__init__(world, name)
        self.capacity = capacity
        self.closed = False
        self._buffer: deque = deque()
        self.senders = WaitQueue(self, f"{name}:send")  # data: the item to send
        self.receivers = WaitQueue(self)
        self._sent = self._received = self._max_buffered = 0

    def send(self, item):
        """An event to yield; it fires once the item is buffered or handed over."""
        task = self._task("send()")
        if self.closed:
            raise ModelError(f"{task.name} sent on closed channel {self.name}")
        event = self.world.event()
        self._sent += 1
        self.senders.arrive(task)
        if self.receivers:
            receiver = self.receivers.pop()
            self._deliver(receiver.task, receiver.event, item)
            self.senders.granted(task)
            event.succeed()
        elif len(self._buffer) < self.capacity:
            self._buffer.append(item)
            self._max_buffered = max(self._max_buffered, len(self._buffer))
            self.senders.granted(task)
            event.succeed()
        else:
            self.senders.park(task, event, item)
        return event

    def recv(self):
        """An event to yield; its value is the next item, or CLOSED."""
        task = self._task("recv()")
        event = self.world.event()
        self.receivers.arrive(task)
        if self._buffer:
            self._deliver(task, event, self._buffer.popleft())
            if self.senders:  # a slot opened: admit the longest-blocked sender
                sender = self.senders.pop()
                self._buffer.append(sender.data)
                self._admitted(sender)
        elif self.senders:  # rendezvous
            sender = self.senders.pop()
            self._deliver(task, event, sender.data)
            self._admitted(sender)
        elif self.closed:
            self.receivers.granted(task)
            event.succeed(CLOSED)
        else:
            self.receivers.park(task, event)
        return event

    def select_ready(self) -> bool:
        """Whether a recv would not block (select polls this)."""
        self._touch("select_ready()")
        return bool(self._buffer or self.senders or self.closed)

    def _deliver(self, task, event, item) -> None:
        self._received += 1
        if task is not None:
            self.receivers.granted(task)
        event.succeed(item)
        self._handed(event, lambda: self._give_back(item))

    def _give_back(self, item) -> None:
        """``item`` was handed to a receiver that never got it: to the next receiver,
        else back to the front of the buffer (which may then hold one more than its
        capacity until it is read)."""
        self._received -= 1
        if self.receivers:
            receiver = self.receivers.pop()
            self._deliver(receiver.task, receiver.event, item)
        else:
            self._buffer.appendleft(item)

    def _admitted(self, sender) -> None:
        self.senders.granted(sender.task)
        sender.event.succeed()

    def close(self) -> None:
        """No more sends; blocked receivers get CLOSED once the buffer is drained."""
        self._touch("close()")
        self.closed = True
        while self.receivers:
            receiver = self.receivers.pop()
            self.receivers.granted(receiver.task)
            receiver.event.succeed(CLOSED)

    def __len__(self) -> int:
        return len(self._buffer)

    def describe_wait(self) -> str:
        state = "full" if len(self._buffer) >= self.capacity else "empty"
        return f"channel {self.name} ({state}, {len(self._buffer)}/{self.capacity})"

    def statistics(self) -> ChannelStatistics:
        return ChannelStatistics(self.capacity, len(self._buffer), len(self.senders),
                                 len(self.receivers), self._sent, self._received,
                                 self._max_buffered, self.closed)

"""Oneshot, broadcast (with lagging receivers) and watch channels, tokio-style.

Every receive returns an event to yield; each blocked receiver has its own
event. A receive on a closed kind yields ``CLOSED`` once nothing is left for it.
Each kind offers what ``world.select`` needs of a branch, as the bounded channel
does: ``select_ready()``, ``recv()`` and its ``receivers`` wait queue.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from ..errors import ModelError
from ._channel import CLOSED
from ._waitqueue import Blocking, WaitQueue


@dataclass(frozen=True)
class Lagged:
    """A broadcast receiver fell behind: ``n`` messages were overwritten before
    it read them. The next receive returns the oldest message still buffered."""
    n: int

    def __repr__(self) -> str:
        return f"Lagged({self.n})"


def _park(receiver, task):
    """The caller waits for ``receiver``'s next value."""
    event = receiver.world.event()
    receiver.receivers.arrive(task)
    receiver.receivers.park(task, event)
    return event


def _ready(receiver, task, value, undo=None):
    """The caller's receive is answered at once (``undo`` gives it back if unseen)."""
    event = receiver.world.event()
    receiver.receivers.arrive(task)
    receiver.receivers.granted(task)
    event.succeed(value)
    if undo is not None:
        receiver._handed(event, undo)
    return event


def _wake_first(receiver, value, undo=None) -> None:
    waiter = receiver.receivers.pop()
    receiver.receivers.granted(waiter.task)
    waiter.event.succeed(value)
    if undo is not None:
        receiver._handed(waiter.event, undo)


def _wake_all(receiver, value) -> None:
    while receiver.receivers:
        _wake_first(receiver, value)


# ---- oneshot ------------------------------------------------------------------
@dataclass(frozen=True)
class OneshotStatistics:
    sent: bool
    received: bool
    closed: bool
    receiver_waiting: bool


class Oneshot(Blocking):
    """One value, once. ``close()`` is the sender being dropped: a value already
    sent stays receivable; without one, the receiver gets ``CLOSED``."""

    kind = "oneshot"

    def __init__(self, world, name: str):
        super().__init__(world, name)
        self.closed = False
        self._sent = self._received = self._full = False
        self._slot = None
        self.receivers = WaitQueue(self)

    def send(self, value) -> None:
        task = self._task("send()")
        if self._sent:
            raise ModelError(f"{task.name} sent twice on oneshot {self.name}")
        if self.closed:
            raise ModelError(f"{task.name} sent on oneshot {self.name} after closing it")
        self._sent = True
        if self.receivers:
            self._received = True
            _wake_first(self, value, lambda: self._refill(value))
        else:
            self._slot, self._full = value, True

    def close(self) -> None:
        self._touch("close()")
        self.closed = True
        _wake_all(self, CLOSED)  # only waits while nothing was sent

    def select_ready(self) -> bool:
        self._touch("select_ready()")
        return self._full or self.closed

    def _refill(self, value) -> None:
        """The value was handed to a receiver that never got it: it waits in the slot again."""
        self._slot, self._full, self._received = value, True, False

    def recv(self):
        """An event whose value is the sent value, or CLOSED."""
        task = self._task("recv()")
        if self._received:
            raise ModelError(f"{task.name} received twice from oneshot {self.name}")
        if self.receivers:
            raise ModelError(f"{task.name}: oneshot {self.name} already has a waiting receiver")
        if self._full:
            value, self._slot, self._full, self._received = self._slot, None, False, True
            return _ready(self, task, value, lambda: self._refill(value))
        if self.closed:
            return _ready(self, task, CLOSED)
        return _park(self, task)

    def describe_wait(self) -> str:
        return f"oneshot {self.name} (nothing sent yet)"

    def statistics(self) -> OneshotStatistics:
        return OneshotStatistics(self._sent, self._received, self.closed, bool(self.receivers))


# ---- broadcast ----------------------------------------------------------------
@dataclass(frozen=True)
class BroadcastStatistics:
    capacity: int
    buffered: int
    sent: int
    receivers: int
    lagged: dict  # receiver name -> messages it was told it missed
    closed: bool


class Broadcast(Blocking):
    """Every receiver sees every message sent after it subscribed, unless it
    falls more than ``capacity`` behind: then it gets ``Lagged(n)`` once and
    resumes at the oldest buffered message. Sending never blocks."""

    kind = "broadcast"

    def __init__(self, world, name: str, capacity: int):
        if capacity < 1:
            raise ModelError(f"broadcast {name}: capacity must be >= 1, got {capacity}")
        super().__init__(world, name)
        self.capacity = capacity
        self.closed = False
        self._ring: deque = deque(maxlen=capacity)
        self._tail = 0  # position the next message gets
        self._subscribers: dict = {}  # name -> BroadcastReceiver, in subscription order

    @property
    def _oldest(self) -> int:
        return self._tail - len(self._ring)

    def subscribe(self, name: str) -> "BroadcastReceiver":
        """A receiver that sees messages sent from now on."""
        if name in self._subscribers:
            raise ModelError(f"broadcast {self.name} already has a receiver named {name!r}")
        receiver = BroadcastReceiver(self, name)
        self._subscribers[name] = receiver
        return receiver

    def send(self, value) -> int:
        """Buffer ``value`` for every receiver; returns how many receivers there are."""
        task = self._task("send()")
        if self.closed:
            raise ModelError(f"{task.name} sent on closed broadcast {self.name}")
        self._ring.append(value)
        self._tail += 1
        for receiver in self._subscribers.values():
            if receiver.receivers:  # it was caught up and waiting: hand over now
                before = receiver._position()
                _wake_first(receiver, receiver._take(), lambda r=receiver, b=before: r._rewind(b))
        return len(self._subscribers)

    def close(self) -> None:
        self._touch("close()")
        self.closed = True
        for receiver in self._subscribers.values():
            _wake_all(receiver, CLOSED)

    def statistics(self) -> BroadcastStatistics:
        return BroadcastStatistics(self.capacity, len(self._ring), self._tail, len(self._subscribers),
                                   {n: r.lagged for n, r in self._subscribers.items()}, self.closed)


class BroadcastReceiver(Blocking):
    kind = "broadcast receiver"

    def __init__(self, channel: Broadcast, name: str):
        super().__init__(channel.world, f"{channel.name}/{name}")
        self.channel = channel
        self._cursor = channel._tail
        self.receivers = WaitQueue(self)
        self.received = self.lagged = 0

    def select_ready(self) -> bool:
        self._touch("select_ready()")
        ch = self.channel
        return self._cursor < ch._tail or ch.closed

    def _take(self):
        ch = self.channel
        oldest = ch._oldest
        if self._cursor < oldest:
            missed, self._cursor = oldest - self._cursor, oldest
            self.lagged += missed
            return Lagged(missed)
        value = ch._ring[self._cursor - oldest]
        self._cursor += 1
        self.received += 1
        return value

    def recv(self):
        """An event whose value is the next message, ``Lagged(n)``, or CLOSED."""
        task = self._task("recv()")
        if self.receivers:
            raise ModelError(f"{task.name}: broadcast receiver {self.name} is already being waited on")
        if self._cursor < self.channel._tail:
            before = self._position()
            return _ready(self, task, self._take(), lambda: self._rewind(before))
        if self.channel.closed:
            return _ready(self, task, CLOSED)
        return _park(self, task)

    def _position(self) -> tuple:
        return self._cursor, self.received, self.lagged

    def _rewind(self, position: tuple) -> None:
        """A message was handed to a receive that never got it: read it again next time."""
        self._cursor, self.received, self.lagged = position

    def describe_wait(self) -> str:
        return f"broadcast {self.channel.name} (receiver {self.name} caught up)"


# ---- watch --------------------------------------------------------------------
@dataclass(frozen=True)
class WatchStatistics:
    version: int
    receivers: int
    receivers_waiting: int
    closed: bool


class Watch(Blocking):
    """Holds one value; receivers wait for a newer version than they have seen.
    Intermediate values may be skipped; the latest one never is."""

    kind = "watch"

    def __init__(self, world, name: str, initial):
        super().__init__(world, name)
        self.closed = False
        self._value, self._version = initial, 0
        self._subscribers: dict = {}

    def subscribe(self, name: str) -> "WatchReceiver":
        """A receiver that has seen the current value."""
        if name in self._subscribers:
            raise ModelError(f"watch {self.name} already has a receiver named {name!r}")
        receiver = WatchReceiver(self, name)
        self._subscribers[name] = receiver
        return receiver

    def borrow(self):
        return self._value

    @property
    def version(self) -> int:
        return self._version

    def send(self, value) -> None:
        task = self._task("send()")
        if self.closed:
            raise ModelError(f"{task.name} sent on closed watch {self.name}")
        self._value = value
        self._version += 1
        for receiver in self._subscribers.values():
            if receiver.receivers:
                seen = receiver.seen
                _wake_first(receiver, receiver._take(), lambda r=receiver, s=seen: r._unsee(s))

    def close(self) -> None:
        self._touch("close()")
        self.closed = True
        for receiver in self._subscribers.values():
            _wake_all(receiver, CLOSED)  # a waiting receiver has seen the latest value

    def statistics(self) -> WatchStatistics:
        waiting = sum(1 for r in self._subscribers.values() if r.receivers)
        return WatchStatistics(self._version, len(self._subscribers), waiting, self.closed)


class WatchReceiver(Blocking):
    kind = "watch receiver"

    def __init__(self, channel: Watch, name: str):
        super().__init__(channel.world, f"{channel.name}/{name}")
        self.channel = channel
        self.seen = channel._version
        self.receivers = WaitQueue(self)

    def select_ready(self) -> bool:
        self._touch("select_ready()")
        return self.seen < self.channel._version or self.channel.closed

    def _take(self):
        self.seen = self.channel._version
        return self.channel._value

    def borrow(self):
        return self.channel._value

    def has_changed(self) -> bool:
        return self.seen < self.channel._version

    def changed(self):
        """An event whose value is the latest value once it is newer than the
        last one seen (marking it seen), or CLOSED if the sender is gone and
        nothing newer is left."""
        task = self._task("changed()")
        if self.receivers:
            raise ModelError(f"{task.name}: watch receiver {self.name} is already being waited on")
        if self.seen < self.channel._version:
            seen = self.seen
            return _ready(self, task, self._take(), lambda: self._unsee(seen))
        if self.channel.closed:
            return _ready(self, task, CLOSED)
        return _park(self, task)

    recv = changed  # the name select uses

    def _unsee(self, seen: int) -> None:
        """A change was handed to a receive that never got it: it is still unseen."""
        self.seen = seen

    def describe_wait(self) -> str:
        return f"watch {self.channel.name} (receiver {self.name} has seen version {self.seen})"

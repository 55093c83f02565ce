"""``select`` over receive operations, with a stated branch policy.

``sel = world.select([ch_a, ("slow", ch_b)], policy="fair", name="mux")`` builds a
reusable selector; ``yield sel.recv()`` gives ``Selected(index, value)`` from one
branch. A branch is a bounded channel, a oneshot, a broadcast receiver or a watch
receiver (a watch branch is ``changed()``), optionally labelled.

When several branches are ready at the poll, the policy decides:
* ``biased``: the first ready branch in order (tokio ``biased;``). It starves a
  later branch while an earlier one stays ready.
* ``fair``: round robin from the branch after the last one taken; a branch that
  stays ready is bypassed at most n-1 times.
* ``random``: ``world.choose``, a recorded decision. Its options start at the
  round-robin pick, so the default (and any schedule without a select deviation)
  is fair; under a uniform chooser a ready branch is bypassed k more times with
  probability (1-1/n)^k.
When nothing is ready the selector parks on every branch (one stand-in receiver
per branch) and the first branch to get a value wins.

Every completion updates the bypass streaks behind ``select_fairness``: the
number of consecutive completions that took another branch while this one was
ready at the poll.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from ..errors import ModelError
from ..trace import CHOICE
from ._waitqueue import Blocking

POLICIES = ("biased", "fair", "random")


class Selected(NamedTuple):
    index: int
    value: object


class _Waker:
    """Stands in for a parked selector's event in one branch's receiver queue.
    The branch calls ``succeed(value)`` synchronously inside its send/close."""

    def __init__(self, select, index: int):
        self.select, self.index = select, index

    def succeed(self, value=None):
        self.select._woken(self.index, value)
        return self


@dataclass(frozen=True)
class SelectStatistics:
    policy: str
    branches: tuple  # labels
    taken: tuple  # completions per branch
    max_bypassed: tuple  # longest bypass streak per branch
    selects: int
    waiting: bool


class Select(Blocking):
    kind = "select"

    def __init__(self, world, name: str, branches, policy: str):
        if policy not in POLICIES:
            raise ModelError(f"select {name}: policy must be one of {', '.join(POLICIES)}, got {policy!r}")
        super().__init__(world, name)
        self.policy = policy
        self.labels, self.sources = [], []
        for i, branch in enumerate(branches):
            label, source = branch if isinstance(branch, tuple) else (getattr(branch, "name", f"#{i}"), branch)
            if not all(hasattr(source, need) for need in ("recv", "select_ready", "receivers")):
                raise ModelError(f"select {name}: branch {label!r} is not a channel or receiver")
            if any(source is s for s in self.sources):
                raise ModelError(f"select {name}: branch {label!r} appears twice")
            self.labels.append(str(label))
            self.sources.append(source)
        n = len(self.sources)
        if n == 0:
            raise ModelError(f"select {name}: needs at least one branch")
        self._cursor = 0
        self._parked = None  # (task, event, waiters per branch) while blocked
        self._taken = [0] * n
        self.streak = [0] * n
        self._max_bypass = [0] * n
        self._since = [None] * n  # (time, step) a streak began
        self._overtakers = [dict() for _ in range(n)]  # label -> times it overtook
        self._selects = 0
        self._enabled = [True] * n
        self.receiver = None  # name of the last task that selected

    def disable(self, index: int) -> None:
        """Stop polling a branch (e.g. once it yielded CLOSED), like a tokio branch precondition."""
        if self._parked is not None:
            raise ModelError(f"select {self.name}: cannot disable a branch while a task waits on it")
        self._enabled[index] = False
        if not any(self._enabled):
            self._enabled[index] = True
            raise ModelError(f"select {self.name}: cannot disable its last enabled branch")

    # ---- the operation ----------------------------------------------------
    def recv(self):
        """An event whose value is Selected(index, value) from one branch."""
        world = self.world
        task = self._task("recv()")
        if self._parked is not None:
            raise ModelError(f"{task.name}: select {self.name} is already being waited on")
        self.receiver = task.name
        ready = [i for i, source in enumerate(self.sources) if self._enabled[i] and source.select_ready()]
        if ready:
            index = self._pick(ready)
            self._account(ready, index)
            event = self.sources[index].recv()
            if not event.triggered:
                raise ModelError(f"select {self.name}: branch {self.labels[index]!r} was ready but blocked")
            event._value = Selected(index, event._value)  # still untouched: nobody else holds it
            return event
        event = world.event()
        waiters = [source.receivers.park(task, _Waker(self, i)) if self._enabled[i] else None
                   for i, source in enumerate(self.sources)]
        self._parked = (task, event, waiters)
        task.waiting_for = self
        return event

    def _pick(self, ready: list) -> int:
        n = len(self.sources)
        if self.policy == "biased":
            return ready[0]
        # round robin: the first ready branch at or after the cursor
        order = sorted(ready, key=lambda i: (i - self._cursor) % n)
        if self.policy == "random" and len(order) > 1:
            index = order[self.world.decide(f"select {self.name}", tuple(self.labels[i] for i in order), CHOICE)]
        else:
            index = order[0]
        self._cursor = (index + 1) % n
        return index

    def _woken(self, index: int, value) -> None:
        """A branch handed a value to our stand-in: leave every other branch."""
        task, event, waiters = self._parked
        self._parked = None
        for i, (source, waiter) in enumerate(zip(self.sources, waiters)):
            if i != index and waiter is not None:
                source.receivers.remove(waiter)
        if self.policy != "biased":
            self._cursor = (index + 1) % len(self.sources)
        self._account([index], index)
        event.succeed(Selected(index, value))

    def abandon(self, task) -> None:
        """The parked task was cancelled: leave every branch it waits on."""
        if self._parked is None or self._parked[0] is not task:
            return
        _, _, waiters = self._parked
        self._parked = None
        for source, waiter in zip(self.sources, waiters):
            if waiter is not None:
                source.receivers.remove(waiter)

    def _account(self, ready: list, chosen: int) -> None:
        self._selects += 1
        self._taken[chosen] += 1
        world, label = self.world, self.labels[chosen]
        for i in range(len(self.sources)):
            if i == chosen or i not in ready:
                self.streak[i] = 0
                self._since[i] = None
                self._overtakers[i] = {}
                continue
            if self.streak[i] == 0:
                self._since[i] = (world.now, world.steps)
            self.streak[i] += 1
            self._overtakers[i][label] = self._overtakers[i].get(label, 0) + 1
            self._max_bypass[i] = max(self._max_bypass[i], self.streak[i])

    # ---- reports ----------------------------------------------------------
    def starvation_report(self, index: int, bound: int) -> str:
        since_time, since_step = self._since[index]
        by = ", ".join(f"{label} ×{n}" for label, n in self._overtakers[index].items())
        return (f"select {self.name} (policy {self.policy}) starved branch {index} "
                f"{self.labels[index]!r} of receiver {self.receiver}: it was ready at "
                f"{self.streak[index]} consecutive selects since t={since_time} (step {since_step}) "
                f"and bypassed every time (bound K={bound}); taken instead: {by}")

    def describe_wait(self) -> str:
        live = [label for label, on in zip(self.labels, self._enabled) if on]
        return f"select {self.name} over [{', '.join(live)}] (no branch ready)"

    def statistics(self) -> SelectStatistics:
        return SelectStatistics(self.policy, tuple(self.labels), tuple(self._taken),
                                tuple(self._max_bypass), self._selects, self._parked is not None)


def default_name(world) -> str:
    taken = sum(1 for p in world.primitives.values() if isinstance(p, Select))
    return f"select-{taken}"

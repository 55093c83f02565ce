"""Task groups: structured concurrency with cancellation (tokio's JoinSet, a
``select!`` with a timeout, a CancellationToken).

``tg = world.task_group("jobs")`` is a scope for child processes:

* ``tg.spawn(name, generator)`` starts a child (named ``jobs/name``);
* ``yield tg.join_next()`` gives the next finished child as ``Joined(name, outcome,
  value)`` (outcome ``"ok"``, ``"cancelled"`` or ``"failed"``), in the order they
  finished, or ``None`` when the group has no child left to join;
* ``tg.cancel()`` cancels every running child; ``tg.timeout(T)`` cancels whatever
  still runs T after now; ``yield tg.wait()`` fires once every child has ended;
* ``tg.close()`` ends the scope: a child still running then is a **leak**, reported
  as a violation of the built-in property "no leaked task".

Cancellation is delivered to a child as ``simpy.Interrupt(CANCELLED)`` at its
current yield, by a zero-delay NORMAL event, so the delivery is itself a scheduling
point: it ties with whatever else is due now. A cancelled child leaves any wait
queue it was parked on (a lock it was still waiting for is never granted to it
afterwards), and what was handed to it but not yet seen (a lock granted, an item
received, a result joined, in the same instant) is given back, as a dropped future
in tokio gives it back; a lock it already holds is released only by its own code
(a ``finally``). A scope's timeout, when it expires at the instant some work completes,
is delivered after the events already due then, so index 0 (the default schedule)
is "no early cancellation" and the early one is a recorded choice.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from simpy import Interrupt

from ..engine import abandon, after
from ..errors import ModelError
from ..trace import Violation
from ._waitqueue import Blocking, WaitQueue


class _Cancelled:
    def __repr__(self) -> str:
        return "CANCELLED"


CANCELLED = _Cancelled()  # the cause of the Interrupt a cancelled child receives


class Joined(NamedTuple):
    name: str
    outcome: str  # "ok", "cancelled" or "failed"
    value: object  # the child's return value, or the exception it failed with


@dataclass(frozen=True)
class TaskGroupStatistics:
    spawned: int
    running: int
    finished: int
    cancelled: int
    failed: int
    joined: int
    max_running: int
    leaked: int
    closed: bool


class TaskGroup(Blocking):
    kind = "task group"

    def __init__(self, world, name: str):
        super().__init__(world, name)
        self.children: dict = {}  # name -> Task, in spawn order
        self.results: dict = {}  # name -> Joined, once the child ended
        self._unjoined: list = []  # Joined results not yet handed out by join_next, in end order
        self.joiners = WaitQueue(self)  # processes waiting in join_next
        self._waiting_all: list = []  # events of wait(), fired when no child runs
        self._cancel_sent: set = set()
        self.closed = False
        self._joined = self._max_running = self._leaked = 0

    @property
    def running(self) -> list:
        """Children still running (their generator has not ended)."""
        return [t for t in self.children.values() if t.is_alive]

    def _unfinished(self) -> bool:
        """Some child's end has not been recorded yet (it may have just ended)."""
        return len(self.results) < len(self.children)

    # ---- children -----------------------------------------------------------
    def spawn(self, name: str, generator, *, daemon: bool = False):
        """Start a child process ``GROUP/name`` in this scope."""
        if self.closed:
            raise ModelError(f"task group {self.name} is closed: it cannot spawn {name!r}")
        self._touch("spawn()")
        task = self.world.spawn(f"{self.name}/{name}", generator, daemon=daemon)
        self.children[task.name] = task
        task.callbacks.append(self._ended)
        self._max_running = max(self._max_running, len(self.running))
        return task

    def _ended(self, process) -> None:
        """A child's process event: record how it ended; a cancellation is not a failure."""
        name = process.name
        if process._ok:
            joined = Joined(name, "ok", process._value)
        elif isinstance(process._value, Interrupt) and process._value.cause is CANCELLED:
            process._defused = True  # the scope asked for it: not an error of the model
            joined = Joined(name, "cancelled", process._value)
        else:
            joined = Joined(name, "failed", process._value)  # still reported as the process's failure
        self.results[name] = joined
        if self.world.recorder is not None:
            self.world.recorder.note(self, "use", f"{name} ended: {joined.outcome}")
        if self.joiners:
            self._hand(self.joiners.pop(), joined)
        else:
            self._unjoined.append(joined)
        if not self._unfinished():
            waiting, self._waiting_all = self._waiting_all, []
            for event in waiting:
                event.succeed(self._all_results())

    def _hand(self, waiter, joined) -> None:
        self._joined += 1
        self.joiners.granted(waiter.task)
        waiter.event.succeed(joined)
        self._handed(waiter.event, lambda: self._give_back(joined))

    def _give_back(self, joined) -> None:
        """A result was handed to a join_next that never got it (cancelled, or it lost
        an any_of race, as tokio's select! on join_next): the next join gets it."""
        self._joined -= 1
        if self.joiners:
            self._hand(self.joiners.pop(), joined)
        else:
            self._unjoined.insert(0, joined)

    def _all_results(self) -> list:
        return [self.results[name] for name in self.children if name in self.results]

    # ---- the operations -----------------------------------------------------
    def join_next(self):
        """An event whose value is the next finished child (Joined), or None if none is left."""
        task = self._task("join_next()")
        event = self.world.event()
        self.joiners.arrive(task)
        if self._unjoined:
            self._joined += 1
            self.joiners.granted(task)
            joined = self._unjoined.pop(0)
            event.succeed(joined)
            self._handed(event, lambda: self._give_back(joined))
        elif not self._unfinished():
            self.joiners.granted(task)
            event.succeed(None)
        else:
            self.joiners.park(task, event)
        return event

    def wait(self):
        """An event that fires (with every child's Joined, in spawn order) once no child runs."""
        self._touch("wait()")
        event = self.world.event()
        if not self._unfinished():
            event.succeed(self._all_results())
        else:
            self._waiting_all.append(event)
        return event

    def cancel(self) -> int:
        """Cancel every running child (delivered at each one's current yield). Returns how many."""
        self._touch("cancel()")
        sent = 0
        for task in self.running:
            if task.name not in self._cancel_sent:
                self._cancel_sent.add(task.name)
                after(self.world, 0, f"cancel {task.name}", self._deliver, task)
                sent += 1
        return sent

    def _deliver(self, task) -> None:
        if not task.is_alive:
            return
        leave = getattr(task.waiting_for, "abandon", None)  # a primitive, a node's inbox
        if leave is not None:
            leave(task)  # leave its wait queue: never granted what it stopped waiting for
        abandon(task._target)  # handed something it has not seen yet (a lock, an item): give it back
        task.interrupt(CANCELLED)

    def timeout(self, duration) -> "ScopeTimeout":
        """Cancel whatever still runs ``duration`` from now (a scope with a deadline)."""
        self._touch("timeout()")
        return ScopeTimeout(self, duration)

    def close(self) -> None:
        """The scope ends here. A child still running is a leak: "no leaked task" fails."""
        self._touch("close()")
        self.closed = True
        leaked = [t.name for t in self.running]
        if leaked:
            self._leaked += len(leaked)
            world = self.world
            if world.alarm is None:
                world.alarm = Violation(
                    "no leaked task", f"task group {self.name} closed while {', '.join(leaked)} still "
                    f"ran: a child outlived its scope (cancel it and wait() before close())",
                    world.now, world.steps, world.current_name)

    # ---- a select branch: selecting over a group is a join_next ------------------
    @property
    def receivers(self) -> WaitQueue:
        return self.joiners

    def recv(self):
        """``join_next()``, under the name ``world.select`` uses for a branch."""
        return self.join_next()

    def select_ready(self) -> bool:
        """Whether a join_next would not block (select polls this)."""
        self._touch("select_ready()")
        return bool(self._unjoined) or not self._unfinished()

    def describe_wait(self) -> str:
        running = ", ".join(t.name for t in self.running) or "none"
        return f"task group {self.name} (running: {running})"

    def statistics(self) -> TaskGroupStatistics:
        outcomes = [j.outcome for j in self.results.values()]
        return TaskGroupStatistics(len(self.children), len(self.running), len(self.results),
                                   outcomes.count("cancelled"), outcomes.count("failed"), self._joined,
                                   self._max_running, self._leaked, self.closed)


class ScopeTimeout:
    """The deadline of a task group's scope; ``disarm()`` once the work finished in time."""

    def __init__(self, group: TaskGroup, duration):
        self.group, self.duration = group, duration
        self.fired = False
        self.armed = True
        after(group.world, duration, f"{group.name} deadline", self._expire)

    def _expire(self) -> None:
        # Work completing at this same instant was scheduled before this zero-delay
        # event: FIFO lets it finish first, and cancelling first is a recorded choice.
        if self.armed:
            after(self.group.world, 0, f"{self.group.name} times out", self._fire)

    def _fire(self) -> None:
        if self.armed and self.group.running:
            self.fired = True
            self.group.cancel()

    def disarm(self) -> None:
        self.armed = False

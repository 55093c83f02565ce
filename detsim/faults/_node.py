"""Nodes: a named group of processes with an inbox, a disk and a clock.

* ``crash()`` ends every process of the node at once (they end cleanly: the
  process event succeeds with ``CRASHED``; no exception is reported), and loses
  the volatile state: the inbox, pending receives and buffered disk writes that a
  ``lose-writes NODE`` decision drops. The node is down until ``restart()``, which
  calls ``boot(node)`` again to rebuild from ``node.disk``.
  Generators are closed, so ``finally`` blocks run, but the node is already down:
  they cannot send or write to disk.
* ``pause(d)`` freezes the node for ``d`` of world time (a GC pause, a VM stall):
  whatever its processes wait for may happen meanwhile, but they resume only
  afterwards. Messages queue in the inbox.
* ``disk.write(key, value, sync=True)`` is durable at once; ``sync=False`` is
  buffered until ``disk.flush()`` or the next sync write. When the fault plan
  enables ``crash``, a crash may lose a suffix of the buffer: the decision
  ``lose-writes NODE`` (index 0 keeps everything; it does not spend the budget).
* ``world.node(name, boot, faults=False)`` makes a node that node faults never target
  (a test harness's client, say): no crash, pause or clock decision about it, no
  partition shape names it, ``world.faults.crash_point`` skips it, and its clock is
  exact. Its messages are still subject to drop, duplicate and latency decisions.
* A crash asked from one of the node's own processes (a crash point) lands when the
  current step ends; meanwhile the node is ``crashing``: its sends are lost and its
  disk writes ignored, as if it were already down (docs/faults.md).
"""
from __future__ import annotations

from collections import deque

from simpy.events import NORMAL, URGENT, Event, Process

from ..engine import TimerCallback, after, on_abandon
from ..errors import ModelError
from ..sync import WaitQueue
from ._clock import NodeClock
from ._disk import Disk


class _Crashed:
    def __repr__(self) -> str:
        return "CRASHED"


CRASHED = _Crashed()  # the value of a process that a crash ended


class _Hold(Process):
    """Stands in for a paused task's resume callback; named after the task."""

    def __init__(self, task, target):
        self.task, self.waited, self.fired = task, target, None

    @property
    def name(self) -> str:
        return self.task.name

    def catch(self, event) -> None:
        if not event._ok:
            event._defused = True  # re-raised into the task when the node resumes
        self.fired = event


def _callback_index(callbacks, task) -> int:
    for i, cb in enumerate(callbacks):
        owner = getattr(cb, "__self__", None)
        if owner is task or (isinstance(owner, _Hold) and owner.task is task):
            return i
    return -1


class Node:
    def __init__(self, network, name: str, boot, faults: bool = True):
        world = network.world
        self.world, self.network, self.name, self._boot = world, network, name, boot
        self.faults = bool(faults)  # False: node faults (crash, pause, clock, partition) never target it
        self.up = True
        self.incarnation = 1
        self.paused = False
        self.crashing = False  # crashed by its own running process: down once the step ends
        self.disk = Disk(self)
        self.clock_source = self._make_clock()
        self.tasks: list = []  # live processes of the current incarnation
        self._inbox: deque = deque()
        self.receivers = WaitQueue(self, None, edges=False)  # processes waiting for a message
        self._held: list = []
        self._pause_token = 0
        self._deferred = None

    def _make_clock(self) -> NodeClock:
        world = self.world
        if not self.faults:
            return NodeClock(world, self.name, 0, 1)  # no decision asked: an exact clock
        faults = world.faults
        plan = faults.plan
        s, d = plan.skew, plan.drift
        options = ("exact", f"skew +{s}", f"skew -{s}", f"drift {1 + d}", f"drift {1 - d}")
        i = faults.ask("clock", f"clock {self.name}", options)
        skew = (0, s, -s, 0, 0)[i]
        rate = (1, 1, 1, 1 + d, 1 - d)[i]
        return NodeClock(world, self.name, skew, rate)

    def __repr__(self) -> str:
        state = "up" if self.up else "down"
        return f"<Node {self.name} {state}{' paused' if self.paused else ''} #{self.incarnation}>"

    def _require_up(self, what: str) -> None:
        if not self.up:
            raise ModelError(f"{what}: node {self.name} is down")

    # ---- processes -------------------------------------------------------------
    def spawn(self, name: str, generator, *, daemon: bool = False):
        """A process of this node, named ``NODE/name``; a crash ends it."""
        self._require_up(f"spawn {name}")
        task = self.world.spawn(f"{self.name}/{name}", generator, daemon=daemon)
        self.tasks.append(task)
        if self.paused:
            self._freeze(task)
        return task

    def _boot_now(self) -> None:
        if self._boot is not None:
            self._boot(self)

    # ---- time ------------------------------------------------------------------
    def clock(self):
        """This node's wall-clock reading (skew, drift and jumps included)."""
        return self.clock_source.now()

    def sleep(self, duration):
        """An event after ``duration`` of this node's (monotonic) time: drift applies, jumps do not."""
        return self.world.timeout(self.clock_source.delay(duration))

    def sleep_until(self, reading):
        """An event once ``clock() >= reading``; re-armed when the clock jumps."""
        world, clock = self.world, self.clock_source
        event = world.event()
        who = world.current_name
        incarnation = self.incarnation

        def arm():
            if event.triggered or self.incarnation != incarnation:
                return
            if clock.now() >= reading:
                event.succeed()
                return
            clock._wall_waiters.append(arm)
            after(world, clock.world_time_at(reading) - world.now, who, check)

        def check():
            if not event.triggered and self.incarnation == incarnation and clock.now() >= reading:
                event.succeed()

        arm()
        return event

    # ---- messages --------------------------------------------------------------
    def send(self, dst: str, body):
        return self.network.send(self.name, dst, body)

    def broadcast(self, body, *, include_self: bool = False) -> list:
        return self.network.broadcast(self.name, body, include_self=include_self)

    def recv(self, timeout=None):
        """An event whose value is the next Message, or None after ``timeout`` (node time)."""
        self._require_up("recv")
        world = self.world
        self._note("use", "recv()")
        event = world.event()
        if self._inbox:
            msg = self._inbox.popleft()
            event.succeed(msg)
            on_abandon(event, lambda: self._deliver(msg, front=True))
            return event
        waiter = self.receivers.park(world.active_process, event)
        if timeout is not None:
            after(world, self.clock_source.delay(timeout), world.current_name, self._recv_timeout, waiter)
        return event

    def _recv_timeout(self, waiter) -> None:
        if waiter.event.triggered:
            return
        self.receivers.discard(waiter)
        waiter.event.succeed(None)

    def _deliver(self, msg, front: bool = False) -> None:
        """Hand ``msg`` to the longest receiver, else queue it (at the front: a message
        given back by a receive that never got it, e.g. a cancelled one)."""
        receivers = self.receivers
        while receivers:
            waiter = receivers.pop()
            if waiter.event.triggered:
                continue
            waiter.event.succeed(msg)
            on_abandon(waiter.event, lambda: self._deliver(msg, front=True))
            return
        if front:
            self._inbox.appendleft(msg)
        else:
            self._inbox.append(msg)

    def describe_wait(self) -> str:
        return f"a message to {self.name}"

    def abandon(self, task) -> None:
        """``task`` stops waiting for a message (it was cancelled): it gets none."""
        for waiter in [w for w in self.receivers if w.task is task]:
            self.receivers.remove(waiter)

    def _note(self, action: str, detail: str = "") -> None:
        if self.world.recorder is not None:
            self.world.recorder.note(self, action, detail)

    @property
    def inbox(self) -> tuple:
        return tuple(self._inbox)

    # ---- faults ----------------------------------------------------------------
    def _defer(self, label: str, fn) -> bool:
        """Called from one of this node's own processes: act right after the current step."""
        active = self.world.active_process
        if active is None or not any(t is active for t in self.tasks):
            return False
        event = Event(self.world)
        event._ok, event._value = True, None
        event.callbacks.append(TimerCallback(label, fn, ()).fire)
        self.world.schedule(event, URGENT)
        return True

    def crash(self) -> None:
        """Every process of the node ends; volatile state and some buffered writes are lost."""
        self._require_up("crash")
        if self._defer(f"crash {self.name}", self._crash_now):
            # Down from this moment: what the rest of the step sends or writes never
            # leaves the node (a crash right after a write loses whatever came next).
            self.crashing = True
            return
        self._crash_now()

    def _crash_now(self) -> None:
        if not self.up:
            return
        world = self.world
        self.up = False
        self.paused = False
        self.crashing = False
        self._pause_token += 1
        world.faults.fire("crash")
        self._note("crash", f"incarnation {self.incarnation}")
        pending = self.disk.pending
        kept = pending
        if pending:
            options = tuple(f"keep {k} of {pending}" for k in range(pending, -1, -1))
            kept = pending - world.faults.ask("crash", f"lose-writes {self.name}", options, charge=False,
                                              count=False)
            if kept < pending:
                world.faults.fire("lost-writes")
        self.disk._crash(kept)
        tasks, self.tasks, self._held = self.tasks, [], []
        for task in tasks:
            if task.is_alive:
                self._kill(task)
        self._inbox.clear()
        self.receivers.clear()

    def _kill(self, task) -> None:
        world = self.world
        target = task._target
        if target is not None and target.callbacks is not None:
            i = _callback_index(target.callbacks, task)
            if i >= 0:
                del target.callbacks[i]
        world.waitfor.forget(task)
        if world.tasks.get(task.name) is task:
            del world.tasks[task.name]  # a restart may reuse the name
        active, world._active_proc = world._active_proc, task
        try:
            task._generator.close()
        except Exception:  # a finally block failed; the process is dead anyway
            pass
        finally:
            world._active_proc = active
        task._target = None
        task._ok, task._value = True, CRASHED
        if task.callbacks:
            world.schedule(task, URGENT)
        else:
            task.callbacks = None

    def restart(self) -> None:
        """A fresh incarnation: boot(node) rebuilds from the disk."""
        if self.up:
            raise ModelError(f"restart: node {self.name} is up")
        self.up = True
        self.incarnation += 1
        self.world.count("node:restart")
        self._note("restart", f"incarnation {self.incarnation}")
        self._boot_now()

    def _restart_if_down(self, incarnation: int | None = None) -> None:
        if not self.up and (incarnation is None or incarnation == self.incarnation):
            self.restart()

    def pause(self, duration) -> None:
        """Freeze every process of the node for ``duration`` of world time."""
        self._require_up("pause")
        if duration < 0:
            raise ModelError(f"pause {self.name}: negative duration {duration}")
        if self.paused:
            raise ModelError(f"pause {self.name}: already paused")
        if self._defer(f"pause {self.name}", lambda: self._pause_now(duration)):
            return
        self._pause_now(duration)

    def _pause_now(self, duration) -> None:
        if not self.up or self.paused:
            return
        self.paused = True
        self._pause_token += 1
        self.world.faults.fire("pause")
        self._note("pause", f"for {duration}")
        for task in self.tasks:
            if task.is_alive:
                self._freeze(task)
        after(self.world, duration, f"resume {self.name}", self._resume_if, self._pause_token)

    def _freeze(self, task) -> None:
        target = task._target
        if target is None or target.callbacks is None:
            return
        i = _callback_index(target.callbacks, task)
        if i < 0:
            return
        hold = _Hold(task, target)
        target.callbacks[i] = hold.catch
        self._held.append(hold)

    def _resume_if(self, token: int) -> None:
        if self.paused and self._pause_token == token:
            self.resume()

    def resume(self) -> None:
        """End a pause: held wake-ups happen now, in the order the tasks were spawned."""
        if not self.paused:
            return
        world = self.world
        self.paused = False
        self._note("resume")
        held, self._held = self._held, []
        for hold in held:
            task = hold.task
            if not task.is_alive:
                continue
            if hold.fired is None:
                callbacks = hold.waited.callbacks
                i = _callback_index(callbacks, task) if callbacks is not None else -1
                if i >= 0:
                    callbacks[i] = task._resume
                continue
            event = Event(world)
            event._ok, event._value = hold.fired._ok, hold.fired._value
            event.callbacks.append(task._resume)
            task._target = event
            world.schedule(event, NORMAL)


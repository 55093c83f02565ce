"""Named processes and stable names for events (never an id())."""
from __future__ import annotations

from fractions import Fraction

from simpy.events import NORMAL, Condition, Event, Process, Timeout

from ..errors import ModelError


class Task(Process):
    """A named process. Its first step is a NORMAL event, so start order is a choice."""

    def __init__(self, world, name: str, generator, daemon: bool):
        if not hasattr(generator, "throw"):
            raise ModelError(f"spawn({name!r}): expected a generator, got {type(generator).__name__}")
        self.env = world
        self.callbacks = []
        self._generator = generator
        self._name = name
        self.daemon = daemon
        self.waiting_for = None  # set by the wait queue: the primitive this task is blocked on
        start = Event(world)
        start.callbacks.append(self._resume)
        start._ok, start._value = True, None
        self._target = start
        world.schedule(start, NORMAL)

    @property
    def name(self) -> str:
        return self._name

    @property
    def spinning(self) -> bool:
        """Whether this task's pending wake-up is a ``world.spin()``: it is busy-waiting
        for another process, so running it again first achieves nothing (PCT and DFS
        switch away from it; docs/search.md)."""
        return type(self._target) is SpinWait

    @property
    def waiting_on(self) -> str | None:
        """What this task is blocked on, described as it is now (None: not blocked on
        a primitive). Anything waited on describes itself with ``describe_wait()``."""
        what = self.waiting_for
        if what is None or isinstance(what, str):
            return what
        return what.describe_wait()

    def __repr__(self) -> str:
        return f"<Task {self._name}>"


class SpinWait(Timeout):
    """The zero-time event of ``world.spin()``: a checkpoint marked "busy-waiting".
    The mark lives on the event, so it ends by itself when the task next yields."""


def current_task(world, what: str) -> Task:
    """The running Task; a ModelError when ``what`` is called from outside one."""
    task = world.active_process
    if not isinstance(task, Task):
        raise ModelError(f"{what} must be called from a process started with world.spawn()")
    return task


def event_label(event) -> str:
    """A stable, human name for an event: the process it will resume."""
    callbacks = event.callbacks
    if callbacks:
        owner = getattr(callbacks[0], "__self__", None)
        kind = type(owner)
        if kind is Task:  # the common cases first: this runs once per tied event
            return owner._name
        if kind is Process:
            return owner._generator.__name__  # = Process.name
        if owner is event and len(callbacks) > 1:
            # a Condition's own _build_value comes first; whoever waits on it is next
            owner = getattr(callbacks[1], "__self__", None)
        if isinstance(owner, Task):
            return owner._name
        if isinstance(owner, Process):
            return owner.name
        if isinstance(owner, Condition) and owner is not event:
            return event_label(owner)
    if isinstance(event, Task):
        return f"{event._name}:exit"
    return type(event).__name__


def option_name(option, index: int) -> str:
    """A name for a choose() option that never contains an id()."""
    if option is None or isinstance(option, (str, int, float, bool, Fraction)):
        return str(option)
    if isinstance(option, (tuple, list)):
        return "(" + ", ".join(option_name(o, i) for i, o in enumerate(option)) + ")"
    name = getattr(option, "name", None)
    return name if isinstance(name, str) else f"{type(option).__name__}#{index}"

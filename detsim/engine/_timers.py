"""Timers with a name: a callback after some virtual time, named in schedule ties."""
from __future__ import annotations

from simpy.events import Process


class TimerCallback(Process):
    """Owns a timer's callback so that a tie among timers is named after it (as
    ``event_label`` names a Task). It is never started or scheduled itself."""

    def __init__(self, label: str, fn, args):
        self._label, self._fn, self._args = label, fn, args

    @property
    def name(self) -> str:
        return self._label

    def fire(self, event) -> None:
        self._fn(*self._args)

    def __repr__(self) -> str:
        return f"<timer {self._label}>"


def after(world, delay, label: str, fn, *args):
    """Call ``fn(*args)`` after ``delay`` of world time; a tie at that instant is named ``label``."""
    event = world.timeout(delay)
    event.callbacks.append(TimerCallback(label, fn, args).fire)
    return event

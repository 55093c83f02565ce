"""Events a process made and never waited on: the most common silent mistake.

``world.checkpoint()`` without ``yield`` schedules a zero-time event and goes on:
the process never gives the scheduler a chance to switch there, and the model
silently checks less than it says. In a linted run the World's event factories
(``timeout``, ``checkpoint``, ``event`` and so every primitive operation) mark
each event they make; when an event is processed and no callback was ever added
to it, the lint notes the process and the ``file:line`` that made it.

Linting only observes: the same events are made in the same order, so a linted
run takes exactly the decisions of an unlinted one. A campaign lints its first
run; ``run`` and ``replay`` lint theirs.
"""
from __future__ import annotations

import linecache
import os
import sys

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # .../detsim


class _Watched(list):
    """The callbacks of an event a factory made; notes whether anyone waited on it."""

    __slots__ = ("lint", "event", "origin", "waited")

    def append(self, callback) -> None:
        self.waited = True
        super().append(callback)

    def __iter__(self):
        # SimPy's step detaches the callbacks (event.callbacks = None), then iterates them.
        if not self.waited and self.event.callbacks is None:
            self.lint.note(self.origin)
        return super().__iter__()


class EventLint:
    def __init__(self, world):
        self.world = world
        self.findings: dict = {}  # (process, file, line) -> events never waited on
        make_timeout, make_event = world.timeout, world.event

        def timeout(delay, value=None):
            return self._watch(make_timeout(delay, value))

        def event():
            return self._watch(make_event())

        def checkpoint():
            return self._watch(make_timeout(0))

        # Instance attributes shadow the class's methods for this world only.
        world.timeout, world.event, world.checkpoint = timeout, event, checkpoint

    def _watch(self, event):
        watched = _Watched(event.callbacks)
        watched.lint, watched.event, watched.waited = self, event, False
        watched.origin = self._origin()
        event.callbacks = watched
        return event

    def _origin(self) -> tuple:
        frame = sys._getframe(2)
        while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
            frame = frame.f_back  # made by a primitive for the model: blame the model's line
        proc = self.world.active_process
        who = proc.name if proc is not None else "setup"
        if frame is None:
            return (who, "?", 0)
        return (who, frame.f_code.co_filename, frame.f_lineno)

    def note(self, origin: tuple) -> None:
        self.findings[origin] = self.findings.get(origin, 0) + 1

    def warnings(self) -> list[str]:
        out = []
        for (who, filename, line), n in self.findings.items():
            code = linecache.getline(filename, line).strip() if line else ""
            where = f"{os.path.relpath(filename)}:{line}" if line else "an unknown place"
            times = "" if n == 1 else f" ({n} times)"
            out.append(f"process {who} made an event at {where} that nobody waited on{times}"
                       + (f": `{code}`" if code else "") + "; a missing `yield`?")
        return out

"""The property protocol: what the monitor calls on a property or an observer.

A property is an object with a name (a violation names it) and four hooks, all
no-ops here; subclass and override what you need:

* ``attach(model, world)``: per-run setup, before the first step;
* ``after_step(model, world)``: after every step; returns a ``Violation`` or None;
* ``at_finish(model, world)``: when the run ends (``world.end`` says how:
  "quiescent" or "horizon"); returns a ``Violation`` or None;
* ``campaign_notes(counters, runs)``: after a campaign that held, a pair
  (note, vacuity warning or None) stating the property's assumptions, or None.

A property (or observer) that never reads ``world.decisions`` while a run goes on
says so with ``reads_decisions = False``; a campaign then keeps its runs' records
lean (docs/lean-runs.md). The default, True, is always safe.

``model.properties()`` is called once per run, so a property may keep per-run
state on itself. An ``Observer`` has the same per-run hooks but never judges: it
records (a protocol timeline, ghost state) for ``show`` and the properties.
"""
from __future__ import annotations

from ..trace import Violation


class Property:
    kind = "property"
    # Whether the property reads ``world.decisions`` while the run goes on. False lets
    # a campaign keep the run's record lean (docs/lean-runs.md); a property that says
    # False and reads them anyway only costs its run a second, full execution.
    reads_decisions = True

    def __init__(self, name: str):
        if not isinstance(name, str) or not name:
            raise TypeError("a property needs a non-empty name")
        self.name = name

    def attach(self, model, world) -> None:
        """Per-run setup, before the first step."""

    def after_step(self, model, world) -> Violation | None:
        return None

    def at_finish(self, model, world) -> Violation | None:
        return None

    def campaign_notes(self, counters: dict, runs: int):
        """(note, vacuity warning or None) for a campaign that held, or None."""
        return None

    def violation(self, world, message: str, process: str | None = None) -> Violation:
        """A violation of this property at the world's current step."""
        return Violation(self.name, message, world.now, world.steps,
                         world.current_name if process is None else process)

    def __repr__(self) -> str:
        return f"{self.kind}({self.name!r})"


class Observer:
    """Watches a run without judging it (``Model.observers()``)."""

    name = "observer"
    reads_decisions = True  # as Property.reads_decisions

    def attach(self, model, world) -> None:
        """Per-run setup, before the first step."""

    def after_step(self, model, world) -> None:
        """Called after every step."""

    def at_finish(self, model, world) -> None:
        """Called when the run ends."""


def overrides(obj, hook: str, base) -> bool:
    """Whether ``obj``'s class overrides ``base.hook`` (the monitor skips no-op hooks)."""
    return getattr(type(obj), hook) is not getattr(base, hook)

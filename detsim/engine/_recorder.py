"""Recorders: watching a run step by step, for whoever needs more than the decisions.

The story of a counterexample (which statement each step ran to, what it did with
which primitive) and dependency tracking for partial-order reduction both need
to see every step and every action on shared objects. A run with a recorder
attached calls it; a run without one pays nothing (the checks sit in the runner's
loop and at the primitives' operations, never in the control point's step).

Actions noted by the engine (``note(obj, action, detail)``): on primitives
``block`` (a task parked), ``get`` (a task was granted or handed what it waited
for), ``hold`` / ``release`` (a holder edge), ``use`` (any other operation);
on the network ``send``, ``drop``, ``deliver``, ``lost`` (on nodes) and ``partition`` /
``heal`` (on the network, the detail naming the cut); on nodes ``crash``,
``restart``, ``pause``, ``resume``; on disks ``write``. ``obj`` is the object
acted on (it has a ``name``).
"""
from __future__ import annotations


class Recorder:
    def attach(self, world, model) -> None:
        """Before ``setup``: the run's world and model (a fresh instance)."""

    def note(self, obj, action: str, detail: str = "") -> None:
        """Something happened to ``obj`` during the current step."""

    def after_step(self, world) -> None:
        """After every step (the step's process is ``world.current_name``)."""

    def finish(self, world, result) -> None:
        """When the run ended, with its RunResult (before the strategy's ``end``)."""

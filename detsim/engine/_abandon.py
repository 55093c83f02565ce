"""Hand-offs that can be taken back: cancel safety for what a waiter never received.

A primitive hands a waiter what it waited for (a lock, an item, a notification) by
triggering the waiter's event; the waiter resumes at a later step. If the waiter
is cancelled, or its event loses an ``any_of`` race, in between, the waiter never
sees the hand-off. As in tokio and asyncio, where a dropped future gives back what
it had not yet returned, the primitive then takes the hand-off back: a lock goes to
the next waiter, an item back to the front of its channel. A primitive registers
how with ``on_abandon(event, undo)``; whoever abandons an event calls
``abandon(event)``.

The conditions ``world.any_of``/``world.all_of`` abandon the events they stop
waiting for. (SimPy's ``a | b`` operators build plain conditions that do not.)
"""
from __future__ import annotations

from simpy.events import PENDING, AllOf, AnyOf, Condition

_UNDO = "_detsim_undo"


def on_abandon(event, undo) -> None:
    """If ``event`` is abandoned after it was triggered, call ``undo()``."""
    setattr(event, _UNDO, undo)


def abandon(event) -> bool:
    """Take back what ``event`` handed over, if it was triggered and not yet
    processed and nobody waits on it any more. Returns whether it did."""
    if event is None or event._value is PENDING or event.callbacks is None:
        return False
    undo = getattr(event, _UNDO, None)
    if undo is None:
        return False
    setattr(event, _UNDO, None)  # at most once
    undo()
    return True


class _Abandoning:
    """A condition that, once decided, abandons the events it no longer waits for."""

    def _remove_check_callbacks(self) -> None:
        super()._remove_check_callbacks()
        for event in self._events:
            if isinstance(event, Condition):
                continue  # a nested condition abandons its own events
            if event.callbacks is not None and not event.callbacks:
                abandon(event)


class SafeAnyOf(_Abandoning, AnyOf):
    """``world.any_of``: like SimPy's AnyOf; the losers give back what they were handed."""


class SafeAllOf(_Abandoning, AllOf):
    """``world.all_of``: like SimPy's AllOf; on a failure the others give back what they hold."""

"""Node clocks: each node reads its own time, ``offset + rate * world.now``.

A skew shifts the offset once, a drift changes the rate, a jump moves the offset
at some moment. ``node.sleep`` runs at the clock's rate but ignores jumps, like a
monotonic clock; ``node.sleep_until`` waits for a wall-clock reading and so sees
jumps (a forward jump wakes it early, a backward jump makes it wait longer).
"""
from __future__ import annotations

from fractions import Fraction

from ..errors import ModelError


def _exact(x):
    if isinstance(x, Fraction) and x.denominator == 1:
        return int(x)
    return x


class NodeClock:
    def __init__(self, world, name: str, skew=0, rate=1):
        if rate <= 0:
            raise ModelError(f"clock of {name}: rate must be > 0, got {rate}")
        self.world, self.name = world, name
        self.offset = skew
        self.rate = 1 if rate == 1 else Fraction(rate)
        self.jumps = 0
        self._wall_waiters: list = []  # re-armed on every jump

    def now(self):
        t = self.world.now
        return _exact(self.offset + (t if self.rate == 1 else self.rate * t))

    def delay(self, duration):
        """World time that passes while this clock advances by ``duration``."""
        if duration < 0:
            raise ModelError(f"clock of {self.name}: negative duration {duration}")
        return duration if self.rate == 1 else _exact(Fraction(duration) / self.rate)

    def world_time_at(self, reading):
        """When this clock will read ``reading`` if it does not jump."""
        if self.rate == 1:
            return reading - self.offset
        return _exact((Fraction(reading) - self.offset) / self.rate)

    def jump(self, delta) -> None:
        self.offset = _exact(self.offset + delta)
        self.jumps += 1
        self.world.count("clock:jump")
        waiters, self._wall_waiters = self._wall_waiters, []
        for rearm in waiters:
            rearm()

    def describe(self) -> str:
        parts = []
        if self.rate != 1:
            parts.append(f"rate {self.rate}")
        if self.offset:
            parts.append(f"offset {self.offset:+}")
        return ", ".join(parts) or "exact"

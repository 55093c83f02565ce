"""Rate limiters: a token bucket and a leaky bucket (as a meter), each refilled
by a background task every ``period`` time units.

``clients`` tasks each try one acquisition per time unit for ``ticks`` units.
Token bucket: ``tokens`` starts at ``burst``; an acquisition takes a token if
there is one; the refill task adds ``refill`` tokens per period, capped at
``burst``. Leaky bucket: ``level`` starts at 0; an acquisition adds one unit if
that keeps ``level <= burst``; the leak task drains ``refill`` units per period.

Property: every half-open window of length T (for T in ``windows``, each a
multiple of ``period``) sees at most ``burst + rate·T`` acquisitions, with
rate = refill / period (a Fraction, never a float).

Planted bug ``racy-refill`` (from a design report): the refill task reads the
count, yields, and writes back ``old ± refill``. A client acquiring in between
is overwritten: a token comes back (or a unit of level vanishes), and the bound
is exceeded.
"""
from collections import deque
from dataclasses import dataclass, field
from fractions import Fraction

import detsim


@dataclass
class _Bucket(detsim.Model):
    burst: int = 2
    refill: int = 1
    period: int = 2
    clients: int = 3
    ticks: int = 8
    windows: list = field(default_factory=lambda: [2, 4, 8])
    bug: str | None = None  # "racy-refill"

    def setup(self, world):
        if self.bug not in (None, "racy-refill"):
            raise detsim.ModelError(f"{type(self).__name__}: unknown bug {self.bug!r}")
        if any(T % self.period for T in self.windows):
            raise detsim.ModelError("every window must be a multiple of the refill period")
        self.rate = Fraction(self.refill, self.period)
        self.times: deque = deque()  # acquisition times within the longest window
        self.acquired = self.refused = 0
        self.worst_excess = None  # max over windows and times of count - bound
        self.worst = None  # (count, T, bound, t) of the window closest to / over its bound
        self.start()
        for c in range(self.clients):
            world.spawn(f"client-{c}", self.client(world))
        world.spawn("refill", self.refiller(world))

    def client(self, world):
        for _ in range(self.ticks):
            if self.try_acquire():
                self.record(world.now)
            else:
                self.refused += 1
            yield world.timeout(1)

    def refiller(self, world):
        for _ in range(self.ticks // self.period + 1):
            old = self.read()
            if self.bug == "racy-refill":
                yield world.checkpoint()  # the report's refill is not atomic with acquire
            self.write(old)
            yield world.timeout(self.period)

    def record(self, now) -> None:
        self.acquired += 1
        times = self.times
        times.append(now)
        while now - times[0] >= max(self.windows):
            times.popleft()
        for T in self.windows:
            count = sum(1 for t in times if now - t < T)  # the window (now - T, now]
            bound = self.burst + self.rate * T
            if self.worst_excess is None or count - bound > self.worst_excess:
                self.worst_excess, self.worst = count - bound, (count, T, bound, now)

    def within_bound(self) -> bool:
        return self.worst_excess is None or self.worst_excess <= 0

    def overflow(self) -> str:
        """The window that overflowed, for the failure message."""
        count, T, bound, t = self.worst
        return (f"{count} acquisitions in the window ({t - T}, {t}] of length T={T}; "
                f"bound burst + rate·T = {self.burst} + {self.rate}·{T} = {bound}")

    def properties(self):
        return [
            detsim.always("at most burst + rate·T per window", _Bucket.within_bound,
                          explain=_Bucket.overflow),
            detsim.sometimes("a client was refused", lambda m: m.refused > 0),
            detsim.sometimes("some window reached its bound", lambda m: m.worst_excess == 0),
        ]


@dataclass
class TokenBucket(_Bucket):
    def start(self):
        self.tokens = self.burst

    def try_acquire(self) -> bool:
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def read(self):
        return self.tokens

    def write(self, old):
        self.tokens = min(self.burst, old + self.refill)


@dataclass
class LeakyBucket(_Bucket):
    def start(self):
        self.level = 0

    def try_acquire(self) -> bool:
        if self.level + 1 <= self.burst:
            self.level += 1
            return True
        return False

    def read(self):
        return self.level

    def write(self, old):
        self.level = max(0, old - self.refill)

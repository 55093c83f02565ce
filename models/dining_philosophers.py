"""Dining philosophers: n philosophers around n forks, each eats ``meals`` times.

Philosopher i sits between fork-i (left) and fork-(i+1 mod n) (right); forks are
``world.mutex("fork-i")``. A meal is: ``think`` checkpoints of thinking, get
hungry, take the first fork, a checkpoint holding it (where a circular wait is
born; ``reach`` of them), take the second fork, eat (a checkpoint), put both
down. Philosopher i first thinks ``stagger*i`` extra checkpoints, so under the
default (FIFO, round-robin) schedule they never all hold one fork at once: even
the buggy variant needs real deviations to deadlock (checked for n = 2..9 and
meals = 1..4 with the default think/reach/stagger).

Properties: ``no deadlock`` (on by default; the violation names the wait-for
cycle ``philosopher-0 → fork-1 (held by philosopher-1) → … → philosopher-0``),
``everyone ate`` (each philosopher ate all its meals), ``no livelock`` (no fair
stretch of ``LIVELOCK_WINDOW`` steps without a meal in which the abstract state
``state()`` — who holds which fork, who is hungry — keeps cycling) and the
vacuity guard ``two hungry at once``.

Variants, selected by ``bug`` through ``VARIANTS`` (each names a generator
method ``take_*(world, i)`` that returns once philosopher i holds both forks):

* ``None``: ordered acquisition, lower-numbered fork first. The last philosopher
  takes fork-0 before fork-(n-1), so no cycle can form.
* ``"circular-wait"``: everyone takes the left fork, then the right one. If all n
  hold their left fork, each waits on a neighbour: deadlock.
* ``protocol="backoff"`` (correct): never block. Try the left fork, a moment
  later try the right one; on failure pause, put the left fork down and back off
  ``1 + i`` time units: asymmetric back-off, so the philosophers fall out of step.
* ``"polite"``: the same, but everyone backs off by the same 1 unit. All take
  their left fork at the same instant, all find the right one taken, all put
  down and retry in lock-step, forever: a livelock, printed as a lasso.
"""
from dataclasses import dataclass

import detsim


@dataclass
class DiningPhilosophers(detsim.Model):
    n: int = 5
    meals: int = 2
    think: int = 3
    reach: int = 1
    stagger: int = 2
    protocol: str = "blocking"  # or "backoff" (try-lock with asymmetric back-off); bug=None only
    bug: str | None = None

    # bug -> the generator method that takes both forks. Add a variant here plus its method.
    VARIANTS = {
        None: "take_ordered",
        "circular-wait": "take_left_then_right",
        "polite": "take_with_backoff",
    }
    LIVELOCK_WINDOW = 60  # steps; a lock-step round of 5 polite philosophers is 15

    def __post_init__(self):
        if self.bug not in self.VARIANTS:
            known = ", ".join(repr(b) for b in self.VARIANTS)
            raise ValueError(f"unknown bug {self.bug!r} (known: {known})")
        if self.n < 2:
            raise ValueError(f"n must be at least 2, got {self.n}")
        if self.protocol not in ("blocking", "backoff"):
            raise ValueError(f"protocol must be 'blocking' or 'backoff', got {self.protocol!r}")

    def setup(self, world):
        self.forks = [world.mutex(f"fork-{i}") for i in range(self.n)]
        self.eaten = [0] * self.n
        self.hungry = 0  # philosophers that want to eat and do not hold both forks yet
        backoff = self.bug is None and self.protocol == "backoff"
        self.take_forks = getattr(self, "take_with_backoff" if backoff else self.VARIANTS[self.bug])
        for i in range(self.n):
            world.spawn(f"philosopher-{i}", self.philosopher(world, i))

    def philosopher(self, world, i):
        for _ in range(self.stagger * i):
            yield world.checkpoint()  # offsets the philosophers: FIFO keeps them apart
        for _ in range(self.meals):
            for _ in range(self.think):
                yield world.checkpoint()  # thinking
            self.hungry += 1
            yield from self.take_forks(world, i)
            self.hungry -= 1
            yield world.checkpoint()  # eating
            self.eaten[i] += 1
            world.progress(f"philosopher-{i} ate")
            for fork in self.left_right(i):
                fork.release()

    # ---- variant pieces ----------------------------------------------------
    def left_right(self, i):
        return self.forks[i], self.forks[(i + 1) % self.n]

    def take_in_order(self, world, first, second):
        yield first.acquire()
        for _ in range(self.reach):
            yield world.checkpoint()  # holding one fork, reaching for the other
        yield second.acquire()

    def take_ordered(self, world, i):
        low, high = sorted(self.left_right(i), key=self.forks.index)
        yield from self.take_in_order(world, low, high)

    def take_left_then_right(self, world, i):
        yield from self.take_in_order(world, *self.left_right(i))

    def take_with_backoff(self, world, i):
        left, right = self.left_right(i)
        backoff = 1 if self.bug == "polite" else 1 + i  # the same for all: lock-step
        while True:
            if left.try_acquire():
                yield world.timeout(1)  # reaching for the right fork
                if right.try_acquire():
                    return
                yield world.timeout(1)  # a polite pause before giving up
                left.release()
            yield world.timeout(backoff)

    def state(self):
        """Who holds each fork, and how many are hungry (no clock, no meal counts)."""
        holders = " ".join(fork.holder.name.rsplit("-", 1)[1] if fork.holder else "-" for fork in self.forks)
        return f"forks held by {holders} | hungry {self.hungry}"

    def properties(self):
        return [
            detsim.at_end("everyone ate", lambda m: m.eaten == [m.meals] * m.n),
            detsim.no_livelock(window=self.LIVELOCK_WINDOW),
            detsim.sometimes("two hungry at once", lambda m: m.hungry >= 2),
        ]

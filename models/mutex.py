"""Mutex: N workers each run ``rounds`` critical sections on a shared counter.

A critical section is read–checkpoint–write on ``count``; ``in_critical`` counts the
workers inside it, so an overlap is seen the step it happens. Each round starts
with ``work`` checkpoints of local work and a checkpoint just before the lock is
taken (where a switch lets another worker in first). Worker i first does
``stagger*i`` checkpoints, so under the default (FIFO, round-robin) schedule the
critical sections never overlap even without a lock: a bug needs real deviations.

Properties: ``mutual exclusion`` (never two workers inside), ``no lost update``
(the count ends at workers*rounds; an end-to-end backstop, since any lost update
first breaks exclusion), ``no deadlock`` (on by default) and the vacuity guard
``contention`` (some worker found the lock taken and waited).

Variants, selected by ``bug`` through ``VARIANTS`` (each names its acquire and
release pieces, generator methods ``acquire_*`` and plain methods ``release_*``):

* ``None``: a FIFO ``world.mutex``; release hands the lock to the longest waiter.
* ``"no-lock"``: no locking at all. Two workers read the same count, so one
  increment is lost and exclusion is broken.
* ``"barging"``: release frees the lock and wakes the longest waiter, but the
  lock goes to whoever asks first. The releaser, or any newcomer, can take it
  again before the woken waiter runs; the waiter goes back to sleep, and this can
  repeat without bound. ``no starvation`` (a waiter is overtaken by at most
  ``MAX_BYPASS`` later arrivals, assuming weak fairness) catches it.
* ``design="counter"`` (correct): a hand-written lock with a waiter counter
  (0 free, 1 held, n+1 held with n waiting) and wake-ups through a counting
  semaphore. acquire increments the counter and only then (after a checkpoint)
  waits on the semaphore; a release that lands in between leaves a permit there,
  so the wake-up is kept.
* ``"waiter-count"``: the same lock, but a release wakes only a waiter that is
  already asleep in the semaphore (a notify with no memory). A release landing
  between the increment and the wait is lost: the waiter sleeps forever and the
  counter says "held" with nobody holding it, so everybody else queues behind
  it. The run ends in a global stall (``no deadlock``).
"""
from collections import deque
from dataclasses import dataclass

import detsim


@dataclass
class Mutex(detsim.Model):
    workers: int = 3
    rounds: int = 2
    work: int = 4
    stagger: int = 2
    design: str = "fifo"  # the correct lock: "fifo" (world.mutex) or "counter" (hand-written)
    bug: str | None = None

    # bug -> (acquire piece, release piece). Add a variant here plus its two methods.
    VARIANTS = {
        None: ("acquire_fifo", "release_fifo"),
        "no-lock": ("acquire_nothing", "release_nothing"),
        "barging": ("acquire_barging", "release_barging"),
        "waiter-count": ("acquire_counter", "release_counter"),
    }
    MAX_BYPASS = 2  # later arrivals that may overtake a waiter

    def __post_init__(self):
        if self.bug not in self.VARIANTS:
            known = ", ".join(repr(b) for b in self.VARIANTS)
            raise ValueError(f"unknown bug {self.bug!r} (known: {known})")
        if self.design not in ("fifo", "counter"):
            raise ValueError(f"design must be 'fifo' or 'counter', got {self.design!r}")

    def setup(self, world):
        self.count = 0
        self.in_critical = 0
        self.waits = 0  # acquisitions that found the lock taken
        counter = self.bug is None and self.design == "counter"
        acquire_name, release_name = self.VARIANTS["waiter-count" if counter else self.bug]
        self.acquire, self.release = getattr(self, acquire_name), getattr(self, release_name)
        self.lock = world.mutex("lock")
        self.owner, self.sleepers = None, deque()  # the barging lock
        self.lock_word = 0  # the counter lock: 0 free, 1 held, n+1 held with n waiting
        self.wakeups = WakeupSemaphore(world, "lock-wakeups", remember=self.bug != "waiter-count")
        for i in range(self.workers):
            world.spawn(f"worker-{i}", self.worker(world, i))

    def worker(self, world, i):
        for _ in range(self.stagger * i):
            yield world.checkpoint()  # offsets the workers: FIFO keeps them apart
        for _ in range(self.rounds):
            for _ in range(self.work):
                yield world.checkpoint()  # local work
            yield world.checkpoint()  # just before acquire
            yield from self.acquire(world)
            self.in_critical += 1
            seen = self.count
            yield world.checkpoint()  # inside the critical section
            self.count = seen + 1
            self.in_critical -= 1
            self.release(world)

    # ---- variant pieces ----------------------------------------------------
    def acquire_fifo(self, world):
        if self.lock.locked():
            self.waits += 1
        yield self.lock.acquire()

    def release_fifo(self, world):
        self.lock.release()

    def acquire_nothing(self, world):
        return
        yield  # a generator that takes no lock

    def release_nothing(self, world):
        pass

    def acquire_barging(self, world):
        me = world.current_name
        world.arrive("lock", me)  # hand-written lock: report waits for no_starvation
        if self.owner is not None:
            self.waits += 1
        while self.owner is not None:
            wake = world.event()
            self.sleepers.append(wake)
            yield wake  # woken by a release; someone may have taken the lock since
        self.owner = me
        world.grant("lock", me)

    def release_barging(self, world):
        self.owner = None
        if self.sleepers:
            self.sleepers.popleft().succeed()  # the lock stays up for grabs

    def acquire_counter(self, world):
        me = world.current_name
        before, self.lock_word = self.lock_word, self.lock_word + 1  # one atomic fetch_add
        if before > 0:
            self.waits += 1
            yield world.checkpoint()  # between the increment and the wait
            world.arrive("lock", me)
            yield from self.wakeups.wait(world)
        world.grant("lock", me)

    def release_counter(self, world):
        before, self.lock_word = self.lock_word, self.lock_word - 1
        if before > 1:  # somebody incremented after us: hand over
            self.wakeups.post()

    def properties(self):
        return [
            detsim.always("mutual exclusion", lambda m: m.in_critical <= 1),
            detsim.at_end("no lost update", lambda m: m.count == m.workers * m.rounds),
            detsim.no_starvation(max_bypass=self.MAX_BYPASS, resources=["lock"]),
            detsim.sometimes("contention", lambda m: m.waits > 0),
        ]


class WakeupSemaphore:
    """Wake-ups for the counter lock, one event per sleeper. ``remember=True``: a
    post with nobody asleep leaves a permit (a counting semaphore). ``remember=False``:
    it is dropped (a notify without memory), the ``waiter-count`` bug."""

    def __init__(self, world, name, remember):
        self.world, self.name, self.remember = world, name, remember
        self.permits, self.sleepers = 0, deque()

    def wait(self, world):
        if self.permits:
            self.permits -= 1
            return
        task, wake = world.active_process, world.event()
        self.sleepers.append((task, wake))
        world.waitfor.wait(task, self)
        yield wake

    def post(self):
        if self.sleepers:
            task, wake = self.sleepers.popleft()
            self.world.waitfor.unwait(task, self)
            wake.succeed()
        elif self.remember:
            self.permits += 1
            self.world.count("wake-ups kept for a waiter not yet asleep")

    def describe_wait(self):
        return f"semaphore {self.name} (no permit)"

"""Small models on which Exhaustive is compared with the naive enumeration (unbounded
DFS): each has a ``final()`` that names its terminal state. Shared by the soundness
tests and bench/exhaustive.py."""
from __future__ import annotations

from dataclasses import dataclass

import detsim
import detsim.engine
from detsim.campaign import execute
from detsim.search import RunPruned


def explore(model, strategy, limit: int = 400_000):
    """Every run of ``strategy`` until it runs out, without stopping at violations:
    the set of (end, violated property, terminal state) and the number of complete runs."""
    outcomes, executions, i = set(), 0, 0
    while strategy.begin(i):
        i += 1
        assert i <= limit, f"{model!r} did not finish within {limit} runs"
        try:
            result = execute(model, strategy, {})
        except RunPruned:
            continue
        strategy.end(result)
        executions += 1
        v = result.violation
        outcomes.add((result.end, v.property if v else None, result.model.final()))
    assert strategy.exhausted
    return outcomes, executions


@dataclass
class Counter(detsim.Model):
    """Read, yield, write on a shared counter, with or without a lock."""
    workers: int = 3
    locked: bool = False

    def setup(self, world):
        self.count = 0
        self.lock = world.mutex("lock")
        for i in range(self.workers):
            world.spawn(f"w{i}", self.worker(world))

    def worker(self, world):
        yield world.checkpoint()
        if self.locked:
            yield self.lock.acquire()
        seen = self.count
        yield world.checkpoint()
        self.count = seen + 1
        if self.locked:
            self.lock.release()

    def final(self):
        return self.count


@dataclass
class Reorder(detsim.Model):
    """Writers append their name after some local work: every order of the log."""
    writers: int = 3

    def setup(self, world):
        self.log = []
        for i in range(self.writers):
            world.spawn(f"w{i}", self.writer(world, i))

    def writer(self, world, i):
        for _ in range(1 + i % 2):
            yield world.checkpoint()
        self.log.append(i)
        yield world.checkpoint()

    def final(self):
        return tuple(self.log)


@dataclass
class SharedByArgument(detsim.Model):
    """A list handed to the processes directly, never through the model: only the
    frame check can see that they share it (their steps must count as opaque)."""
    writers: int = 2

    def setup(self, world):
        self.log = shared = []
        for i in range(self.writers):
            world.spawn(f"w{i}", self.writer(world, i, shared))

    @staticmethod
    def writer(world, i, shared):
        yield world.checkpoint()
        shared.append(i)
        yield world.checkpoint()
        shared.append(i)

    def final(self):
        return tuple(self.log)


@dataclass
class Peterson(detsim.Model):
    """Peterson's lock for two, with a bounded spin; ``bug``: each yields the turn to itself."""
    bug: bool = False
    spins: int = 2

    def setup(self, world):
        self.flag = [False, False]
        self.turn = 0
        self.inside = 0
        self.most = 0
        self.gave_up = []
        for i in (0, 1):
            world.spawn(f"p{i}", self.proc(world, i))

    def proc(self, world, i):
        other = 1 - i
        self.flag[i] = True
        yield world.checkpoint()
        self.turn = i if self.bug else other
        yield world.checkpoint()
        for _ in range(self.spins):
            if not (self.flag[other] and self.turn == other):
                break
            yield world.checkpoint()
        else:
            self.gave_up.append(i)
            return
        self.inside += 1
        self.most = max(self.most, self.inside)
        yield world.checkpoint()
        self.inside -= 1
        self.flag[i] = False

    def properties(self):
        return [detsim.always("mutual exclusion", lambda m: m.inside <= 1)]

    def final(self):
        return (self.most, tuple(sorted(self.gave_up)))


@dataclass
class Philosophers(detsim.Model):
    """Each philosopher takes two fork mutexes and eats once; ``ordered``: the lower fork first."""
    seats: int = 3
    ordered: bool = True

    def setup(self, world):
        self.forks = tuple(world.mutex(f"fork{i}") for i in range(self.seats))
        self.eaten = [0] * self.seats
        for i in range(self.seats):
            world.spawn(f"phil{i}", self.philosopher(world, i))

    def philosopher(self, world, i):
        a, b = i, (i + 1) % self.seats
        if self.ordered:
            a, b = min(a, b), max(a, b)
        first, second = self.forks[a], self.forks[b]
        yield first.acquire()
        yield second.acquire()
        self.eaten[i] += 1
        second.release()
        first.release()

    def final(self):
        return tuple(self.eaten)


@dataclass
class Chooser(detsim.Model):
    """world.choose inside racy read-modify-writes."""
    workers: int = 2

    def setup(self, world):
        self.total = 0
        self.picked = []
        for i in range(self.workers):
            world.spawn(f"w{i}", self.worker(world))

    def worker(self, world):
        amount = world.choose("amount", [1, 2, 3])
        self.picked.append(amount)
        seen = self.total
        yield world.checkpoint()
        self.total = seen + amount

    def final(self):
        return (self.total, tuple(sorted(self.picked)))


@dataclass
class Timeouts(detsim.Model):
    """Timeouts of different lengths that tie at some instants."""

    def setup(self, world):
        self.log = []
        for name, delays in (("a", (1, 1)), ("b", (2,)), ("c", (1, 2))):
            world.spawn(name, self.sleeper(world, name, delays))

    def sleeper(self, world, name, delays):
        for d in delays:
            yield world.timeout(d)
            self.log.append((world.now, name))

    def final(self):
        return tuple(self.log)


@dataclass
class Messages(detsim.Model):
    """Two messages over a network with a latency choice and one drop allowed."""

    def setup(self, world):
        world.network.configure((1, 2))
        world.faults.configure(detsim.FaultPlan(kinds=("drop",), budget=1))
        self.log = []
        a, b = world.node("a"), world.node("b")
        b.spawn("rx", self.receiver(b))
        a.spawn("tx", self.sender(world, a))

    def sender(self, world, a):
        a.send("b", "first")
        yield world.checkpoint()
        a.send("b", "second")

    def receiver(self, b):
        for _ in range(2):
            msg = yield b.recv(timeout=4)
            self.log.append((b.world.now, None if msg is None else msg.body))

    def final(self):
        return tuple(self.log)


@dataclass
class Transient(detsim.Model):
    """x is 1 only for a moment: ``always`` must see the state where both are 1."""

    def setup(self, world):
        self.x = self.y = 0
        world.spawn("x", self.flip(world, "x"))
        world.spawn("y", self.flip(world, "y"))

    def flip(self, world, name):
        yield world.checkpoint()
        setattr(self, name, 1)
        yield world.checkpoint()
        setattr(self, name, 0)

    def properties(self):
        return [detsim.always("never both", lambda m: not (m.x and m.y))]

    def final(self):
        return (self.x, self.y)


CASES = [
    ("counter 3, no lock", Counter(workers=3)),
    ("counter 3, lock", Counter(workers=3, locked=True)),
    ("reorder 3", Reorder()),
    ("shared by argument", SharedByArgument()),
    ("peterson", Peterson()),
    ("peterson, bug", Peterson(bug=True)),
    ("philosophers 2", Philosophers(seats=2, ordered=False)),
    ("philosophers 3, ordered", Philosophers(seats=3)),
    ("philosophers 3, naive", Philosophers(seats=3, ordered=False)),
    ("choose", Chooser()),
    ("timeouts", Timeouts()),
    ("messages", Messages()),
    ("transient", Transient()),
]


@dataclass
class TimerArguments(detsim.Model):
    """Named timers whose callback changes a list handed to it as an argument: only the
    callback check sees the sharing."""

    def setup(self, world):
        self.log = shared = []
        for name in ("a", "b"):
            detsim.engine.after(world, 1, name, self.tick, shared, name)
        world.spawn("p", self.proc(world))

    @staticmethod
    def tick(shared, name):
        shared.append(name)

    def proc(self, world):
        yield world.timeout(1)
        self.log.append("p")

    def final(self):
        return tuple(self.log)


@dataclass
class PeekPermits(detsim.Model):
    """A process reads ``Semaphore.available``, which makes no note: only the tracking
    class of the primitive sees the read."""

    def setup(self, world):
        self.sem = world.semaphore("sem", 1)
        self.seen = []
        world.spawn("holder", self.holder(world))
        world.spawn("peeker", self.peeker(world))

    def holder(self, world):
        yield self.sem.acquire()
        yield world.checkpoint()
        self.sem.release()

    def peeker(self, world):
        for _ in range(3):
            yield world.checkpoint()
            self.seen.append(self.sem.available)

    def final(self):
        return tuple(self.seen)


@dataclass
class WatchBorrow(detsim.Model):
    """A receiver made in a step and kept in a local; ``borrow()`` reads the channel
    without a note, so the receiver must count as its channel."""

    def setup(self, world):
        self.config = world.watch("config", 0)
        self.seen = []
        world.spawn("writer", self.writer(world))
        world.spawn("reader", self.reader(world))

    def writer(self, world):
        for value in (1, 2):
            yield world.checkpoint()
            self.config.send(value)

    def reader(self, world):
        receiver = self.config.subscribe("r")
        for _ in range(2):
            yield world.checkpoint()
            self.seen.append(receiver.borrow())

    def final(self):
        return tuple(self.seen)


@dataclass
class Polite(detsim.Model):
    """Two processes that each raise a flag and back off while the other's is up.
    ``both_yield``: both back off and retry, so lockstep retries cycle forever with
    every process stepping (a fair livelock). Otherwise only p1 backs off, and then
    waits for p0 to finish: its waiting cycles are unfair (p0 could run and never does)."""
    both_yield: bool = True

    def setup(self, world):
        self.flags = [False, False]
        self.done = [False, False]
        for i in range(2):
            world.spawn(f"p{i}", self.proc(world, i))

    def proc(self, world, i):
        other = 1 - i
        while True:
            self.flags[i] = True
            yield world.checkpoint()
            if not self.flags[other]:
                break
            if i == 0 and not self.both_yield:
                while self.flags[other]:
                    yield world.checkpoint()
                break
            self.flags[i] = False
            yield world.checkpoint()
            if i == 1 and not self.both_yield:
                while not self.done[0]:
                    yield world.checkpoint()
        world.progress(f"p{i} in")
        self.done[i] = True
        self.flags[i] = False

    def state(self):
        return (tuple(self.flags), tuple(self.done))

    def properties(self):
        return [detsim.no_livelock(window=50)]

    def final(self):
        return tuple(self.done)

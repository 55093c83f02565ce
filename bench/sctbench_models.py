"""Small concurrency benchmarks in the style of SCTBench (Thomson, Donaldson & Betts,
TOPC 2016) and SV-COMP's pthread programs, written for detsim from their published
descriptions (not translations of their code; parameters are ours).

Every access to shared memory is its own step (a checkpoint after it), as in
SCTBench where each visible operation is a scheduling point; locks are detsim
mutexes; a failed ``assert`` sets ``failed`` and the property "assertion" fails.
Threads are created by a ``main`` process one at a time, each creation a step of
its own, as ``pthread_create`` is in the C programs: threads created early can run
before the later ones exist.

* ``Account``: deposit and withdraw threads, withdraw's read-modify-write of the
  balance is not under the lock; a checker asserts the final balance.
* ``Reorder(n)``: n-1 setters write ``a = 1`` then ``b = -1``; one checker asserts
  ``(a == 0 && b == 0) || (a == 1 && b == -1)``, its reads in C's order of
  evaluation (``reads="once"``: a and b read once each, an easier bug).
* ``TwoStage(n)``: n-1 writers each set ``data1`` under lock 1, then ``data2 =
  data1 + 1`` under lock 2; one reader reads data1 then data2 under the same
  locks and asserts ``data2 == data1 + 1``.
* ``Bluetooth``: the Windows driver stopping protocol (Qadeer & Wu's KISS
  example): a worker checks ``stopping`` and then increments ``pending``; the
  stopper sets ``stopping``, decrements, and on zero declares the driver stopped;
  the worker asserts the driver is not stopped while it works.
* ``WrongLock(n)``: one thread updates ``data`` under lock A, n-1 others under lock
  B (the wrong lock); each asserts the value it wrote is still there.
* ``Peterson``: the two-thread lock with the flag raised after the turn is given
  away (its spin loop marked with ``world.spin()``).
* ``Fib(n)``: two threads do ``i += j`` and ``j += i`` n times each; the assertion
  fails only if they strictly alternate (a bug of depth about 2n).
"""
from __future__ import annotations

from dataclasses import dataclass

import detsim


class _Asserting(detsim.Model):
    def start(self, world, threads) -> None:
        """``main``: spawn (name, generator) pairs one per step."""
        def main():
            for name, body in threads:
                world.spawn(name, body)
                yield world.checkpoint()
        world.spawn("main", main())

    def fail(self, message: str) -> None:
        if self.failed is None:
            self.failed = message

    def properties(self):
        return [detsim.always("assertion", lambda m: m.failed is None, explain=lambda m: m.failed)]


@dataclass
class Account(_Asserting):
    def setup(self, world):
        self.failed = None
        self.balance, self.lock = 10, world.mutex("m")
        self.done = 0
        self.start(world, [("deposit", self.deposit(world)), ("withdraw", self.withdraw(world)),
                           ("check", self.check(world))])

    def deposit(self, world):
        yield self.lock.acquire()
        seen = self.balance
        yield world.checkpoint()
        self.balance = seen + 5
        yield world.checkpoint()
        self.lock.release()
        self.done += 1
        yield world.checkpoint()

    def withdraw(self, world):
        seen = self.balance  # the bug: no lock
        yield world.checkpoint()
        self.balance = seen - 3
        yield world.checkpoint()
        self.done += 1
        yield world.checkpoint()

    def check(self, world):
        while self.done < 2:
            yield world.spin()
        if self.balance != 12:
            self.fail(f"balance {self.balance}, expected 12")
        yield world.checkpoint()


@dataclass
class Reorder(_Asserting):
    """``reads="c"``: the checker evaluates ``(a == 0 && b == 0) || (a == 1 && b == -1)``
    as C does, left to right with short-circuits, each read its own step: it fails only
    when it runs entirely between some setter's ``a = 1`` and the first ``b = -1``.
    ``reads="once"`` (our earlier, simpler port) reads a and b once each, which also
    fails on a = 0 then b = -1: a different and easier bug."""
    threads: int = 5
    reads: str = "c"

    def setup(self, world):
        self.failed = None
        self.a = self.b = 0
        checker = self.check(world) if self.reads == "c" else self.check_once(world)
        self.start(world, [(f"set{i}", self.setter(world)) for i in range(self.threads - 1)]
                   + [("check", checker)])

    def setter(self, world):
        self.a = 1
        yield world.checkpoint()
        self.b = -1
        yield world.checkpoint()

    def check(self, world):
        seen = [self.a]
        yield world.checkpoint()
        ok = False
        if seen[-1] == 0:
            seen.append(self.b)
            yield world.checkpoint()
            ok = seen[-1] == 0
        if not ok:
            seen.append(self.a)
            yield world.checkpoint()
            if seen[-1] == 1:
                seen.append(self.b)
                yield world.checkpoint()
                ok = seen[-1] == -1
        if not ok:
            self.fail(f"read {seen} (a, b, a, b as evaluated)")
        yield world.checkpoint()

    def check_once(self, world):
        a = self.a
        yield world.checkpoint()
        b = self.b
        if not ((a == 0 and b == 0) or (a == 1 and b == -1)):
            self.fail(f"read a={a}, b={b}")
        yield world.checkpoint()


@dataclass
class TwoStage(_Asserting):
    threads: int = 5

    def setup(self, world):
        self.failed = None
        self.data1 = self.data2 = 0
        self.m1, self.m2 = world.mutex("m1"), world.mutex("m2")
        self.start(world, [(f"write{i}", self.writer(world)) for i in range(self.threads - 1)]
                   + [("read", self.reader(world))])

    def writer(self, world):
        yield self.m1.acquire()
        self.data1 = 1
        yield world.checkpoint()
        self.m1.release()
        yield world.checkpoint()  # between the two stages
        yield self.m2.acquire()
        value = self.data1
        yield world.checkpoint()
        self.data2 = value + 1
        yield world.checkpoint()
        self.m2.release()

    def reader(self, world):
        yield self.m1.acquire()
        if self.data1 == 0:
            self.m1.release()
            return
        t1 = self.data1
        yield world.checkpoint()
        self.m1.release()
        yield self.m2.acquire()
        t2 = self.data2
        yield world.checkpoint()
        self.m2.release()
        if t2 != t1 + 1:
            self.fail(f"data1={t1} but data2={t2}")


@dataclass
class Bluetooth(_Asserting):
    def setup(self, world):
        self.failed = None
        self.pending, self.stopping, self.stopped, self.event = 1, False, False, False
        self.start(world, [("worker", self.worker(world)), ("stopper", self.stopper(world))])

    def _dec(self, world):
        self.pending -= 1  # an interlocked decrement: one step
        yield world.checkpoint()
        if self.pending == 0:
            self.event = True
            yield world.checkpoint()

    def worker(self, world):
        stopping = self.stopping
        yield world.checkpoint()
        if stopping:
            return
        self.pending += 1  # an interlocked increment
        yield world.checkpoint()
        if self.stopped:
            self.fail("the worker works on a stopped driver")
        yield world.checkpoint()
        yield from self._dec(world)

    def stopper(self, world):
        self.stopping = True
        yield world.checkpoint()
        yield from self._dec(world)
        while not self.event:
            yield world.spin()
        self.stopped = True
        yield world.checkpoint()


@dataclass
class WrongLock(_Asserting):
    threads: int = 4

    def setup(self, world):
        self.failed = None
        self.data = 0
        self.a, self.b = world.mutex("A"), world.mutex("B")
        self.start(world, [("t0", self.update(world, self.a, 1))]
                   + [(f"t{i}", self.update(world, self.b, i + 1)) for i in range(1, self.threads)])

    def update(self, world, lock, value):
        yield lock.acquire()
        self.data = value
        yield world.checkpoint()
        if self.data != value:
            self.fail(f"wrote {value}, read back {self.data}")
        yield world.checkpoint()
        lock.release()


@dataclass
class Peterson(_Asserting):
    def setup(self, world):
        self.failed = None
        self.flag, self.turn, self.inside = [False, False], 0, 0
        self.start(world, [(f"t{i}", self.thread(world, i)) for i in range(2)])

    def thread(self, world, i):
        other = 1 - i
        self.turn = other  # the bug: the turn is given away before the flag is raised
        yield world.checkpoint()
        self.flag[i] = True
        yield world.checkpoint()
        while self.flag[other] and self.turn == other:
            yield world.spin()
        self.inside += 1
        if self.inside > 1:
            self.fail("both threads in the critical section")
        yield world.checkpoint()
        self.inside -= 1
        self.flag[i] = False
        yield world.checkpoint()


@dataclass
class Fib(_Asserting):
    rounds: int = 3

    def setup(self, world):
        self.failed = None
        self.i = self.j = 1
        self.start(world, [("ti", self.add_i(world)), ("tj", self.add_j(world)), ("check", self.check(world))])
        a, b = 1, 1
        for _ in range(2 * self.rounds):
            a, b = b, a + b
        self.limit = b  # reached only when the two threads strictly alternate

    def add_i(self, world):
        for _ in range(self.rounds):
            i, j = self.i, self.j
            yield world.checkpoint()
            self.i = i + j
            yield world.checkpoint()

    def add_j(self, world):
        for _ in range(self.rounds):
            i, j = self.i, self.j
            yield world.checkpoint()
            self.j = i + j
            yield world.checkpoint()

    def check(self, world):
        yield world.checkpoint()
        if max(self.i, self.j) >= self.limit:
            self.fail(f"i={self.i}, j={self.j} reached {self.limit}")


def programs() -> list[tuple[str, object]]:
    return [("account", Account()), ("reorder_5", Reorder(5)), ("reorder_10", Reorder(10)),
            ("reorder_5_once", Reorder(5, reads="once")),
            ("twostage_5", TwoStage(5)), ("twostage_10", TwoStage(10)), ("bluetooth", Bluetooth()),
            ("wronglock_4", WrongLock(4)), ("peterson", Peterson()), ("fib_3", Fib(3))]

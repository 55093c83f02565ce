"""Shared helpers for the test suite: inline models and small strategies.

Engine tests build their models here or in the test module, never from ``models/``
(only ``tests/integration`` runs the example models). Traces name a model by
``module:Class``, so the dataclass models here replay, and the CLI (run with the
repository root as working directory) finds them as ``tests.support:RacyCounter``.

* ``scripted(make, properties, name=fn, ...)``: a Model that calls
  ``make(model, world)`` then spawns ``fn(model, world)`` per name;
* ``stepper(name, n)``: a process that logs and checkpoints ``n`` times;
* ``RacyCounter``: workers doing read–checkpoint–write on a shared counter;
* ``Pick`` and ``Last``: strategies that take chosen indices, or always the last.
"""
from dataclasses import dataclass
from pathlib import Path

import detsim

REPO = Path(__file__).resolve().parents[1]
"""The repository root: the working directory of CLI and replay subprocesses."""


# ---- models given inline ------------------------------------------------------------

class Script(detsim.Model):
    """Processes given as generator functions ``fn(model, world)``; primitives made by
    ``make``. ``model.log`` is a list for the processes to fill, ``model.world`` the run's
    World. Subclass it to set run settings (``instant_budget = 30``)."""

    procs: dict = {}
    daemons: tuple = ()
    props: tuple = ()

    def make(self, world):
        pass

    def setup(self, world):
        self.log = []
        self.world = world
        self.make(world)
        for name, fn in self.procs.items():
            world.spawn(name, fn(self, world), daemon=name in self.daemons)

    def properties(self):
        return list(self.props)


def scripted(make=None, properties=(), *, daemons=(), **procs):
    """A Script whose processes are ``procs`` (spawned in the order given), with
    ``properties`` checked and the processes named in ``daemons`` spawned as daemons."""
    body = {"procs": dict(procs), "daemons": tuple(daemons), "props": tuple(properties)}
    if make is not None:
        body["make"] = make
    return type("Scripted", (Script,), body)()


def stepper(name, n=3):
    """A process that appends ``name0``, ``name1``, ... to the log, a checkpoint after each."""
    def proc(m, world):
        for i in range(n):
            m.log.append(f"{name}{i}")
            yield world.checkpoint()
    return proc


@dataclass
class RacyCounter(detsim.Model):
    """``workers`` workers do read–checkpoint–write on a shared counter.

    Worker i first does ``warmup + stagger*i`` checkpoints of local work, so under
    the default (FIFO, round-robin) schedule their critical sections never overlap:
    the lost update needs one deviation late in the run, where a worker reads
    before the previous one writes. ``bug="no-lock"`` leaves the critical section
    unguarded; any other value (``None``) takes the mutex ``counter-lock``.
    """

    workers: int = 3
    stagger: int = 1
    warmup: int = 8
    bug: str | None = "no-lock"

    def setup(self, world):
        self.count = 0
        self.lock = world.mutex("counter-lock")
        for i in range(self.workers):
            world.spawn(f"worker-{i}", self.worker(world, i))

    def worker(self, world, i):
        for _ in range(self.warmup + self.stagger * i):
            yield world.checkpoint()  # local work
        if self.bug != "no-lock":
            yield self.lock.acquire()
        seen = self.count
        yield world.checkpoint()
        self.count = seen + 1
        if self.bug != "no-lock":
            self.lock.release()

    def properties(self):
        return [detsim.at_end("no lost update", lambda m: m.count == m.workers)]


# ---- strategies ---------------------------------------------------------------------

class Pick(detsim.Strategy):
    """Index 0 everywhere except for the labels given (exact label -> index)."""

    name = "pick"

    def __init__(self, picks=None):
        self.picks = dict(picks or {})

    def choose(self, label, candidates, world):
        return self.picks.get(label, 0)


class Last(detsim.Strategy):
    """Always the last candidate: the opposite of FIFO."""

    def choose(self, label, candidates, world):
        return len(candidates) - 1

"""Shared helpers for the test suite: inline models and small strategies.

Engine tests build their models here or in the test module, never from ``models/``
(only ``tests/integration`` runs the example models). Traces name a model by
``module:Class``, so the dataclass models here replay, and the CLI (run with the
repository root as working directory) finds them as ``tests.support:RacyCounter``.

* ``scripted(make, properties, name=fn, ...)``: a Model that calls
  ``make(model, world)`` then spawns ``fn(model, world)`` per name;
* ``stepper(name, n)``: a process that logs and checkpoints ``n`` times;
* ``RacyCounter``: workers doing read–checkpoint–write on a shared counter, and
  ``find_lost_update()``, the shrunk counterexample the trace tests edit;
* ``edited(trace, edit)`` and ``BAD_EDITS``: hand edits of a trace's JSON;
* ``Starvable``, ``Spin`` and the ``Starver`` adversary: live models that an unfair
  schedule alone can starve or keep spinning (fairness tests);
* ``Scenario`` and ``@scenario``: fault-layer models written as one function
  ``fn(model, world)``, run with a fault plan by ``run_scenario``; ``chatter`` is one;
* ``Pick`` and ``Last``: strategies that take chosen indices, or always the last.
"""
import copy
import json
from dataclasses import dataclass, field
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


def find_lost_update():
    """The shrunk counterexample of RacyCounter that the replay, trace and CLI tests use."""
    result = detsim.check(RacyCounter(), detsim.Random(0), runs=200, shrink=True)
    assert not result.ok and result.violation.property == "no lost update"
    return result


UNBOUNDED = 10**9
"""A "fairness bound" no schedule exceeds: liveness judges every schedule, even unfair ones."""


@dataclass
class Starvable(detsim.Model):
    """Live under fairness, starvable by an adversary: each round a worker announces
    that it wants the lock (``world.arrive``), takes one step of preparation, then
    queues on a FIFO mutex. Once the victim is scheduled it queues and FIFO serves it
    next; a scheduler that never runs the victim while the other worker can run lets
    the other overtake it on every round."""

    rounds: int = 12
    max_bypass: int = 3  # under 8-fairness the other worker runs at most 8 steps, 3 rounds, first
    fairness: int = 8

    def setup(self, world):
        self.lock = world.mutex("lock")
        for i in range(2):
            world.spawn(f"worker-{i}", self.worker(world))

    def worker(self, world):
        for _ in range(self.rounds):
            world.arrive("lock")  # wants the lock from here on
            yield world.checkpoint()  # preparing the request
            yield self.lock.acquire()
            yield world.checkpoint()  # critical section
            self.lock.release()

    def properties(self):
        return [detsim.no_starvation(max_bypass=self.max_bypass, fairness=self.fairness)]


@dataclass
class Spin(detsim.Model):
    """``Starvable`` for livelock: a spinner waits for a flag that a setter raises in one step."""

    spins: int = 400
    fairness: int = 8

    def setup(self, world):
        self.flag = False
        world.spawn("spinner", self.spinner(world))
        world.spawn("setter", self.setter(world))

    def spinner(self, world):
        for _ in range(self.spins):
            if self.flag:
                return
            yield world.checkpoint()

    def setter(self, world):
        yield world.checkpoint()
        self.flag = True
        world.progress("flag")

    def state(self):
        return ("raised" if self.flag else "lowered",)

    def properties(self):
        return [detsim.no_livelock(window=50, fairness=self.fairness)]


# ---- fault-layer scenarios -----------------------------------------------------------

SCENARIOS = {}


def scenario(fn):
    """Registers ``fn(model, world)`` as the scenario called ``fn.__name__``."""
    if SCENARIOS.setdefault(fn.__name__, fn) is not fn:
        raise ValueError(f"two scenarios are called {fn.__name__!r}")
    return fn


@dataclass
class Scenario(detsim.Model):
    """Configures the fault plan ``faults`` (if any), then runs ``SCENARIOS[name](model,
    world)``; the scenario fills ``model.log``. A dataclass, so its traces replay."""

    name: str = ""
    faults: dict = field(default_factory=dict)

    def setup(self, world):
        self.log = []
        if self.faults:
            world.faults.configure(self.faults)
        SCENARIOS[self.name](self, world)


def run_scenario(name, picks=None, faults=None, **settings):
    """One run of a scenario under ``Pick(picks)``: the default everywhere else."""
    return detsim.run(Scenario(name, faults or {}), Pick(picks), **settings)


CHATTER_MESSAGES = 40


@scenario
def chatter(model, world):
    """Node a sends CHATTER_MESSAGES messages to b, one per time unit (latency 1);
    b logs the number of each message it receives."""
    world.network.configure(1)
    a, b = world.node("a"), world.node("b")

    def rx():
        while True:
            msg = yield b.recv()
            model.log.append(msg.number)

    b.spawn("rx", rx(), daemon=True)

    def tx():
        for _ in range(CHATTER_MESSAGES):
            a.send("b", "m")
            yield world.timeout(1)

    a.spawn("tx", tx())


# ---- hand-edited traces --------------------------------------------------------------

def edited(trace, edit, version: int = 2):
    """A copy of ``trace`` whose JSON data (in format ``version``) went through ``edit(data)``."""
    data = copy.deepcopy(trace.to_dict(version))
    edit(data)
    return detsim.Trace.from_dict(data)


def _set(path, value):
    def edit(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return edit


def _delete(path):
    def edit(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return edit


BAD_EDITS = {
    "wrong format": _set(["format"], "pickle"),
    "wrong version": _set(["version"], 99),
    "version 0": _set(["version"], 0),
    "missing format": _delete(["format"]),
    "missing decisions": _delete(["decisions"]),
    "missing model": _delete(["model"]),
    "model not module:Class": _set(["model"], "RacyCounter"),
    "params not an object": _set(["params"], [1, 2]),
    "decision missing chosen": _delete(["decisions", 0, "chosen"]),
    "decision missing count": _delete(["decisions", 0, "count"]),
    "decision missing choice": _delete(["decisions", 0, "choice"]),
    "decision missing default": _delete(["decisions", 0, "default"]),
    "decision missing kind": _delete(["decisions", 0, "kind"]),
    "chosen out of range": _set(["decisions", 0, "chosen"], 3),
    "chosen negative": _set(["decisions", 0, "chosen"], -1),
    "chosen a string": _set(["decisions", 0, "chosen"], "1"),
    "chosen a bool": _set(["decisions", 0, "chosen"], True),
    "count of one": _set(["decisions", 0, "count"], 1),
    "count a string": _set(["decisions", 0, "count"], "3"),
    "choice not a string": _set(["decisions", 0, "choice"], 7),
    "default not a string": _set(["decisions", 0, "default"], ["worker-0"]),
    "default chosen under another name": _set(["decisions", 0, "chosen"], 0),
    "decision not an object": _set(["decisions", 0], "step 0"),
    "time not a number": _set(["decisions", 0, "time"], "soon"),
    "time divides by zero": _set(["decisions", 0, "time"], "1/0"),
    # version 1 (every candidate's name) still loads, and is checked as strictly
    "v1 decision missing chosen": _delete(["decisions", 0, "chosen"]),
    "v1 decision missing candidates": _delete(["decisions", 0, "candidates"]),
    "v1 chosen out of range": _set(["decisions", 0, "chosen"], 3),
    "v1 candidates not strings": _set(["decisions", 0, "candidates"], [1, 2, 3]),
    "v1 one candidate": _set(["decisions", 0, "candidates"], ["worker-0"]),
    "v1 time divides by zero": _set(["decisions", 0, "time"], "1/0"),
}
"""Edits that make a trace malformed: loading it must be a one-line TraceFormatError.
Those named "v1 ..." apply to the trace written in format version 1. Decision 0 of
``find_lost_update()``'s trace is a 3-way tie that left the default."""


def write_edited(trace, name, path):
    """Writes ``trace`` with the bad edit ``name`` applied to ``path`` (as JSON)."""
    data = copy.deepcopy(trace.to_dict(version=1 if name.startswith("v1 ") else 2))
    BAD_EDITS[name](data)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


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


class Starver(detsim.Strategy):
    """The adversary: runs ``victim`` first (so that it starts waiting), then never
    schedules it while anyone else can run."""

    name = "starver"

    def __init__(self, victim):
        self.victim = victim
        self.started = False

    def begin(self, run):
        self.started = False
        return True

    def choose(self, label, candidates, world):
        if label != "schedule":
            return 0
        if not self.started and self.victim in candidates:
            self.started = True
            return candidates.index(self.victim)
        for i, name in enumerate(candidates):
            if name != self.victim:
                return i
        return 0

    def describe(self):
        return {"name": self.name, "victim": self.victim}

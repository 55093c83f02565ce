"""Models for the parallel-campaign tests: module-level dataclasses, so that they
pickle by reference and Dask workers (started with the repository on their path)
can build them.

* ``Lottery``: two players each draw a ticket; drawing ``winning`` is the
  violation, so failing runs are rare and scattered over the run indices. It
  declares ``state()`` (coverage) and a ``sometimes`` guard.
* ``Spinner``: one run in ``odds`` spins at one instant forever (a step-budget overrun).
* ``Beats``: heartbeats over a network with drop, duplicate and pause faults (fault tables).
* ``Flaky``: behaves differently on every other execution (nondeterministic).
"""
from dataclasses import dataclass

import detsim


@dataclass
class Lottery(detsim.Model):
    tickets: int = 60
    winning: int | None = 7
    guard: int = 0  # the sometimes-guard: some run draws this ticket
    broken: int = 0  # if > 0, setup raises in one run in ``broken`` (a model error)

    def setup(self, world):
        self.drawn = []
        if self.broken and world.choose("break?", range(self.broken)) == 1:
            raise ValueError("a broken setup")
        for name in ("ann", "bob"):
            world.spawn(name, self.player(world))

    def player(self, world):
        yield world.checkpoint()
        ticket = world.choose("ticket", range(self.tickets))
        world.count("draws")
        yield world.checkpoint()
        self.drawn.append(ticket)

    def properties(self):
        return [detsim.always("no winner", lambda m: m.winning not in m.drawn,
                              explain=lambda m: f"drawn {m.drawn}"),
                detsim.sometimes("guard drawn", lambda m: m.guard in m.drawn)]

    def state(self):
        return tuple(sorted(self.drawn))


@dataclass
class Spinner(detsim.Model):
    odds: int = 40

    def setup(self, world):
        world.spawn("spin", self.spin(world))

    def spin(self, world):
        yield world.checkpoint()
        if world.choose("spin?", range(self.odds)) == 1:
            while True:
                yield world.checkpoint()


@dataclass
class Beats(detsim.Model):
    beats: int = 6

    def setup(self, world):
        self.heard = []
        world.faults.configure(kinds=("drop", "duplicate", "pause"), heal_at=20)
        world.network.configure(1)
        world.node("leader", boot=lambda node: node.spawn("beat", self.beat(node)))
        world.node("follower", boot=lambda node: node.spawn("listen", self.listen(node), daemon=True))

    def beat(self, node):
        for _ in range(self.beats):
            node.send("follower", "beat")
            yield node.sleep(2)

    def listen(self, node):
        while True:
            msg = yield node.recv()
            self.heard.append(msg.body)

    def properties(self):
        return [detsim.always("only heartbeats arrive", lambda m: set(m.heard) <= {"beat"})]


EXECUTIONS = [0]  # per process: how many times Flaky was set up


@dataclass
class Flaky(detsim.Model):
    def setup(self, world):
        EXECUTIONS[0] += 1
        world.spawn("p", self.body(world, EXECUTIONS[0] % 2))

    def body(self, world, extra):
        yield world.checkpoint()
        world.choose("coin", ("heads", "tails"))
        for _ in range(extra):
            yield world.checkpoint()

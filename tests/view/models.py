"""Inline models for the viewer's tests: a deadlock with a history, a register with a stale
read cache (not linearizable), and a network scenario.

``Tellers``: two tellers record a few operations in the history ``ledger`` (a kv
register), then each locks its own account and, after a checkpoint, the other's.
Teller i first does ``stagger*i`` checkpoints, so FIFO is safe; a deviation lets both
hold their first lock: a wait-for cycle, with the last operations still pending.
"""
from dataclasses import dataclass

import detsim
from detsim.history import kv
from tests.support import scenario


@dataclass
class Tellers(detsim.Model):
    stagger: int = 4
    ops: int = 2

    def setup(self, world):
        self.accounts = [world.mutex("account-a"), world.mutex("account-b")]
        self.balance = {"a": 10, "b": 10}
        self.ledger = world.history("ledger")
        self.moved = 0
        for i in range(2):
            world.spawn(f"teller-{i}", self.teller(world, i))

    def teller(self, world, i):
        for _ in range(self.stagger * i):
            yield world.checkpoint()  # paperwork
        for k in range(self.ops):
            op = self.ledger.invoke(f"teller-{i}", "put", "last", f"{i}.{k}")
            yield world.checkpoint()  # writing the ledger
            self.ledger.ok(op)
        op = self.ledger.invoke(f"teller-{i}", "put", "last", f"{i}.move")
        mine, theirs = self.accounts[i], self.accounts[1 - i]
        yield mine.acquire()
        yield world.checkpoint()  # counting the money
        yield theirs.acquire()
        self.balance["ab"[i]] -= 1
        self.balance["ab"[1 - i]] += 1
        self.moved += 1
        theirs.release()
        mine.release()
        self.ledger.ok(op)

    def state(self):
        return (self.moved, tuple(a.holder.name if a.holder else "-" for a in self.accounts))

    def properties(self):
        return [detsim.linearizable("ledger", kv, name="the ledger is linearizable")]


@dataclass
class StaleCache(detsim.Model):
    """Two clients put then get the key "x"; with ``bug="stale"`` a get may be served from a
    cache filled before another client's put: the history is not linearizable."""

    bug: str | None = "stale"

    def setup(self, world):
        self.store, self.cache = {}, {}
        self.h = world.history("kv")
        for c in range(2):
            world.spawn(f"client-{c}", self.client(world, c))

    def client(self, world, c):
        for i in range(2):
            op = self.h.invoke(f"client-{c}", "put", "x", f"{c}.{i}")
            yield world.checkpoint()
            self.store["x"] = f"{c}.{i}"
            if self.bug != "stale":
                self.cache.pop("x", None)
            yield world.checkpoint()
            self.h.ok(op)
            op = self.h.invoke(f"client-{c}", "get", "x")
            yield world.checkpoint()
            value = self.cache.get("x", self.store.get("x"))
            self.cache["x"] = value
            yield world.checkpoint()
            self.h.ok(op, value)

    def properties(self):
        return [detsim.linearizable("kv", kv, name="the kv history is linearizable")]


@scenario
def gossip(model, world):
    """Node a sends b three messages one time unit apart; b answers each. The fault
    plan (drop, duplicate, partition, crash) decides what happens to them."""
    world.network.configure(1)
    a, b = world.node("a"), world.node("b")

    def answer():
        while True:
            msg = yield b.recv()
            model.log.append(msg.number)
            b.send("a", ("ack", msg.number))

    b.spawn("answer", answer(), daemon=True)

    def talk():
        for k in range(3):
            a.send("b", ("hello", k))
            yield world.timeout(1)

    a.spawn("talk", talk())

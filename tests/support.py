"""Shared helpers for the test suite: inline models and small strategies.

Engine tests build their models here or inline, never from ``models/`` (only
``tests/integration`` runs the example models). ``scripted(make, name=fn)``
builds a Model that calls ``make(model, world)`` then spawns ``fn(model, world)``
per name.
"""
import detsim


class Script(detsim.Model):
    procs: dict = {}

    def make(self, world):
        pass

    def setup(self, world):
        self.log = []
        self.make(world)
        for name, fn in self.procs.items():
            world.spawn(name, fn(self, world))


def scripted(make, extra_properties=(), **procs):
    return type("Scripted", (Script,), {"make": make, "procs": procs,
                                        "properties": lambda self: list(extra_properties)})()


class Pick(detsim.Strategy):
    """Index 0 everywhere except for the labels given (exact label -> index)."""

    name = "pick"

    def __init__(self, picks=None):
        self.picks = dict(picks or {})

    def choose(self, label, candidates, world):
        return self.picks.get(label, 0)

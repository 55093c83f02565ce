"""The linearizable(...) property on a simulated register: a correct register passes,
a register with a stale read cache is caught with an explanation and a timeline."""
from dataclasses import dataclass

import pytest

import detsim
from detsim.history import kv


@dataclass
class CachedKV(detsim.Model):
    clients: int = 2
    bug: str | None = None  # "stale-cache": reads may be served from a cache filled before a write

    def setup(self, world):
        self.store = {}
        self.cache = {}
        self.h = world.history("kv")
        for c in range(self.clients):
            world.spawn(f"client-{c}", self.client(world, c))

    def client(self, world, c):
        for i in range(2):
            op = self.h.invoke(f"client-{c}", "put", "x", f"{c}.{i}")
            yield world.checkpoint()
            self.store["x"] = f"{c}.{i}"
            if self.bug != "stale-cache":
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
        return [detsim.linearizable("kv", spec=kv)]


def test_correct_register_is_linearizable():
    assert detsim.check(CachedKV(), detsim.Random(0), runs=150).ok


def test_stale_cache_is_not_linearizable_and_explained():
    result = detsim.check(CachedKV(bug="stale-cache"), detsim.Random(0), runs=300)
    assert not result.ok
    v = result.violation
    assert v.property == "linearizable kv"
    assert "not linearizable" in v.message and "client-" in v.message
    replayed = detsim.replay(result.trace)
    assert replayed.violation.property == "linearizable kv"


def test_model_is_the_deprecated_spelling_of_spec():
    with pytest.warns(DeprecationWarning, match="spec="):
        prop = detsim.linearizable("kv", model=kv)
    assert prop.spec is kv
    with pytest.raises(TypeError, match="needs a spec"):
        detsim.linearizable("kv")

import random as _random

from .base import Strategy


def run_rng(kind: str, seed: int, run: int) -> _random.Random:
    # String seeds go through SHA-512 in CPython: independent of PYTHONHASHSEED.
    return _random.Random(f"detsim:{kind}:{seed}:{run}")


class Random(Strategy):
    """Uniform choice at every decision, from a per-run generator derived from the seed."""

    name = "random"

    def __init__(self, seed: int = 0):
        self.seed = int(seed)
        self.run = 0
        self._random = run_rng("random", self.seed, 0).random

    def begin(self, run: int) -> bool:
        self.run = run
        self._random = run_rng("random", self.seed, run).random
        return True

    def choose(self, label, candidates, world) -> int:
        return int(self._random() * len(candidates))

    def describe(self) -> dict:
        return {"name": self.name, "seed": self.seed, "run": self.run}

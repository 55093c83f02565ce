import random as _random

from .._faults import FAULT_PREFIXES, sparse_choice
from .base import Strategy


def run_rng(kind: str, seed: int, run: int) -> _random.Random:
    # String seeds go through SHA-512 in CPython: independent of PYTHONHASHSEED.
    return _random.Random(f"detsim:{kind}:{seed}:{run}")


class Random(Strategy):
    """Uniform choice at every decision, from a per-run generator derived from the seed.

    Fault decisions (labels starting with a fault word, see detsim._faults) are
    sparse instead: they deviate with probability ``fault_rate`` (None: the run's
    fault plan rate), else a uniform draw would fire a fault at nearly every one."""

    name = "random"

    def __init__(self, seed: int = 0, fault_rate: float | None = None):
        self.seed = int(seed)
        self.fault_rate = fault_rate
        self.run = 0
        self._random = run_rng("random", self.seed, 0).random

    def begin(self, run: int) -> bool:
        self.run = run
        self._random = run_rng("random", self.seed, run).random
        return True

    def choose(self, label, candidates, world) -> int:
        if label != "schedule" and label.startswith(FAULT_PREFIXES):
            return sparse_choice(self._random, len(candidates), self.fault_rate, world)
        return int(self._random() * len(candidates))

    def describe(self) -> dict:
        out = {"name": self.name, "seed": self.seed, "run": self.run}
        if self.fault_rate is not None:
            out["fault_rate"] = self.fault_rate
        return out

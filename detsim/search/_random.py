"""Uniform random choice at every decision, sparse at fault decisions."""
import random as _random
from hashlib import sha512

from ..engine import Strategy
from ..trace import FAULT

DEFAULT_FAULT_RATE = 0.05  # as detsim.faults' default plan rate


def run_rng(kind: str, seed: int, run: int) -> _random.Random:
    # String seeds go through SHA-512 in CPython: independent of PYTHONHASHSEED.
    return _random.Random(f"detsim:{kind}:{seed}:{run}")


_seed_from_int = _random.Random.__mro__[1].seed  # the C seeding under random.Random.seed


def reseed(generator: _random.Random, kind: str, seed: int, run: int) -> None:
    """Put ``generator`` in the state ``run_rng(kind, seed, run)`` starts in, without
    making a new one: the integer CPython derives from a string seed (the string's
    bytes, then their SHA-512), handed to the C seeding directly. Every run of a
    campaign is seeded, and the Python-level ``seed`` and a new generator cost a
    fifth of the seeding (docs/lean-runs.md); tests/search/test_random.py checks the
    two agree."""
    key = f"detsim:{kind}:{seed}:{run}".encode()
    _seed_from_int(generator, int.from_bytes(key + sha512(key).digest(), "big"))
    generator.gauss_next = None


def sparse_choice(random, n: int, rate, world) -> int:
    """A fault decision for Random/PCT: deviate with probability ``rate`` (default:
    the run's fault plan rate), then uniformly among the faults."""
    if rate is None:
        rate = world.fault_rate
    if random() >= rate:
        return 0
    return 1 + int(random() * (n - 1))


class Random(Strategy):
    """Uniform choice at every decision, from a per-run generator derived from the seed.

    Fault decisions are sparse instead: they deviate with probability ``fault_rate``
    (None: the run's fault plan rate), else a uniform draw would fire a fault at
    nearly every one."""

    name = "random"
    independent_runs = True  # run i draws from run_rng(seed, i) alone

    def __init__(self, seed: int = 0, fault_rate: float | None = None):
        self.seed = int(seed)
        self.fault_rate = fault_rate
        self.run = 0
        self._rng = run_rng("random", self.seed, 0)
        self._random = self._rng.random

    def begin(self, run: int) -> bool:
        self.run = run
        reseed(self._rng, "random", self.seed, run)  # as run_rng("random", seed, run), in place
        return True

    def choose(self, label, candidates, world) -> int:
        if world.decision_kind == FAULT:
            return sparse_choice(self._random, len(candidates), self.fault_rate, world)
        return int(self._random() * len(candidates))

    def schedule_draw(self):
        # Exactly Random: a subclass that overrides choose() must be asked through it.
        return self._random if type(self).choose is Random.choose else None

    def __repr__(self) -> str:  # pasteable: Random(143) or Random(143, fault_rate=0.1)
        rate = "" if self.fault_rate is None else f", fault_rate={self.fault_rate!r}"
        return f"Random({self.seed}{rate})"

    def describe(self) -> dict:
        out = {"name": self.name, "seed": self.seed, "run": self.run}
        if self.fault_rate is not None:
            out["fault_rate"] = self.fault_rate
        return out

"""Probabilistic Concurrency Testing (Burckhardt et al., ASPLOS 2010).

Each process gets a random priority the first time it is a candidate; the highest
priority candidate runs. At d-1 random change points (over the number of
scheduling decisions seen so far) the process about to run drops below everyone.
A bug of depth d is found with probability at least 1/(n·k^(d-1)).
Model choices are uniform; fault decisions are sparse (``fault_rate``, as in Random).
"""
from ..engine import Strategy
from ..errors import UsageError
from ..trace import FAULT, SCHEDULE
from ._random import run_rng, sparse_choice


class PCT(Strategy):
    name = "pct"

    def __init__(self, depth: int = 2, seed: int = 0, steps: int = 64, fault_rate: float | None = None):
        if type(depth) is not int or depth < 1:
            raise UsageError(f"PCT depth must be an integer >= 1, got {depth!r}")
        self.depth, self.seed = int(depth), int(seed)
        self.fault_rate = fault_rate
        self.steps_estimate = max(1, int(steps))  # k: grows to the longest run seen
        self.run = 0
        self.begin(0)

    def begin(self, run: int) -> bool:
        self.run = run
        self._rng = run_rng("pct", self.seed, run)
        k = self.steps_estimate
        self._changes = {}
        points = self._rng.sample(range(1, k + 1), min(self.depth - 1, k))
        for i, point in enumerate(sorted(points)):
            self._changes[point] = self.depth - 1 - i  # later change points drop lower
        self._priority: dict = {}
        self._count = 0
        self._k_used = k
        return True

    def choose(self, label, candidates, world) -> int:
        rng = self._rng
        kind = world.decision_kind
        if kind != SCHEDULE:
            if kind == FAULT:
                return sparse_choice(rng.random, len(candidates), self.fault_rate, world)
            return int(rng.random() * len(candidates))
        prio = self._priority
        for name in candidates:
            if name not in prio:
                prio[name] = self.depth + rng.random()
        self._count += 1
        best = max(range(len(candidates)), key=lambda i: prio[candidates[i]])
        drop = self._changes.get(self._count)
        if drop is not None:
            prio[candidates[best]] = drop + rng.random() * 0.5
            best = max(range(len(candidates)), key=lambda i: prio[candidates[i]])
        return best

    def end(self, result) -> None:
        self.steps_estimate = max(self.steps_estimate, self._count)

    def __repr__(self) -> str:  # pasteable, as Hypothesis prints it for a failing example
        rate = "" if self.fault_rate is None else f", fault_rate={self.fault_rate!r}"
        return f"PCT(depth={self.depth}, seed={self.seed}{rate})"

    def describe(self) -> dict:
        out = {"name": self.name, "depth": self.depth, "seed": self.seed, "run": self.run,
               "steps_estimate": self._k_used,
               "change_points": sorted(self._changes)}
        if self.fault_rate is not None:
            out["fault_rate"] = self.fault_rate
        return out

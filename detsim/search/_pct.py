"""Probabilistic Concurrency Testing (Burckhardt et al., ASPLOS 2010), in its fair form.

Each process gets a random priority the first time it is a candidate; the highest
priority candidate runs. At d-1 random change points among the first k scheduling
decisions the process about to run drops below everyone. A bug of depth d is then
found in one run with probability at least 1/(n·k^(d-1)) (n processes, k steps).

A step that runs no code (the exit of a finished process nobody waits on) is taken
at once and is not counted in k. Two additions keep it from ever starving the world
(docs/search.md):

* a process whose pending wake-up is a ``world.spin()`` (it busy-waits for someone
  else) is moved to the lowest priority before it would run, as shuttle's PCT does
  for ``yield_now``;
* after ``fair_after`` scheduling decisions the run goes on with a fair random
  suffix (the PCT prefix, then uniform choices, as Coyote's and P's fair-PCT do), so
  a spin loop nobody marked ends with the others instead of at the step budget.

k is learned: run 0 uses the guess ``steps``, every later run the longest PCT
prefix seen in the runs before it, and n counts the processes actually seen. Runs therefore depend
on the runs before them, not only on (seed, run index): a PCT campaign is one
sequence, never split across workers. Model choices are uniform; fault decisions
are sparse (``fault_rate``, as in Random).
"""
import math

from ..engine import Strategy
from ..errors import UsageError
from ..trace import FAULT, SCHEDULE
from ._random import run_rng, sparse_choice

DEFAULT_FAIR_AFTER = 5_000  # scheduling decisions of PCT before the fair random suffix


class PCT(Strategy):
    name = "pct"

    def __init__(self, depth: int = 2, seed: int = 0, steps: int = 64, fault_rate: float | None = None,
                 fair_after: int | None = DEFAULT_FAIR_AFTER):
        if type(depth) is not int or depth < 1:
            raise UsageError(f"PCT depth must be an integer >= 1, got {depth!r}")
        if fair_after is not None and (type(fair_after) is not int or fair_after < 1):
            raise UsageError(f"PCT fair_after must be a positive integer or None, got {fair_after!r}")
        self.depth, self.seed = int(depth), int(seed)
        self.fault_rate = fault_rate
        self.fair_after = fair_after
        self.steps_estimate = max(1, int(steps))  # k: a guess for run 0, then the longest PCT prefix seen
        self._longest = 0
        self.processes_seen = 0  # n: the most processes that were candidates in one run
        self.runs_at_estimate = 0  # runs done with k equal to the current estimate
        self.fair_runs = 0  # runs that reached the fair suffix
        self.run = 0
        self._begun = None
        self.begin(0)

    def begin(self, run: int) -> bool:
        # The same run begun again (detsim.run on one schedule twice) is the same run.
        k = self._k_used if run == self._begun else self.steps_estimate
        self.run, self._begun = run, run
        self._rng = run_rng("pct", self.seed, run)
        self._changes = {}
        points = self._rng.sample(range(1, k + 1), min(self.depth - 1, k))
        for i, point in enumerate(sorted(points)):
            self._changes[point] = self.depth - 1 - i  # later change points drop lower
        self._priority: dict = {}
        self._lowest = 0.0  # spinners go below every other priority, the latest lowest
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
        finished = _finished(candidates, world)
        if finished is not None:  # a no-op step: run it now, and do not count it as a step
            return finished
        self._count = count = self._count + 1
        if self.fair_after is not None and count > self.fair_after:
            if count == self.fair_after + 1:
                world.count("pct: runs ended with the fair random suffix")
            return int(rng.random() * len(candidates))
        prio = self._priority
        for name in candidates:
            if name not in prio:
                prio[name] = self.depth + rng.random()
        best = self._best(candidates, world)
        drop = self._changes.get(count)
        if drop is not None:
            prio[candidates[best]] = drop + rng.random() * 0.5
            best = self._best(candidates, world)
        return best

    def _best(self, candidates, world) -> int:
        """The highest priority candidate, after moving spinners to the bottom. When
        every candidate spins, the last one moved down runs (so spinners take turns)."""
        prio, tasks = self._priority, world.tasks
        order = sorted(range(len(candidates)), key=lambda i: prio[candidates[i]], reverse=True)
        for best in order[:-1]:
            task = tasks.get(candidates[best])
            if task is None or not task.spinning:
                return best
            self._lowest -= 1.0
            prio[candidates[best]] = self._lowest
        return order[-1]

    def end(self, result) -> None:
        tasks = result.world.tasks if result.world is not None else {}
        seen = sum(1 for name in self._priority if name in tasks)  # not "t1:exit" events
        self.processes_seen = max(self.processes_seen, seen)
        if self.fair_after is not None and self._count > self.fair_after:
            self.fair_runs += 1
        if self._k_used == self.steps_estimate:
            self.runs_at_estimate += 1
        prefix = self._count if self.fair_after is None else min(self._count, self.fair_after)
        self._longest = max(self._longest, prefix, 1)
        if self._longest != self.steps_estimate:
            self.steps_estimate, self.runs_at_estimate = self._longest, 0

    def miss_bound(self) -> tuple[int, int, int, float] | None:
        """(n, k, N, probability): after the N runs done with the current k, a bug of
        depth d within the first k scheduling steps was found with at least this
        probability, 1 − (1 − 1/(n·k^(d−1)))^N. None before any run."""
        n, k, runs = self.processes_seen, self.steps_estimate, self.runs_at_estimate
        if not runs or not n:
            return None
        one = min(1.0, 1.0 / (n * k ** (self.depth - 1)))
        return n, k, runs, 1.0 - (1.0 - one) ** runs

    def summary(self, runs: int) -> list:
        bound = self.miss_bound()
        if bound is None:
            return []
        n, k, counted, p = bound
        lines = [f"PCT(d={self.depth}): a bug of depth {self.depth} within the first {k:,} scheduling steps "
                 f"would have been found with probability ≥ {_percent(p)} "
                 f"(1 − (1 − 1/(n·k^(d−1)))^N with n = {n} processes seen, k = {k:,}, "
                 f"N = {counted:,} run(s) at this k)"]
        if self.fair_runs:
            lines.append(f"PCT: {self.fair_runs:,} run(s) went past {self.fair_after:,} scheduling steps and "
                         "ended with a fair random suffix (a spin loop without world.spin()?)")
        return lines

    def stats(self) -> dict:
        return {"pct processes": self.processes_seen, "pct steps estimate": self.steps_estimate}

    def __repr__(self) -> str:  # pasteable, as Hypothesis prints it for a failing example
        rate = "" if self.fault_rate is None else f", fault_rate={self.fault_rate!r}"
        fair = "" if self.fair_after == DEFAULT_FAIR_AFTER else f", fair_after={self.fair_after!r}"
        return f"PCT(depth={self.depth}, seed={self.seed}{rate}{fair})"

    def describe(self) -> dict:
        out = {"name": self.name, "depth": self.depth, "seed": self.seed, "run": self.run,
               "steps_estimate": self._k_used,
               "change_points": sorted(self._changes)}
        if self.fault_rate is not None:
            out["fault_rate"] = self.fault_rate
        if self.fair_after != DEFAULT_FAIR_AFTER:
            out["fair_after"] = self.fair_after
        return out


def _finished(candidates, world) -> int | None:
    """The index of the first candidate that is the exit of a finished process nobody
    waits on (labelled "name:exit"): its step runs no code at all. PCT runs such steps
    at once and leaves them out of k, so that no priority or change point is spent on
    them (they were a quarter of the steps of the SCTBench programs, bench/README.md)."""
    tasks = world.tasks
    for i, name in enumerate(candidates):
        if name.endswith(":exit"):
            task = tasks.get(name[:-5])
            if task is not None and not task.is_alive:
                return i
    return None


def _percent(p: float) -> str:
    """A lower bound as a percentage, rounded down (a bound is never rounded up)."""
    if p >= 1.0:
        return "100%"
    return f"{math.floor(p * 1000) / 10:.1f}%"

"""Bounded exhaustive search: stateless depth-first enumeration of decision lists.

Each run replays a prefix and then takes the default. After a run, the deepest
decision that still has an untried alternative is advanced. ``max_deviations``
bounds how many non-default decisions a schedule may contain (preemption
bounding, as in CHESS), which keeps the tree small and the results readable.
"""
from ..engine import Strategy
from ..errors import UsageError


class DFS(Strategy):
    name = "dfs"
    finite = True

    def __init__(self, max_runs: int | None = None, max_deviations: int | None = None):
        if max_runs is not None and (type(max_runs) is not int or max_runs < 1):
            raise UsageError(f"DFS max_runs must be a positive integer or None, got {max_runs!r}")
        if max_deviations is not None and (type(max_deviations) is not int or max_deviations < 0):
            raise UsageError(f"DFS max_deviations must be an integer >= 0 or None, got {max_deviations!r}")
        self.max_runs, self.max_deviations = max_runs, max_deviations
        self.exhausted = False
        self.pruned = False  # the deviation bound cut some schedule out
        self._prefix: list[int] = []
        self._last: list[tuple[int, int]] | None = None
        self.run = 0

    def begin(self, run: int) -> bool:
        self.run = run
        if self.max_runs is not None and run >= self.max_runs:
            return False
        if run == 0:
            self._prefix = []
            return True
        nxt = self._advance(self._last or [])
        if nxt is None:
            self.exhausted = True
            if self.pruned:
                self.bound = f"with at most {self.max_deviations} deviation(s) from the default"
            return False
        self._prefix = nxt
        return True

    def _advance(self, last):
        chosen = [c for c, _ in last]
        for pos in range(len(last) - 1, -1, -1):
            c, n = last[pos]
            if c + 1 >= n:
                continue
            prefix = chosen[:pos] + [c + 1]
            if self.max_deviations is not None and sum(1 for x in prefix if x) > self.max_deviations:
                self.pruned = True
                continue
            return prefix
        return None

    def choose(self, label, candidates, world) -> int:
        pos = len(world.decisions)
        if pos < len(self._prefix):
            return min(self._prefix[pos], len(candidates) - 1)
        return 0

    def end(self, result) -> None:
        self._last = [(d.chosen, len(d.candidates)) for d in result.trace.decisions]

    def describe(self) -> dict:
        return {"name": self.name, "run": self.run, "max_deviations": self.max_deviations}

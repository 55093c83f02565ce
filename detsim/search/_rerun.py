"""Re-execution of a lean run: its chosen indices again, this time with every name.

A campaign records its runs lean (docs/lean-runs.md): the chosen index of each
schedule tie, and the decisions asked through ``decide`` (choices, faults) in full.
When someone reads such a run's decisions, the runner executes it again under
``Rerun``, which hands back the same indices in the same order; the run is
deterministic, so it makes the same decisions, now recorded with their names.
"""
from ..engine import Strategy
from ..errors import ReplayDivergence
from ..trace import SCHEDULE


class Rerun(Strategy):
    name = "rerun"
    finite = True

    def __init__(self, ties: list, rows: list):
        self._ties, self._choices = ties, [row[4] for row in rows]
        self._tie = self._choice = 0

    def begin(self, run: int) -> bool:
        self._tie = self._choice = 0
        return run == 0

    def choose(self, label, candidates, world) -> int:
        if world.decision_kind == SCHEDULE:
            seq, at = self._ties, self._tie
            self._tie += 1
        else:
            seq, at = self._choices, self._choice
            self._choice += 1
        if at >= len(seq) or seq[at] >= len(candidates):
            raise ReplayDivergence(f"the run did not repeat itself when re-executed at step {world.steps}, "
                                   f"t={world.now} ({label}: {len(candidates)} candidates)")
        return seq[at]

"""The SCTBench-style benchmark programs (bench/sctbench_models.py) have the bugs of
the programs they port, and only those: every behaviour of a small instance is
explored and the failing reads are compared with what the C program can read."""
import os
import sys
from dataclasses import dataclass

import detsim

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bench"))
from sctbench_models import Reorder  # noqa: E402


@dataclass
class RecordingReorder(Reorder):
    """Records every failed assertion instead of stopping the run at the first."""

    def setup(self, world):
        super().setup(world)
        self.failures = []

    def fail(self, message: str) -> None:
        self.failures.append(message)


def _every_failure(model) -> set:
    seen = set()
    result = detsim.check(model, detsim.Exhaustive(), runs=None,
                          on_run=lambda i, run: seen.update(run.model.failures))
    assert result.ok and result.exhausted, result.summary()  # every behaviour explored
    return seen


def test_reorder_fails_only_when_the_checker_runs_between_a_set_and_the_first_b():
    # C evaluates (a == 0 && b == 0) || (a == 1 && b == -1): a, [b], a, b. The only
    # failure: a = 1 read twice, then b = 0 (a setter wrote a, none has written b yet).
    assert _every_failure(RecordingReorder(2)) == {"read [1, 1, 0] (a, b, a, b as evaluated)"}


def test_the_read_once_port_also_fails_on_an_interleaving_the_c_program_survives():
    failures = _every_failure(RecordingReorder(2, reads="once"))
    assert failures == {"read a=1, b=0", "read a=0, b=-1"}  # the second is the port's own bug

from .base import Strategy


class Fifo(Strategy):
    """Always the default: SimPy's own order, no fault."""

    name = "fifo"

    def begin(self, run: int) -> bool:
        return run == 0  # one schedule only: every run would be the same

    def choose(self, label, candidates, world) -> int:
        return 0

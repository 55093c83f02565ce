"""The default schedule only: SimPy's own order, no fault."""
from ..engine import ALWAYS_DEFAULT, Strategy


class Fifo(Strategy):
    """Always the default: SimPy's own order, no fault."""

    name = "fifo"
    finite = True
    independent_runs = True  # every run is the same default schedule

    def begin(self, run: int) -> bool:
        self.run = run
        return run == 0  # one schedule only: every run would be the same

    def choose(self, label, candidates, world) -> int:
        return 0

    def schedule_draw(self):
        # Exactly Fifo: a subclass that overrides choose() must be asked through it.
        return ALWAYS_DEFAULT if type(self).choose is Fifo.choose else None

"""The strategy interface. A strategy owns every decision of a run."""
from __future__ import annotations


class Strategy:
    """Three methods, as in shuttle: ``begin`` a run, ``choose`` at each decision,
    ``end`` a run. ``describe`` goes into the trace."""

    name = "strategy"

    def begin(self, run: int) -> bool:
        """Prepare run number ``run``; return False when there is nothing left to explore."""
        return True

    def choose(self, label: str, candidates: tuple, world) -> int:
        """Return an index into candidates; 0 is the default (FIFO order, no fault)."""
        raise NotImplementedError

    def end(self, result) -> None:
        """Called with the RunResult of the run that ``begin`` prepared."""

    def describe(self) -> dict:
        return {"name": self.name}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.describe().items() if k != "name")
        return f"{type(self).__name__}({args})"

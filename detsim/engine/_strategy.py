"""The strategy interface. A strategy owns every decision of a run.

Concrete strategies live in ``detsim.search``; the engine knows only this base
class and the capabilities it declares.
"""
from __future__ import annotations

# A ``schedule_draw()`` answer: every schedule tie takes index 0 (SimPy's order).
ALWAYS_DEFAULT = object()


class Strategy:
    """Three methods, as in shuttle: ``begin`` a run, ``choose`` at each decision,
    ``end`` a run. ``describe`` goes into the trace.

    While ``choose`` runs, ``world.decision_kind`` says what is asked: ``"schedule"``
    (which same-time event runs next), ``"fault"`` or ``"choice"`` (see
    ``detsim.trace``). Index 0 is always the default: FIFO order, no fault.

    Capabilities, declared here so that the engine and the campaign runner never
    test a concrete type (docs/architecture.md, "Strategies"):

    * ``run``: the run number ``begin`` last prepared;
    * ``exhausted``: True once a systematic strategy has covered everything it
      set out to cover (a campaign then reports so); ``bound`` says within what
      (e.g. "with at most 2 deviations"; None: everything); ``finite``: the
      strategy eventually runs out (``check(runs=None)`` runs until it does);
    * ``stats()``: numbers for ``CheckResult.stats`` (distinct states,
      transitions, depth, ...), merged with the campaign's own;
    * ``schedule_draw()``: how schedule ties may be decided without reading the
      candidates' names (the World's hot path records those compactly);
    * ``recorded_outcome()``: when the strategy re-executes a recorded trace, that
      trace's outcome, so that run-time checks can compare against it;
    * ``recorder()``: a ``Recorder`` to attach to the next run (a strategy that
      must see every step, e.g. to track dependencies), or None;
    * ``summary(runs)``: lines a campaign prints about what this strategy covered
      (a bound it guarantees, its probability of a miss), or [];
    * ``independent_runs``: run ``i`` depends only on the strategy's parameters and
      ``i``, never on the runs before it, so a campaign may share its runs out over
      worker processes (docs/scale.md). False by default: a strategy that learns
      from earlier runs (DFS, PCT's step estimate) runs on one worker.
    """

    name = "strategy"
    run = 0
    exhausted = False
    bound = None
    finite = False
    livelock_judged = False
    lasso = None
    independent_runs = False

    def begin(self, run: int) -> bool:
        """Prepare run number ``run``; return False when there is nothing left to explore."""
        self.run = run
        return True

    def choose(self, label: str, candidates: tuple, world) -> int:
        """Return an index into candidates; 0 is the default (FIFO order, no fault)."""
        raise NotImplementedError

    def end(self, result) -> None:
        """Called with the RunResult of the run that ``begin`` prepared."""

    def describe(self) -> dict:
        return {"name": self.name}

    def schedule_draw(self):
        """None (the default): schedule ties go through ``choose`` with their names.
        ``ALWAYS_DEFAULT``: every schedule tie takes index 0. A function returning a
        float in [0, 1): a tie among n events takes ``int(draw() * n)``."""
        return None

    def recorded_outcome(self) -> dict | None:
        """The outcome recorded in the trace this strategy replays (None: not a replay)."""
        return None

    def recorder(self):
        """A Recorder to attach to the next run, or None (the default)."""
        return None

    def stats(self) -> dict:
        """Numbers about what this strategy explored, for ``CheckResult.stats``."""
        return {}

    def summary(self, runs: int) -> list:
        """Lines for the campaign report: what was covered, with what guarantee."""
        return []

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.describe().items() if k != "name")
        return f"{type(self).__name__}({args})"

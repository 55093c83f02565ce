"""A campaign: many runs of one model, stopping at the first violation, then shrinking."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..faults import coverage_table, fault_coverage, warn_coverage
from ..monitor import Sometimes, campaign_notes
from ..search import Random
from ..trace import Trace, Violation
from ..view import counterexample_report
from ._run import execute
from ._shrink import shrink as shrink_trace


@dataclass
class CheckResult:
    ok: bool
    runs: int
    violation: Violation | None = None
    trace: Trace | None = None
    original_trace: Trace | None = None
    strategy: dict = field(default_factory=dict)
    exhausted: bool = False
    reached: list = field(default_factory=list)
    shrink_runs: int = 0
    one_minimal: bool | None = None
    path: str | None = None  # where the failing trace was saved, if it was
    counters: dict = field(default_factory=dict)  # world.count() totals over every run
    notes: list = field(default_factory=list)  # liveness assumptions and vacuity warnings

    def report(self, path=None) -> str:
        return counterexample_report(self, path or self.path)

    @property
    def fault_coverage(self) -> dict:
        """Fault kind -> {"enabled": runs it was enabled in, "fired": faults fired}."""
        return fault_coverage(self.counters)

    def fault_table(self) -> str:
        return coverage_table(self.counters, self.runs)

    def __str__(self) -> str:
        if self.ok:
            tail = " (every schedule explored)" if self.exhausted else ""
            return f"held over {self.runs} schedules{tail}" + "".join(f"\n  {n}" for n in self.notes)
        return self.report()


def check(model, strategy=None, runs: int = 100, shrink: bool = True, *,
          max_shrink_runs: int = 2000, **settings) -> CheckResult:
    """A campaign: up to ``runs`` schedules, stopping at the first violation."""
    strategy = strategy if strategy is not None else Random(0)
    props = list(model.properties())
    wanted = [p.name for p in props if isinstance(p, Sometimes)]
    reached: list[str] = []
    counters: dict[str, int] = {}
    done = 0
    for i in range(runs):
        if not strategy.begin(i):  # out of budget (Fifo, DFS max_runs) or truly exhausted (DFS)
            return _with_coverage(_held(props, strategy, done, reached, wanted, counters))
        result = execute(model, strategy, settings)
        strategy.end(result)
        done += 1
        reached.extend(n for n in result.reached if n not in reached)
        for key, n in result.counters.items():
            counters[key] = counters.get(key, 0) + n
        if result.violation is not None:
            original = result.trace
            final, spent, minimal = original, 0, None
            if shrink:
                final, spent, minimal = shrink_trace(model, original, result.violation.property,
                                                     settings, max_shrink_runs)
            return _with_coverage(CheckResult(False, done, final.violation, final, original,
                                              strategy.describe(), False, reached, spent, minimal,
                                              counters=counters))
    return _with_coverage(_held(props, strategy, done, reached, wanted, counters))


def _with_coverage(result: CheckResult) -> CheckResult:
    """A campaign that asked for faults but fired none warns (and says so in notes)."""
    result.notes.extend(warn_coverage(result.counters, result.runs))
    return result


def _held(props, strategy, done, reached, wanted, counters) -> CheckResult:
    missing = [n for n in wanted if n not in reached]
    v = None
    if missing:
        v = Violation(missing[0], f"sometimes-property never held in {done} runs (vacuous campaign?)",
                      None, 0, "-")
    notes = campaign_notes(props, counters, done) if v is None else []
    return CheckResult(v is None, done, v, None, None, strategy.describe(), strategy.exhausted, reached,
                       counters=counters, notes=notes)

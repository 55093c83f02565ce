"""A campaign: many runs of one model, stopping at the first violation, then shrinking.

Verdicts are honest: a campaign that ran nothing never holds; a counterexample is
replayed once before it is reported; one run in ``VERIFY_EVERY`` is re-executed
and compared, so a model whose behaviour does not follow from its decisions is
caught; a step-budget overrun ends the campaign with its trace, not a crash; and
Ctrl-C returns what was found so far.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..engine import Strategy
from ..errors import NondeterminismError, StepBudgetExceeded, UsageError
from ..faults import coverage_table, fault_coverage, warn_coverage
from ..monitor import Sometimes, campaign_notes
from ..search import Guided, Random, RunPruned
from ..trace import Trace, Violation
from ..view import counterexample_report
from . import _parallel
from ._coverage import growth_line
from ._dask import DaskPool, is_client
from ._guard import guarded
from ._run import RunPlan, execute, model_properties
from ._shrink import ShrinkInterrupted
from ._shrink import shrink as shrink_trace
from ._verify import VERIFY_EVERY, due, unrepeatable, verify


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
    interrupted: bool = False  # Ctrl-C ended the campaign early
    error: str | None = None  # the campaign could not go on (a step-budget overrun)
    warnings: list = field(default_factory=list)  # model mistakes seen by the linted run
    bound: str | None = None  # what "exhausted" covers, when a strategy explores within a bound
    stats: dict = field(default_factory=dict)  # executions, distinct states, and the strategy's own numbers
    preemptions: int | None = None  # of the reported counterexample (counted by re-executing it)
    original_preemptions: int | None = None  # of the counterexample as found, before shrinking

    @property
    def verdict(self) -> str:
        """"held", "violated", "error", "interrupted" or "nothing explored"."""
        if self.error is not None:
            return "error"
        if self.violation is not None:
            return "violated"
        if self.interrupted:
            return "interrupted"
        return "held" if self.runs else "nothing explored"

    def report(self, path=None) -> str:
        return counterexample_report(self, path or self.path)

    @property
    def fault_coverage(self) -> dict:
        """Fault kind -> {"enabled": runs it was enabled in, "fired": faults fired}."""
        return fault_coverage(self.counters)

    def fault_table(self) -> str:
        return coverage_table(self.counters, self.runs)

    def summary(self) -> str:
        """One line: what the campaign covered and what it found."""
        if self.verdict == "nothing explored":
            return "nothing explored: the strategy ran no schedule, so nothing was checked"
        if self.verdict == "error":
            return f"stopped after {self.runs} schedule(s): {self.error}"
        if self.verdict == "interrupted" and self.violation is None:
            return f"interrupted after {self.runs} schedule(s): no violation found so far (not a verdict)"
        if self.ok and self.stats.get("depth") is not None:  # a strategy that reports what it covered (Exhaustive)
            if self.exhausted and not self.bound:
                return f"verified: every behaviour explored ({_coverage(self.stats)})"
            return f"bounded: explored {self.runs:,} executions without finishing ({_coverage(self.stats)})"
        if self.ok:
            if self.exhausted:
                scope = f"every schedule {self.bound} explored" if self.bound else "every schedule explored"
                return f"held over {self.runs} schedules ({scope})"
            return f"held over {self.runs} schedules"
        return f'property "{self.violation.property}" violated (found after {self.runs} schedule(s))'

    def __str__(self) -> str:
        if self.violation is not None:
            return self.report()
        return self.summary() + "".join(f"\n  {n}" for n in self.notes)


def _validate(runs, strategy) -> None:
    if not isinstance(strategy, Strategy):
        raise UsageError(f"strategy must be a detsim.Strategy, got {type(strategy).__name__}")
    if runs is None:
        if not strategy.finite:
            raise UsageError(f"runs=None (until done) needs a strategy that runs out; {strategy!r} never does")
    elif type(runs) is not int or runs < 1:
        raise UsageError(f"runs must be a positive integer (a campaign of no runs checks nothing), got {runs!r}")


def check(model, strategy=None, runs: int = 100, shrink: bool = True, *,
          max_shrink_runs: int = 2000, on_run=None, workers=1, progress=None, **settings) -> CheckResult:
    """A campaign: up to ``runs`` schedules (None: until the strategy runs out),
    stopping at the first violation. ``on_run(index, result)`` is called after
    every run (progress, digests; a run made by a worker process comes as a
    ``RunSummary`` with the trace's digest). ``workers``: worker processes (an int,
    or "auto": every core for large campaigns) or a ``dask.distributed.Client``;
    the result is the same whatever it is (docs/scale.md). ``progress``: an object
    with ``update(done, counters, states)``, e.g. ``detsim.campaign.Progress``."""
    strategy = strategy if strategy is not None else Random(0)
    _validate(runs, strategy)
    props = model_properties(model)
    campaign = _Campaign(model, strategy, settings, props, on_run, progress)
    try:
        found = campaign.explore_with(workers, runs)
    except KeyboardInterrupt:
        return campaign.result(interrupted=True)
    except StepBudgetExceeded as e:
        campaign.done += 1  # the run that overran counts: it ran up to the budget
        return campaign.result(error=f"run {campaign.done - 1}: {e}", trace=getattr(e, "trace", None))
    if found is None:
        lasso = strategy.lasso  # a livelock on the complete state graph (state caching)
        return campaign.result() if lasso is None else campaign.livelock(lasso)
    try:
        return campaign.shrunk(found, shrink, max_shrink_runs)
    except NondeterminismError as e:  # the failing run did not repeat: name it, keep what can be kept
        # strategy.run is still the failing run's index: shrinking runs under strategies of its own
        raise unrepeatable(e, campaign.plan, strategy, strategy.run, found.trace) from None


class _Campaign:
    """The state of one campaign: what ran, what was reached and counted."""

    def __init__(self, model, strategy, settings, props, on_run=None, progress=None):
        self.model, self.strategy, self.settings, self.props = model, strategy, settings, props
        self.plan = RunPlan(model, settings)  # what every run shares, worked out once
        self.on_run, self.progress = on_run, progress
        self.parallel_notes: list[str] = []
        self.wanted = [p.name for p in props if isinstance(p, Sometimes)]
        self.reached: list[str] = []
        self.counters: dict[str, int] = {}
        self.warnings: list[str] = []
        self.states: set = set()  # digests of the abstract states seen (models with state())
        self.growth: list[int] = []  # len(states) after each run
        self.done = 0

    def explore_with(self, workers, runs: int | None):
        """``explore`` here, or over worker processes or a Dask cluster when the
        strategy's runs are independent (docs/scale.md)."""
        job = _parallel.Job(self.model, self.strategy, self.settings, digests=self.on_run is not None)
        if is_client(workers):
            if self.strategy.independent_runs and runs is not None:
                return _parallel.explore(self, runs, DaskPool(job, workers), self.progress)
            self.parallel_notes.append(f"ran in this process, not on the Dask cluster: {self.strategy.name} "
                                       "runs depend on the runs before them")
            return self.explore(runs)
        count, note = _parallel.resolve(workers, self.strategy, runs)
        if note:
            self.parallel_notes.append(note)
        if count == 1:
            return self.explore(runs)
        return _parallel.explore(self, runs, _parallel.LocalPool(job, count), self.progress)

    def explore(self, runs: int | None):
        """Run schedules until one fails (returned) or the budget or strategy is spent (None)."""
        strategy = self.strategy
        if (self.on_run is None and self.progress is None and strategy.independent_runs
                and type(strategy).__module__.startswith("detsim.")):
            # Only detsim's own code runs between these runs: install the nondeterminism
            # guards once, not per run (22 module attributes swapped twice, ~5 us a run;
            # docs/lean-runs.md). Each run still enters its own (re-entrant) guard.
            with guarded():
                return self._explore(runs)
        return self._explore(runs)

    def _explore(self, runs: int | None):
        i = 0
        while runs is None or i < runs:
            if not self.strategy.begin(i):  # out of budget (Fifo, DFS max_runs) or truly exhausted
                return None
            try:
                # lean records unless an on_run callback (digests, audit) reads every run's trace
                result = self.plan.execute(self.strategy, lint=i == 0, states=self.states,
                                           lean=self.on_run is None)
            except RunPruned as pruned:  # the run could only repeat what was explored (Exhaustive)
                self.reached.extend(n for n in getattr(pruned, "reached", ()) if n not in self.reached)
                i += 1
                continue
            self.strategy.end(result)
            self.done += 1
            self.growth.append(len(self.states))
            if self.on_run is not None:
                self.on_run(i, result)
            if result.reached:  # the tests first: most runs reach, count and warn nothing new
                self.reached.extend(n for n in result.reached if n not in self.reached)
            if result.counters:
                for key, n in result.counters.items():
                    self.counters[key] = self.counters.get(key, 0) + n
            if result.warnings:
                self.warnings.extend(w for w in result.warnings if w not in self.warnings)
            if self.progress is not None:
                self.progress.update(self.done, self.counters, len(self.states))
            if result.violation is not None:
                return result
            if due(i):
                self.verify(result.trace, f"run {i}")
            i += 1
        return None

    def livelock(self, lasso: dict) -> CheckResult:
        """Reports a livelock found on the complete state graph with the run that follows
        the lasso: its prefix, then one turn of the cycle (docs/exhaustive.md)."""
        decisions = lasso["prefix"] + [c for _, made in lasso["cycle"] for c in made]
        # Runs cut at an explored state explored schedules too: count them, or the report
        # would say the livelock was "found after 0 schedule(s)".
        self.done += self.strategy.stats().get("pruned", 0)
        run = execute(self.model, Guided([(i, c, None) for i, c in enumerate(decisions) if c]), self.settings)
        cycle = [name for name, _ in lasso["cycle"]]
        prop = next(p.name for p in self.props if p.kind == "no_livelock")
        # Where the run that keeps going round is caught by the per-run check, its step
        # is the violation's, so that replaying the trace agrees.
        seen = run.violation if run.violation is not None and run.violation.property == prop else None
        when = (seen.time, seen.step, seen.process) if seen else (lasso["time"], lasso["steps"], cycle[0])
        violation = Violation(prop, f"livelock on the complete state graph: {lasso['states']} state(s) cycle "
                              f"without world.progress(), fair to every process enabled throughout; from step "
                              f"{lasso['steps']}, one turn: {' -> '.join(cycle)}", *when, cycle=cycle)
        outcome = {**run.trace.outcome, "ok": False, "end": "violation", "violation": violation.to_json(),
                   "lasso": {"entry_step": lasso["steps"], "prefix_decisions": len(lasso["prefix"]),
                             "decisions": len(decisions),
                             "cycle": cycle}}
        trace = run.trace  # this run's own trace: nothing else holds it
        trace.outcome = outcome
        return self.result(violation=violation, trace=trace)

    def verify(self, trace, which: str) -> int:
        """Re-execute ``trace``; returns its preemptions, counted on the way."""
        return verify(self.model, self.settings, trace, which)

    def shrunk(self, found, shrink: bool, max_shrink_runs: int) -> CheckResult:
        original = found.trace
        final, spent, minimal, interrupted = original, 0, None, False
        if shrink:
            try:
                final, spent, minimal = shrink_trace(self.model, original, found.violation.property,
                                                     self.settings, max_shrink_runs)
            except ShrinkInterrupted as stop:
                final, spent, minimal, interrupted = stop.best, stop.spent, False, True
        preemptions = original_preemptions = None
        if not interrupted:
            preemptions = self.verify(final, "the counterexample")
            original_preemptions = (preemptions if final is original
                                    else self.verify(original, "the counterexample as found"))
        result = self.result(violation=final.violation, trace=final, original=original, spent=spent,
                             minimal=minimal, interrupted=interrupted)
        result.preemptions, result.original_preemptions = preemptions, original_preemptions
        return result

    def result(self, *, violation=None, trace=None, original=None, spent=0, minimal=None,
               interrupted=False, error=None) -> CheckResult:
        strategy = self.strategy
        if violation is None and error is None and not interrupted:
            missing = [n for n in self.wanted if n not in self.reached]
            if missing and self.done:
                violation = Violation(missing[0], f"sometimes-property never held in {self.done} runs "
                                      "(vacuous campaign?)", None, 0, "-")
        ok = violation is None and error is None and not interrupted and self.done > 0
        notes = list(strategy.summary(self.done)) + self.parallel_notes
        growth = growth_line(self.growth) if self.states else None
        if growth:
            notes.append(growth)
        if ok:
            props = self.props  # no_livelock judged on the complete state graph needs no per-run window
            if strategy.livelock_judged:
                props = [p for p in props if p.kind != "no_livelock"]
            notes += campaign_notes(props, self.counters, self.done)
        stats = {"executions": self.done, **strategy.stats()}
        # "states": distinct states (state caching) or abstract states (the model's
        # state()); None when neither was counted, so the key is always there.
        stats.setdefault("states", len(self.states) if self.states else None)
        stats.setdefault("transitions", None)
        stats.setdefault("depth", None)
        result = CheckResult(ok, self.done, violation, trace, original, strategy.describe(),
                             strategy.exhausted and not interrupted, list(self.reached), spent, minimal,
                             counters=self.counters, notes=notes, interrupted=interrupted, error=error,
                             warnings=list(self.warnings), bound=strategy.bound, stats=stats)
        result.notes.extend(warn_coverage(result.counters, result.runs))
        return result


def _coverage(stats: dict) -> str:
    parts = [f"{stats.get('executions', 0):,} executions"]
    if stats.get("distinct_states"):  # state caching: fingerprints of the complete world state
        return f"{parts[0]}, {stats['states']:,} distinct states, depth {stats.get('depth', 0):,}"
    if stats.get("states"):
        parts.append(f"{stats['states']:,} distinct abstract states")  # the model's state(), when defined
    parts.append(f"{stats.get('transitions', 0):,} transitions, depth {stats.get('depth', 0):,}")
    return ", ".join(parts)

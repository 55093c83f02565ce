"""run / check / replay: a run is a pure function of (model class, parameters, decision list)."""
from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field

from simpy.core import EmptySchedule

from . import __version__
from ._model import build_model, fresh, model_params, model_ref
from ._properties import Monitor, NoDeadlock, Violation
from ._sched import Random, Replay
from ._trace import Decision, Trace, decode_time, encode_time
from ._world import HorizonReached, ProcessFailed, World
from .errors import DetsimError, ModelError

_ENGINE_ERRORS = (DetsimError,)  # never turned into a model violation
_SETTINGS = ("max_steps", "instant_budget", "horizon")


@dataclass
class RunResult:
    ok: bool
    violation: Violation | None
    trace: Trace
    steps: int
    now: object
    end: str  # "quiescent", "horizon" or "violation"
    model: object = None
    world: object = None
    reached: list = field(default_factory=list)  # sometimes-properties that held
    counters: dict = field(default_factory=dict)  # world.count() totals of this run


def settings_for(model, overrides: dict) -> dict:
    out = {}
    for key in _SETTINGS:
        value = overrides.get(key)
        if value is None:
            value = getattr(model, key, None)
        if value is not None:
            out[key] = value
    return out


def _failure(world, failed: ProcessFailed) -> Violation:
    err = failed.error
    where = ""
    tb = traceback.extract_tb(err.__traceback__) if err.__traceback__ else []
    if tb:
        frame = tb[-1]
        where = f" (at {os.path.basename(frame.filename)}:{frame.lineno} in {frame.name})"
    name = getattr(failed.process, "name", type(failed.process).__name__)
    message = f"{type(err).__name__}: {err}{where}" if str(err) else f"{type(err).__name__}{where}"
    return Violation(type(err).__name__, message, world.now, world.steps, name, error=type(err).__name__)


def execute(proto, strategy, settings: dict | None = None) -> RunResult:
    """One run of a fresh copy of ``proto`` under ``strategy``."""
    settings = settings_for(proto, settings or {})
    model = fresh(proto)
    world = World(strategy, **settings)
    try:
        model.setup(world)
    except DetsimError:
        raise
    except Exception as e:
        raise ModelError(f"{model_ref(model)}.setup() raised {type(e).__name__}: {e}") from e
    props = list(model.properties())
    if not any(isinstance(p, NoDeadlock) for p in props):
        props.append(NoDeadlock())
    monitor = Monitor(model, world, props)
    after = monitor.after_step if monitor.busy else None
    step = world.step
    violation, end = None, "quiescent"
    try:
        while True:
            step()
            if world.alarm is not None:
                violation = world.alarm
                break
            if after is not None:
                violation = after()
                if violation is not None:
                    break
    except EmptySchedule:
        blocked = world.waitfor.blocked_report()
        if blocked:
            violation = Violation("no deadlock", "global stall: every non-daemon process is blocked "
                                  "and nothing is scheduled: " + "; ".join(blocked),
                                  world.now, world.steps, blocked[0].split(" ")[0])
    except HorizonReached:
        end = "horizon"
    except ProcessFailed as failed:
        if isinstance(failed.error, _ENGINE_ERRORS) and not isinstance(failed.error, ModelError):
            raise failed.error from None
        violation = _failure(world, failed)
    except DetsimError as e:
        e.trace = _trace(model, strategy, settings, world, None, "error")
        raise
    if violation is None and isinstance(world.alarm, Violation):
        violation = world.alarm
    if violation is None:
        violation = monitor.at_finish(quiescent=end == "quiescent")
    if violation is not None:
        end = "violation"
    trace = _trace(model, strategy, settings, world, violation, end)
    return RunResult(violation is None, violation, trace, world.steps, world.now, end, model, world,
                     list(monitor.reached), dict(world.counters))


def _trace(model, strategy, settings, world, violation, end) -> Trace:
    decisions = [Decision(*d) for d in world.decisions]
    outcome = {"ok": violation is None and end != "error", "end": end, "steps": world.steps,
               "time": encode_time(world.now),
               "violation": violation.to_json() if violation else None}
    outcome.update(world.__dict__.get("trace_notes", {}))  # e.g. state digests for no_livelock
    return Trace(model_ref(model), model_params(model), decisions,
                 strategy.describe() if strategy is not None else {"name": "fifo"},
                 {k: encode_time(v) for k, v in settings.items()}, outcome, __version__)


def run(model, strategy=None, **settings) -> RunResult:
    """Run one schedule. settings: max_steps, instant_budget, horizon."""
    from ._sched import Fifo

    strategy = strategy if strategy is not None else Fifo()
    strategy.begin(getattr(strategy, "run", 0) or 0)
    result = execute(model, strategy, settings)
    strategy.end(result)
    return result


def replay(trace_or_path, **settings) -> RunResult:
    """Re-execute a trace exactly; raises ReplayDivergence at the first difference."""
    trace = trace_or_path if isinstance(trace_or_path, Trace) else Trace.load(trace_or_path)
    model = build_model(trace.model, trace.params)
    merged = {k: decode_time(v) for k, v in trace.settings.items()}  # Fraction horizons are strings
    merged.update({k: v for k, v in settings.items() if v is not None})
    strategy = Replay(trace)
    result = execute(model, strategy, merged)
    strategy.end(result)
    return result


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
        from ._report import counterexample_report

        return counterexample_report(self, path or self.path)

    @property
    def fault_coverage(self) -> dict:
        """Fault kind -> {"enabled": runs it was enabled in, "fired": faults fired}."""
        from ._faults import fault_coverage

        return fault_coverage(self.counters)

    def fault_table(self) -> str:
        from ._faults import coverage_table

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
    wanted = [p.name for p in props if p.kind == "sometimes"]
    reached: list[str] = []
    counters: dict[str, int] = {}
    done = 0
    for i in range(runs):
        if not strategy.begin(i):  # out of budget (Fifo, DFS max_runs) or truly exhausted (DFS)
            exhausted = getattr(strategy, "exhausted", False)
            return _fault_coverage(_held(model, strategy, done, reached, wanted, exhausted, counters))
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
                from ._shrink import shrink as do_shrink

                final, spent, minimal = do_shrink(model, original, result.violation.property,
                                                  settings, max_shrink_runs)
            return _fault_coverage(CheckResult(False, done, final.violation, final, original,
                                               strategy.describe(), False, reached, spent, minimal,
                                               counters=counters))
    return _fault_coverage(_held(model, strategy, done, reached, wanted,
                                 getattr(strategy, "exhausted", False), counters))


def _fault_coverage(result: CheckResult) -> CheckResult:
    """A campaign that asked for faults but fired none warns (and says so in notes)."""
    from ._faults import warn_coverage

    result.notes.extend(warn_coverage(result.counters, result.runs))
    return result


def _held(model, strategy, done, reached, wanted, exhausted, counters) -> CheckResult:
    missing = [n for n in wanted if n not in reached]
    v = None
    if missing:
        v = Violation(missing[0], f"sometimes-property never held in {done} runs (vacuous campaign?)",
                      None, 0, "-")
    from ._liveness import campaign_notes

    notes = campaign_notes(model, counters, done) if v is None else []
    return CheckResult(v is None, done, v, None, None, strategy.describe(), exhausted, reached,
                       counters=counters, notes=notes)

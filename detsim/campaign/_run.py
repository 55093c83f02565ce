"""One run: a pure function of (model class, parameters, decision list)."""
from __future__ import annotations

import dataclasses
import os
import re
import traceback
from dataclasses import dataclass, field
from functools import partial

from simpy.core import EmptySchedule

from .._version import __version__
from ..engine import (EventLint, HorizonReached, LeanRecordRead, Model, ProcessFailed, defines,
                      model_params, model_ref, settings_for)
from ..errors import DetsimError, ModelError, NondeterminismError, ReplayDivergence
from ..monitor import Monitor, NoDeadlock, Observer, Property
from ..search import Fifo, Replay, Rerun
from ..trace import Trace, Violation, decode_time, encode_time
from ..world import World
from ._coverage import StateCoverage
from ._guard import construction_allowed, guard_active, guarded
from ._loader import build_model

_BAD_YIELD = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<fn>\S+)\n(?P<code>.*)\n'
                        r'Invalid yield value "(?P<value>.*)"', re.S)


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
    warnings: list = field(default_factory=list)  # model mistakes seen by a linted run
    preemptions: int | None = None  # counted when the run re-executed a trace (replay, story)


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


def _bad_yield(world, error: RuntimeError) -> ModelError:
    """SimPy's 'Invalid yield value' as one model-error line naming the process and the yield."""
    match = _BAD_YIELD.search(str(error))
    who = world.active_process.name if world.active_process is not None else "a process"
    if match is None:
        return ModelError(f"process {who} yielded something that is not an event: {error}".replace("\n", " "))
    value = match["value"] if len(match["value"]) <= 80 else match["value"][:79] + "…"
    return ModelError(f"process {who} yielded {value!r}, which is not an event, at "
                      f"{os.path.relpath(match['file'])}:{match['line']} ({match['code'].strip()}); "
                      f"yield world.timeout(...), world.checkpoint() or a primitive's event")


def model_properties(model) -> list:
    """``model.properties()``, checked to be a list of ``detsim.Property`` objects."""
    if not isinstance(model, Model):
        raise ModelError(f"{type(model).__name__} is not a detsim.Model")
    return _checked(model, "properties", model.properties, Property)


def _checked(model, kind: str, make, base) -> list:
    """The model's properties() or observers(): a list of the protocol's objects."""
    try:
        items = make()
    except DetsimError:
        raise
    except Exception as e:
        raise ModelError(f"{model_ref(model)}.{kind}() raised {type(e).__name__}: {e}") from None
    if not isinstance(items, (list, tuple)):
        raise ModelError(f"{model_ref(model)}.{kind}() must return a list, got {type(items).__name__}")
    for item in items:
        if not isinstance(item, base):
            raise ModelError(f"{model_ref(model)}.{kind}() returned {type(item).__name__}, "
                             f"not a detsim.{base.__name__}")
    return list(items)


def execute(proto, strategy, settings: dict | None = None, *, lint: bool = False,
            copy: bool = True, recorder=None, states: set | None = None) -> RunResult:
    """One run of ``proto`` (a fresh copy unless ``copy=False``) under ``strategy``.
    ``lint``: also report events the model made and never waited on. ``recorder``:
    a Recorder watching every step (else the strategy's own, if it has one).
    ``states``: a set that collects digests of the model's abstract states."""
    return RunPlan(proto, settings).execute(strategy, lint=lint, copy=copy, recorder=recorder, states=states)


class RunPlan:
    """What every run of one model with one set of settings shares, worked out once:
    a campaign makes one plan and executes it run after run (docs/lean-runs.md)."""

    __slots__ = ("proto", "settings", "params", "ref", "trace_settings", "make", "observes", "abstract",
                 "lean")

    def __init__(self, proto, settings: dict | None = None):
        if not isinstance(proto, Model):
            raise ModelError(f"{type(proto).__name__} is not a detsim.Model")
        self.proto = proto
        self.settings = settings_for(proto, settings or {})
        self.params = model_params(proto)  # as given: setup() may overwrite a field, the trace must not
        self.ref = model_ref(proto)
        self.trace_settings = {k: encode_time(v) for k, v in self.settings.items()}
        cls = type(proto)
        self.make = cls if dataclasses.is_dataclass(proto) else None
        self.observes = defines(proto, "observers")
        self.abstract = defines(proto, "state")
        self.lean = True  # runs may keep a lean record, until one is read while it runs

    def fresh(self):
        """A new model with the plan's parameters: every run starts from scratch."""
        return self.make(**self.params) if self.make is not None else type(self.proto)()

    def execute(self, strategy, *, lint: bool = False, copy: bool = True, recorder=None,
                states: set | None = None, lean: bool = False) -> RunResult:
        """One run under ``strategy`` (see ``execute``). ``lean``: a campaign's run,
        whose decisions are kept lean when nothing reads them during the run
        (docs/lean-runs.md); they are rebuilt by re-execution when read later."""
        if not copy:
            model = self.proto
        elif guard_active():  # a campaign-wide guard (Campaign.explore): construction stays unguarded
            with construction_allowed():
                model = self.fresh()
        else:
            model = self.fresh()
        world = World(strategy, **self.settings)
        if lint == _WHERE:
            world.lint = EventLint(world)
        if recorder is None and strategy is not None:
            recorder = strategy.recorder()
        if recorder is not None:
            world.recorder = recorder
            recorder.attach(world, model)
        lean = lean and self.lean and recorder is None and strategy is not None and strategy.independent_runs
        result = None
        with guarded():
            try:
                result = _run(self, model, world, strategy, states, lean)
            except LeanRecordRead:
                pass
        if world.lean_broken:  # the run read its own decisions: the same run again, in full
            self.lean = False
            strategy.begin(strategy.run)
            return self.execute(strategy, lint=lint, copy=copy, states=states)
        if recorder is not None:
            recorder.finish(world, result)
        if lint is True and world.unwaited:
            result.warnings = _where_unwaited(self, result)
        return result


def _rebuilt(plan: RunPlan, world, ties: list, rows: list) -> list:
    """The decision tuples of a lean run, by running it again under ``Rerun``. The two
    runs must agree on everything the lean run kept (steps, time, processes, counters)."""
    try:
        again = plan.execute(Rerun(ties, rows)).world
    except ReplayDivergence as e:
        raise LeanDivergence(str(e)) from None
    except DetsimError as e:  # the run ended in an error (a budget): so does its re-execution
        trace = getattr(e, "trace", None)
        if trace is None or trace.record is None:
            raise
        again = trace.record
    first, then = _summary(world), _summary(again)
    if first != then:
        raise LeanDivergence(f"first {_describe(first)}, then {_describe(then)}")
    return again.decisions


class LeanDivergence(NondeterminismError):
    """A lean run, re-executed with the same decisions to read them, went differently."""

    def __init__(self, difference: str):
        super().__init__("the model is nondeterministic: a run re-executed with the same decisions went "
                         f"differently: {difference}")
        self.difference = difference


def _summary(world) -> tuple:
    return world.steps, world.now, tuple(world.tasks), tuple(sorted(world.counters.items()))


def _describe(summary: tuple) -> str:
    steps, now, tasks, counters = summary
    shown = ", ".join(tasks[:6]) + (", …" if len(tasks) > 6 else "")
    return f"{steps} steps to t={now}, processes {shown}" + (f", counters {dict(counters)}" if counters else "")


_WHERE = "where"  # execute(lint=_WHERE): the EventLint watches every event the run makes


def _where_unwaited(plan: RunPlan, result) -> list:
    """A linted run processed events nobody waited on: a missing ``yield`` or an AnyOf's
    loser. Watching every event costs ~30% of a run, so only such a run re-executes
    its own decisions with the EventLint, which tells the two apart and names the line."""
    try:
        again = plan.execute(Replay(result.trace), lint=_WHERE)
    except DetsimError:  # the model did not repeat itself; a campaign's re-execution says so
        return []
    return again.warnings


_NO_DEADLOCK = NoDeadlock()  # judged by the engine; one stateless instance serves every run


def _run(plan: RunPlan, model, world, strategy, states, lean: bool = False) -> RunResult:
    try:
        model.setup(world)
    except DetsimError:
        raise
    except Exception as e:
        raise ModelError(f"{model_ref(model)}.setup() raised {type(e).__name__}: {e}") from e
    props = _checked(model, "properties", model.properties, Property)
    if not any(isinstance(p, NoDeadlock) for p in props):
        props.append(_NO_DEADLOCK)
    observers = _checked(model, "observers", model.observers, Observer) if plan.observes else []
    if states is not None and plan.abstract:
        observers.append(StateCoverage(states))
    monitor = Monitor(model, world, props, observers)
    after = monitor.after_step if monitor.busy else None
    violation, end = None, "quiescent"
    if lean and not any(p.reads_decisions for p in props) and not any(o.reads_decisions for o in observers):
        world.record_lean()  # nothing reads the decisions while the run goes on
    try:
        if world.recorder is None and type(world).step is World.step:
            violation = world.run_steps(after)  # the engine's own loop (the hot path)
        else:  # a recorder, or a World subclass that watches each step (Exhaustive's)
            violation = _step_by_step(world, after)
    except EmptySchedule:
        blocked = world.waitfor.blocked_report()
        if blocked:
            violation = Violation("no deadlock", "global stall: every non-daemon process is blocked "
                                  "and nothing is scheduled: " + "; ".join(blocked),
                                  world.now, world.steps, blocked[0].split(" ")[0])
    except HorizonReached:
        end = "horizon"
    except ProcessFailed as failed:
        error = failed.error
        if isinstance(error, (KeyboardInterrupt, SystemExit, LeanRecordRead)):  # never a "violation"
            raise error from None
        if isinstance(error, DetsimError) and (not isinstance(error, ModelError)
                                               or isinstance(error, NondeterminismError)):
            error.trace = _trace(plan, strategy, world, None, "error")
            raise error from None
        violation = _failure(world, failed)
    except DetsimError as e:
        e.trace = _trace(plan, strategy, world, None, "error")
        e.reached = list(monitor.reached)  # a pruned run (state caching) still reached these
        raise
    except RuntimeError as e:
        if "Invalid yield value" not in str(e):
            raise
        raise _bad_yield(world, e) from None
    finally:
        if world.lean:  # the run ended: reading its decisions from now on re-executes it
            world.finish_lean(partial(_rebuilt, plan, world))
    if violation is None and isinstance(world.alarm, Violation):
        violation = world.alarm
    if violation is None:
        world.end = end
        violation = monitor.at_finish()
    if violation is not None:
        end = "violation"
    trace = _trace(plan, strategy, world, violation, end)
    warnings = world.lint.warnings() if world.lint is not None else []
    return RunResult(violation is None, violation, trace, world.steps, world.now, end, model, world,
                     monitor.reached, world.counters, warnings)


def _step_by_step(world, after):
    """The run loop through ``world.step``: a recorder sees each step before the
    properties judge it."""
    recorder = world.recorder
    while True:
        world.step()
        if recorder is not None:
            recorder.after_step(world)
        if world.alarm is not None:
            return world.alarm
        if after is not None:
            violation = after()
            if violation is not None:
                return violation


def _trace(plan: RunPlan, strategy, world, violation, end) -> Trace:
    outcome = {"ok": violation is None and end != "error", "end": end, "steps": world.steps,
               "time": encode_time(world.now),
               "violation": violation.to_json() if violation else None}
    if world.trace_notes:
        outcome.update(world.trace_notes)  # e.g. state digests for no_livelock
    # The decisions stay in the World's compact record until someone reads or saves them.
    return Trace(plan.ref, dict(plan.params), None,
                 strategy.describe() if strategy is not None else {"name": "fifo"},
                 dict(plan.trace_settings), outcome, __version__, record=world)


def run(model, strategy=None, **settings) -> RunResult:
    """Run one schedule (linted). settings: max_steps, instant_budget, horizon."""
    strategy = strategy if strategy is not None else Fifo()
    strategy.begin(strategy.run)
    result = execute(model, strategy, settings, lint=True)
    strategy.end(result)
    return result


def replay(trace_or_path, *, trust=(), root=None, **settings) -> RunResult:
    """Re-execute a trace exactly; raises ReplayDivergence at the first difference.
    The trace's model is built under the loader's trust rules (``trust``: module
    names the caller vouches for; ``root``: the project, default found from the
    current directory)."""
    trace = trace_or_path if isinstance(trace_or_path, Trace) else Trace.load(trace_or_path)
    model = build_model(trace.model, trace.params, from_trace=True, trust=trust, root=root)
    merged = {k: decode_time(v) for k, v in trace.settings.items()}  # Fraction horizons are strings
    merged.update({k: v for k, v in settings.items() if v is not None})
    strategy = Replay(trace)
    result = execute(model, strategy, merged, lint=True, copy=False)
    strategy.end(result)
    result.preemptions = strategy.preemptions
    return result

"""One run: a pure function of (model class, parameters, decision list)."""
from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field

from simpy.core import EmptySchedule

from .._version import __version__
from ..engine import HorizonReached, Model, ProcessFailed, fresh, model_params, model_ref, settings_for
from ..errors import DetsimError, ModelError
from ..monitor import Monitor, NoDeadlock, Observer, Property
from ..search import Fifo, Replay
from ..trace import Decision, Trace, Violation, decode_time, encode_time
from ..world import World
from ._loader import build_model


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


def _checked(model, kind: str, items, base) -> list:
    """The model's properties() or observers(), checked to follow the protocol."""
    items = list(items)
    for item in items:
        if not isinstance(item, base):
            raise ModelError(f"{model_ref(model)}.{kind}() returned {type(item).__name__}, "
                             f"not a detsim.{base.__name__}")
    return items


def execute(proto, strategy, settings: dict | None = None) -> RunResult:
    """One run of a fresh copy of ``proto`` under ``strategy``."""
    if not isinstance(proto, Model):
        raise ModelError(f"{type(proto).__name__} is not a detsim.Model")
    settings = settings_for(proto, settings or {})
    model = fresh(proto)
    world = World(strategy, **settings)
    try:
        model.setup(world)
    except DetsimError:
        raise
    except Exception as e:
        raise ModelError(f"{model_ref(model)}.setup() raised {type(e).__name__}: {e}") from e
    props = _checked(model, "properties", model.properties(), Property)
    if not any(isinstance(p, NoDeadlock) for p in props):
        props.append(NoDeadlock())
    monitor = Monitor(model, world, props, _checked(model, "observers", model.observers(), Observer))
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
        if isinstance(failed.error, DetsimError) and not isinstance(failed.error, ModelError):
            raise failed.error from None
        violation = _failure(world, failed)
    except DetsimError as e:
        e.trace = _trace(model, strategy, settings, world, None, "error")
        raise
    if violation is None and isinstance(world.alarm, Violation):
        violation = world.alarm
    if violation is None:
        world.end = end
        violation = monitor.at_finish()
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
    outcome.update(world.trace_notes)  # e.g. state digests for no_livelock
    return Trace(model_ref(model), model_params(model), decisions,
                 strategy.describe() if strategy is not None else {"name": "fifo"},
                 {k: encode_time(v) for k, v in settings.items()}, outcome, __version__)


def run(model, strategy=None, **settings) -> RunResult:
    """Run one schedule. settings: max_steps, instant_budget, horizon."""
    strategy = strategy if strategy is not None else Fifo()
    strategy.begin(strategy.run)
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

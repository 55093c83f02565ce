"""detsim: deterministic simulation for checking concurrent and distributed protocols.

A run is a pure function of (model class, parameters, decision list).
"""
__version__ = "0.1.0"

from . import errors
from ._channel import CLOSED
from ._model import Model
from ._properties import Violation, always, at_end, eventually, no_deadlock, sometimes
from ._runner import CheckResult, RunResult, check, replay, run
from ._sched import DFS, PCT, Fifo, Random, Replay, Strategy
from ._trace import Decision, Trace
from ._world import World
from .errors import (DetsimError, ModelError, PropertyViolation, ReplayDivergence,
                     StepBudgetExceeded, TraceFormatError)

__all__ = [
    "__version__", "errors", "CLOSED", "Model", "World", "Violation", "always", "at_end",
    "eventually", "sometimes", "no_deadlock", "run", "check", "replay", "RunResult",
    "CheckResult", "Strategy", "Fifo", "Random", "PCT", "DFS", "Replay", "Trace", "Decision",
    "DetsimError", "ModelError", "PropertyViolation", "ReplayDivergence", "StepBudgetExceeded",
    "TraceFormatError",
]

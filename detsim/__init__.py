"""detsim: deterministic simulation for checking concurrent and distributed protocols.

A run is a pure function of (model class, parameters, decision list). This module
is the public face: every name here is re-exported from the subpackage that owns
it (docs/architecture.md has the map).
"""
import importlib

from . import errors
from ._version import __version__
from .campaign import CheckResult, RunResult, allow_nondeterminism, check, replay, run
from .engine import Model, Strategy
from .errors import (DetsimError, ModelError, NondeterminismError, PropertyViolation, ReplayDivergence,
                     StepBudgetExceeded, TraceFormatError, UsageError)
from .faults import CRASHED, FAULT_KINDS, FaultCoverageWarning, FaultPlan, Message, Network, Node
from .history import linearizable
from .monitor import (Observer, Property, VacuityWarning, always, at_end, eventually, no_deadlock,
                      no_livelock, no_starvation, select_fairness, sometimes)
from .search import DFS, PCT, Exhaustive, Fair, Fifo, Random, Replay
from .sync import CANCELLED, CLOSED, Joined, Lagged, Selected
from .trace import Decision, Trace, Violation
from .world import World

__all__ = [
    "__version__", "errors", "Model", "World", "Strategy",
    "run", "check", "replay", "RunResult", "CheckResult", "allow_nondeterminism",
    "Fifo", "Random", "PCT", "DFS", "Replay", "Fair", "Exhaustive",
    "Property", "Observer", "Violation", "always", "at_end", "eventually", "sometimes", "no_deadlock",
    "no_starvation", "no_livelock", "select_fairness", "linearizable", "VacuityWarning",
    "Trace", "Decision",
    "CLOSED", "Lagged", "Selected", "CANCELLED", "Joined",
    "FAULT_KINDS", "FaultPlan", "FaultCoverageWarning", "Message", "Network", "Node", "CRASHED",
    "DetsimError", "ModelError", "PropertyViolation", "ReplayDivergence", "StepBudgetExceeded",
    "TraceFormatError", "NondeterminismError", "UsageError",
]


def __getattr__(name: str):
    # The Hypothesis strategies are imported on first use: the CLI never needs them.
    if name in ("testing", "strategies"):
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'detsim' has no attribute {name!r}")

"""detsim: deterministic simulation for checking concurrent and distributed protocols.

A run is a pure function of (model class, parameters, decision list).
"""
__version__ = "0.1.0"

from . import errors
from ._channel import CLOSED
from ._chankinds import Lagged
from ._faults import FAULT_KINDS, FaultCoverageWarning, FaultPlan
from ._liveness import VacuityWarning, no_livelock, no_starvation
from ._model import Model
from ._network import Message, Network
from ._node import CRASHED, Node
from ._properties import Violation, always, at_end, eventually, no_deadlock, sometimes
from ._runner import CheckResult, RunResult, check, replay, run
from ._sched import DFS, PCT, Fair, Fifo, Random, Replay, Strategy
from ._select import Selected, select_fairness
from ._trace import Decision, Trace
from ._world import World
from .history import linearizable
from .errors import (DetsimError, ModelError, PropertyViolation, ReplayDivergence,
                     StepBudgetExceeded, TraceFormatError)

__all__ = [
    "linearizable",
    "__version__", "errors", "CLOSED", "Model", "World", "Violation", "always", "at_end",
    "eventually", "sometimes", "no_deadlock", "run", "check", "replay", "RunResult",
    "CheckResult", "Strategy", "Fifo", "Random", "PCT", "DFS", "Replay", "Trace", "Decision",
    "DetsimError", "ModelError", "PropertyViolation", "ReplayDivergence", "StepBudgetExceeded",
    "TraceFormatError",
    "Fair", "no_starvation", "no_livelock", "VacuityWarning",
    "Lagged", "Selected", "select_fairness",
    "FAULT_KINDS", "FaultPlan", "FaultCoverageWarning", "Message", "Network", "Node", "CRASHED",
]

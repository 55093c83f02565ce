"""The trace format: the decision list of one run as versioned JSON, and its outcome.

A run is a pure function of (model class, parameters, decision list); the trace is
that list plus what is needed to rebuild the model and to check the outcome. Pure
data: this package imports nothing else of detsim but ``errors``. See
docs/architecture.md, "The trace format".
"""
from ._decision import CHOICE, FAULT, KINDS, SCHEDULE, Decision, decode_time, encode_time
from ._outcome import Violation
from ._preempt import count_preemptions, is_preemption
from ._trace import FORMAT, VERSION, Trace

__all__ = ["Decision", "Trace", "Violation", "SCHEDULE", "CHOICE", "FAULT", "KINDS",
           "encode_time", "decode_time", "FORMAT", "VERSION", "is_preemption", "count_preemptions"]

"""The story of a trace: re-execute it exactly with a StoryRecorder attached.

``story(trace)`` is what ``detsim show --steps``/``--html``, ``detsim check --html``
and the pytest plugin draw from (see docs/viewer.md). With ``model`` given (a
campaign has it in hand) the trace's model is not loaded again; otherwise it is
built from the trace under the loader's trust rules, as ``replay`` does.
"""
from __future__ import annotations

from ..search import Replay
from ..trace import Trace, decode_time
from ..view import StoryRecorder
from ._loader import build_model
from ._run import execute


def story(trace_or_path, model=None, *, trust=(), root=None, state: bool = True):
    """(RunResult, story) of an exact re-execution; raises ReplayDivergence like ``replay``.
    ``state=False`` leaves out the state panel's snapshots."""
    trace = trace_or_path if isinstance(trace_or_path, Trace) else Trace.load(trace_or_path)
    copy = model is not None
    if model is None:
        model = build_model(trace.model, trace.params, from_trace=True, trust=trust, root=root)
    settings = {k: decode_time(v) for k, v in trace.settings.items()}
    recorder = StoryRecorder(state=state)
    strategy = Replay(trace)
    result = execute(model, strategy, settings, lint=True, copy=copy, recorder=recorder)
    strategy.end(result)
    result.preemptions = strategy.preemptions
    told = recorder.story
    told["strategy"] = dict(trace.strategy)
    told["decisions_total"] = len(trace.decisions)
    return result, told

"""The re-execution check: one passing run in ``VERIFY_EVERY`` is run again from its
decisions and must end the same way, so a model whose behaviour does not follow
from its decisions is caught (in the parent process and in campaign workers alike)."""
from __future__ import annotations

from ..errors import NondeterminismError, ReplayDivergence
from ..search import Replay
from ._run import LeanDivergence, execute

VERIFY_EVERY = 100  # re-execute one passing run in this many (FoundationDB re-runs 5%)


def due(index: int) -> bool:
    """Whether run ``index`` of a campaign is re-executed when it passes."""
    return index % VERIFY_EVERY == VERIFY_EVERY - 1


def verify(model, settings, trace, which: str) -> int:
    """Re-execute ``trace``'s decisions; a different run means the model is nondeterministic.
    Returns the trace's preemptions, which the replay counts on the way."""
    try:
        trace.decisions  # a lean run's are rebuilt here, by running it again (docs/lean-runs.md)
    except LeanDivergence as e:
        raise NondeterminismError(f"the model is nondeterministic: {which} re-executed with the same "
                                  f"decisions went differently: {e.difference}") from None
    replayer = Replay(trace)
    try:
        again = execute(model, replayer, settings)
    except ReplayDivergence as e:
        raise NondeterminismError(f"the model is nondeterministic: {which} re-executed with the same "
                                  f"decisions went differently: {e}") from None
    first, then = outcome(trace.violation, trace.outcome.get("steps")), outcome(again.violation, again.steps)
    if first != then:
        raise NondeterminismError(f"the model is nondeterministic: {which} re-executed with the same decisions "
                                  f"ended differently: first {first}, then {then}")
    return replayer.preemptions


def outcome(violation, steps) -> str:
    if violation is None:
        return f"no violation after {steps} steps"
    return f'a violation of "{violation.property}" at step {violation.step}, process {violation.process}'

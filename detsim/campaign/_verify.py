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


def unrepeatable(error: NondeterminismError, plan, strategy, index: int, trace) -> NondeterminismError:
    """The error for a failing run that did not repeat itself, with what can be kept:
    which run it was (a seed and run index find it again), and a trace of a failing
    execution to save: the run as first executed when its decisions were recorded in
    full, else the run executed once more in full, if it failed again. A counterexample
    of a nondeterministic model may not replay, but it is never silently dropped."""
    kept, how = None, ""
    if trace is not None:
        try:
            trace.decisions  # a lean run's are rebuilt by re-executing it: that may differ too
            kept, how = trace, "its trace as first executed is saved"
        except NondeterminismError:
            pass
    if kept is None and strategy.independent_runs:
        strategy.begin(index)
        try:
            again = plan.execute(strategy)  # recorded in full, nothing to rebuild
        except Exception as e:  # noqa: BLE001 - the model misbehaves: keep the first error
            how = f"executed once more it raised {type(e).__name__}"
        else:
            if again.violation is not None:
                kept = again.trace
                how = (f'executed once more in full it failed again ("{again.violation.property}" at step '
                       f"{again.violation.step}), and that execution's trace is saved")
            else:
                how = "executed once more in full it did not fail, so there is no failing trace to save"
    where = f"the failing schedule was run {index} of {strategy!r}" + (f"; {how}" if how else "")
    found = NondeterminismError(f"{error} ({where})")
    found.trace = kept
    return found

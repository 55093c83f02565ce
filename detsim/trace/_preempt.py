"""Preemptions: switches away from a process that could have gone on.

At a schedule decision, the process that ran in the previous step (inside
``Strategy.choose`` that is ``world.current_name``) may be among the candidates:
it has another event due now and could continue. Choosing another candidate then
is a *preemption* (a context switch the schedule forced, as CHESS counts them).
A switch after the previous process blocked, finished or waits for a later time
is not one. Shrinking minimises preemptions after deviations (docs/viewer.md); a
strategy that bounds them (iterative context bounding) asks the same question.
"""
from __future__ import annotations


def is_preemption(previous: str, candidates, chosen: int) -> bool:
    """Whether choosing ``candidates[chosen]`` preempts ``previous``, the process
    that ran in the step before this schedule decision."""
    return candidates[chosen] != previous and previous in candidates


def count_preemptions(schedule) -> int:
    """The preemptions among ``(previous, candidates, chosen)`` schedule decisions."""
    return sum(1 for previous, candidates, chosen in schedule if is_preemption(previous, candidates, chosen))

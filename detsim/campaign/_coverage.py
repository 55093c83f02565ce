"""State coverage: how many distinct abstract states a campaign has seen, and when.

When the model declares ``state()``, every run of a campaign adds a digest of the
state after each step to one set. The growth over the campaign (distinct states
after 10%, 50% and 100% of the runs) tells a user whether more schedules still
discover anything. Digests come from the state's canonical text, so they are the
same in every process (a campaign's workers merge them).
"""
from __future__ import annotations

import hashlib

from ..errors import DetsimError, ModelError
from ..monitor import Observer, canonical

MAX_TRACKED = 2_000_000  # beyond this many distinct states the count is a lower bound


def state_digest(state) -> bytes:
    return hashlib.blake2b(canonical(state).encode(), digest_size=8).digest()


class StateCoverage(Observer):
    """Adds the model's abstract state after every step to a shared set of digests."""

    name = "state coverage"
    reads_decisions = False

    def __init__(self, seen: set):
        self.seen = seen
        self._last = None

    def attach(self, model, world) -> None:
        self._add(model)

    def after_step(self, model, world) -> None:
        self._add(model)

    def _add(self, model) -> None:
        try:
            state = model.state()
        except DetsimError:
            raise
        except Exception as e:
            raise ModelError(f"{type(model).__name__}.state() raised {type(e).__name__}: {e}") from None
        if state == self._last:  # most steps leave the abstract state unchanged: skip the digest
            return
        self._last = state
        if len(self.seen) < MAX_TRACKED:
            self.seen.add(state_digest(state))


def growth_line(history: list[int]) -> str | None:
    """"distinct abstract states: 120 after 10% of the runs, ..." from the count after each run."""
    if not history:
        return None
    n = len(history)
    points = []
    for share in (10, 50, 100):
        i = max(1, (n * share + 99) // 100)
        points.append(f"{history[i - 1]:,} after {share}% ({i:,} run{'s' if i != 1 else ''})")
    more = "+" if history[-1] >= MAX_TRACKED else ""
    return "distinct abstract states: " + ", ".join(points) + more

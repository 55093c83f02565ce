"""``linearizable(history, spec)``: a property that checks a world history at the end of a run."""
from __future__ import annotations

import warnings

from ..monitor import Property
from ._checker import check_linearizable
from ._render import render_timeline
from ._specs import get_spec


class Linearizable(Property):
    """Checks ``world.history(name)`` against a sequential specification when the run ends.

    Limit: judged at the end only (a history is not linearizable as a whole even if
    every prefix looked fine until the last operation). A ``time_limit`` makes the
    verdict depend on machine speed, so an "unknown" verdict is never a violation;
    it is counted as ``linearizability:unknown`` instead.
    """

    kind = "linearizable"
    reads_decisions = False  # it reads the world's history, at the end

    def __init__(self, history: str, spec, *, time_limit=None, name: str | None = None):
        super().__init__(name or f"linearizable {history}")
        self.history = history
        self.spec = get_spec(spec) if isinstance(spec, str) else spec
        self.time_limit = time_limit

    def __repr__(self) -> str:
        return f"linearizable({self.history!r})"

    def at_finish(self, model, world):
        history = world.histories.get(self.history)
        if history is None:
            return None
        result = check_linearizable(history, self.spec, time_limit=self.time_limit)
        if result.ok is None:
            world.count("linearizability:unknown")
            return None
        if result.ok:
            return None
        first = result.first_unplaceable
        text = result.describe() + "\n" + render_timeline(history, mark=first)
        return self.violation(world, text, str(first.client) if first is not None else "-")


def linearizable(history: str, spec=None, *, time_limit=None, name: str | None = None,
                 model=None) -> Linearizable:
    """The named world history is linearizable w.r.t. ``spec`` (a sequential
    specification such as ``detsim.history.kv``, or its name), checked at the end of
    each run. ``model=`` is the deprecated spelling of ``spec=``."""
    if model is not None:
        warnings.warn("linearizable(model=...) is deprecated; pass spec=", DeprecationWarning, stacklevel=2)
        spec = model if spec is None else spec
    if spec is None:
        raise TypeError("linearizable() needs a spec (e.g. detsim.history.kv)")
    return Linearizable(history, spec, time_limit=time_limit, name=name)

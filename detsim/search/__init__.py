"""Search strategies: who decides every choice of a run. One strategy per file.

What lives here: ``Fifo`` (the default schedule), ``Random``, ``PCT``, ``DFS``,
``Exhaustive`` (every behaviour up to equivalence,
docs/exhaustive.md; ``Exhaustive(states=True)`` is ``StateCaching``, state caching), ``Replay`` (exact
re-execution), ``Rerun`` (a lean run again, with names), ``Guided`` (sparse deviations, used by shrinking)
and ``Fair`` (any strategy made weakly fair). Each implements the three-method
interface of ``detsim.engine.Strategy`` (begin a run, choose, end a run).

May import: ``detsim.engine``, ``detsim.trace``, ``detsim.errors``. Strategies see
the kind of each decision (schedule, fault, choice), never the fault layer
(docs/architecture.md, "Adding a strategy").
"""
from ..engine import Strategy
from ._dfs import DFS
from ._exhaustive import Exhaustive, RunPruned
from ._fair import Fair
from ._fifo import Fifo
from ._guided import Guided
from ._pct import PCT
from ._random import Random, run_rng, sparse_choice
from ._replay import Replay
from ._rerun import Rerun
from ._stategraph import StateCaching

__all__ = ["Strategy", "Fifo", "Random", "PCT", "DFS", "Replay", "Rerun", "Guided", "Fair", "Exhaustive", "StateCaching",
           "RunPruned", "run_rng", "sparse_choice"]

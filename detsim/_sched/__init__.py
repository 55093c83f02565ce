"""Strategies: one per file, each implementing the three-method interface of
``base.Strategy`` (begin a run, choose, end a run)."""
from .base import Strategy
from .dfs import DFS
from .fair import Fair
from .fifo import Fifo
from .guided import Guided
from .pct import PCT
from .random import Random
from .replay import Replay

__all__ = ["Strategy", "Fifo", "Random", "PCT", "DFS", "Replay", "Guided", "Fair"]

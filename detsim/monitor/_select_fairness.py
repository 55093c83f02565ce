"""``select_fairness``: no branch of a select stays ready through too many bypasses."""
from __future__ import annotations

from ._base import Property


class SelectFairness(Property):
    """No branch of select ``select_name`` stays ready through more than
    ``max_bypass`` consecutive selects that took another branch."""

    kind = "select_fairness"
    reads_decisions = False  # it reads the select's own streaks

    def __init__(self, select_name: str, max_bypass: int, name: str):
        super().__init__(name)
        if max_bypass < 0:
            raise ValueError("select_fairness: max_bypass must be >= 0")
        self.select_name, self.max_bypass = select_name, max_bypass

    def __repr__(self) -> str:
        return f"select_fairness({self.select_name!r}, max_bypass={self.max_bypass})"

    def after_step(self, model, world):
        sel = world.primitives.get(self.select_name)
        if sel is None:
            return None  # not built yet
        for i, streak in enumerate(sel.streak):
            if streak > self.max_bypass:
                return self.violation(world, sel.starvation_report(i, self.max_bypass),
                                      sel.receiver or world.current_name)
        return None


def select_fairness(select_name: str, max_bypass: int, name: str = "no starved branch") -> SelectFairness:
    """A continuously ready branch of ``select_name`` is bypassed at most ``max_bypass`` times in a row."""
    return SelectFairness(select_name, max_bypass, name)

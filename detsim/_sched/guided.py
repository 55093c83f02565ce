"""Runs a sparse set of deviations and takes the default everywhere else.

Used by shrinking and by the Hypothesis strategies. Replay is tolerant: a
deviation names the candidate it picked; if that candidate is present it is
chosen, else the same index if it exists, else the default.
"""
from .base import Strategy


class Guided(Strategy):
    name = "guided"

    def __init__(self, deviations=()):
        # deviations: iterable of (position, index, candidate name)
        self.deviations = {pos: (idx, cand) for pos, idx, cand in deviations}

    def choose(self, label, candidates, world) -> int:
        dev = self.deviations.get(len(world.decisions))
        if dev is None:
            return 0
        idx, cand = dev
        if cand in candidates:
            return candidates.index(cand)
        return idx if idx < len(candidates) else 0

    def describe(self) -> dict:
        return {"name": self.name,
                "deviations": [[p, i, c] for p, (i, c) in sorted(self.deviations.items())]}

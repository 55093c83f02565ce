"""Runs a sparse set of deviations and takes the default everywhere else.

Used by shrinking and by tests. A deviation is keyed either by its position in
the decision list, ``(position, index, name)``, or by its label and occurrence,
``(label, occurrence, index, name)``: "the 3rd decision labelled 'drop n1->n2 #3'".
Label keys survive the removal of unrelated earlier decisions (a dropped fault no
longer shifts every later position), which is what makes shrinking converge.
Replay is tolerant: if the named candidate is present it is chosen, else the same
index if it exists, else the default.
"""
from ..engine import Strategy


class Guided(Strategy):
    name = "guided"

    def __init__(self, deviations=()):
        self.deviations = {}
        for dev in deviations:
            if len(dev) == 3:
                pos, idx, cand = dev
                self.deviations[("#", pos)] = (idx, cand)
            else:
                label, occ, idx, cand = dev
                self.deviations[(label, occ)] = (idx, cand)
        self._seen: dict = {}

    def begin(self, run: int) -> bool:
        self._seen = {}
        return True

    def choose(self, label, candidates, world) -> int:
        occ = self._seen.get(label, 0)
        self._seen[label] = occ + 1
        dev = self.deviations.get((label, occ)) or self.deviations.get(("#", len(world.decisions)))
        if dev is None:
            return 0
        idx, cand = dev
        if cand in candidates:
            return candidates.index(cand)
        return idx if idx < len(candidates) else 0

    def describe(self) -> dict:
        return {"name": self.name,
                "deviations": [[k[0], k[1], i, c] for k, (i, c) in self.deviations.items()]}

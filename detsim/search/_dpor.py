"""The exploration tree and the race analysis of source-DPOR (docs/exhaustive.md).

A *transition* is one NORMAL step (a tie the strategy may order) plus the URGENT
steps it causes. Within one instant of virtual time every due event stays due
until it runs, so no transition ever disables another: the only question is order.
Happens-before within an instant is the transitive closure of "j's event was
scheduled by transition i" and "i and j conflict" (i before j). A race (i, j) is a
conflicting pair with no other path from i to j; reversing it means starting, at
the state before i, with an *initial* of ``notdep(i).j`` (Abdulla et al., "Optimal
dynamic partial order reduction", 2014): one of them is added to that node's
backtrack set unless one is there already.
"""
from __future__ import annotations

from ..trace import SCHEDULE
from ._access import Footprint


class Node:
    """One decision of the current path: what was asked, what was taken, and (for
    schedule ties) which alternatives must still be explored."""

    __slots__ = ("kind", "labels", "chosen", "backtrack", "done", "asleep", "fps")

    def __init__(self, kind: str, labels: tuple, chosen: int, asleep=frozenset()):
        self.kind, self.labels, self.chosen = kind, labels, chosen
        self.backtrack = {chosen}
        self.done: set = set()
        self.asleep = asleep  # candidates in the sleep set when the node was first reached
        self.fps: dict = {}  # candidate index -> union of its transition's footprints

    def next_choice(self) -> int | None:
        """After the subtree of ``chosen`` is complete: the next alternative, or None."""
        if self.kind != SCHEDULE:
            return self.chosen + 1 if self.chosen + 1 < len(self.labels) else None
        self.done.add(self.chosen)
        left = sorted(self.backtrack - self.done - self.asleep)
        return left[0] if left else None


class Transition:
    __slots__ = ("event", "node", "fp", "anc", "trigger", "ran")

    def __init__(self, event, node):
        self.event, self.node = event, node
        self.fp = Footprint()
        self.anc = 0  # bitmask of the transitions of this instant that happen before it
        self.trigger = None  # the transition of this instant that scheduled its event
        self.ran = False


class Instant:
    """The transitions of the current instant, in execution order, with happens-before."""

    def __init__(self, time):
        self.time = time
        self.steps: list[Transition] = []

    def add(self, t: Transition, due_at: dict, nodes: list) -> int:
        """Append ``t``; returns how many backtrack points the races it closes added."""
        steps = self.steps
        j = len(steps)
        deps = [i for i, s in enumerate(steps) if s.fp.conflicts(t.fp)]
        preds = set(deps)
        if t.trigger is not None:
            preds.add(t.trigger)
        reach = {p: steps[p].anc | (1 << p) for p in preds}
        anc = 0
        for mask in reach.values():
            anc |= mask
        t.anc = anc
        steps.append(t)
        added = 0
        for i in deps:
            if i == t.trigger:
                continue
            others = 0
            for p, mask in reach.items():
                if p != i:
                    others |= mask
            if others >> i & 1:
                continue  # i reaches j another way: not a race of its own
            added += self._reverse(i, j, due_at, nodes)
        return added

    def _reverse(self, i: int, j: int, due_at: dict, nodes: list) -> int:
        first = self.steps[i]
        if first.node is None:
            return 0  # i was the only event due: nothing else could have gone first
        node = nodes[first.node]
        due = due_at.get(first.node)
        v = [k for k in range(i + 1, j + 1) if k == j or not (self.steps[k].anc >> i & 1)]
        initials = [k for k in v if not any(self.steps[k].anc >> m & 1 for m in v if m < k)]
        indices = []
        for k in initials:
            event = self.steps[k].event
            at = next((n for n, e in enumerate(due or ()) if e is event), None) if event is not None else None
            if at is None:  # cannot name it at that node: every alternative there
                before = len(node.backtrack)
                node.backtrack.update(range(len(node.labels)))
                return int(len(node.backtrack) > before)
            indices.append(at)
        if any(x in node.backtrack for x in indices):
            return 0
        awake = [x for x in indices if x not in node.asleep]
        node.backtrack.add(min(awake or indices))
        return 1

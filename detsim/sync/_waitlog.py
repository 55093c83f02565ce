"""The wait log: who waits for which resource since when, and who was granted it meanwhile.

Fed by every wait queue (``WaitQueue.arrive``/``granted``) and by models with
their own lock logic (``world.arrive``/``grant``/``withdraw``); read by the
``no_starvation`` property. It exists only in runs whose model asked for such a
property, so other runs pay nothing.
"""
from __future__ import annotations


class WaitRecord:
    __slots__ = ("who", "resource", "seq", "time", "step", "others", "withheld", "ended")

    def __init__(self, who, resource, seq, time, step):
        self.who, self.resource, self.seq, self.time, self.step = who, resource, seq, time, step
        self.others: list = []  # (step, time, name, arrived later) of each grant to someone else
        self.withheld = False
        self.ended = None  # the time it was granted


class WaitLog:
    """Who waits for what since when, and who was granted the resource meanwhile."""

    def __init__(self, world):
        self.world = world
        self.by_resource: dict[str, dict[str, WaitRecord]] = {}
        self.seq = 0
        self.version = 0  # bumped when a waiter saw a grant to someone else
        self.waited: dict[tuple, int] = {}  # (resource, who) -> waits that blocked at least a step
        self.finished: list[WaitRecord] = []  # granted after a wait with grants to others

    def arrive(self, resource: str, who: str) -> None:
        waits = self.by_resource.setdefault(resource, {})
        if who not in waits:  # a retry (barging, spurious wake-up) keeps its first arrival
            self.seq += 1
            world = self.world
            waits[who] = WaitRecord(who, resource, self.seq, world.now, world.steps)

    def grant(self, resource: str, who: str) -> None:
        waits = self.by_resource.get(resource)
        if not waits:
            return
        world = self.world
        mine = waits.pop(who, None)
        if mine is not None and mine.step != world.steps:
            key = (resource, who)
            self.waited[key] = self.waited.get(key, 0) + 1
        if mine is not None and mine.others:  # still to be judged: it may have waited too long
            mine.ended = world.now
            self.finished.append(mine)
            self.version += 1
        seq = mine.seq if mine is not None else self.seq + 1  # never arrived: as if arriving now
        if waits:
            entry_step, now = world.steps, world.now
            for rec in waits.values():
                rec.others.append((entry_step, now, who, rec.seq < seq))
            self.version += 1

    def withdraw(self, resource: str, who: str) -> None:
        waits = self.by_resource.get(resource)
        if waits:
            waits.pop(who, None)

    def records(self):
        for waits in self.by_resource.values():
            yield from waits.values()


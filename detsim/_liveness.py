"""Liveness with a stated fairness assumption: ``no_starvation`` and ``no_livelock``.

Every verdict assumes weak fairness with a bound K (see ``_sched/fair.py``) and
checks it on the schedule actually run, whatever strategy made it: waits and
no-progress stretches only count from the last decision at which some enabled
process had been overtaken more than K times. A failure that an unfair schedule
alone produced is therefore never reported as a bug; it is counted under
"liveness: verdicts withheld (unfair schedule)" instead.

Starvation is judged from a wait log (``world.arrive``/``grant``/``withdraw``,
fed by detsim's primitives and by models with their own lock logic). Livelock is
judged on the abstract states of ``model.state()``; see ``_lasso.py``.
"""
from __future__ import annotations

import warnings

from ._properties import Violation
from ._sched.fair import DEFAULT_FAIRNESS_BOUND, Overtaking, fairness_text

WITHHELD = "liveness: verdicts withheld (unfair schedule)"


class VacuityWarning(UserWarning):
    """A liveness property held only because nothing happened that could break it."""


class FairnessWitness:
    """Feeds the run's scheduling decisions to ``Overtaking`` after every step."""

    def __init__(self, world, bound: int):
        self.world, self.bound = world, bound
        self.tracker = Overtaking(bound)
        self.seen = 0
        self.last_unfair_step = 0  # steps up to this one are outside the fair stretch
        self.last_unfair_time = None
        self.last_unfair = None  # (victim, overtaker, count)
        self.unfair_decisions = 0

    def sync(self) -> None:
        world = self.world
        decisions = world.decisions
        if self.seen == len(decisions):
            return
        tasks = world.tasks
        for step, time, label, candidates, chosen in decisions[self.seen:]:
            if label == "schedule":
                over = self.tracker.observe(candidates, chosen, tasks)
                if over is not None:
                    self.last_unfair_step, self.last_unfair_time = step + 1, time
                    self.last_unfair = over
                    self.unfair_decisions += 1
                    world.count("fairness: unfair decisions")
        self.seen = len(decisions)

    def assumption(self) -> str:
        world = self.world
        if self.last_unfair_step:
            victim, overtaker, n = self.last_unfair
            since = (f"from step {self.last_unfair_step + 1} (step {self.last_unfair_step} was unfair: "
                     f"{overtaker} ran {n} times while {victim} was enabled)")
        else:
            since = "from the start"
        return f"assuming {fairness_text(self.bound)}; this schedule was checked fair {since} to step {world.steps}"


def witness_for(world, bound: int) -> FairnessWitness:
    witnesses = world.__dict__.setdefault("fairness_witnesses", {})
    if bound not in witnesses:
        witnesses[bound] = FairnessWitness(world, bound)
    return witnesses[bound]


# ---- starvation -------------------------------------------------------------
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


def _names(entries, limit: int = 8) -> str:
    counts: dict[str, int] = {}
    for _, _, name, _ in entries:
        counts[name] = counts.get(name, 0) + 1
    parts = [name if n == 1 else f"{name} ×{n}" for name, n in counts.items()]
    return ", ".join(parts[:limit]) + (f", … ({len(parts) - limit} more)" if len(parts) > limit else "")


class NoStarvation:
    """A waiter overtaken by more than ``max_bypass`` later arrivals, or waiting
    longer than ``max_wait`` (virtual time) while others were granted the resource."""

    kind = "no_starvation"

    def __init__(self, name: str, max_bypass=None, max_wait=None, resources=None, waiters=None,
                 fairness: int = DEFAULT_FAIRNESS_BOUND):
        if max_bypass is None and max_wait is None:
            raise ValueError("no_starvation needs max_bypass=K or max_wait=T")
        if max_bypass is not None and max_bypass < 0 or max_wait is not None and max_wait < 0:
            raise ValueError("no_starvation: max_bypass and max_wait must be >= 0")
        self.name, self.max_bypass, self.max_wait = name, max_bypass, max_wait
        self.resources = None if resources is None else tuple(resources)
        self.waiters = waiters  # None, or a predicate on the waiter's name
        self.fairness = int(fairness)

    def __repr__(self) -> str:
        return f"no_starvation({self.name!r}, max_bypass={self.max_bypass}, max_wait={self.max_wait})"

    def attach(self, model, world) -> None:
        if world.wait_log is None:
            world.wait_log = WaitLog(world)
        self.log, self.witness = world.wait_log, witness_for(world, self.fairness)
        self._version, self._now = -1, None
        self._finished = 0  # how much of log.finished was judged

    def after_step(self, model, world):
        self.witness.sync()
        log = self.log
        if log.version == self._version and world.now == self._now:
            return None
        self._version, self._now = log.version, world.now
        return self._judge(world)

    def at_finish(self, model, world):
        self.witness.sync()
        violation = self._judge(world)
        watched = [r for r in self.log.records() if self._watches(r.resource, r.who)]
        waited = sum(n for (res, who), n in self.log.waited.items() if self._watches(res, who))
        world.count(f"{self.name}: waits", waited + len(watched))
        return violation

    def _watches(self, resource, who) -> bool:
        return ((self.resources is None or resource in self.resources)
                and (self.waiters is None or self.waiters(who)))

    def _judge(self, world):
        fair_from = self.witness.last_unfair_step
        finished = self.log.finished
        ended, self._finished = finished[self._finished:], len(finished)
        for rec in ended + list(self.log.records()):
            if not self._watches(rec.resource, rec.who):
                continue
            if len(rec.others) > 64:  # entries before the fair stretch never count again
                rec.others = [o for o in rec.others if o[0] > fair_from]
            violation = self._bypass(rec, fair_from, world) or self._wait(rec, fair_from, world)
            if violation is not None:
                return violation
        return None

    def _withhold(self, rec, world) -> None:
        if not rec.withheld:
            rec.withheld = True
            world.count(WITHHELD)

    def _bypass(self, rec, fair_from, world):
        k = self.max_bypass
        if k is None:
            return None
        later = [o for o in rec.others if o[3]]
        if len(later) <= k:
            return None
        fair = [o for o in later if o[0] > fair_from]
        if len(fair) <= k:
            self._withhold(rec, world)
            return None
        message = (f"{rec.who} waiting on {rec.resource} since t={rec.time} (step {rec.step}) was "
                   f"overtaken by {len(fair)} later arrivals (max_bypass={k}): {_names(fair)}; "
                   f"{self.witness.assumption()}")
        return Violation(self.name, message, world.now, world.steps, rec.who)

    def _wait(self, rec, fair_from, world):
        limit = self.max_wait
        end = world.now if rec.ended is None else rec.ended
        if limit is None or not rec.others or end - rec.time <= limit:
            return None
        start = rec.time if rec.step > fair_from else self.witness.last_unfair_time
        fair = [o for o in rec.others if o[0] > fair_from]
        if not fair or end - start <= limit:
            self._withhold(rec, world)
            return None
        later = [o for o in fair if o[3]]
        how = "waited" if rec.ended is None else f"was granted it at t={rec.ended} after waiting"
        message = (f"{rec.who} waiting on {rec.resource} since t={rec.time} (step {rec.step}) {how} "
                   f"{end - start} > max_wait={limit} while it was granted {len(fair)} times to "
                   f"others: {_names(fair)}"
                   + ("" if not later else " (all arrived after it)" if len(later) == len(fair)
                      else f" (later arrivals that overtook it: {_names(later)})")
                   + f"; {self.witness.assumption()}")
        return Violation(self.name, message, world.now, world.steps, rec.who)

    def campaign_notes(self, counters: dict, runs: int):
        """(note, vacuity message or None) for a campaign that held."""
        withheld = counters.get(WITHHELD, 0)
        note = f"{self.name}: held assuming {fairness_text(self.fairness)}"
        if withheld:
            note += f"; {withheld} would-be starvation(s) seen only under unfair scheduling were not reported"
        vacuous = None
        if not counters.get(f"{self.name}: waits", 0):
            vacuous = (f'"{self.name}" held vacuously: no process ever waited on a watched resource in '
                       f"{runs} run(s)")
        return note, vacuous


def no_starvation(max_bypass: int | None = None, max_wait=None, *, name: str = "no starvation",
                  resources=None, waiters=None, fairness: int = DEFAULT_FAIRNESS_BOUND) -> NoStarvation:
    """No waiter is overtaken by more than ``max_bypass`` later arrivals, and none waits
    longer than ``max_wait`` virtual time while the resource goes to others. Judged
    assuming weak fairness with bound ``fairness`` (checked on each run).
    ``resources`` (names) and ``waiters`` (a predicate on the waiter's name) narrow
    what is watched."""
    return NoStarvation(name, max_bypass, max_wait, resources, waiters, fairness)


def no_livelock(window: int = 200, *, name: str = "no livelock",
                fairness: int = DEFAULT_FAIRNESS_BOUND):
    """No fair stretch of more than ``window`` steps without ``world.progress()``
    during which the run cycles in a set of abstract states (``model.state()``)
    that it never leaves. The counterexample is printed as a lasso."""
    from ._lasso import NoLivelock

    return NoLivelock(name, window, fairness)


# ---- campaign-level notes ------------------------------------------------------
def campaign_notes(model, counters: dict, runs: int) -> list[str]:
    """Fairness assumptions of the model's liveness properties, plus a
    VacuityWarning for each that held only because nothing happened."""
    notes = []
    for prop in model.properties():
        notes_of = getattr(prop, "campaign_notes", None)
        if notes_of is None:
            continue
        note, vacuous = notes_of(counters, runs)
        notes.append(note)
        if vacuous:
            notes.append("warning: " + vacuous)
            warnings.warn(vacuous, VacuityWarning, stacklevel=4)
    return notes

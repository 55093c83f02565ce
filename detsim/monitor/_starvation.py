"""Starvation, judged with a stated fairness assumption: ``no_starvation``.

Every verdict assumes weak fairness with a bound K (see ``_sched/fair.py``) and
checks it on the schedule actually run, whatever strategy made it: waits and
no-progress stretches only count from the last decision at which some enabled
process had been overtaken more than K times. A failure that an unfair schedule
alone produced is therefore never reported as a bug; it is counted under
"liveness: verdicts withheld (unfair schedule)" instead.

Starvation is judged from the wait log (``detsim.sync``), fed by every wait queue
and by models with their own lock logic (``world.arrive``/``grant``/``withdraw``).
Livelock is judged on the abstract states of ``model.state()``; see ``_livelock.py``.
"""
from __future__ import annotations

from ..engine import DEFAULT_FAIRNESS_BOUND, fairness_text
from ..sync import WaitLog
from ._base import Property
from ._fairness_witness import witness_for

WITHHELD = "liveness: verdicts withheld (unfair schedule)"


# ---- starvation -------------------------------------------------------------
def _names(entries, limit: int = 8) -> str:
    counts: dict[str, int] = {}
    for _, _, name, _ in entries:
        counts[name] = counts.get(name, 0) + 1
    parts = [name if n == 1 else f"{name} ×{n}" for name, n in counts.items()]
    return ", ".join(parts[:limit]) + (f", … ({len(parts) - limit} more)" if len(parts) > limit else "")


class NoStarvation(Property):
    """A waiter overtaken by more than ``max_bypass`` later arrivals, or waiting
    longer than ``max_wait`` (virtual time) while others were granted the resource."""

    kind = "no_starvation"

    def __init__(self, name: str, max_bypass=None, max_wait=None, resources=None, waiters=None,
                 fairness: int = DEFAULT_FAIRNESS_BOUND):
        super().__init__(name)
        if max_bypass is None and max_wait is None:
            raise ValueError("no_starvation needs max_bypass=K or max_wait=T")
        if max_bypass is not None and max_bypass < 0 or max_wait is not None and max_wait < 0:
            raise ValueError("no_starvation: max_bypass and max_wait must be >= 0")
        self.max_bypass, self.max_wait = max_bypass, max_wait
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
        return self.violation(world, message, rec.who)

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
        return self.violation(world, message, rec.who)

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

"""A circuit breaker shared by concurrent callers of a flaky backend.

``callers`` processes each make ``calls`` calls, one time unit apart, through one
breaker. A call the breaker admits takes ``latency`` (a choice: index 0 is the
fast one) and then succeeds or fails (a choice: index 0 is success), so the
default schedule never opens the breaker. The breaker:

* **closed**: admits every call; ``threshold`` consecutive failures open it;
* **open**: rejects every call until ``cooldown`` has passed since it opened;
* **half-open**: the first call after the cool-down is the probe; every other call
  is rejected while the probe runs; its success closes the breaker, its failure
  opens it again (a fresh cool-down).

Every state change starts a new *generation* and a call's result counts only in
the generation that admitted it (as in sony/gobreaker): a slow call admitted while
closed must not decide a later half-open state.

Properties (``always``, judged by ghost state kept beside the breaker's own):
"closed → open after N consecutive failures" (it opens exactly when the calls of
one closed period fail N times in a row); "open rejects until the cool-down";
"half-open admits exactly one probe"; "half-open is decided by its probe" (a
successful probe closes it, a failed one reopens it, nothing else ends it).
Sometimes-guards: the breaker opened, a probe closed it, a probe failed, a call
was rejected, a result came back from an earlier generation.

Planted bugs (each a mistake in published breaker code):

* ``half-open-flood`` (issue 15): half-open admits every caller, so a recovering
  backend gets the full load at once;
* ``no-cooldown-reset`` (issue 15): a failed probe reopens the breaker but keeps the
  old opening time, so the next call is admitted at once;
* ``count-not-reset``: a success does not reset the failure count, so failures
  that were never consecutive open the breaker;
* ``no-generation``: results are applied to whatever state the breaker is in now;
  a slow failure from before the breaker opened lands in half-open and reopens it,
  and the probe's success is then ignored (the reason gobreaker has generations);
  a stale failure counted in a later closed period can also open it early.

How the four resilience models are built: docs/resilience-models.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import detsim

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half-open"


@dataclass
class CircuitBreaker(detsim.Model):
    callers: int = 3
    calls: int = 5
    threshold: int = 2
    cooldown: int = 4
    latency: list = field(default_factory=lambda: [1, 6])
    bug: str | None = None

    BUGS = ("half-open-flood", "no-cooldown-reset", "count-not-reset", "no-generation")

    def setup(self, world):
        if self.bug is not None and self.bug not in self.BUGS:
            raise detsim.ModelError(f"CircuitBreaker has no planted bug {self.bug!r} "
                                    f"(known: {', '.join(self.BUGS)})")
        self.world = world
        self.state = CLOSED
        self.generation = 0
        self.failures = 0  # the breaker's consecutive-failure count while closed
        self.opened_at = None  # when the cool-down started (the breaker's own view)
        self.probing = False  # a half-open probe is running
        # ghost state: what the specification says, kept apart from the breaker's fields
        self.ghost_run = 0  # consecutive failures among this closed period's results
        self.ghost_period = 0  # advanced at every state change
        self.admitted_in: dict = {}  # call id -> (state, period) it was admitted in
        self.ghost_opened = None  # world time of the last transition into open
        self.probe = None  # call id of this half-open period's probe
        self.broken: dict = {}  # property name -> first explanation
        self.opened = self.closed_by_probe = self.probe_failed = self.rejected = self.stale = 0
        self.ids = 0
        for i in range(self.callers):
            world.spawn(f"caller-{i}", self.caller(world))

    # ---- the breaker ---------------------------------------------------------------
    def admit(self):
        """The generation the call runs in, or None if the breaker rejects it."""
        now = self.world.now
        if self.state == OPEN:
            if now < self.opened_at + self.cooldown:
                self.rejected += 1
                return None
            self.move(HALF_OPEN)
        if self.state == HALF_OPEN:
            if self.probing and self.bug != "half-open-flood":
                self.rejected += 1
                return None
            self.probing = True
        return self.generation

    def record(self, generation, ok: bool) -> None:
        if generation != self.generation:
            self.stale += 1
            if self.bug != "no-generation":
                return  # a result from an earlier state decides nothing now
        if self.state == CLOSED:
            if ok:
                if self.bug != "count-not-reset":
                    self.failures = 0
            else:
                self.failures += 1
                if self.failures >= self.threshold:
                    self.move(OPEN)
        elif self.state == HALF_OPEN:
            self.move(CLOSED if ok else OPEN)

    def move(self, state) -> None:
        self.ghost_move(self.state, state)
        if state == OPEN and not (self.bug == "no-cooldown-reset" and self.state == HALF_OPEN):
            self.opened_at = self.world.now
        self.state = state
        self.generation += 1
        self.failures = 0
        self.probing = False

    # ---- callers --------------------------------------------------------------------
    def caller(self, world):
        for _ in range(self.calls):
            self.ids += 1
            call = self.ids
            generation = self.admit()
            if generation is not None:
                self.ghost_admit(call)
                yield world.timeout(world.choose(f"latency of call {call}", self.latency))
                ok = world.choose(f"result of call {call}", ["ok", "fail"]) == "ok"
                self.ghost_result(call, ok)
                self.record(generation, ok)
            yield world.timeout(1)

    # ---- ghost: the specification's view -----------------------------------------------
    def fail(self, prop: str, why: str) -> None:
        self.broken.setdefault(prop, f"t={self.world.now}: {why}")

    def ghost_admit(self, call) -> None:
        self.admitted_in[call] = (self.state, self.period())
        now = self.world.now
        if self.state != CLOSED and self.ghost_opened is not None and now < self.ghost_opened + self.cooldown:
            self.fail(P_COOLDOWN, f"call {call} admitted {now - self.ghost_opened} after the breaker opened "
                      f"at t={self.ghost_opened} (cool-down {self.cooldown})")
        if self.state == HALF_OPEN:
            if self.probe is not None:
                self.fail(P_ONE_PROBE, f"call {call} admitted in half-open while probe call {self.probe} runs")
            else:
                self.probe = call

    def period(self) -> int:
        return self.ghost_period

    def ghost_result(self, call, ok) -> None:
        state, period = self.admitted_in[call]
        self.last_result = (call, ok, state == self.state and period == self.period())
        if state == CLOSED and period == self.period():
            self.ghost_run = 0 if ok else self.ghost_run + 1

    def ghost_move(self, old, new) -> None:
        now = self.world.now
        if old == CLOSED and new == OPEN:
            self.opened += 1
            if self.ghost_run < self.threshold:
                self.fail(P_OPENS, f"the breaker opened after {self.ghost_run} consecutive failure(s) "
                          f"(threshold {self.threshold})")
        if old == HALF_OPEN:
            call, ok, current = getattr(self, "last_result", (None, None, False))
            if call != self.probe or not current:
                self.fail(P_PROBE, f"half-open ended ({new}) by the result of call {call}, not by "
                          f"probe call {self.probe}")
            elif ok and new != CLOSED or not ok and new != OPEN:
                self.fail(P_PROBE, f"probe call {call} {'succeeded' if ok else 'failed'} but the breaker "
                          f"went {new}")
            elif ok:
                self.closed_by_probe += 1
            else:
                self.probe_failed += 1
        if new == OPEN:
            self.ghost_opened = now
        elif new == CLOSED:
            self.ghost_opened = None
        if new == HALF_OPEN:
            self.probe = None
        self.ghost_run = 0
        self.ghost_period += 1

    def still_closed_too_long(self) -> bool:
        if self.state == CLOSED and self.ghost_run >= self.threshold:
            self.fail(P_OPENS, f"{self.ghost_run} consecutive failures and the breaker is still closed")
        return P_OPENS not in self.broken

    def holds(self, prop):
        return lambda m: prop not in m.broken

    def properties(self):
        explain = {p: (lambda m, p=p: m.broken[p]) for p in (P_OPENS, P_COOLDOWN, P_ONE_PROBE, P_PROBE)}
        return [
            detsim.always(P_OPENS, CircuitBreaker.still_closed_too_long, explain=explain[P_OPENS]),
            detsim.always(P_COOLDOWN, self.holds(P_COOLDOWN), explain=explain[P_COOLDOWN]),
            detsim.always(P_ONE_PROBE, self.holds(P_ONE_PROBE), explain=explain[P_ONE_PROBE]),
            detsim.always(P_PROBE, self.holds(P_PROBE), explain=explain[P_PROBE]),
            detsim.sometimes("the breaker opened", lambda m: m.opened > 0),
            detsim.sometimes("a successful probe closed the breaker", lambda m: m.closed_by_probe > 0),
            detsim.sometimes("a failed probe reopened the breaker", lambda m: m.probe_failed > 0),
            detsim.sometimes("a call was rejected", lambda m: m.rejected > 0),
            detsim.sometimes("a result came back from an earlier state", lambda m: m.stale > 0),
        ]


P_OPENS = "closed → open after N consecutive failures"
P_COOLDOWN = "open rejects until the cool-down"
P_ONE_PROBE = "half-open admits exactly one probe"
P_PROBE = "half-open is decided by its probe"

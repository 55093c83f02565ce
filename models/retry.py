"""Retries with exponential backoff and jitter, against a flaky server over a lossy network.

Nodes: ``server`` and clients ``c1``, ``c2``, ... Each client sends ``requests``
logical requests, one after the other. An attempt is a message to the server
carrying the request's idempotency key (``c1:0``, ``c1:1``, ...); the client waits
``2·latency + 1`` for the reply. A reply "error" or no reply at all means another
attempt, after a backoff: retry ``k`` (0-based) waits ``min(cap, base·2^k + jitter)``
with the jitter a choice in ``0 .. base·2^k`` (index 0: no jitter). After
``max_attempts`` attempts the client gives up and reports the request failed.

The server answers "error" (a choice, index 0 is success) without doing anything,
or applies the request and answers "ok". It remembers the keys it applied and
answers a repeated key with the stored reply instead of applying it again. The
network may drop or duplicate messages (a fault plan: index 0 is no fault), so a
reply can be lost after the request took effect.

Properties: "attempts ≤ max" (no logical request is sent more than
``max_attempts`` times); "the total delay bound holds" (the backoff a request
slept in all is at most Σ_{k < max-1} min(cap, 2·base·2^k)); "each logical request
takes effect at most once" (counted by ghost state at the server).
Sometimes-guards: a request was retried, a retry used jitter, the server saw a
key again (a lost reply or a duplicate was absorbed), a client gave up.

Planted bugs:

* ``no-idempotency-key`` (issue 15): each attempt gets a fresh key, so a retry after
  a lost reply (or a duplicated request) is applied a second time;
* ``retry-storm`` (issue 15): no cap on attempts: under a failing server the client
  retries until it succeeds;
* ``jitter-past-cap``: the jitter is added after the cap (``min(cap, base·2^k) +
  jitter``), a common slip that breaks the delay bound the cap was meant to give.

How the four resilience models are built: docs/resilience-models.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import detsim

DEFAULT_FAULTS = {"kinds": ["drop", "duplicate"], "budget": 2, "swarm": True, "rate": 0.2}

P_ATTEMPTS = "attempts ≤ max"
P_DELAY = "the total delay bound holds"
P_ONCE = "each logical request takes effect at most once"


@dataclass
class Retry(detsim.Model):
    clients: int = 2
    requests: int = 2
    max_attempts: int = 4
    base: int = 1
    cap: int = 4
    latency: list = field(default_factory=lambda: [1, 2])
    faults: dict = field(default_factory=lambda: dict(DEFAULT_FAULTS))
    bug: str | None = None

    BUGS = ("no-idempotency-key", "retry-storm", "jitter-past-cap")

    def setup(self, world):
        if self.bug is not None and self.bug not in self.BUGS:
            raise detsim.ModelError(f"Retry has no planted bug {self.bug!r} (known: {', '.join(self.BUGS)})")
        self.world = world
        self.bound = sum(min(self.cap, 2 * self.base * 2 ** k) for k in range(self.max_attempts - 1))
        # ghost state, per logical request
        self.attempts: dict = {}
        self.slept: dict = {}
        self.effects: dict = {}
        self.broken: dict = {}
        self.retried = self.jittered = self.absorbed = self.gave_up = self.succeeded = 0
        world.faults.configure(self.faults)
        world.network.configure(tuple(self.latency))
        world.node("server", boot=self.boot_server)
        for i in range(self.clients):
            node = world.node(f"c{i + 1}")
            node.spawn("client", self.client(node))

    # ---- server ----------------------------------------------------------------------
    def boot_server(self, node):
        node.spawn("server", self.server(node), daemon=True)

    def server(self, node):
        done: dict = {}  # idempotency key -> the reply it got
        while True:
            msg = yield node.recv()
            _, key, logical, attempt = msg.body
            if key in done:
                self.absorbed += 1
                node.send(msg.src, done[key] + (attempt,))
                continue
            if self.world.choose(f"server handles {logical} attempt {attempt}", ["ok", "error"]) == "error":
                node.send(msg.src, ("error", logical, attempt))
                continue
            self.effects[logical] = self.effects.get(logical, 0) + 1
            if self.effects[logical] > 1:
                self.fail(P_ONCE, f"request {logical} took effect {self.effects[logical]} times "
                          f"(the last by attempt {attempt})")
            done[key] = ("ok", logical)
            node.send(msg.src, ("ok", logical, attempt))

    # ---- clients -----------------------------------------------------------------------
    def backoff(self, node, retry: int) -> int:
        grow = self.base * 2 ** retry
        jitter = self.world.choose(f"{node.name} jitter of retry {retry}", range(grow + 1))
        self.jittered += jitter > 0
        if self.bug == "jitter-past-cap":
            return min(self.cap, grow) + jitter
        return min(self.cap, grow + jitter)

    def client(self, node):
        wait = 2 * self.latency[1] + 1
        for n in range(self.requests):
            logical = f"{node.name}:{n}"
            self.attempts[logical] = self.slept[logical] = 0
            attempt = 0
            while True:
                attempt += 1
                self.attempts[logical] = attempt
                if attempt > self.max_attempts:
                    self.fail(P_ATTEMPTS, f"request {logical} sent {attempt} times (max {self.max_attempts})")
                key = logical if self.bug != "no-idempotency-key" else f"{logical}#{attempt}"
                node.send("server", ("request", key, logical, attempt))
                reply = yield from self.await_reply(node, logical, attempt, wait)
                if reply == "ok":
                    self.succeeded += 1
                    break
                if attempt >= self.max_attempts and self.bug != "retry-storm":
                    self.gave_up += 1
                    break
                delay = self.backoff(node, attempt - 1)
                self.retried += 1
                self.slept[logical] += delay
                yield node.sleep(delay)
            if self.slept[logical] > self.bound:
                self.fail(P_DELAY, f"request {logical} slept {self.slept[logical]} in backoff over "
                          f"{attempt} attempts (bound {self.bound})")

    def await_reply(self, node, logical, attempt, wait):
        """"ok" (to any attempt of this request: the key makes them one), "error" (to
        this attempt), or None when neither came back in time."""
        deadline = node.clock() + wait
        while True:
            left = deadline - node.clock()
            if left <= 0:
                return None
            msg = yield node.recv(timeout=left)
            if msg is None:
                return None
            kind, about, which = msg.body
            if about == logical and (kind == "ok" or which == attempt):
                return kind

    # ---- properties ------------------------------------------------------------------------
    def fail(self, prop: str, why: str) -> None:
        self.broken.setdefault(prop, f"t={self.world.now}: {why}")

    def properties(self):
        def rule(prop):
            return detsim.always(prop, lambda m: prop not in m.broken, explain=lambda m: m.broken[prop])
        return [rule(P_ATTEMPTS), rule(P_DELAY), rule(P_ONCE),
                detsim.sometimes("a request was retried", lambda m: m.retried > 0),
                detsim.sometimes("a retry used jitter", lambda m: m.jittered > 0),
                detsim.sometimes("the server absorbed a repeated key", lambda m: m.absorbed > 0),
                detsim.sometimes("a client gave up after max attempts", lambda m: m.gave_up > 0)]

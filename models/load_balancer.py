"""Service discovery with TTL registrations behind a round-robin load balancer.

Nodes: ``registry``, instances ``i1``..``iN``, the balancer ``lb`` and a ``client``
(the registry, the balancer and the client are never crashed; instances are).
Every instance sends a heartbeat to the registry every ``beat`` time units; the
registry keeps the time it last heard from each and lists an instance while that
is at most ``ttl`` ago, with the lease it has left. The balancer asks for the list
every ``refresh`` and keeps each instance until its lease runs out by its own
clock. The client sends ``requests`` requests; the balancer handles each in its
own process: it picks the next live instance round robin, forwards the request
and waits ``timeout``; on a timeout it retries on the next instance (at most
``attempts`` tries, then it answers "unavailable"). Only the first reply to a
request is answered; a later one is dropped. An instance takes 1 time unit per
request, or ``slow`` when the environment chooses (``world.choose``).

Properties:
* "no request goes to an instance deregistered more than TTL ago": a request is
  never forwarded to an instance whose last heartbeat reached the registry more
  than 2·ttl before (its registration lapsed more than ttl ago);
* "every request is answered once": at the end the client got exactly one answer
  per request;
* "load spread <= 1 when all are healthy": in a run with no fault, the numbers of
  requests (first tries and retries) the instances got differ by at most one.
Guards: a late reply was dropped after a retry; with faults, an instance's
registration lapsed and the balancer stopped using it.

Planted bugs:
* ``stale-registry``: the registry never expires an entry (it lists every
  instance that ever registered with a full lease), so a crashed instance keeps
  getting requests for as long as it is down.
* ``double-dispatch-on-timeout``: on a timeout the balancer forwards the request
  again but keeps the first attempt's reply path open: when the slow instance
  answers after all, the client gets that answer too.
* ``racy-round-robin``: the handler reads the round-robin counter, awaits the
  membership snapshot, then writes counter + 1; two requests arriving at the same
  instant go to the same instance (a lost update across an ``await``).

The network's latency is a choice (index 0: the shortest), so requests sent two
time units apart arrive at the same instant only on a chosen schedule. The fault
plan crashes instances (``DEFAULT_FAULTS``); it does not drop messages, because a
request dropped between the client and the balancer cannot be answered by any
balancer (the client does not retry), so "answered once" would fail for reasons
outside the pattern.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import detsim

BUGS = ("stale-registry", "double-dispatch-on-timeout", "racy-round-robin")
DEFAULT_FAULTS = {"kinds": ["crash"], "budget": 2, "heal_at": 60, "every": 2, "durations": [40]}


@dataclass
class LoadBalancer(detsim.Model):
    instances: int = 3
    requests: int = 14
    first_request: int = 10
    request_every: int = 2
    ttl: int = 12  # > beat + 2 * max latency + refresh: a live instance never lapses
    beat: int = 2
    refresh: int = 2
    timeout: int = 5
    attempts: int = 3
    slow: int = 6
    lookup: int = 2  # time to get the membership snapshot: as long as the gap between requests
    latency: list = field(default_factory=lambda: [1, 3])
    faults: dict = field(default_factory=lambda: dict(DEFAULT_FAULTS))
    horizon: int = 80
    bug: str | None = None

    def setup(self, world):
        if self.bug is not None and self.bug not in BUGS:
            raise detsim.ModelError(f"LoadBalancer has no planted bug {self.bug!r} (known: {', '.join(BUGS)})")
        self.world = world
        self.names = [f"i{k + 1}" for k in range(self.instances)]
        self.last_beat: dict = {}  # ghost: instance -> world time the registry last heard from it
        self.dispatches: list = []  # ghost: (time, instance, request id)
        self.answers: dict = {}  # ghost at the client: request id -> answers received
        self.timeouts = self.late_dropped = self.lapsed_skips = 0
        self.cache: dict = {}  # the balancer's view: instance -> lease end (its clock)
        self.rr = 0
        self.waiting: dict = {}  # request id -> event the router fulfils with the reply
        self.open: set = set()  # request ids whose first attempt timed out (double-dispatch bug)
        world.faults.configure(self.faults)
        world.network.configure(tuple(self.latency))
        world.node("registry", boot=self.boot_registry, faults=False)
        for name in self.names:
            world.node(name, boot=self.boot_instance)
        world.node("lb", boot=self.boot_balancer, faults=False)
        client = world.node("client", faults=False)
        client.spawn("requests", self.client(client))
        client.spawn("answers", self.answer_counter(client), daemon=True)

    # ---- the registry ---------------------------------------------------------------
    def boot_registry(self, node):
        node.spawn("server", self.registry(node), daemon=True)

    def registry(self, node):
        last: dict = {}
        while True:
            msg = yield node.recv()
            if msg.body[0] == "beat":
                last[msg.src] = node.clock()
                self.last_beat[msg.src] = self.world.now
            else:  # "list"
                now = node.clock()
                if self.bug == "stale-registry":
                    listed = [(name, self.ttl) for name in sorted(last)]
                else:
                    listed = [(name, self.ttl - (now - t)) for name, t in sorted(last.items())
                              if now - t <= self.ttl]
                node.send(msg.src, ("members", listed))

    # ---- the instances ------------------------------------------------------------------
    def boot_instance(self, node):
        node.spawn("heartbeat", self.heartbeat(node), daemon=True)
        node.spawn("server", self.instance(node), daemon=True)

    def heartbeat(self, node):
        while True:
            node.send("registry", ("beat",))
            yield node.sleep(self.beat)

    def instance(self, node):
        while True:
            msg = yield node.recv()
            _, rid = msg.body
            took = self.world.choose(f"{node.name} handles r{rid}", (1, self.slow))
            yield node.sleep(took)
            node.send(msg.src, ("reply", rid, node.name))

    # ---- the balancer ---------------------------------------------------------------------
    def boot_balancer(self, node):
        node.spawn("router", self.router(node), daemon=True)
        node.spawn("refresher", self.refresher(node), daemon=True)

    def refresher(self, node):
        while True:
            node.send("registry", ("list",))
            yield node.sleep(self.refresh)

    def router(self, node):
        while True:
            msg = yield node.recv()
            kind = msg.body[0]
            if kind == "members":
                now = node.clock()
                for name, lease in msg.body[1]:
                    self.cache[name] = max(self.cache.get(name, now), now + lease)
            elif kind == "request":
                rid = msg.body[1]
                node.spawn(f"handle-r{rid}", self.handle(node, rid), daemon=True)
            else:  # "reply"
                rid = msg.body[1]
                event = self.waiting.get(rid)
                if event is not None and not event.triggered:
                    event.succeed(msg.body[2])
                elif self.bug == "double-dispatch-on-timeout" and rid in self.open:
                    node.send("client", ("answer", rid, msg.body[2]))  # the old attempt answers too
                else:
                    self.late_dropped += 1

    def live_members(self, node) -> list:
        now = node.clock()
        live = [name for name in self.names if self.cache.get(name, now) > now]
        self.lapsed_skips += len([n for n in self.names if n in self.cache]) - len(live)
        return live

    def members_snapshot(self, node):
        yield node.sleep(self.lookup)  # asking the membership cache (another actor) is an await
        return self.live_members(node)

    def pick(self, node):
        if self.bug == "racy-round-robin":
            index = self.rr
            members = yield from self.members_snapshot(node)
            self.rr = index + 1
        else:
            index, self.rr = self.rr, self.rr + 1
            members = yield from self.members_snapshot(node)
        return members[index % len(members)] if members else None

    def handle(self, node, rid):
        world = self.world
        for attempt in range(self.attempts):
            target = yield from self.pick(node)
            if target is None:
                break
            event = self.waiting[rid] = world.event()
            self.dispatches.append((world.now, target, rid))
            node.send(target, ("request", rid))
            yield world.any_of([event, node.sleep(self.timeout)])
            if event.triggered:
                node.send("client", ("answer", rid, event.value))
                return
            self.timeouts += 1
            if self.bug == "double-dispatch-on-timeout":
                self.open.add(rid)
        node.send("client", ("answer", rid, "unavailable"))

    # ---- the client ------------------------------------------------------------------------
    def client(self, node):
        yield node.sleep(self.first_request)
        for rid in range(self.requests):
            node.send("lb", ("request", rid))
            yield node.sleep(self.request_every)

    def answer_counter(self, node):
        while True:
            msg = yield node.recv()
            rid = msg.body[1]
            self.answers[rid] = self.answers.get(rid, 0) + 1

    # ---- properties -----------------------------------------------------------------------
    def no_stale_dispatch(self) -> bool:
        if not self.dispatches:
            return True
        when, target, _ = self.dispatches[-1]
        return when <= self.last_beat.get(target, when) + 2 * self.ttl

    def describe_stale(self) -> str:
        when, target, rid = self.dispatches[-1]
        return (f"r{rid} went to {target} at t={when}, but the registry last heard from it at "
                f"t={self.last_beat.get(target)} (ttl {self.ttl})")

    def answered_once(self) -> bool:
        return all(self.answers.get(rid, 0) == 1 for rid in range(self.requests))

    def describe_answers(self) -> str:
        wrong = {rid: self.answers.get(rid, 0) for rid in range(self.requests) if self.answers.get(rid, 0) != 1}
        return "answers per request: " + ", ".join(f"r{rid}: {n}" for rid, n in wrong.items())

    def load(self) -> dict:
        counts = dict.fromkeys(self.names, 0)
        for _, target, _ in self.dispatches:
            counts[target] += 1
        return counts

    def spread_ok(self) -> bool:
        if self.world.faults.fired:
            return True  # judged only when every instance stayed up (the membership never changed)
        counts = self.load().values()
        return max(counts) - min(counts) <= 1

    def properties(self):
        guards = [detsim.sometimes("a late reply was dropped after a retry", lambda m: m.late_dropped > 0)]
        if self.faults.get("kinds"):  # only a crash makes a registration lapse
            guards.append(detsim.sometimes("a lapsed registration kept the balancer off an instance",
                                           lambda m: m.lapsed_skips > 0))
        return [
            detsim.always("no request goes to an instance deregistered more than TTL ago",
                          LoadBalancer.no_stale_dispatch, explain=LoadBalancer.describe_stale),
            detsim.at_end("every request is answered once", LoadBalancer.answered_once,
                          explain=LoadBalancer.describe_answers),
            detsim.at_end("load spread <= 1 when all are healthy", LoadBalancer.spread_ok,
                          explain=lambda m: f"requests per instance: {m.load()}"),
        ] + guards

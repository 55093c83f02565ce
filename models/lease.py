"""A TTL lock (lease) with renewal and fencing tokens, over a faulty network.

Nodes: ``lock`` (the lock server), ``storage`` and clients ``c1``, ``c2``, ...
A client acquires the lease, or renews the one it holds; every grant and every
renewal carries a fresh fencing token (a durable counter at the lock server).
While its lease is valid by its *own* clock, the client works for a while and
then writes to storage with its token. A lease lasts ``ttl``: the server counts
from the moment it grants, the client from the moment it asked, so without
faults the client always stops believing in its lease first.

Storage keeps the highest token it accepted (durably) and rejects any write whose
token is not higher. Property: "storage accepts only strictly increasing fencing
tokens". Sometimes-guard: "a stale write reached storage" (a write whose lease had
already expired at the server when it arrived), which shows that the campaign
does reach the situation that fencing exists for.

Planted bug ``no-fencing``: storage accepts every write. A client that pauses
(GC, VM stall) between its validity check and its write, for longer than its
lease, writes after a second client took the lock and wrote: the accepted tokens
go down. Nothing in the clients is wrong; only the fence catches it.

Leases and timeouts use node clocks (skew, drift and jumps are faults), never
``world.now``; the ghost state used by the properties does use ``world.now``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import detsim

DEFAULT_FAULTS = {"kinds": ["drop", "duplicate", "crash", "pause", "clock"], "budget": 2,
                  "heal_at": 60, "swarm": True, "rate": 0.05, "every": 2, "durations": [6, 20],
                  "skew": 2, "drift": "1/10", "jump": 3}


@dataclass
class Lease(detsim.Model):
    clients: int = 2
    writes: int = 3  # lease rounds per client (each ends in at most one write)
    ttl: int = 10
    work: int = 3  # time between the validity check and the write
    latency: list = field(default_factory=lambda: [1, 2])
    faults: dict = field(default_factory=lambda: dict(DEFAULT_FAULTS))
    horizon: int = 400
    bug: str | None = None

    BUGS = ("no-fencing",)

    def setup(self, world):
        if self.bug is not None and self.bug not in self.BUGS:
            raise detsim.ModelError(f"Lease has no planted bug {self.bug!r} (known: {', '.join(self.BUGS)})")
        self.world = world
        self.accepted: list = []  # ghost: (token, client, time) of every write storage accepted
        self.rejected = 0
        self.stale_arrivals = 0  # writes that reached storage after their lease expired (server view)
        self.lease_end: dict = {}  # ghost: token -> world time its lease ends at the server
        world.faults.configure(self.faults)
        world.network.configure(tuple(self.latency))
        world.node("lock", boot=self.boot_lock)
        world.node("storage", boot=self.boot_storage)
        for i in range(self.clients):
            node = world.node(f"c{i + 1}")
            node.spawn("client", self.client(node))

    # ---- lock server -----------------------------------------------------------------
    def boot_lock(self, node):
        node.spawn("server", self.lock_server(node), daemon=True)

    def lock_server(self, node):
        holder, token, expires = None, None, None
        # After a restart nobody is known to hold the lease: wait one ttl before granting.
        grace_until = node.clock() + self.ttl if node.incarnation > 1 else None
        while True:
            msg = yield node.recv()
            kind, rid = msg.body[0], msg.body[1]
            now = node.clock()
            if kind == "release":
                if holder == msg.src and token == msg.body[2]:
                    holder = None
                continue
            if grace_until is not None and now < grace_until:
                node.send(msg.src, ("denied", rid))
                continue
            free = holder is None or now >= expires
            if kind == "acquire" and (free or holder == msg.src) or kind == "renew" and (
                    holder == msg.src and token == msg.body[2] and now < expires):
                token = node.disk.read("next-token", 1)
                node.disk.write("next-token", token + 1)  # durable before it is handed out
                holder, expires = msg.src, now + self.ttl
                self.lease_end[token] = self.world.now + self.ttl
                node.send(msg.src, ("granted", rid, token))
            else:
                node.send(msg.src, ("denied", rid))

    # ---- storage ------------------------------------------------------------------------
    def boot_storage(self, node):
        node.spawn("server", self.storage_server(node), daemon=True)

    def storage_server(self, node):
        while True:
            msg = yield node.recv()
            _, rid, token, value = msg.body
            if self.world.now >= self.lease_end.get(token, 0):
                self.stale_arrivals += 1
            highest = node.disk.read("highest", 0)
            if self.bug == "no-fencing" or token > highest:
                node.disk.write("highest", max(token, highest))
                node.disk.write("value", value)
                self.accepted.append((token, msg.src, self.world.now))
                node.send(msg.src, ("ok", rid))
            else:
                self.rejected += 1
                node.send(msg.src, ("rejected", rid))

    # ---- clients ----------------------------------------------------------------------------
    def request(self, node, dst, body, timeout):
        """Send and wait for the reply to this request id; None on timeout."""
        self.rids = getattr(self, "rids", 0) + 1
        rid = self.rids
        node.send(dst, (body[0], rid) + body[1:])
        deadline = node.clock() + timeout
        while True:
            left = deadline - node.clock()
            if left <= 0:
                return None
            reply = yield node.recv(timeout=left)
            if reply is None:
                return None
            if reply.body[1] == rid:
                return reply.body

    def client(self, node):
        rtt = 2 * self.latency[1] + 1
        token = None
        for round_ in range(self.writes):
            asked_at = node.clock()
            if token is None:
                reply = yield from self.request(node, "lock", ("acquire",), rtt)
            else:
                reply = yield from self.request(node, "lock", ("renew", token), rtt)
            if reply is None or reply[0] != "granted":
                token = None
                yield node.sleep(self.ttl // 2)  # back off, then try again
                continue
            token, valid_until = reply[2], asked_at + self.ttl
            if node.clock() < valid_until:  # the lease is valid: do the work, then write
                yield node.sleep(self.work)  # a pause here can outlive the lease
                yield from self.request(node, "storage", ("write", token, f"{node.name}:{round_}"), rtt)
            yield node.sleep(1)
        if token is not None:
            node.send("lock", ("release", 0, token))

    # ---- properties ---------------------------------------------------------------------------
    def tokens_increase(self) -> bool:
        """Each write storage accepts has a higher token than the one before. Checked
        after every step; a step accepts at most one write, so the last pair suffices."""
        acc = self.accepted
        return len(acc) < 2 or acc[-2][0] < acc[-1][0]

    def accepted_writes(self) -> str:
        return "storage accepted " + ", ".join(f"token {t} from {c} at t={when}" for t, c, when in self.accepted)

    def properties(self):
        return [detsim.always("storage accepts only strictly increasing fencing tokens",
                              Lease.tokens_increase, explain=Lease.accepted_writes),
                detsim.sometimes("a stale write reached storage", lambda m: m.stale_arrivals > 0)]

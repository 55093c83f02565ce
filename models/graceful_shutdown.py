"""Graceful shutdown of a server with requests in flight.

Client ``i`` connects at ``2·i`` through a listener (a channel) and waits up to
``patience`` for an answer: "ok", "failed" (the server gave up on it) or "refused"
(not accepted). The server's acceptor takes a connection, spends ``handshake`` on
it, then registers it: a handler in the task group ``handlers`` that works for a
time chosen per request (index 0: short). The shutdown signal arrives at a chosen
time (index 0: after every client is done, so the default schedule shuts down an
idle server). On the signal the server closes the listener, lets the acceptor
finish, gives the handlers a deadline of ``grace`` from the signal (the group's
``timeout``), reports every handler that deadline cancels as "failed", waits for
them all, closes the group and exits.

Properties: "no new work is accepted after the signal"; "every accepted request
completes or is reported failed" (judged as soon as the server has exited, and at
the end); "the server exits within the grace period". Sometimes-guards: a
connection was refused during shutdown, a request finished during the drain, the
deadline cut a request off.

Planted bugs:

* ``drop-in-flight`` (issue 15): on the signal the server exits at once, and the
  requests in flight die with it: their clients never hear back;
* ``accept-after-signal`` (issue 15): the acceptor checks the shutdown flag before
  the handshake and registers the connection after it, so a signal arriving in
  between is missed (the check-then-act race of Go's ``WaitGroup.Add`` after
  ``Wait``);
* ``unbounded-drain``: the server waits for its handlers without a deadline, so a
  slow request holds the exit past the grace period.

How the four resilience models are built: docs/resilience-models.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from simpy import Interrupt

import detsim

P_NO_NEW = "no new work is accepted after the signal"
P_ANSWERED = "every accepted request completes or is reported failed"
P_GRACE = "the server exits within the grace period"


@dataclass
class GracefulShutdown(detsim.Model):
    clients: int = 5
    handshake: int = 1
    work: list = field(default_factory=lambda: [2, 9])
    signal_at: list = field(default_factory=lambda: [40, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    grace: int = 4
    patience: int = 30
    bug: str | None = None

    BUGS = ("drop-in-flight", "accept-after-signal", "unbounded-drain")

    def setup(self, world):
        if self.bug is not None and self.bug not in self.BUGS:
            raise detsim.ModelError(f"GracefulShutdown has no planted bug {self.bug!r} "
                                    f"(known: {', '.join(self.BUGS)})")
        self.world = world
        self.listener = world.channel("listener", capacity=self.clients)
        self.handlers = world.task_group("handlers")
        self.stopping = False
        self.signalled = None  # world time of the signal (ghost)
        self.exited = None
        self.accepted: list = []  # client ids, in order
        self.answers: dict = {}  # client id -> "ok" | "failed" | "refused"
        self.broken: dict = {}
        self.refused = self.drained = self.cut_off = 0
        world.spawn("server", self.server(world))
        for i in range(self.clients):
            world.spawn(f"client-{i}", self.client(world, i))

    # ---- clients ---------------------------------------------------------------------
    def client(self, world, i):
        yield world.timeout(2 * i)
        reply = world.event()
        if self.listener.closed:
            self.refuse(i, reply)
        else:
            yield self.listener.send((i, reply))
        yield world.any_of([reply, world.timeout(self.patience)])

    def answer(self, i, outcome, reply) -> None:
        self.answers[i] = outcome
        reply.succeed(outcome)

    # ---- server --------------------------------------------------------------------------
    def server(self, world):
        listening = world.task_group("listening")
        listening.spawn("acceptor", self.acceptor(world))
        yield world.timeout(world.choose("shutdown signal at", self.signal_at))
        self.stopping, self.signalled = True, world.now
        self.listener.close()
        if self.bug == "drop-in-flight":
            self.handlers.cancel()  # the process exits: whatever runs is cut off, unanswered
        else:
            deadline = None if self.bug == "unbounded-drain" else self.handlers.timeout(self.grace)
        yield listening.wait()
        listening.close()
        yield self.handlers.wait()
        if self.bug != "drop-in-flight" and deadline is not None:
            deadline.disarm()
        self.handlers.close()
        self.exited = world.now
        self.check_exit()

    def acceptor(self, world):
        while True:
            conn = yield self.listener.recv()
            if conn is detsim.CLOSED:
                return
            i, reply = conn
            if self.bug == "accept-after-signal":
                if self.stopping:
                    self.refuse(i, reply)
                    continue
                yield world.timeout(self.handshake)
            else:
                yield world.timeout(self.handshake)
                if self.stopping:  # checked and registered in one step
                    self.refuse(i, reply)
                    continue
            self.accept(i, reply)

    def refuse(self, i, reply) -> None:
        self.refused += 1
        self.answer(i, "refused", reply)

    def accept(self, i, reply) -> None:
        if self.signalled is not None:
            self.fail(P_NO_NEW, f"client-{i} accepted at t={self.world.now}, after the signal at "
                      f"t={self.signalled}")
        self.accepted.append(i)
        self.handlers.spawn(f"request-{i}", self.handler(self.world, i, reply))

    def handler(self, world, i, reply):
        try:
            yield world.timeout(world.choose(f"work of request {i}", self.work))
        except Interrupt:
            if self.bug != "drop-in-flight":  # the graceful path reports what it cuts off
                self.cut_off += 1
                self.answer(i, "failed", reply)
            return
        if self.signalled is not None:
            self.drained += 1
        self.answer(i, "ok", reply)

    # ---- properties ------------------------------------------------------------------------
    def fail(self, prop: str, why: str) -> None:
        self.broken.setdefault(prop, why)

    def check_exit(self) -> None:
        late = self.exited - self.signalled - self.grace
        if late > 0:
            self.fail(P_GRACE, f"the server exited at t={self.exited}, {late} after the grace period "
                      f"(signal at t={self.signalled}, grace {self.grace})")

    def within_grace(self) -> bool:
        if self.signalled is not None and self.exited is None and self.world.now > self.signalled + self.grace:
            self.fail(P_GRACE, f"the server still runs at t={self.world.now} (signal at t={self.signalled}, "
                      f"grace {self.grace})")
        return P_GRACE not in self.broken

    def all_answered(self) -> bool:
        return self.exited is None or all(i in self.answers for i in self.accepted)

    def unanswered(self) -> str:
        lost = [f"client-{i}" for i in self.accepted if i not in self.answers]
        return (f"the server exited at t={self.exited} and accepted request(s) of {', '.join(lost)} "
                f"got neither a result nor a failure")

    def properties(self):
        return [
            detsim.always(P_NO_NEW, lambda m: P_NO_NEW not in m.broken, explain=lambda m: m.broken[P_NO_NEW]),
            detsim.always(P_ANSWERED, GracefulShutdown.all_answered, explain=GracefulShutdown.unanswered),
            detsim.always(P_GRACE, GracefulShutdown.within_grace, explain=lambda m: m.broken[P_GRACE]),
            detsim.sometimes("a connection was refused during shutdown", lambda m: m.refused > 0),
            detsim.sometimes("a request finished during the drain", lambda m: m.drained > 0),
            detsim.sometimes("the grace deadline cut a request off", lambda m: m.cut_off > 0),
        ]

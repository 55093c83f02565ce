"""Oneshot request/response: ``pairs`` clients each hand a job to their own
server task and wait on a oneshot for the answer. A server may fail
(``world.choose``, default: it does not) and then drops its sender without
sending. The server drops the sender right after sending, as RAII code does.

Properties: a client gets the answer if and only if its server sent one
(CLOSED otherwise), exactly once.

Planted bug ``lost-on-close``: the design report's ``recv`` looks at "sender
dropped?" before looking at the slot. When the server sends and drops before
the client starts waiting, the client sees CLOSED and the answer is lost.
"""
from dataclasses import dataclass

import detsim


@dataclass
class OneshotReply(detsim.Model):
    pairs: int = 2
    bug: str | None = None  # "lost-on-close"

    def setup(self, world):
        if self.bug not in (None, "lost-on-close"):
            raise detsim.ModelError(f"OneshotReply: unknown bug {self.bug!r}")
        self.sent: dict = {}
        self.got: dict = {}
        self.sent_before_wait = False
        for i in range(self.pairs):
            reply = world.oneshot(f"reply-{i}")
            world.spawn(f"client-{i}", self.client(world, i, reply))
            world.spawn(f"server-{i}", self.server(world, i, reply))

    def server(self, world, i, reply):
        yield world.checkpoint()  # do the job
        if not world.choose(f"server-{i} fails", [False, True]):
            reply.send(i * 10)
            self.sent[i] = i * 10
        reply.close()  # the sender is dropped either way

    def recv(self, reply):
        if self.bug == "lost-on-close" and reply.closed:
            return detsim.CLOSED  # the sketch: "sender gone? then no answer"
        self.sent_before_wait |= reply.statistics().sent
        return (yield reply.recv())

    def client(self, world, i, reply):
        yield world.checkpoint()  # send the request
        self.got[i] = yield from self.recv(reply)

    def properties(self):
        return [
            detsim.at_end("answer received iff sent",
                          lambda m: all(m.got.get(i) == m.sent.get(i, detsim.CLOSED) for i in range(m.pairs))),
            detsim.sometimes("the answer was ready before the client waited", lambda m: m.sent_before_wait),
            detsim.sometimes("a server dropped its sender without answering",
                             lambda m: any(v is detsim.CLOSED for v in m.got.values())),
        ]

"""An actor supervisor: one-for-one restarts under a restart intensity limit.

A supervisor runs ``children`` actors in a task group. Each actor reads its
mailbox (a channel that outlives the actor, as in Akka) and handles one message
per time unit; handling a message may crash the actor (``world.choose``; index 0
is "ok"). A crashing actor reports the message it failed on as a dead letter and
tells the supervisor, which restarts that actor alone (one-for-one) after a
back-off, unless that would make more than ``max_restarts`` restarts within
``window``: then it gives up (escalates) and stops, as an Erlang/OTP supervisor
does. A sender posts ``messages`` messages to every actor; at ``shutdown_at`` the
supervisor is told to stop. Stopping cancels every actor (an actor cancelled while
handling a message dead-letters it), waits for them to end, closes the mailboxes
and dead-letters whatever is still in them; after that the sender's posts are
refused (reported to the sender).

Properties:
* "no more than R restarts in any window of T" (R = ``max_restarts``, T = ``window``);
* "no child is left running after the supervisor stopped";
* "no message is silently lost": every message is handled, dead-lettered or
  refused, exactly once, at the end.
Guards: an actor was restarted; the intensity limit stopped the supervisor; a
restarted actor handled a message.

Planted bugs:
* ``restart-storm``: no intensity limit; a crash loop restarts without bound.
* ``orphan-on-stop``: the pending restart (a back-off timer) is not cancelled when
  the supervisor stops, so a child it restarts after the stop runs on, orphaned.
  Restart timers outliving their supervisor are a classic of hand-written
  supervisors. (When the late restart lands while the stop is still waiting for
  the children, the new child escapes the cancellation and the stop hangs: a
  schedule may show the bug as that global stall instead.)
* ``lost-on-restart``: a restarted actor gets a fresh mailbox (the old one is
  simply dropped, as a process mailbox dies with an Erlang process); messages
  queued in the old one vanish without a dead letter.

On the default schedule no actor crashes, so none of the bugs shows.
"""
from __future__ import annotations

from dataclasses import dataclass

import simpy

import detsim

BUGS = ("restart-storm", "orphan-on-stop", "lost-on-restart")


@dataclass
class Supervision(detsim.Model):
    children: int = 2
    messages: int = 6  # per child, one per time unit
    max_restarts: int = 2  # R
    window: int = 10  # T
    backoff: int = 2
    shutdown_at: int = 7  # just after the last message is handled on the default schedule
    bug: str | None = None

    def setup(self, world):
        if self.bug is not None and self.bug not in BUGS:
            raise detsim.ModelError(f"Supervision has no planted bug {self.bug!r} (known: {', '.join(BUGS)})")
        self.world = world
        self.group = world.task_group("actors")
        self.inbox = world.channel("supervisor", capacity=8 * self.children * self.messages)
        self.names = [f"a{i}" for i in range(self.children)]
        self.incarnation = dict.fromkeys(self.names, 0)
        self.mailboxes = {}
        for name in self.names:
            self.mailboxes[name] = self.new_mailbox(world, name)
        self.sent: list = []
        self.handled: list = []
        self.dead_letters: list = []
        self.refused: list = []
        self.restart_times: list = []  # ghost: when each restarted actor started
        self.restart_decisions: list = []  # the supervisor's own record, for its limit
        self.handled_after_restart = 0
        self.stopping = self.stopped = self.escalated = False
        for name in self.names:
            self.start(world, name)
        world.spawn("supervisor", self.supervisor(world))
        world.spawn("sender", self.sender(world))
        world.spawn("shutdown", self.shutdown(world))

    def new_mailbox(self, world, name):
        return world.channel(f"mailbox-{name}.{self.incarnation[name]}", capacity=self.messages + 1)

    def start(self, world, name):
        self.incarnation[name] += 1
        if self.incarnation[name] > 1:
            self.restart_times.append(world.now)
            if self.bug == "lost-on-restart":
                self.mailboxes[name] = self.new_mailbox(world, name)  # the old one is dropped
        self.group.spawn(f"{name}#{self.incarnation[name]}", self.actor(world, name, self.incarnation[name]))

    # ---- the actors ----------------------------------------------------------------
    def actor(self, world, name, incarnation):
        mailbox = self.mailboxes[name]
        while True:
            item = yield mailbox.recv()
            if item is detsim.CLOSED:
                return "stopped"
            try:
                yield world.timeout(1)
            except simpy.Interrupt:
                self.dead_letters.append(item)  # stopped mid-message: report it
                raise
            if world.choose(f"{name}#{incarnation} handles {item}", ("ok", "crash")) == "crash":
                self.dead_letters.append(item)
                yield self.inbox.send(("exit", name, incarnation))
                return "crashed"
            self.handled.append(item)
            self.handled_after_restart += incarnation > 1

    def restarter(self, world, name):
        yield world.timeout(self.backoff)
        if self.stopping and self.bug != "orphan-on-stop":
            return  # the supervisor stopped meanwhile: no restart
        self.start(world, name)

    # ---- the supervisor ---------------------------------------------------------------
    def supervisor(self, world):
        while True:
            msg = yield self.inbox.recv()
            if msg[0] == "stop":
                break
            _, name, _ = msg
            recent = [t for t in self.restart_decisions if t > world.now - self.window]
            if self.bug != "restart-storm" and len(recent) >= self.max_restarts:
                self.escalated = True  # too many restarts: give up, stop everything
                break
            self.restart_decisions.append(world.now)
            world.spawn(f"restart-{len(self.restart_decisions)}-{name}", self.restarter(world, name))
        self.stopping = True
        self.group.cancel()
        yield self.group.wait()
        for mailbox in self.mailboxes.values():
            mailbox.close()
            while len(mailbox):
                item = yield mailbox.recv()
                self.dead_letters.append(item)
        self.stopped = True

    # ---- the environment -----------------------------------------------------------------
    def sender(self, world):
        for k in range(self.messages):
            for name in self.names:
                item = f"{name}:{k}"
                self.sent.append(item)
                if self.stopping:
                    self.refused.append(item)  # the caller is told the actor is gone
                else:
                    yield self.mailboxes[name].send(item)
            yield world.timeout(1)

    def shutdown(self, world):
        yield world.timeout(self.shutdown_at)
        yield self.inbox.send(("stop",))

    # ---- properties --------------------------------------------------------------------
    def intensity_respected(self) -> bool:
        times, r = self.restart_times, self.max_restarts
        return len(times) <= r or times[-1] - times[-1 - r] >= self.window

    def no_orphan(self) -> bool:
        return not self.stopped or not self.group.running

    def none_lost(self) -> bool:
        return sorted(self.handled + self.dead_letters + self.refused) == sorted(self.sent)

    def describe_lost(self) -> str:
        accounted = self.handled + self.dead_letters + self.refused
        lost = [m for m in self.sent if m not in accounted]
        return f"{', '.join(lost)} neither handled, dead-lettered nor refused" if lost else \
            f"accounted for twice: {sorted(accounted)}"

    def properties(self):
        r, t = self.max_restarts, self.window
        return [
            detsim.always(f"no more than {r} restarts in any window of {t}", Supervision.intensity_respected,
                          explain=lambda m: f"restarts at t={m.restart_times}"),
            detsim.always("no child is left running after the supervisor stopped", Supervision.no_orphan,
                          explain=lambda m: f"{', '.join(c.name for c in m.group.running)} still running"),
            detsim.at_end("no message is silently lost", Supervision.none_lost, explain=Supervision.describe_lost),
            detsim.sometimes("an actor was restarted", lambda m: bool(m.restart_times)),
            detsim.sometimes("the intensity limit stopped the supervisor", lambda m: m.escalated),
            detsim.sometimes("a restarted actor handled a message", lambda m: m.handled_after_restart > 0),
        ]

"""An event store with optimistic concurrency and a CQRS projection.

Aggregates are bank accounts (``acct-0``, ...). A command handler loads an
account's stream (its events and version = number of events), folds it into a
balance, decides (a withdrawal is refused when it would overdraw), and appends
the new event *expecting* the version it loaded. The store refuses an append whose
expected version is not the stream's current one; the handler then reloads and
retries (up to ``retries`` times, else the command is reported failed).

Clients issue commands on a timetable: client ``c`` handles its ``k``-th command at
``(k * clients + c) * slot``. How long a handler takes between its load and its
append is chosen by the environment (``world.choose``; index 0 is quick, shorter
than a slot), so on the default schedule commands never overlap; a slow handler
overlaps the next one.

A projector (the query side) follows the store's global log from its checkpoint
and applies each event to a read model (balances). Writing to the read model can
fail (a choice; index 0 succeeds); it then backs off and retries.

Properties:
* "concurrent commands never both succeed from the same version": no two appends
  to one stream were accepted from the same expected version (checked after
  every step on the store's ghost record);
* "the projection equals fold(events)": at the end, the read model's balances
  equal the fold of every stream.
Guards: a command met a version conflict and retried; a projection write failed
and was retried.

Planted bugs:
* ``no-version-check``: the store appends without comparing the expected version
  (a "last writer wins" store): two handlers that loaded one version both
  succeed, a lost update (and a withdrawal decided on a stale balance).
* ``projection-skips-on-retry``: the projector commits its checkpoint before the
  read-model write; when the write fails it retries from the committed position,
  so the failed event is never applied (the "commit the offset first" mistake of
  at-most-once consumers).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import detsim

BUGS = ("no-version-check", "projection-skips-on-retry")


class EventStore:
    """Streams of events per aggregate plus one global log, with versioned appends."""

    def __init__(self, check_versions: bool):
        self.streams: dict = {}  # aggregate -> list of events
        self.log: list = []  # (aggregate, event) in append order
        self.check_versions = check_versions
        self.accepted_from: dict = {}  # ghost: (aggregate, expected version) -> appends accepted
        self.appended = None  # set by the model: a Notify for the projector

    def load(self, aggregate) -> tuple:
        events = self.streams.get(aggregate, [])
        return list(events), len(events)

    def append(self, aggregate, expected_version: int, event) -> bool:
        stream = self.streams.setdefault(aggregate, [])
        if self.check_versions and len(stream) != expected_version:
            return False
        stream.append(event)
        self.log.append((aggregate, event))
        key = (aggregate, expected_version)
        self.accepted_from[key] = self.accepted_from.get(key, 0) + 1
        self.appended.notify_one()
        return True


def fold(events) -> int:
    return sum(amount for _, amount in events)


@dataclass
class EventSourcing(detsim.Model):
    accounts: int = 1
    clients: int = 2
    commands: int = 3  # per client
    slot: int = 2  # time between the starts of consecutive commands
    think: list = field(default_factory=lambda: [1, 2, 3])  # load-to-append time; index 0 < slot
    retries: int = 2
    write_failures: int = 1  # a read-model write fails at most this often per event
    bug: str | None = None

    def setup(self, world):
        if self.bug is not None and self.bug not in BUGS:
            raise detsim.ModelError(f"EventSourcing has no planted bug {self.bug!r} (known: {', '.join(BUGS)})")
        self.world = world
        self.store = EventStore(check_versions=self.bug != "no-version-check")
        self.store.appended = world.notify("appended", permits=True)
        self.read_model: dict = {}  # the projection: aggregate -> balance
        self.checkpoint = 0  # the projector's committed position in the global log
        self.outcomes: list = []  # (client, command, "ok" | "refused" | "failed")
        self.conflicts = 0
        self.projection_retries = 0
        self.projection_writes = 0
        for c in range(self.clients):
            world.spawn(f"client-{c}", self.client(world, c))
        world.spawn("projector", self.projector(world), daemon=True)

    # ---- the command side ----------------------------------------------------------
    def command_for(self, c: int, k: int) -> tuple:
        """Client c's k-th command: deposits first, then withdrawals that may overdraw."""
        aggregate = f"acct-{(c + k) % self.accounts}"
        return aggregate, ("deposit", 10) if k == 0 else ("withdraw", 7)

    def client(self, world, c):
        for k in range(self.commands):
            start = (k * self.clients + c) * self.slot
            if start > world.now:
                yield world.timeout(start - world.now)
            aggregate, (kind, amount) = self.command_for(c, k)
            outcome = yield from self.handle(world, c, k, aggregate, kind, amount)
            self.outcomes.append((f"client-{c}", k, outcome))

    def handle(self, world, c, k, aggregate, kind, amount):
        for attempt in range(self.retries + 1):
            events, version = self.store.load(aggregate)
            balance = fold(events)
            yield world.timeout(world.choose(f"client-{c} command {k} try {attempt} takes", self.think))
            if kind == "withdraw" and balance < amount:
                return "refused"
            event = (kind, amount if kind == "deposit" else -amount)
            if self.store.append(aggregate, version, event):
                return "ok"
            self.conflicts += 1  # someone appended since we loaded: reload and decide again
        return "failed"

    # ---- the query side ----------------------------------------------------------------
    def projector(self, world):
        failures: dict = {}  # position -> failed writes so far (transient: at most write_failures)
        while True:
            while self.checkpoint < len(self.store.log):
                position = self.checkpoint
                aggregate, (_, amount) = self.store.log[position]
                if self.bug == "projection-skips-on-retry":
                    self.checkpoint = position + 1  # committed before the write: at-most-once
                self.projection_writes += 1
                failed = failures.get(position, 0) < self.write_failures and world.choose(
                    f"projection write #{self.projection_writes}", ("ok", "fail")) == "fail"
                if failed:  # a transient error of the read model's database
                    failures[position] = failures.get(position, 0) + 1
                    self.projection_retries += 1
                    yield world.timeout(1)  # back off, then retry from the committed checkpoint
                    continue
                self.read_model[aggregate] = self.read_model.get(aggregate, 0) + amount
                self.checkpoint = position + 1
                yield world.checkpoint()
            yield self.store.appended.notified()

    # ---- properties -------------------------------------------------------------------
    def one_success_per_version(self) -> bool:
        return all(n == 1 for n in self.store.accepted_from.values())

    def describe_double_success(self) -> str:
        doubles = [f"{agg} v{v} ({n} appends)" for (agg, v), n in self.store.accepted_from.items() if n > 1]
        return "two commands both succeeded from " + ", ".join(doubles) + f"; streams: {self.store.streams}"

    def projection_matches(self) -> bool:
        folded = {agg: fold(events) for agg, events in self.store.streams.items()}
        return {agg: self.read_model.get(agg, 0) for agg in folded} == folded

    def describe_projection(self) -> str:
        folded = {agg: fold(events) for agg, events in self.store.streams.items()}
        return f"read model {self.read_model} but fold(events) = {folded} (log: {self.store.log})"

    def properties(self):
        return [
            detsim.always("concurrent commands never both succeed from the same version",
                          EventSourcing.one_success_per_version, explain=EventSourcing.describe_double_success),
            detsim.at_end("the projection equals fold(events)", EventSourcing.projection_matches,
                          explain=EventSourcing.describe_projection),
            detsim.sometimes("a command met a version conflict and retried", lambda m: m.conflicts > 0),
            detsim.sometimes("a projection write failed and was retried", lambda m: m.projection_retries > 0),
        ]

    def state(self):
        return (tuple(self.store.log), self.checkpoint, tuple(sorted(self.read_model.items())))

"""CRDTs over a faulty network: G-Counter, PN-Counter, LWW-Register, G-Set, 2P-Set.

Each type runs in two forms on ``replicas`` nodes (n1, n2, ...):

* ``form="op"`` (operation-based): a local update produces an *effect* that is
  broadcast and applied at every replica. The delivery layer is at-least-once
  (retransmit until acked, over drops, duplicates and partitions) and replicas
  de-duplicate by (origin, sequence number), so every effect is applied exactly
  once, in *any* order. Nothing orders delivery causally: that is why op-based
  types must commute.
* ``form="state"``: replicas exchange whole states and merge them (a join).
  A replica gossips to each peer until that peer answers with an equal state.

Replica state, sequence numbers, the de-duplication set and the outbox are
written to the node's disk synchronously, so a crash and restart lose nothing.
A client process per replica performs ``ops`` updates; what each update is and
when it happens are choices whose index 0 is a scripted workload.

Properties: once delivery stops (the run is quiescent), every replica holds the
same state ("replicas converge"), and that state reflects every update performed
("no lost update"). A run that never quiesces (replicas gossiping a tie back and
forth forever) is judged at its horizon.

Planted bugs:
* ``remove-before-add`` (TwoPSet, op form): a replica ignores remove(e) unless e is
  already in its add-set. A replica that receives the remove before the add shows
  e forever, while the others do not (CATALOGUE.md).
* ``lww-tie`` (LWWRegister): equal timestamps are ordered by arrival (the later
  one wins) instead of by node id, so replicas that see a tie in different orders
  keep different values.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import detsim

DEFAULT_FAULTS = {"kinds": ["drop", "duplicate", "partition", "crash", "pause", "clock"],
                  "budget": 3, "heal_at": 40, "swarm": True, "rate": 0.05, "every": 5,
                  "durations": [5, 20], "skew": 1, "jump": 2}
RETRANSMIT = 8  # > the round trip at the highest latency: no spurious resends by default
POOL = ("a", "b", "c")


class Replica:
    """One incarnation of a replica: volatile copies of what is on disk."""

    def __init__(self, model, node):
        self.model, self.node = model, node
        saved = node.disk.read("replica")
        first = saved is None
        saved = saved or {"state": model.initial(), "seq": 0, "seen": set(),
                          "outbox": {p: {} for p in model.peers(node.name)}}
        self.state, self.seq = saved["state"], saved["seq"]
        self.seen, self.outbox = saved["seen"], saved["outbox"]
        # state form: peers that may lack something we have (after a restart: all of them)
        self.dirty = dict.fromkeys([] if first else model.peers(node.name))
        self.wakeup = None

    def persist(self) -> None:
        self.node.disk.write("replica", {"state": self.state, "seq": self.seq, "seen": self.seen,
                                         "outbox": self.outbox})

    def wake(self) -> None:
        if self.wakeup is not None and not self.wakeup.triggered:
            self.wakeup.succeed()

    def idle(self):
        self.wakeup = self.node.world.event()
        return self.wakeup


@dataclass
class CRDTModel(detsim.Model):
    form: str = "op"
    replicas: int = 3
    ops: int = 2
    latency: list = field(default_factory=lambda: [1, 3])
    faults: dict = field(default_factory=lambda: dict(DEFAULT_FAULTS))
    horizon: int = 400  # ends a run whose replicas never stop gossiping (a non-convergent bug)
    bug: str | None = None

    BUGS = ()  # planted bugs of this type (a class attribute, not a parameter)

    # ---- the data type (overridden per CRDT) -------------------------------------
    def initial(self):
        raise NotImplementedError

    def options(self, i: int, k: int) -> tuple:
        """Update k of replica i: index 0 is the scripted update."""
        raise NotImplementedError

    def prepare(self, state, op: str, node, seq: int):
        """The effect of local update number ``seq``, or None when its precondition fails."""
        raise NotImplementedError

    def apply(self, state, effect):
        raise NotImplementedError

    def merge(self, a, b):
        raise NotImplementedError

    def value(self, state):
        return state

    def expected(self, effects):
        raise NotImplementedError

    # ---- the harness ---------------------------------------------------------------
    def peers(self, name: str) -> list:
        return [n for n in self.names if n != name]

    def setup(self, world):
        if self.form not in ("op", "state"):
            raise detsim.ModelError(f"form must be 'op' or 'state', got {self.form!r}")
        if self.bug is not None and self.bug not in self.BUGS:
            raise detsim.ModelError(f"{type(self).__name__} has no planted bug {self.bug!r} "
                                    f"(known: {', '.join(self.BUGS) or 'none'})")
        if self.replicas < 2:
            raise detsim.ModelError("a CRDT needs at least 2 replicas")
        self.world = world
        self.names = [f"n{i + 1}" for i in range(self.replicas)]
        self.live: dict = {}  # name -> Replica of the current incarnation
        self.performed: list = []  # ghost: every effect a client produced
        world.faults.configure(self.faults)
        world.network.configure(tuple(self.latency))
        for i, name in enumerate(self.names):
            world.node(name, boot=self.boot)
            world.network.nodes[name].spawn("client", self.client(world.network.nodes[name], i))

    def boot(self, node) -> None:
        replica = Replica(self, node)
        self.live[node.name] = replica
        if self.form == "op":
            node.spawn("receiver", self.op_receiver(replica), daemon=True)
            node.spawn("sender", self.op_sender(replica), daemon=True)
        else:
            node.spawn("receiver", self.state_receiver(replica), daemon=True)
            node.spawn("gossip", self.gossip(replica), daemon=True)

    def client(self, node, i):
        world = node.world
        for k in range(self.ops):
            default = 1 + i if k == 0 else self.replicas
            think = world.choose(f"think {node.name} #{k}", [default] + [t for t in (0, 1, 2) if t != default])
            yield node.sleep(think)
            replica = self.live[node.name]
            op = world.choose(f"op {node.name} #{k}", self.options(i, k))
            effect = self.prepare(replica.state, op, node, replica.seq + 1)
            if effect is None:
                world.count("crdt:precondition-failed")
                continue
            replica.seq += 1
            self.performed.append(effect)
            replica.state = self.apply(replica.state, effect)
            if self.form == "op":
                replica.seen.add((node.name, replica.seq))
                for peer in self.peers(node.name):
                    replica.outbox[peer][replica.seq] = effect
                    node.send(peer, ("op", node.name, replica.seq, effect))
            else:
                for peer in self.peers(node.name):
                    replica.dirty[peer] = None
            replica.persist()
            replica.wake()

    # op form: at-least-once delivery, exactly-once application
    def op_receiver(self, replica):
        node = replica.node
        while True:
            msg = yield node.recv()
            body = msg.body
            if body[0] == "op":
                _, origin, seq, effect = body
                if (origin, seq) not in replica.seen:
                    replica.seen.add((origin, seq))
                    replica.state = self.apply(replica.state, effect)
                    replica.persist()
                node.send(origin, ("ack", seq))
            elif replica.outbox[msg.src].pop(body[1], None) is not None:
                replica.persist()

    def op_sender(self, replica):
        node = replica.node
        while True:
            if not any(replica.outbox.values()):
                yield replica.idle()
                continue
            yield node.sleep(RETRANSMIT)
            for peer, pending in replica.outbox.items():
                for seq in sorted(pending):
                    node.send(peer, ("op", node.name, seq, pending[seq]))

    # state form: gossip until every peer answered with an equal state
    def state_receiver(self, replica):
        node = replica.node
        while True:
            msg = yield node.recv()
            _, state, want_reply = msg.body
            merged = self.merge(replica.state, state)
            if merged != replica.state:
                replica.state = merged
                replica.persist()
                for peer in self.peers(node.name):
                    replica.dirty[peer] = None
                replica.wake()
            if merged == state:
                replica.dirty.pop(msg.src, None)
            if want_reply:
                node.send(msg.src, ("state", replica.state, False))

    def gossip(self, replica):
        node = replica.node
        while True:
            if not replica.dirty:
                yield replica.idle()
                continue
            for peer in list(replica.dirty):
                node.send(peer, ("state", replica.state, True))
            yield node.sleep(RETRANSMIT)

    # ---- properties -------------------------------------------------------------------
    def divergence(self):
        states = {n: self.live[n].state for n in self.names}
        first = states[self.names[0]]
        if all(s == first for s in states.values()):
            return None
        return "replicas differ at the end of the run: " + "; ".join(
            f"{n}={self.value(s)!r} (state {_show(s)})" for n, s in states.items())

    def lost_update(self):
        got, want = self.value(self.live[self.names[0]].state), self.expected(self.performed)
        return None if got == want else f"converged to {got!r}, but the updates performed give {want!r}"

    def states(self) -> dict:
        return {n: self.value(self.live[n].state) for n in self.names}

    def properties(self):
        return [detsim.at_end("replicas converge", lambda m: m.divergence() is None,
                              explain=CRDTModel.divergence),
                detsim.at_end("no lost update", lambda m: m.lost_update() is None,
                              explain=CRDTModel.lost_update)]


def _show(state):
    if isinstance(state, frozenset):
        return "{" + ", ".join(sorted(state)) + "}"
    if isinstance(state, tuple) and all(isinstance(x, frozenset) for x in state):
        return "(" + ", ".join(_show(x) for x in state) + ")"
    if isinstance(state, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in sorted(state.items())) + "}"
    return repr(state)


def _bump(counts: dict, key: str) -> dict:
    out = dict(counts)
    out[key] = out.get(key, 0) + 1
    return out


def _max_merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for key, n in b.items():
        out[key] = max(out.get(key, 0), n)
    return out


@dataclass
class GCounter(CRDTModel):
    def initial(self):
        return {}

    def options(self, i, k):
        return ("inc",)

    def prepare(self, state, op, node, seq):
        return ("inc", node.name)

    def apply(self, state, effect):
        return _bump(state, effect[1])

    def merge(self, a, b):
        return _max_merge(a, b)

    def value(self, state):
        return sum(state.values())

    def expected(self, effects):
        return len(effects)


@dataclass
class PNCounter(CRDTModel):
    def initial(self):
        return {}

    def options(self, i, k):
        return ("inc", "dec") if (i + k) % 2 == 0 else ("dec", "inc")

    def prepare(self, state, op, node, seq):
        return (op, node.name)

    def apply(self, state, effect):
        op, origin = effect
        return _bump(state, f"{origin}{'+' if op == 'inc' else '-'}")

    def merge(self, a, b):
        return _max_merge(a, b)

    def value(self, state):
        return sum(n if key.endswith("+") else -n for key, n in state.items())

    def expected(self, effects):
        return sum(1 if op == "inc" else -1 for op, _ in effects)


@dataclass
class LWWRegister(CRDTModel):
    BUGS = ("lww-tie",)

    def initial(self):
        return None  # else (timestamp, node, seq, value): (timestamp, node, seq) is unique

    def options(self, i, k):
        return (f"set {self.names[i]}.{k}",)

    def prepare(self, state, op, node, seq):
        return (node.clock(), node.name, seq, op[len("set "):])

    def newer(self, incoming, current) -> bool:
        if current is None:
            return True
        if self.bug == "lww-tie":
            return incoming[0] >= current[0]  # a tie goes to whichever arrived last
        return incoming[:3] > current[:3]

    def apply(self, state, effect):
        return effect if self.newer(effect, state) else state

    def merge(self, a, b):
        if b is None:
            return a
        return b if self.newer(b, a) else a

    def value(self, state):
        return None if state is None else state[3]

    def expected(self, effects):
        return max(effects, key=lambda e: e[:3])[3] if effects else None


@dataclass
class GSet(CRDTModel):
    def initial(self):
        return frozenset()

    def options(self, i, k):
        first = POOL[(i + k) % len(POOL)]
        return (f"add {first}",) + tuple(f"add {e}" for e in POOL if e != first)

    def prepare(self, state, op, node, seq):
        return op.split(" ")[1]

    def apply(self, state, effect):
        return state | {effect}

    def merge(self, a, b):
        return a | b

    def value(self, state):
        return sorted(state)

    def expected(self, effects):
        return sorted(set(effects))


@dataclass
class TwoPSet(CRDTModel):
    BUGS = ("remove-before-add",)

    def setup(self, world):
        if self.bug == "remove-before-add" and self.form != "op":
            raise detsim.ModelError("remove-before-add is a bug of the op form (state merge is a union)")
        super().setup(world)

    def initial(self):
        return (frozenset(), frozenset())  # (added, removed)

    def options(self, i, k):
        mine = POOL[i % len(POOL)]
        first = f"add {mine}" if k % 2 == 0 else f"remove {mine}"
        rest = [f"{verb} {e}" for e in POOL for verb in ("add", "remove")]
        return (first,) + tuple(o for o in rest if o != first)

    def prepare(self, state, op, node, seq):
        verb, element = op.split(" ")
        added, removed = state
        if verb == "remove" and (element not in added or element in removed):
            return None  # remove needs lookup(e) at the source
        return (verb, element)

    def apply(self, state, effect):
        verb, element = effect
        added, removed = state
        if verb == "add":
            return (added | {element}, removed)
        if self.bug == "remove-before-add" and element not in added:
            return state  # the design report's mistake: a remove that arrives early is lost
        return (added, removed | {element})

    def merge(self, a, b):
        return (a[0] | b[0], a[1] | b[1])

    def value(self, state):
        return sorted(state[0] - state[1])

    def expected(self, effects):
        added = {e for verb, e in effects if verb == "add"}
        removed = {e for verb, e in effects if verb == "remove"}
        return sorted(added - removed)


CRDTS = (GCounter, PNCounter, LWWRegister, GSet, TwoPSet)

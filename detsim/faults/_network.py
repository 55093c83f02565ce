"""``world.network``: named nodes exchanging messages, where every delay, loss,
duplicate and partition is a recorded choice (index 0 = minimum latency, no fault).

Semantics (each one is a decision or a documented rule):
* latency: ``latency SRC->DST #N`` (N counts messages on that link) chooses a delay in
  ``[lo, hi]`` (step ``step``);
  index 0 is ``lo``. Messages reorder when their latencies cross; same-time arrivals
  are schedule ties, named ``SRC->DST #N``. With ``reorder=False`` every link is FIFO.
* drop / duplicate: ``drop SRC->DST #N`` and ``duplicate SRC->DST #N`` (fault kinds).
* partitions: a cut set of directed links, named ``isolate n1``, ``n1,n2|n3`` (both
  ways) or ``n1-/->n2`` (one way). A message on a cut link is dropped when sent and
  when it would arrive. Counted as ``net:dropped-partition``.
* nodes created with ``faults=False`` appear in no partition shape (see ``partition_shapes``).
* a message that arrives at a crashed node is dropped and counted
  (``net:dropped-crashed``), never left waiting. Sending *from* a crashed node, or
  to or from an unknown node, is a ModelError.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

from ..engine import after
from ..errors import ModelError
from ..trace import CHOICE
from ._node import Node


def _describe(body) -> str:
    """A short text for a message body: its first element if it is a tagged tuple."""
    if isinstance(body, tuple) and body and isinstance(body[0], str):
        return body[0]
    text = repr(body)
    return text if len(text) <= 40 else text[:39] + "…"


@dataclass(frozen=True)
class Message:
    src: str
    dst: str
    body: object
    number: int  # order on its link (src->dst), from 1; a duplicate keeps its original's number

    def __repr__(self) -> str:
        return f"Message({self.src}->{self.dst} #{self.number}: {self.body!r})"


class _Link:
    __slots__ = ("sent", "last", "queue")

    def __init__(self):
        self.sent = 0
        self.last = 0
        self.queue: deque = deque()


def _time(value, what):
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise ModelError(f"{what} must be an int or Fraction (exact times tie), got {value!r}")
    return value


class Network:
    def __init__(self, world):
        self.world = world
        self.nodes: dict = {}  # name -> Node, in creation order
        self.lo, self.hi, self.step = 1, 1, 1
        self.reorder = True
        self._latencies: tuple = (1,)
        self._latency_names: tuple = ("1",)
        self.sent = 0
        self._links: dict = {}
        self._cut: frozenset = frozenset()
        self.cut_name: str | None = None
        self.cut_token = 0

    # ---- configuration -------------------------------------------------------
    def configure(self, latency=(1, 1), *, step=1, reorder: bool = True) -> "Network":
        """latency: an int, or (lo, hi) with every ``lo + k*step`` up to hi a choice."""
        if isinstance(latency, (tuple, list)):
            if len(latency) != 2:
                raise ModelError(f"latency must be an int or a (lo, hi) pair, got {latency!r}")
            lo, hi = latency
        else:
            lo = hi = latency
        lo, hi, step = _time(lo, "latency lo"), _time(hi, "latency hi"), _time(step, "latency step")
        if lo < 0 or hi < 0:
            raise ModelError(f"latency bounds must be >= 0, got ({lo}, {hi})")
        if hi < lo:
            raise ModelError(f"latency hi {hi} is below lo {lo}")
        if step <= 0:
            raise ModelError(f"latency step must be > 0, got {step}")
        self.lo, self.hi, self.step, self.reorder = lo, hi, step, bool(reorder)
        values, v = [], lo
        while v <= hi:
            values.append(v)
            v += step
        self._latencies = tuple(values)
        self._latency_names = tuple(str(x) for x in values)
        return self

    def node(self, name: str, boot=None, *, faults: bool = True):
        """The node called ``name``; the first call creates it and runs ``boot(node)``.
        ``faults=False``: node faults (crash, pause, clock, partition) never target it."""
        if not isinstance(name, str) or not name or any(c in name for c in " |,/>"):
            raise ModelError(f"node names must be non-empty strings without spaces or | , / >: {name!r}")
        node = self.nodes.get(name)
        if node is not None:
            if boot is not None or not faults:
                raise ModelError(f"node {name!r} already exists (boot and faults are given only when creating it)")
            return node
        node = Node(self, name, boot, faults)
        self.nodes[name] = node
        node._boot_now()
        return node

    def lookup(self, name: str):
        node = self.nodes.get(name)
        if node is None:
            known = ", ".join(self.nodes) or "none yet"
            raise ModelError(f"unknown node {name!r} (known: {known})")
        return node

    # ---- sending ---------------------------------------------------------------
    def send(self, src: str, dst: str, body) -> Message:
        """Send ``body`` from src to dst. Returns the Message (delivery is not promised)."""
        world = self.world
        source = self.lookup(src)
        self.lookup(dst)
        if not source.up:
            raise ModelError(f"send from {src} to {dst}: node {src} is down")
        self.sent += 1
        link = self._links.get((src, dst))
        if link is None:
            link = self._links[(src, dst)] = _Link()
        link.sent += 1
        n = link.sent  # per link, so that labels stay put when other links change
        msg = Message(src, dst, body, n)
        world.count("net:sent")
        rec = world.recorder
        if rec is not None:
            rec.note(source, "send", f"{_describe(body)} to {dst} #{n}")
        if source.crashing:  # crashed earlier in this step: nothing leaves the node
            world.count("net:dropped-crashed")
            if rec is not None:
                rec.note(source, "drop", f"#{n} to {dst}: {src} crashed before sending it")
            return msg
        faults = world.faults
        if (src, dst) in self._cut:
            world.count("net:dropped-partition")
            if rec is not None:
                rec.note(source, "drop", f"#{n} to {dst}: cut by partition {self.cut_name}")
        elif faults.ask("drop", f"drop {src}->{dst} #{n}", ("deliver", "drop")):
            if rec is not None:
                rec.note(source, "drop", f"#{n} to {dst}: dropped by the network")
        else:
            copies = 1 + faults.ask("duplicate", f"duplicate {src}->{dst} #{n}", ("once", "twice"))
            for copy in range(copies):
                self._dispatch(msg, copy, link)
        if faults.points:
            faults.after_send(source, msg, _describe(body))
        return msg

    def broadcast(self, src: str, body, *, include_self: bool = False) -> list:
        return [self.send(src, dst, body) for dst in self.nodes if include_self or dst != src]

    def _dispatch(self, msg: Message, copy: int, link) -> None:
        world = self.world
        lats = self._latencies
        if len(lats) > 1:
            tag = f"#{msg.number}" + ("'" * copy)
            latency = lats[world.decide(f"latency {msg.src}->{msg.dst} {tag}", self._latency_names, CHOICE)]
        else:
            latency = lats[0]
        label = f"{msg.src}->{msg.dst} #{msg.number}"
        if self.reorder:
            after(world, latency, label, self._arrive, msg)
            return
        at = max(world.now + latency, link.last)
        link.last = at
        link.queue.append(msg)
        after(world, at - world.now, label, self._arrive_fifo, link)

    def _arrive_fifo(self, link: _Link) -> None:
        # Same-time arrivals on one link may fire in any order: deliver the oldest.
        self._arrive(link.queue.popleft())

    def _arrive(self, msg: Message) -> None:
        world = self.world
        rec = world.recorder
        target = self.nodes[msg.dst]
        if (msg.src, msg.dst) in self._cut:
            world.count("net:dropped-partition")
            if rec is not None:
                rec.note(target, "lost", f"{msg.src}->{msg.dst} #{msg.number}: cut by partition {self.cut_name}")
            return
        if not target.up or (world.faults.points and world.faults.at_receipt(target, msg, _describe(msg.body))):
            world.count("net:dropped-crashed")
            if rec is not None:
                rec.note(target, "lost", f"{msg.src}->{msg.dst} #{msg.number}: {msg.dst} is down")
            return
        world.count("net:delivered")
        if rec is not None:
            rec.note(target, "deliver", f"{_describe(msg.body)} from {msg.src} #{msg.number}")
        target._deliver(msg)

    # ---- partitions ------------------------------------------------------------
    def partition_shapes(self) -> tuple:
        """Every partition the nemesis may choose: isolations and splits (both ways),
        then one-way cuts, in node-creation order, among the nodes that faults target.
        An isolated node is cut from every other node; a node a split does not name
        (``faults=False``) reaches both sides."""
        names = [name for name, node in self.nodes.items() if node.faults]
        if len(names) < 2:
            return ()
        shapes = [f"isolate {n}" for n in names]
        first, rest = names[0], names[1:]
        for size in range(1, len(rest)):
            for group in combinations(rest, size):
                left = [first] + list(group)
                right = [n for n in names if n not in left]
                if len(left) > 1 and len(right) > 1:
                    shapes.append(f"{','.join(left)}|{','.join(right)}")
        shapes.extend(f"{a}-/->{b}" for a in names for b in names if a != b)
        return tuple(shapes)

    def _links_of(self, shape: str) -> frozenset:
        names = list(self.nodes)
        if shape.startswith("isolate "):
            node = shape[len("isolate "):]
            self.lookup(node)
            left, right = [node], [n for n in names if n != node]
        elif "-/->" in shape:
            a, b = shape.split("-/->")
            self.lookup(a), self.lookup(b)
            return frozenset({(a, b)})
        elif "|" in shape:
            left_s, right_s = shape.split("|", 1)
            left, right = left_s.split(","), right_s.split(",")
            for n in left + right:
                self.lookup(n)
        else:
            raise ModelError(f"partition {shape!r}: expected 'isolate N', 'A,B|C,D' or 'A-/->B'")
        return frozenset((a, b) for a in left for b in right) | frozenset((b, a) for a in left for b in right)

    def partition(self, shape: str, *, count: bool = True) -> None:
        """Cut the links of ``shape`` (replacing any current partition) until ``heal()``."""
        self._cut = self._links_of(shape)
        self.cut_name = shape
        self.cut_token += 1
        self.world.count("net:partitions")
        if self.world.recorder is not None:
            self.world.recorder.note(self, "partition", shape)
        if count:
            self.world.faults.fire("partition")

    def heal(self) -> None:
        if self._cut and self.world.recorder is not None:
            self.world.recorder.note(self, "heal", self.cut_name or "")
        self._cut = frozenset()
        self.cut_name = None
        self.cut_token += 1

    def _heal_if(self, token: int) -> None:
        if self.cut_token == token:
            self.heal()

    def partitioned(self, src: str, dst: str) -> bool:
        return (src, dst) in self._cut

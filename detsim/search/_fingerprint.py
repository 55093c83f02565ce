"""A fingerprint of the complete world state after a step, for state caching.

The state is written out as a canonical token stream and hashed with blake2b
(64 bits): the model's fields, every process's generator (code, position
``f_lasti``, locals and value stack, the generator it delegates to), the
primitives, the wait-for graph and wait log, histories, the network, nodes and
fault plan, the events due now and the future ones by their delay from now.
Objects are walked field by field; an object met a second time is written as a
back-reference to its first visit (sharing and cycles count, no ``id()`` leaks
into the text). Sets are written sorted by their members' texts; dicts in
insertion order (two equal states built in different orders then differ, which
loses merging, never soundness).

What cannot be written out (a C object with no fields and no ``__reduce__``, a
file, a lock of the host) raises ``Unfingerprintable`` with the reason: the
caller must then not prune. See docs/exhaustive.md, "State caching".
"""
from __future__ import annotations

import enum
import gc
import hashlib
import types
from decimal import Decimal
from fractions import Fraction

from ..engine import Recorder, Strategy

_ATOMS = (type(None), bool, int, float, complex, str, bytes, Fraction, Decimal, range)
# Per-run bookkeeping of the world that records the path, not the state (the
# decisions made, step counts, budgets, reporting) or that is constant.
_WORLD_SKIP = frozenset({
    "strategy", "decision_kind", "decisions", "steps", "alarm", "max_steps", "instant_budget",
    "end", "progress_count", "counters", "trace_notes", "state_graph", "lint", "recorder",
    "fairness_witnesses", "_compact", "_draw", "_decisions", "_ops", "_names", "_named",
    "_instant_start", "_limit", "_watched", "_last_callbacks", "_times", "_buckets", "_now",
    "_queue", "_eid"})
# Counters detsim's own primitives keep only for their ``stats()`` (how many
# acquisitions so far, the most waiters at once): they record the path, and no
# operation reads them. A model that branches on ``stats()`` is not supported.
_STATISTICS = {
    "Mutex": {"_acquisitions"}, "Semaphore": {"_acquisitions", "_max_held"},
    "WaitQueue": {"parked", "max_waiting"}, "Notify": {"_notifications", "_wakeups"},
    "RwLock": {"_reads", "_writes", "_max_readers"}, "Select": {"_selects"}}
_ITERATORS = tuple(type(x) for x in (iter([]), iter(()), iter(range(0)), iter(""), iter({}), iter({}.values()),
                                      iter({}.items()), reversed([])))


class Unfingerprintable(Exception):
    """The state holds something that cannot be written out canonically."""


class _Writer:
    def __init__(self, world, model):
        self.world, self.model = world, model
        self.out: list[str] = []
        self.seen: dict[int, int] = {}  # id -> order of first visit (a back-reference, never an order)
        self.keep: list = []  # objects made during the walk stay alive so their ids stay unique

    def walk(self, obj, where: str) -> None:
        out = self.out
        t = type(obj)
        if t in _ATOMS or isinstance(obj, _ATOMS):
            out.append(f"{t.__name__}:{obj!r}")
            return
        if obj is self.world:
            out.append("WORLD")
            return
        if isinstance(obj, enum.Enum):
            out.append(f"enum:{t.__qualname__}.{obj.name}")
            return
        if isinstance(obj, type):
            out.append(f"type:{obj.__module__}.{obj.__qualname__}")
            return
        if isinstance(obj, types.ModuleType):
            out.append(f"module:{obj.__name__}")
            return
        key = id(obj)
        if key in self.seen:
            out.append(f"@{self.seen[key]}")
            return
        self.seen[key] = len(self.seen)
        if t is tuple or t is list or t.__name__ == "deque":
            out.append(f"{t.__name__}[{len(obj)}")
            for i, item in enumerate(obj):
                self.walk(item, f"{where}[{i}]")
            out.append("]")
        elif isinstance(obj, dict):
            out.append(f"{t.__name__}{{{len(obj)}")
            for k, v in list(obj.items()):
                self.walk(k, where)
                self.walk(v, f"{where}[{k!r}]")
            out.append("}")
        elif isinstance(obj, (set, frozenset)):
            texts = sorted(_alone(item, self.world, self.model, where) for item in obj)
            out.append(f"{t.__name__}{{" + ",".join(texts) + "}")
        elif isinstance(obj, types.GeneratorType):
            self._generator(obj, where)
        elif isinstance(obj, types.MethodType):
            out.append(f"method:{obj.__func__.__qualname__}")
            self.walk(obj.__self__, f"{where}.__self__")
        elif isinstance(obj, types.FunctionType):
            out.append(f"function:{obj.__module__}.{obj.__qualname__}")
            for i, cell in enumerate(obj.__closure__ or ()):
                try:
                    self.walk(cell.cell_contents, f"{where} (closure {i})")
                except ValueError:  # an empty cell
                    out.append("empty-cell")
            self.walk(obj.__defaults__, where)
        elif isinstance(obj, types.BuiltinFunctionType):
            owner = obj.__self__
            out.append(f"builtin:{obj.__qualname__}")
            if owner is not None and not isinstance(owner, types.ModuleType):
                self.walk(owner, f"{where}.__self__")
        elif isinstance(obj, _ITERATORS):
            reduced = obj.__reduce__()
            self.keep.append(reduced)
            out.append(f"iter:{t.__name__}")
            self.walk(reduced[1:], where)
        elif isinstance(obj, BaseException):
            out.append(f"exception:{t.__module__}.{t.__qualname__}")
            self.walk(obj.args, where)
        elif _is_infrastructure(obj):
            out.append(f"infra:{t.__qualname__}")  # a strategy or recorder: it decides, it is not state
        else:
            self._fields(obj, t, where)

    def _fields(self, obj, t, where: str) -> None:
        fields = []
        d = getattr(obj, "__dict__", None)
        if isinstance(d, dict):
            fields.extend(d.items())
        for klass in t.__mro__:
            for slot in klass.__dict__.get("__slots__", ()) if isinstance(klass.__dict__.get("__slots__"),
                                                                             (tuple, list)) else ():
                if slot in ("__dict__", "__weakref__"):
                    continue
                try:
                    fields.append((slot, object.__getattribute__(obj, slot)))
                except AttributeError:
                    fields.append((slot, _Unset))
        if t.__module__.startswith("detsim.sync."):
            skip = _STATISTICS.get(t.__name__, ())
            fields = [(k, v) for k, v in fields if k not in skip]
        if d is None and not fields:
            raise Unfingerprintable(f"{where} is a {t.__module__}.{t.__qualname__}, which has no fields to compare")
        self.out.append(f"obj:{t.__module__}.{t.__qualname__}(")
        for name, value in fields:
            self.out.append(name)
            self.walk(value, f"{where}.{name}")
        self.out.append(")")

    def _generator(self, gen, where: str) -> None:
        code = gen.gi_code
        frame = gen.gi_frame
        self.out.append(f"gen:{code.co_filename.rsplit('/', 1)[-1]}:{code.co_qualname}")
        if frame is None:
            self.out.append("finished")
            return
        self.out.append(f"@{frame.f_lasti}")
        local = frame.f_locals
        local = dict(local)
        self.keep.append(local)
        self.walk(local, f"{where} ({code.co_qualname})")
        # The value stack (a for loop's iterator) is only reachable through the frame's referents.
        named = {id(v) for v in local.values()}
        skip = {id(frame.f_globals), id(frame.f_builtins), id(code), id(frame.f_locals)}
        stack = [r for r in gc.get_referents(frame) if id(r) not in named and id(r) not in skip
                 and r is not frame.f_back]
        self.keep.append(stack)
        self.walk(stack, f"{where} ({code.co_qualname} stack)")
        self.walk(gen.gi_yieldfrom, where)


class _Unset:
    """An unset slot."""


def _alone(item, world, model, where) -> str:
    writer = _Writer(world, model)
    writer.walk(item, where)
    return "".join(writer.out)


def _is_infrastructure(obj) -> bool:
    return isinstance(obj, (Strategy, Recorder))


def state_text(world, model, absolute: bool = True) -> str:
    """The canonical text of the state (``Unfingerprintable`` if it has none). Pending
    events are written by their delay from now; ``absolute``: the time itself too
    (when the model reads the clock, states at different times differ)."""
    w = _Writer(world, model)
    now = world._now
    if absolute:
        w.out.append(f"now:{now!r}")
    w.walk(model, "the model")
    names = [k for k in vars(world) if k not in _WORLD_SKIP]
    names += ["_urgent", "_normal", "_late", "_active_proc", "horizon"]  # the control point's slots
    for name in names:
        value = object.__getattribute__(world, name)
        w.out.append(f"world.{name}")
        w.walk(value, f"world.{name}")
    for when in sorted(world._buckets):  # future events by their delay
        w.out.append(f"at+{when - now!r}")
        w.walk(world._buckets[when], "a pending event")
    for when, priority, _, event in sorted(world._queue, key=lambda e: e[:3]):  # the order, not the counter
        w.out.append(f"at+{when - now!r}/{priority}")
        w.walk(event, "a pending event")
    return "\x1f".join(w.out)


def fingerprint(world, model, bits: int = 64, absolute: bool = True) -> int:
    """The state's fingerprint (``bits`` bits of blake2b); raises ``Unfingerprintable``."""
    text = state_text(world, model, absolute)
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "backslashreplace"),
                                          digest_size=bits // 8).digest(), "big")


def collision_probability(states: int, bits: int = 64) -> float:
    """TLC's estimate that two of ``states`` distinct states got one fingerprint: n²/2^(bits+1)."""
    return states * states / 2.0 ** (bits + 1)

"""Recording concurrent histories: invocations and their outcomes.

A :class:`History` records, for each client, the invocation of an operation
and its outcome, each stamped with the virtual time returned by ``now()``:

* ``ok(op, result)``  -- the operation happened and returned ``result``.
  Every result is checked, ``None`` included: ``h.ok(read, None)`` means the
  read returned ``None`` (a violation if the register held 5).  Write-like
  operations ignore their result, so ``h.ok(write)`` is fine;
* ``ok(op, UNKNOWN)`` -- the operation returned at this time but its result
  is unknown (e.g. a read that timed out): it is accepted in any state;
* ``fail(op, error)`` -- the operation definitely did NOT happen; it is
  dropped from the operations handed to the checker;
* ``info(op)``        -- the outcome is unknown: the operation may or may not
  have taken effect, at any time after its invocation.  Its return time is
  +infinity (``Operation.ret is None``) and its output is :data:`UNKNOWN`.
  The client is free to invoke a new operation afterwards (like a Jepsen
  client that gave up waiting).

Operations still outstanding when :meth:`History.operations` is called are
reported like ``info`` ones (outcome unknown), unless ``pending=False``.

Three different "nothing"s: :data:`UNKNOWN` = the outcome is not known;
:data:`NIL` = the operation reported "no value" (an empty register);
``None`` = an ordinary value, checked like any other.  (Before ``UNKNOWN``
existed, ``None`` meant unknown; ``detsim.history/1`` documents are read
with that meaning.)
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable, NamedTuple

__all__ = [
    "HistoryError",
    "HistoryFormatError",
    "Operation",
    "Op",
    "History",
    "NIL",
    "UNKNOWN",
    "encode_value",
    "decode_value",
]


class HistoryError(Exception):
    """Misuse of the history recording API, or an inconsistent history."""


class HistoryFormatError(HistoryError, ValueError):
    """A history file (or serialized history) could not be parsed."""


class _Marker:
    """Base of the :data:`NIL` and :data:`UNKNOWN` singletons (pickle to themselves)."""

    __slots__ = ()
    _instance = None
    _name = ""

    def __new__(cls):
        if cls._instance is None:
            cls._instance = object.__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return self._name

    def __hash__(self) -> int:  # not id()-based: the same in every run
        return hash(self._name)

    def __reduce__(self):
        return (type(self), ())


class _Nil(_Marker):
    """Singleton meaning "no value" (an empty register, a read of nothing).

    Distinct from ``None`` (an ordinary value) and :data:`UNKNOWN`.
    """

    __slots__ = ()
    _name = "nil"


NIL = _Nil()


class _Unknown(_Marker):
    """Singleton output of an operation whose outcome is unknown (:data:`UNKNOWN`)."""

    __slots__ = ()
    _name = "UNKNOWN"


UNKNOWN = _Unknown()


class Operation(NamedTuple):
    """One completed operation, as handed to the checker.

    ``input`` is the argument given at invocation, ``output`` the result
    (:data:`UNKNOWN` = not known; ``None`` is an ordinary value).  ``call``
    and ``ret`` are virtual times; ``ret is None`` means the outcome is
    unknown (return at +infinity; the output is then ignored and treated as
    :data:`UNKNOWN`).  ``id`` is the invocation index within its history
    (unique per history).
    """

    client: Any
    f: str
    key: Any
    input: Any
    output: Any
    call: Any
    ret: Any
    id: int = -1

    def __str__(self) -> str:
        args = ", ".join(repr(a) for a in (self.key, self.input) if a is not None)
        s = f"{self.f}({args})"
        if self.ret is None or self.output is UNKNOWN:
            return s + " -> ?"
        if self.output is not None:
            s += f" -> {self.output!r}"
        return s


class Op:
    """Handle for an invoked operation, returned by :meth:`History.invoke`."""

    __slots__ = ("_history", "id", "client", "f", "key", "value")

    def __init__(self, history, id, client, f, key, value):
        self._history = history
        self.id = id
        self.client = client
        self.f = f
        self.key = key
        self.value = value

    def __repr__(self) -> str:
        return (f"Op(id={self.id}, client={self.client!r}, f={self.f!r}, "
                f"key={self.key!r}, value={self.value!r})")


_INVOKE, _OK, _FAIL, _INFO = "invoke", "ok", "fail", "info"
_FORMAT = "detsim.history/2"  # /2: None is a value, UNKNOWN is {"unknown": 1}
_FORMAT_V1 = "detsim.history/1"  # /1: None meant unknown


class History:
    """An append-only record of invocations and outcomes (see module doc)."""

    def __init__(self, name: str, now: Callable[[], Any] = lambda: 0):
        self.name = name
        self.now = now
        self._events: list[tuple] = []  # (type, op_id, time, payload)
        self._ops: list[Op] = []
        self._status: list[str] = []  # per op id: invoke/ok/fail/info
        self._outstanding: dict[Any, Op] = {}  # client -> op

    # -- recording -----------------------------------------------------
    def invoke(self, client, f: str, key=None, value=None) -> Op:
        if client in self._outstanding:
            prev = self._outstanding[client]
            raise HistoryError(
                f"history {self.name!r}: client {client!r} invoked {f!r} while "
                f"its operation {prev.f!r} (op id {prev.id}) is still outstanding")
        op = Op(self, len(self._ops), client, f, key, value)
        self._ops.append(op)
        self._status.append(_INVOKE)
        self._outstanding[client] = op
        self._events.append((_INVOKE, op.id, self.now(), None))
        return op

    def _complete(self, op, kind, payload):
        if not isinstance(op, Op) or op._history is not self or op.id >= len(self._ops) \
                or self._ops[op.id] is not op:
            raise HistoryError(
                f"history {self.name!r}: cannot record {kind!r} for {op!r}: "
                f"that operation was never invoked in this history")
        status = self._status[op.id]
        if status != _INVOKE:
            raise HistoryError(
                f"history {self.name!r}: cannot record {kind!r} for {op!r}: "
                f"it already returned ({status!r})")
        self._status[op.id] = kind
        if self._outstanding.get(op.client) is op:
            del self._outstanding[op.client]
        self._events.append((kind, op.id, self.now(), payload))

    def ok(self, op: Op, result=None) -> None:
        """The operation completed and returned ``result`` (``None`` is a value
        like any other; pass :data:`UNKNOWN` when the result is not known)."""
        self._complete(op, _OK, result)

    def fail(self, op: Op, error=None) -> None:
        """The operation definitely did not take effect (dropped from checks)."""
        self._complete(op, _FAIL, error)

    def info(self, op: Op) -> None:
        """The outcome is unknown: it may take effect at any later time."""
        self._complete(op, _INFO, None)

    # -- queries ---------------------------------------------------------
    @property
    def events(self) -> list[tuple]:
        """Recorded events as ``(type, op_id, time, payload)`` tuples."""
        return list(self._events)

    def outstanding(self) -> list[Op]:
        """Operations invoked but not yet returned, in invocation order."""
        return sorted(self._outstanding.values(), key=lambda o: o.id)

    def __len__(self) -> int:
        return len(self._ops)

    def operations(self, *, pending: bool = True) -> list[Operation]:
        """Operations for checking, in invocation order.

        Failed operations are dropped.  ``info`` operations have
        ``ret=None, output=UNKNOWN``.  Still-outstanding operations are included
        as unknown-outcome operations when ``pending`` is true (the default),
        otherwise omitted.
        """
        call = [None] * len(self._ops)
        done: dict[int, tuple] = {}
        for kind, oid, t, payload in self._events:
            if kind == _INVOKE:
                call[oid] = t
            else:
                done[oid] = (kind, t, payload)
        out = []
        for op in self._ops:
            kind, t, payload = done.get(op.id, (_INVOKE, None, None))
            if kind == _FAIL or (kind == _INVOKE and not pending):
                continue
            if kind == _OK:
                out.append(Operation(op.client, op.f, op.key, op.value, payload,
                                     call[op.id], t, op.id))
            else:
                out.append(Operation(op.client, op.f, op.key, op.value, UNKNOWN,
                                     call[op.id], None, op.id))
        return out

    # -- serialization ---------------------------------------------------
    def to_json(self) -> dict:
        """Plain JSON-serializable data (deterministic; see :func:`encode_value`)."""
        events = []
        for kind, oid, t, payload in self._events:
            ev = [kind, oid, encode_value(t)]
            if kind == _INVOKE:
                op = self._ops[oid]
                ev += [encode_value(op.client), op.f, encode_value(op.key),
                       encode_value(op.value)]
            elif kind == _OK:
                ev.append(encode_value(payload))
            elif kind == _FAIL:  # errors are often exceptions: keep their repr
                try:
                    ev.append(encode_value(payload))
                except HistoryError:
                    ev.append(repr(payload))
            events.append(ev)
        return {"format": _FORMAT, "name": self.name, "events": events}

    @classmethod
    def from_json(cls, data: dict, now: Callable[[], Any] = lambda: 0) -> "History":
        """Rebuild a history from :meth:`to_json` data (validating it).

        ``detsim.history/1`` documents (written before :data:`UNKNOWN`
        existed) are read with their meaning: an ``ok`` result of ``None``
        was "unknown" there, so it becomes :data:`UNKNOWN`."""
        fmt = data.get("format") if isinstance(data, dict) else None
        if fmt not in (_FORMAT, _FORMAT_V1):
            raise HistoryFormatError(f"not a {_FORMAT} document")
        none_means_unknown = fmt == _FORMAT_V1
        h = cls(data.get("name", ""), now)
        clock = [0]
        h.now = lambda: clock[0]
        try:
            for i, ev in enumerate(data["events"]):
                kind, oid, t = ev[0], ev[1], decode_value(ev[2])
                clock[0] = t
                if kind == _INVOKE:
                    if oid != len(h._ops):
                        raise HistoryFormatError(f"event {i}: op id {oid} out of sequence")
                    h.invoke(decode_value(ev[3]), ev[4], decode_value(ev[5]),
                             decode_value(ev[6]))
                elif kind in (_OK, _FAIL, _INFO):
                    if not isinstance(oid, int) or not 0 <= oid < len(h._ops):
                        raise HistoryFormatError(f"event {i}: unknown op id {oid!r}")
                    op = h._ops[oid]
                    if kind == _OK:
                        result = decode_value(ev[3])
                        if result is None and none_means_unknown:
                            result = UNKNOWN
                        h.ok(op, result)
                    elif kind == _FAIL:
                        h.fail(op, decode_value(ev[3]))
                    else:
                        h.info(op)
                else:
                    raise HistoryFormatError(f"event {i}: unknown event type {kind!r}")
        except HistoryFormatError:
            raise
        except (HistoryError, KeyError, IndexError, TypeError, ValueError) as e:
            raise HistoryFormatError(f"malformed history document: {e}") from e
        h.now = now
        return h

    def __repr__(self) -> str:
        return f"History({self.name!r}, {len(self._ops)} ops)"


def encode_value(v):
    """Encode a value as JSON data.  ``None``/bool/int/float/str are stored
    as-is; lists as lists; everything else as a one-key tagged object:
    ``{"tuple": [...]}``, ``{"dict": [[k, v], ...]}``, ``{"frac": [n, d]}``,
    ``{"nil": 1}``, ``{"unknown": 1}``, ``{"set": [...]}`` (sorted by repr
    for determinism)."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, list):
        return [encode_value(x) for x in v]
    if isinstance(v, tuple):
        return {"tuple": [encode_value(x) for x in v]}
    if isinstance(v, Fraction):
        return {"frac": [v.numerator, v.denominator]}
    if v is NIL:
        return {"nil": 1}
    if v is UNKNOWN:
        return {"unknown": 1}
    if isinstance(v, dict):
        return {"dict": [[encode_value(k), encode_value(x)] for k, x in v.items()]}
    if isinstance(v, (set, frozenset)):
        return {"set": [encode_value(x) for x in sorted(v, key=repr)]}
    raise HistoryError(f"cannot serialize value {v!r} of type {type(v).__name__}")


def decode_value(v):
    """Inverse of :func:`encode_value`."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, list):
        return [decode_value(x) for x in v]
    if isinstance(v, dict) and len(v) == 1:
        (tag, x), = v.items()
        if tag == "tuple":
            return tuple(decode_value(y) for y in x)
        if tag == "frac":
            return Fraction(x[0], x[1])
        if tag == "nil":
            return NIL
        if tag == "unknown":
            return UNKNOWN
        if tag == "dict":
            return {decode_value(k): decode_value(y) for k, y in x}
        if tag == "set":
            return frozenset(decode_value(y) for y in x)
    raise HistoryFormatError(f"cannot decode value {v!r}")

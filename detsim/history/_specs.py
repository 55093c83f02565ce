"""Sequential specifications ("specs") for the linearizability checker.

In detsim a *model* is the protocol under test (a :class:`detsim.Model`); the
checker instead compares a recorded history with a *spec*: the sequential
behaviour the operations should have.  A spec is any object with:

* ``init() -> state`` -- the initial state; states must be hashable and
  compare equal exactly when they are interchangeable;
* ``step(state, input, output) -> (ok, new_state)`` -- apply one operation.
  ``input`` is the tuple ``(f, key, value)`` built from an
  :class:`~detsim.history.Operation` (``op.f``, ``op.key``, ``op.input``);
  ``output`` is ``op.output``, or :data:`~detsim.history.UNKNOWN` when
  the outcome is unknown (``op.ret is None``, or the op reported UNKNOWN):
  the spec must then accept the operation in every state (it may or may
  not have taken effect; the checker lets it take effect at some point
  after its invocation -- placing it last is the same as "never
  happened").  ``ok`` says whether ``output`` is a legal result in
  ``state``; ``None`` is an ordinary output, checked like any other.
* ``unknown_output = UNKNOWN`` -- declares that the spec follows this
  protocol.  A spec without it is an old-style spec: it is handed ``None``
  for unknown outcomes (and so cannot tell them from a returned ``None``),
  with a :class:`DeprecationWarning`;
* optionally ``read_only(input, output) -> bool`` -- True only when, in
  every state where ``step`` accepts this input and output, it leaves the
  state unchanged (a read; a cas that reported failure).  The search may
  then try such an op first and skip its alternatives; a wrong True can
  change verdicts (a subclass of a shipped spec that changes ``step`` must
  keep ``read_only`` true to it), a missing method only costs time;
* optionally ``partition(ops) -> [(key, ops), ...]`` -- independent
  sub-histories, checked separately (P-compositionality);
* optionally ``describe_op(op) -> str`` and ``describe_state(state) -> str``.

"No value" (an empty register) is :data:`~detsim.history.NIL`.
Shipped specs (instances): :data:`register`, :data:`cas_register`, :data:`kv`.
"""

from __future__ import annotations

import warnings

from ._record import NIL, UNKNOWN, HistoryError, Operation

__all__ = ["RegisterSpec", "CasRegisterSpec", "KVSpec",
           "register", "cas_register", "kv", "get_spec"]


def _unknown_f(spec, f):
    raise HistoryError(f"spec {spec.name!r}: unsupported operation {f!r}")


def _unknown(op: Operation) -> bool:
    return op.ret is None or op.output is UNKNOWN


def _fmt_out(op: Operation, ok_word=None) -> str:
    """`` -> result`` of a read-like op (``None`` shown, it is a real result)."""
    if _unknown(op):
        return " -> ?"
    if ok_word is not None and isinstance(op.output, bool):
        return " -> " + ok_word[op.output]
    return f" -> {op.output!r}"


def _fmt_done(op: Operation) -> str:
    """`` -> ?`` for a write-like op whose outcome is unknown (its result is ignored)."""
    return " -> ?" if _unknown(op) else ""


class RegisterSpec:
    """A single read/write register (``op.key`` is ignored).

    ======== ================= ======================================
    f        input (op.input)  output (op.output)
    ======== ================= ======================================
    "read"   ignored           the value read; NIL = "no value";
                               UNKNOWN = unknown (accepted in any state)
    "write"  the new value     ignored
    ======== ================= ======================================

    The state is the current value, initially ``initial`` (default NIL; pass
    ``initial=None`` if your register reads ``None`` when empty).
    """

    name = "register"
    unknown_output = UNKNOWN

    def __init__(self, initial=NIL):
        self.initial = initial

    def init(self):
        return self.initial

    def step(self, state, input, output):
        f = input[0]
        if f == "read":
            return (output is UNKNOWN or output == state), state
        if f == "write":
            return True, input[2]
        return _unknown_f(self, f)

    def read_only(self, input, output) -> bool:
        """A read never changes the register (see the module doc)."""
        return input[0] == "read"

    def describe_op(self, op: Operation) -> str:
        if op.f == "write":
            return f"write({op.input!r})" + _fmt_done(op)
        return f"{op.f}()" + _fmt_out(op)

    def describe_state(self, state) -> str:
        return repr(state)


class CasRegisterSpec(RegisterSpec):
    """A register with compare-and-set (``op.key`` is ignored).

    Like :class:`RegisterSpec`, plus:

    ======== ======================= ==================================
    f        input                   output
    ======== ======================= ==================================
    "cas"    (expected, new) tuple   True = swapped (value was
                                     ``expected``); False = not swapped
                                     (value was not ``expected``);
                                     UNKNOWN = unknown
    ======== ======================= ==================================

    Note: a cas with output False is a *completed* comparison that failed.
    A cas that definitely never ran should be recorded with
    ``History.fail`` instead (it is then dropped).
    """

    name = "cas_register"

    def step(self, state, input, output):
        f = input[0]
        if f == "read":
            return (output is UNKNOWN or output == state), state
        if f == "write":
            return True, input[2]
        if f == "cas":
            expected, new = input[2]
            if state == expected:
                return output is UNKNOWN or output is True, new
            return output is UNKNOWN or output is False, state
        return _unknown_f(self, f)

    def read_only(self, input, output) -> bool:
        """Reads, and a cas that reported failure (legal only when it changes nothing)."""
        return input[0] == "read" or (input[0] == "cas" and output is False)

    def describe_op(self, op: Operation) -> str:
        if op.f == "cas":
            try:
                a, b = op.input
            except (TypeError, ValueError):
                return f"cas({op.input!r})" + _fmt_out(op)
            return f"cas({a!r}, {b!r})" + _fmt_out(op, ("fail", "ok"))
        return super().describe_op(op)


def _sorted_items(d):
    try:
        return tuple(sorted(d.items()))
    except TypeError:
        return tuple(sorted(d.items(), key=lambda kv: repr(kv[0])))


class KVSpec:
    """A key-value map of strings; keys are independent (partitioned).

    ========= ================ =========================================
    f         input            output
    ========= ================ =========================================
    "get"     ignored          the current string of ``op.key``
                               ("" if never written); UNKNOWN = unknown
    "put"     new string       ignored
    "append"  suffix string    ignored
    ========= ================ =========================================

    The state is a sorted tuple of ``(key, value)`` pairs for the keys whose
    value differs from ``initial`` ("" by default).
    """

    name = "kv"
    unknown_output = UNKNOWN

    def __init__(self, initial=""):
        self.initial = initial

    def init(self):
        return ()

    def step(self, state, input, output):
        f, key, value = input
        cur = self.initial
        for k, v in state:
            if k == key:
                cur = v
                break
        if f == "get":
            return (output is UNKNOWN or output == cur), state
        if f == "put":
            new = value
        elif f == "append":
            new = cur + value
        else:
            return _unknown_f(self, f)
        if not state or (len(state) == 1 and state[0][0] == key):
            return True, (((key, new),) if new != self.initial else ())
        d = dict(state)
        if new != self.initial:
            d[key] = new
        else:
            d.pop(key, None)
        return True, _sorted_items(d)

    def read_only(self, input, output) -> bool:
        """A get never changes the map."""
        return input[0] == "get"

    def partition(self, ops):
        """Group operations by ``op.key``: ``[(key, ops), ...]`` sorted by key."""
        groups: dict = {}
        for op in ops:
            groups.setdefault(op.key, []).append(op)
        return list(_sorted_items(groups))

    def describe_op(self, op: Operation) -> str:
        if op.f == "get":
            return f"get({op.key!r})" + _fmt_out(op)
        return f"{op.f}({op.key!r}, {op.input!r})" + _fmt_done(op)

    def describe_state(self, state) -> str:
        return "{" + ", ".join(f"{k!r}: {v!r}" for k, v in state) + "}"


register = RegisterSpec()
cas_register = CasRegisterSpec()
kv = KVSpec()

_BY_NAME = {"register": register, "cas_register": cas_register, "kv": kv}


def get_spec(spec):
    """Return ``spec`` itself (after checking it has ``init`` and ``step``),
    or the shipped spec with that name ("register", "cas_register", "kv")."""
    if isinstance(spec, str):
        try:
            return _BY_NAME[spec]
        except KeyError:
            raise HistoryError(f"unknown spec {spec!r}; known: "
                               f"{', '.join(sorted(_BY_NAME))}") from None
    for attr in ("init", "step"):
        if not callable(getattr(spec, attr, None)):
            raise HistoryError(f"spec {spec!r} has no {attr}() method")
    if unknown_output_of(spec) is not UNKNOWN:
        warnings.warn(f"spec {spec!r} does not set unknown_output = UNKNOWN: it is "
                      f"handed None for unknown outcomes, so a returned None is not "
                      f"checked (old protocol, deprecated)", DeprecationWarning,
                      stacklevel=3)
    return spec


def unknown_output_of(spec):
    """What ``spec.step`` receives as the output of an unknown outcome:
    :data:`UNKNOWN`, or ``None`` for an old-style spec (see module doc)."""
    return getattr(spec, "unknown_output", None)

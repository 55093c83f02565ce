"""Linearizability checking: Wing & Gong's search with Lowe's memoization.

This is the algorithm of Porcupine (Athalye) in Python, with prunings for
unknown-outcome and read-only operations that never change a verdict; the
search itself is in ``detsim.history._search``.  When the spec has
``partition(ops)``, independent sub-histories are checked separately
(P-compositionality), in round-robin time slices.

Real-time order (the tie rule).  Operation ``a`` *happens before* ``b`` when
``a.ret <= b.call``: at equal timestamps returns are ordered before calls, so
an op returning at ``t`` precedes an op invoked at ``t``.  A zero-duration op
(``call == ret == t``) is placed after the returns and before the other
calls at ``t``; several zero-duration ops at the same ``t`` are ordered among
themselves by their position in the operation list (invocation order) --
``<=`` alone would make them precede each other.  Unknown-outcome ops
(``ret is None``) return at +infinity.  The file readers use line numbers as
times, so for Porcupine's data the order is exactly the order of the file.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

from ._record import HistoryError, Operation
from ._search import search
from ._specs import get_spec

__all__ = ["check_linearizable", "LinearizabilityResult"]

class LinearizabilityResult:
    """Outcome of :func:`check_linearizable`.

    ``verdict`` is "linearizable", "not linearizable" or "unknown" (time
    limit hit); ``ok`` is True / False / None accordingly.  When not
    linearizable: ``partition_key`` (``None`` when unpartitioned),
    ``longest_prefix`` (ops of a longest linearizable order found for the
    failing partition), ``state_after_prefix``, ``first_unplaceable`` (the op
    that could not be placed after that prefix: its return was reached while
    it was still unlinearized), and ``concurrent`` (the partition's ops whose
    intervals overlap it, in call order).  ``spec`` is the sequential
    specification the history was checked against.
    """

    def __init__(self, verdict, spec, *, partition_key=None, longest_prefix=(),
                 state_after_prefix=None, first_unplaceable=None, concurrent=(),
                 partitions=0, unknown_keys=()):
        self.verdict = verdict
        self.spec = spec
        self.partition_key = partition_key
        self.longest_prefix = list(longest_prefix)
        self.state_after_prefix = state_after_prefix
        self.first_unplaceable = first_unplaceable
        self.concurrent = list(concurrent)
        self.partitions = partitions
        self.unknown_keys = list(unknown_keys)

    @property
    def model(self):
        """Deprecated alias of :attr:`spec`."""
        warnings.warn("LinearizabilityResult.model is deprecated; use .spec",
                      DeprecationWarning, stacklevel=2)
        return self.spec

    @property
    def ok(self):
        return {"linearizable": True, "not linearizable": False}.get(self.verdict)

    def __bool__(self):
        return self.ok is True

    def __repr__(self):
        return f"<LinearizabilityResult {self.verdict}>"

    def _op(self, op: Operation) -> str:
        describe = getattr(self.spec, "describe_op", None)
        text = describe(op) if describe else str(op)
        ret = "inf" if op.ret is None else op.ret
        return f"client {op.client!r}: {text}  [t={op.call}..{ret}]"

    def describe(self, max_prefix: int = 20) -> str:
        """A multi-line human explanation."""
        name = getattr(self.spec, "name", type(self.spec).__name__)
        lines = [f"{self.verdict} (spec {name}, {self.partitions} partition(s))"]
        if self.verdict == "unknown":
            lines.append("  time limit reached before the search finished"
                         + (f" (partitions {self.unknown_keys!r})"
                            if self.unknown_keys != [None] else ""))
            return "\n".join(lines)
        if self.verdict != "not linearizable":
            return "\n".join(lines)
        if self.partition_key is not None:
            lines.append(f"  failing partition: key {self.partition_key!r}")
        pre = self.longest_prefix
        lines.append(f"  longest linearizable prefix found: {len(pre)} op(s)")
        start = max(0, len(pre) - max_prefix)
        if start:
            lines.append(f"    ... {start} earlier op(s) omitted")
        for i in range(start, len(pre)):
            lines.append(f"    {i + 1:>4}. {self._op(pre[i])}")
        ds = getattr(self.spec, "describe_state", repr)
        lines.append(f"  state after the prefix: {ds(self.state_after_prefix)}")
        if self.first_unplaceable is not None:
            lines.append("  first op that cannot be placed next:")
            lines.append(f"          {self._op(self.first_unplaceable)}")
        if self.concurrent:
            lines.append(f"  ops concurrent with it ({len(self.concurrent)}):")
            for op in self.concurrent:
                lines.append(f"          {self._op(op)}")
        return "\n".join(lines)


def _partitions(spec, ops, partition):
    fn = getattr(spec, "partition", None) if partition else None
    if fn is None:
        return [(None, ops)]
    parts = []
    for i, part in enumerate(fn(ops)):
        if isinstance(part, tuple) and len(part) == 2:
            parts.append((part[0], list(part[1])))
        else:
            parts.append((i, list(part)))
    return parts


def _overlaps(a: Operation, b: Operation) -> bool:
    # An unknown outcome returns "never"; no numeric infinity, so (time, step) stamps work.
    return (b.ret is None or a.call < b.ret) and (a.ret is None or b.call < a.ret)


def check_linearizable(history_or_ops: Any, spec=None, *, time_limit: float | None = None,
                       partition: bool = True, model=None) -> LinearizabilityResult:
    """Check a history against a sequential specification ``spec``.

    ``history_or_ops`` is a :class:`History` or an iterable of
    :class:`Operation`; ``spec`` a spec object or the name of a shipped
    one ("register", "cas_register", "kv").  ``time_limit`` (seconds, wall
    clock) makes the verdict "unknown" when the search does not finish in
    time; it never changes a verdict the search reaches.  ``partition=False``
    ignores the spec's ``partition`` (checks everything at once).
    ``model=`` is a deprecated spelling of ``spec``.
    """
    if model is not None:
        if spec is not None:
            raise TypeError("check_linearizable() got both spec and model (pass spec only)")
        warnings.warn("check_linearizable(model=...) is deprecated; use spec=...",
                      DeprecationWarning, stacklevel=2)
        spec = model
    if spec is None:
        raise TypeError("check_linearizable() missing the spec argument")
    spec = get_spec(spec)
    if hasattr(history_or_ops, "operations"):
        ops = history_or_ops.operations()
    else:
        ops = list(history_or_ops)
    for op in ops:
        if not isinstance(op, Operation):
            raise HistoryError(f"not an Operation: {op!r}")
    if time_limit is not None and time_limit < 0:
        raise ValueError("time_limit must be >= 0 or None")
    deadline = None if time_limit is None else time.monotonic() + time_limit
    parts = [(k, p) for k, p in _partitions(spec, ops, partition) if p]
    # Partitions are searched in round-robin slices of SLICE backtracks, so a
    # cheap failing partition is found even when another one explodes (like
    # Porcupine's parallel search that stops at the first failure).  Slices
    # count work, not time, so which failure is reported is deterministic.
    active = [(key, part, search(part, spec)) for key, part in parts]
    while active:
        still = []
        for key, part, gen in active:
            try:
                next(gen)
            except StopIteration as stop:
                verdict, info = stop.value
                if verdict == "not linearizable":
                    return _failure(spec, key, part, info, len(parts))
            else:
                still.append((key, part, gen))
        active = still
        if active and deadline is not None and time.monotonic() > deadline:
            for _, _, gen in active:
                gen.close()
            return LinearizabilityResult("unknown", spec, partitions=len(parts),
                                         unknown_keys=[k for k, _, _ in active])
    return LinearizabilityResult("linearizable", spec, partitions=len(parts))


def _failure(spec, key, part, info, nparts):
    prefix, state, bad = info
    bad_op = part[bad] if bad is not None else None
    conc = [op for op in part if bad_op is not None and op is not bad_op
            and _overlaps(op, bad_op)]
    conc.sort(key=lambda o: (o.call, o.id))
    return LinearizabilityResult(
        "not linearizable", spec, partition_key=key,
        longest_prefix=[part[i] for i in prefix], state_after_prefix=state,
        first_unplaceable=bad_op, concurrent=conc, partitions=nparts)

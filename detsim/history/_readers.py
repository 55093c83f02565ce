"""Reading histories from files: Jepsen etcd logs and EDN op-map histories.

Malformed input raises :class:`HistoryFormatError` naming the file and line.
Returns that match no invocation are errors, never guessed.

Times: the line-oriented readers use the 1-based line number as the call and
return time, so the checker follows the order of the file exactly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._edn import Keyword, Symbol, parse_edn, parse_edn_all, read_edn_forms
from ._record import NIL, UNKNOWN, HistoryFormatError, Operation

# The EDN names are re-exported: they used to live here.
__all__ = ["Keyword", "Symbol", "parse_edn", "parse_edn_all",
           "read_jepsen_etcd_log", "read_edn_kv", "read_jepsen_edn_history"]


# --------------------------------------------------------------------------
# Jepsen etcd logs (Porcupine test data)

_ETCD = re.compile(r"^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)"
                   r"\s+:(read|write|cas)\s+(.*?)\s*$")
_INT = re.compile(r"-?\d+")
_PAIR = re.compile(r"\[\s*(-?\d+)[\s,]+(-?\d+)\s*\]")


_ETCD_ARGS = {  # (type, f) -> accepted argument kinds; other pairs are ignored
    ("invoke", "read"): ("nil",), ("invoke", "write"): ("int",),
    ("invoke", "cas"): ("pair",), ("ok", "read"): ("nil", "int"),
    ("ok", "write"): ("int",), ("ok", "cas"): ("pair",), ("fail", "cas"): ("pair",),
    ("fail", "read"): (":timed-out",)}


def _etcd_arg(arg):
    if arg == "nil":
        return None, "nil"
    if _INT.fullmatch(arg):
        return int(arg), "int"
    pm = _PAIR.fullmatch(arg)
    if pm:
        return (int(pm.group(1)), int(pm.group(2))), "pair"
    return arg, arg


def read_jepsen_etcd_log(path) -> list[Operation]:
    """Read a Jepsen etcd log (``INFO  jepsen.util - <proc> :<type> :<f> <arg>``)
    for the :data:`~detsim.history.cas_register` spec.

    * ``invoke read nil`` / ``write N`` / ``cas [A B]`` start an op (input
      None / N / (A, B));
    * ``ok read nil|N`` -> output NIL / N; ``ok write N`` -> output None;
      ``ok cas`` -> True; ``fail cas`` -> False (the comparison failed);
    * ``fail read :timed-out`` -> result unknown (output UNKNOWN), returning
      at that line;
    * ``:info`` lines and lines matching none of the above are ignored; an op
      still open at the end of the file has an unknown outcome (``ret=None``,
      output UNKNOWN).

    A recognised line with a malformed argument, a return without a matching
    invocation (or repeating other arguments), or an invocation by a process
    with an open op is an error.
    """
    path = Path(path)
    ops: list[list] = []
    open_: dict[int, int] = {}
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            m = _ETCD.match(line)
            if m is None:
                continue
            proc, typ, f, arg = int(m.group(1)), m.group(2), m.group(3), m.group(4)
            kinds = _ETCD_ARGS.get((typ, f))
            if kinds is None:  # :info lines (and :fail :write) are ignored
                continue
            value, kind = _etcd_arg(arg)
            problem = None
            if kind not in kinds:
                problem = f"unexpected argument {arg!r} for :{typ} :{f}"
            elif typ == "invoke":
                if proc in open_:
                    problem = (f"process {proc} invokes while its operation from "
                               f"line {ops[open_[proc]][5]} is still open")
                else:
                    open_[proc] = len(ops)
                    ops.append([proc, f, None, value, UNKNOWN, lineno, None])
                    continue
            elif proc not in open_:
                problem = f"unmatched return: process {proc} has no open operation"
            else:
                rec = ops[open_[proc]]
                if rec[1] != f:
                    problem = f"return of :{f} but process {proc} invoked :{rec[1]}"
                elif f != "read" and value != rec[3]:
                    problem = f"return does not repeat the invoked argument {rec[3]!r}"
                else:
                    if f == "read":
                        rec[4] = UNKNOWN if typ == "fail" else NIL if value is None else value
                    elif f == "cas":
                        rec[4] = typ == "ok"
                    else:
                        rec[4] = None  # a write's result is not checked
                    rec[6] = lineno
                    del open_[proc]
                    continue
            raise HistoryFormatError(f"{path}:{lineno}: {problem}: {line.strip()!r}")
    return [Operation(*rec, i) for i, rec in enumerate(ops)]


# --------------------------------------------------------------------------
# EDN op-map histories (Jepsen / Knossos, Porcupine kv)

def _get(m, k, where):
    if k not in m:
        raise HistoryFormatError(f"{where}: missing :{k}")
    return m[k]


def _pair_ops(events, output_of, key_of):
    """Pair ``(where, time, process, type, f, m)`` events into Operations."""
    ops: list[list] = []
    open_: dict = {}
    for where, t, proc, typ, f, m in events:
        if typ == "invoke":
            if proc in open_:
                raise HistoryFormatError(
                    f"{where}: process {proc!r} invokes while its previous "
                    f"operation is still open")
            key, value = key_of(m, where)
            open_[proc] = len(ops)
            ops.append([proc, f, key, value, UNKNOWN, t, None, typ])
        elif typ not in ("ok", "fail", "info"):
            raise HistoryFormatError(f"{where}: unknown :type {typ!r}")
        else:
            if proc not in open_:
                raise HistoryFormatError(
                    f"{where}: unmatched return: process {proc!r} has no open operation")
            rec = ops[open_.pop(proc)]
            if rec[1] != f:
                raise HistoryFormatError(
                    f"{where}: :{typ} of :{f} but process {proc!r} invoked :{rec[1]}")
            rec[7] = typ
            if typ == "ok":
                rec[4] = output_of(rec, m, where)
                rec[6] = t
    out = []
    for rec in ops:
        if rec[7] != "fail":  # failed ops definitely did not happen: dropped
            out.append(Operation(*rec[:7], len(out)))
    return out


def _op_maps(path, forms, skip_non_int, by_line):
    """Validate op maps; events are timed by line (``by_line``) or position."""
    events = []
    for n, (m, line) in enumerate(forms):
        where = f"{path}:{line}"
        if not isinstance(m, dict):
            raise HistoryFormatError(f"{where}: expected an op map, got {m!r}")
        proc = _get(m, "process", where)
        if not isinstance(proc, int) or isinstance(proc, bool):
            if skip_non_int:
                continue
            raise HistoryFormatError(f"{where}: :process must be an integer")
        typ, f = _get(m, "type", where), _get(m, "f", where)
        if not isinstance(typ, Keyword) or not isinstance(f, Keyword):
            raise HistoryFormatError(f"{where}: :type and :f must be keywords")
        events.append((where, line if by_line else n, proc, str(typ), str(f), m))
    return events


def read_edn_kv(path) -> list[Operation]:
    """Read a Porcupine kv history (one EDN map per line) for the
    :data:`~detsim.history.kv` spec.

    ``{:process N, :type :invoke|:ok, :f :get|:put|:append, :key "k",
    :value v}``: input is the invoke's ``:value`` (None for get); the output
    of an ok get is its ``:value`` string, other outputs are None.  ``:fail``
    drops the op, ``:info`` makes its outcome unknown (``ret=None``, output
    UNKNOWN); ops still open at the end are unknown too.  Times are line
    numbers.
    """
    path, forms = read_edn_forms(path)
    events = _op_maps(path, forms, skip_non_int=False, by_line=True)

    def key_of(m, where):
        return _get(m, "key", where), m.get("value")

    def output_of(rec, m, where):
        if rec[1] != "get":
            return None
        v = _get(m, "value", where)
        if not isinstance(v, str):
            raise HistoryFormatError(f"{where}: a get must return a string, got {v!r}")
        return v

    return _pair_ops(events, output_of, key_of)


def read_jepsen_edn_history(path, *, independent: bool = False,
                            completion_value: Mapping[str, Any] | None = None,
                            strict: bool = False) -> list[Operation]:
    """Read a Jepsen/Knossos history: EDN op maps ``{:process P, :type
    :invoke|:ok|:fail|:info, :f F, :value V}``, either one per line / form or
    inside one top-level vector.  Time = position of the op map in the file.

    Jepsen semantics: ``:fail`` means the op did not happen (dropped),
    ``:info`` means unknown outcome (``ret=None``, output UNKNOWN).  Ops whose
    ``:process`` is not an integer (e.g. ``:nemesis``) are skipped.  Input =
    the invoke's ``:value`` (vectors become tuples, e.g. cas ``(expected,
    new)``); output = the ok's ``:value``, except for ``cas`` where an ok
    means True.  ``:key`` gives the key; with ``independent=True`` values are
    ``[key value]`` tuples (jepsen.independent).

    An ``:ok`` whose value is ``nil`` or absent reports no result, and what
    that means depends on the operation: for a Knossos register read it
    means "unknown", but a mutex ``:acquire`` did succeed, it just has
    nothing to say.  The output of such a completion of operation ``f`` is:

    * ``completion_value[f]`` when given, e.g. ``{"acquire": True,
      "release": True}``, or ``{"read": NIL}`` when a nil read means "empty";
    * otherwise, with ``strict=True``, a :class:`HistoryFormatError` naming
      the line;
    * otherwise :data:`UNKNOWN` (Knossos's reading): the op still has to fit
      its interval, but it is accepted in every state, so a spec that judges
      the op by its result (a mutex acquire) can find no violation in it.
    """
    if completion_value is not None and not isinstance(completion_value, Mapping):
        raise TypeError("completion_value must map an operation name (:f) to its output")
    defaults = dict(completion_value or {})
    path, forms = read_edn_forms(path)
    events = _op_maps(path, forms, skip_non_int=True, by_line=False)

    def split(m, where):
        v = m.get("value")
        if independent:
            if not (isinstance(v, tuple) and len(v) == 2):
                raise HistoryFormatError(f"{where}: expected [key value], got {v!r}")
            return v[0], v[1]
        return m.get("key"), v

    def output_of(rec, m, where):
        f = rec[1]
        if f == "cas":
            return True
        value = split(m, where)[1]
        if value is not None:
            return value
        if f in defaults:
            return defaults[f]
        if strict:
            raise HistoryFormatError(
                f"{where}: :ok :{f} reports no :value; say what it returned with "
                f"completion_value={{{f!r}: ...}}")
        return UNKNOWN

    return _pair_ops(events, output_of, split)

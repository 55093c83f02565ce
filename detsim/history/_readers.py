"""Reading histories from files: Jepsen etcd logs, EDN histories, EDN itself.

Nothing is evaluated: EDN is parsed by a small recursive-descent parser.
Malformed input raises :class:`HistoryFormatError` naming the file and line.
Returns that match no invocation are errors, never guessed.

Times: the line-oriented readers use the 1-based line number as the call and
return time, so the checker follows the order of the file exactly.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

from ._record import NIL, HistoryFormatError, Operation

__all__ = ["Keyword", "Symbol", "parse_edn", "parse_edn_all",
           "read_jepsen_etcd_log", "read_edn_kv", "read_jepsen_edn_history"]


class Keyword(str):
    """An EDN keyword; equal (and hashing equal) to its name without ':'."""
    __slots__ = ()

    def __repr__(self):
        return ":" + str.__str__(self)


class Symbol(str):
    """An EDN symbol other than nil/true/false."""
    __slots__ = ()


_WS = re.compile(r"(?:[\s,]+|;[^\n]*)*")  # whitespace, commas, comments
_NUM = re.compile(r"[+-]?\d+(?:/\d+|(?:\.\d*)?(?:[eE][+-]?\d+)?[NM]?)")
_SYM = re.compile(r"[^\s,()\[\]{}\"';@^`~\\]+")
_STR = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)
_STR_ESC = re.compile(r"\\(u[0-9a-fA-F]{4}|[\"\\ntrbf])")
_ESC = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}
_CHAR_NAMES = {"newline": "\n", "space": " ", "tab": "\t", "return": "\r",
               "formfeed": "\f", "backspace": "\b"}
_CONST = {"nil": None, "true": True, "false": False}
_CLOSE = {"(": ")", "[": "]", "{": "}", "#{": "}"}


def _unescape(m):
    e = m.group(1)
    return chr(int(e[1:], 16)) if len(e) == 5 else _ESC[e]


class _Parser:
    """Recursive-descent EDN parser; ``#_`` is skipped like whitespace."""

    def __init__(self, text, source, line):
        self.s = text
        self.i = 0
        self.source = source
        self._mark = (0, line)  # (position, its line): counted incrementally
        self.map_lines = {}  # id(dict) -> line where the map starts

    def line(self, pos=None):
        pos = self.i if pos is None else pos
        p0, l0 = self._mark
        l0 += self.s.count("\n", p0, pos) if pos >= p0 else -self.s.count("\n", pos, p0)
        self._mark = (pos, l0)
        return l0

    def error(self, msg, pos=None):
        raise HistoryFormatError(f"{self.source}:{self.line(pos)}: {msg}")

    def skip(self):
        while True:
            self.i = _WS.match(self.s, self.i).end()
            if not self.s.startswith("#_", self.i):
                return
            self.i += 2
            self.value()  # the discarded form

    def forms(self):
        """Yield ``(value, line)`` for each top-level form."""
        while True:
            self.skip()
            if self.i >= len(self.s):
                return
            start = self.i
            yield self.value(), self.line(start)

    def value(self):
        s = self.s
        self.skip()
        if self.i >= len(s):
            self.error("unexpected end of input")
        c = s[self.i]
        start = self.i
        if c in "([{" or s.startswith("#{", start):
            opener = "#{" if c == "#" else c
            self.i += len(opener)
            items = self.seq(_CLOSE[opener], start)
            try:
                if opener == "#{":
                    return frozenset(items)
                if c != "{":
                    return tuple(items)
                if len(items) % 2:
                    self.error("map literal with an odd number of forms", start)
                d = dict(zip(items[::2], items[1::2]))
            except TypeError:
                self.error("unhashable map key or set element", start)
            self.map_lines[id(d)] = self.line(start)
            return d
        if c == '"':
            m = _STR.match(s, start)
            if m is None:
                self.error("unterminated string")
            self.i = m.end()
            body = m.group(1)
            if "\\" not in body:
                return body
            bad = re.search(r"\\(?!u[0-9a-fA-F]{4}|[\"\\ntrbf])", body)
            if bad:
                self.error(f"bad string escape {body[bad.start():bad.start() + 2]!r}")
            return _STR_ESC.sub(_unescape, body)
        if c == "#":  # tagged literal "#tag form": the tag is ignored
            m = _SYM.match(s, start + 1)
            if m is None or not m.group()[0].isalpha():
                self.error(f"unsupported dispatch {s[start:start + 2]!r}")
            self.i = m.end()
            return self.value()
        if c == "\\":  # character literal
            m = _SYM.match(s, start + 1)
            name = m.group() if m else s[start + 1:start + 2]
            ch = name if len(name) == 1 else _CHAR_NAMES.get(name)
            if ch is None:
                self.error(f"bad character literal \\{name}")
            self.i += 1 + len(name)
            return ch
        m = _NUM.match(s, start)
        if m and (m.end() == len(s) or not _SYM.match(s[m.end()])):
            self.i = m.end()
            return self.number(m.group())
        m = _SYM.match(s, start)
        if m is None:
            self.error(f"unexpected {c!r}")
        tok = m.group()
        self.i = m.end()
        if tok[0] == ":":
            if len(tok) == 1 or tok == "::":
                self.error(f"bad keyword {tok!r}")
            return Keyword(tok[1:])
        if tok in _CONST:
            return _CONST[tok]
        if tok[0].isdigit():
            self.error(f"bad number {tok!r}")
        return Symbol(tok)

    def number(self, tok):
        try:
            if "/" in tok:
                return Fraction(tok)
            if tok[-1] in "NM":
                return int(tok[:-1]) if tok[-1] == "N" else float(tok[:-1])
            return float(tok) if any(ch in tok for ch in ".eE") else int(tok)
        except (ValueError, ZeroDivisionError):
            self.error(f"bad number {tok!r}")

    def seq(self, close, start):
        items = []
        s = self.s
        while True:
            self.skip()
            if self.i >= len(s):
                self.error(f"unclosed {s[start]!r}", start)
            if s[self.i] == close:
                self.i += 1
                return items
            if s[self.i] in ")]}":
                self.error(f"unexpected {s[self.i]!r}")
            items.append(self.value())


def parse_edn_all(text: str, *, source: str = "<string>", line: int = 1) -> list:
    """Parse every top-level EDN form in ``text``.

    Maps -> dict, vectors and lists -> tuple, sets -> frozenset, keywords ->
    :class:`Keyword` (a str), strings -> str, integers -> int, floats ->
    float, ``nil``/``true``/``false`` -> None/True/False, other symbols ->
    :class:`Symbol`; ``#_`` discards a form, ``#tag form`` yields ``form``.
    """
    return [v for v, _ in _Parser(text, source, line).forms()]


def parse_edn(text: str, *, source: str = "<string>", line: int = 1):
    """Parse exactly one EDN form (see :func:`parse_edn_all`)."""
    forms = parse_edn_all(text, source=source, line=line)
    if len(forms) != 1:
        raise HistoryFormatError(f"{source}:{line}: expected one EDN form, "
                                 f"found {len(forms)}")
    return forms[0]


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
    * ``fail read :timed-out`` -> outcome unknown (output None), returning at
      that line;
    * ``:info`` lines and lines matching none of the above are ignored; an op
      still open at the end of the file has an unknown outcome (``ret=None``).

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
                    ops.append([proc, f, None, value, None, lineno, None])
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
                        rec[4] = None if typ == "fail" else NIL if value is None else value
                    elif f == "cas":
                        rec[4] = typ == "ok"
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
            ops.append([proc, f, key, value, None, t, None, typ])
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


def _forms(path):
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise HistoryFormatError(f"{path}: not UTF-8 text: {e}") from None
    parser = _Parser(text, str(path), 1)
    forms = list(parser.forms())
    if len(forms) == 1 and isinstance(forms[0][0], tuple):  # one vector of maps
        forms = [(m, parser.map_lines.get(id(m), forms[0][1])) for m in forms[0][0]]
    return path, forms


def read_edn_kv(path) -> list[Operation]:
    """Read a Porcupine kv history (one EDN map per line) for the
    :data:`~detsim.history.kv` spec.

    ``{:process N, :type :invoke|:ok, :f :get|:put|:append, :key "k",
    :value v}``: input is the invoke's ``:value`` (None for get); the output
    of an ok get is its ``:value`` string, other outputs are None.  ``:fail``
    drops the op, ``:info`` makes its outcome unknown; ops still open at the
    end are unknown too.  Times are line numbers.
    """
    path, forms = _forms(path)
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


def read_jepsen_edn_history(path, *, independent: bool = False) -> list[Operation]:
    """Read a Jepsen/Knossos history: EDN op maps ``{:process P, :type
    :invoke|:ok|:fail|:info, :f F, :value V}``, either one per line / form or
    inside one top-level vector.  Time = position of the op map in the file.

    Jepsen semantics: ``:fail`` means the op did not happen (dropped),
    ``:info`` means unknown outcome.  Ops whose ``:process`` is not an
    integer (e.g. ``:nemesis``) are skipped.  Input = the invoke's ``:value``
    (vectors become tuples, e.g. cas ``(expected, new)``); output = the ok's
    ``:value``, except for ``cas`` where an ok means True.  As in Knossos, a
    ``nil`` read value is None, i.e. *unknown*.  ``:key`` gives the key; with
    ``independent=True`` values are ``[key value]`` tuples (jepsen.independent).
    """
    path, forms = _forms(path)
    events = _op_maps(path, forms, skip_non_int=True, by_line=False)

    def split(m, where):
        v = m.get("value")
        if independent:
            if not (isinstance(v, tuple) and len(v) == 2):
                raise HistoryFormatError(f"{where}: expected [key value], got {v!r}")
            return v[0], v[1]
        return m.get("key"), v

    def output_of(rec, m, where):
        if rec[1] == "cas":
            return True
        return split(m, where)[1]

    return _pair_ops(events, output_of, split)

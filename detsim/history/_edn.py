"""A small EDN reader (the data format of Jepsen and Knossos histories).

Nothing is evaluated: EDN is parsed by a recursive-descent parser into plain
Python values.  Malformed input raises :class:`HistoryFormatError` naming the
source and line.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

from ._record import HistoryFormatError

__all__ = ["Keyword", "Symbol", "parse_edn", "parse_edn_all", "read_edn_forms"]


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

    def items_with_lines(self):
        """``[(value, line), ...]`` for the top-level forms or, when the text is
        a single vector or list, for its elements (a Jepsen history file)."""
        self.skip()
        start = self.i
        if start < len(self.s) and self.s[start] in "([":
            close = _CLOSE[self.s[start]]
            self.i += 1
            items = []
            while True:
                self.skip()
                if self.i >= len(self.s):
                    self.error(f"unclosed {self.s[start]!r}", start)
                if self.s[self.i] == close:
                    break
                at = self.i
                items.append((self.value(), self.line(at)))
            self.i += 1
            self.skip()
            if self.i >= len(self.s):
                return items
            self.i = start  # more than one top-level form: read them as such
        return list(self.forms())

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
                return dict(zip(items[::2], items[1::2]))
            except TypeError:
                self.error("unhashable map key or set element", start)
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


def read_edn_forms(path) -> tuple[Path, list]:
    """Read an EDN file: ``(path, [(form, line), ...])`` as by
    ``_Parser.items_with_lines`` (a lone top-level vector is unwrapped)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise HistoryFormatError(f"{path}: not UTF-8 text: {e}") from None
    return path, _Parser(text, str(path), 1).items_with_lines()

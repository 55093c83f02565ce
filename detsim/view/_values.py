"""What a model holds, as short text: the rows of the state panel after each step.

``rows(model, params)`` flattens the model into ``path -> text``: ``state()`` first
(when the model defines it), then every public field that is not a parameter, a
method or the world; dicts of a few entries and plain objects (a Raft server) are
opened one level, so that a change shows where it happened (``live.s1.term``).
Every text is cut to a budget and big containers are summarised, so a snapshot
after each of thousands of steps stays cheap. Nothing here reads ``id()``: an
object without a readable form is shown by its type.
"""
from __future__ import annotations

import dataclasses
from collections import deque
from fractions import Fraction
from itertools import islice

from simpy.events import Event, Process

BUDGET = 160  # characters of one row's text
OPEN_ITEMS = 12  # a dict or object with at most this many entries is opened into rows
SORT_LIMIT = 64  # a set larger than this is shown by its size (sorting it every step costs)
_SCALARS = (int, float, str, bytes, bool, Fraction, type(None))


def _clip(text: str, budget: int) -> str:
    return text if len(text) <= budget else text[:max(1, budget - 1)] + "…"


def _named(value) -> str | None:
    """A primitive, node, task or history: its kind and name (and holder, if any); a
    SimPy event by whether it fired."""
    if isinstance(value, Event) and not isinstance(value, Process):
        return f"{type(value).__name__.lower()} ({'triggered' if value.triggered else 'pending'})"
    name = getattr(value, "name", None)
    if not isinstance(name, str) or callable(value):
        return None
    kind = getattr(value, "kind", None)
    known = isinstance(value, Process) or hasattr(value, "inbox") or hasattr(value, "operations")
    if not isinstance(kind, str) and not known:
        return None  # a model's own object with a name (a Raft server): its fields are shown
    kind = kind if isinstance(kind, str) else type(value).__name__
    holder = getattr(value, "holder", None)
    holder_name = getattr(holder, "name", None)
    up = getattr(value, "up", None)
    extra = f" held by {holder_name}" if isinstance(holder_name, str) else ""
    if up is False:
        extra += " (down)"
    return f"{kind} {name}{extra}"


def _public(obj) -> list[tuple[str, object]]:
    """The public, non-callable attributes of a plain object, in definition order."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        names = [f.name for f in dataclasses.fields(obj)]
        names += [k for k in vars(obj) if k not in names]
    else:
        try:
            names = list(vars(obj))
        except TypeError:  # __slots__ only
            names = [n for n in getattr(type(obj), "__slots__", ()) if hasattr(obj, n)]
    out = []
    for name in names:
        if name.startswith("_"):
            continue
        value = getattr(obj, name, None)
        if callable(value) and not hasattr(value, "__dict__"):
            continue
        if callable(value) and getattr(value, "__self__", None) is not None:  # a bound method
            continue
        out.append((name, value))
    return out


def show(value, budget: int = BUDGET, depth: int = 2) -> str:
    """``value`` as text of at most ``budget`` characters."""
    if isinstance(value, _SCALARS):
        text = str(value) if isinstance(value, Fraction) else repr(value)
        return _clip(text, budget)
    named = _named(value)
    if named is not None:
        return _clip(named, budget)
    if isinstance(value, (list, tuple, deque)):
        opener, closer = ("(", ")") if isinstance(value, tuple) else ("[", "]")
        return _items(opener, closer, list(value) if len(value) <= 2 * OPEN_ITEMS else None,
                      value, budget, depth)
    if isinstance(value, (set, frozenset)):
        if len(value) > SORT_LIMIT:
            return f"{{{len(value)} items}}"
        texts = sorted(show(v, budget, depth - 1) for v in value)
        return _joined("{", "}", texts, len(value), budget)
    if isinstance(value, dict):
        texts = []
        used = 0
        for k, v in value.items():
            if used > budget:
                break
            texts.append(f"{show(k, 40, 0)}: {show(v, budget, depth - 1)}")
            used += len(texts[-1]) + 2
        return _joined("{", "}", texts, len(value), budget)
    if depth <= 0:
        return type(value).__name__
    fields = _public(value)
    if not fields and not dataclasses.is_dataclass(value):
        return type(value).__name__
    parts, used = [], 0
    for name, v in fields:
        if used > budget:
            break
        parts.append(f"{name}={show(v, budget // 2, depth - 1)}")
        used += len(parts[-1]) + 2
    return _clip(f"{type(value).__name__}({', '.join(parts)})", budget)


def _items(opener, closer, items, value, budget, depth) -> str:
    n = len(value)
    if items is None:  # long: the count and the last few, which is where sequences change
        last = list(islice(reversed(value), 3))[::-1]  # without copying a long sequence
        tail = [show(v, budget // 3, depth - 1) for v in last]
        return _clip(f"{opener}{n} items: …, {', '.join(tail)}{closer}", budget)
    texts, used = [], 0
    for v in items:
        if used > budget:
            break
        texts.append(show(v, budget, depth - 1))
        used += len(texts[-1]) + 2
    if n == 1 and opener == "(":
        closer = ",)"  # a tuple of one
    return _joined(opener, closer, texts, n, budget)


def _joined(opener, closer, texts, n, budget) -> str:
    text = opener + ", ".join(texts) + closer
    if len(text) <= budget and len(texts) == n:
        return text
    return _clip(opener + ", ".join(texts), budget - len(f"…{closer} ({n})")) + f"…{closer} ({n})"


def _openable(value) -> list[tuple[str, object]] | None:
    """Entries of a value worth a row each: a small dict, or a plain object's fields."""
    if isinstance(value, dict):
        if 0 < len(value) <= OPEN_ITEMS and all(isinstance(k, (str, int)) for k in value):
            return [(str(k), v) for k, v in value.items()]
        return None
    if isinstance(value, _SCALARS) or isinstance(value, (list, tuple, set, frozenset)):
        return None
    if _named(value) is not None:
        return None
    fields = _public(value)
    return fields if 0 < len(fields) <= 4 * OPEN_ITEMS else None


def _frozen(value, depth: int = 4) -> bool:
    """Whether ``value`` can never change: scalars, and tuples and frozensets of them."""
    if isinstance(value, _SCALARS):
        return True
    if depth and isinstance(value, (tuple, frozenset)):
        return all(_frozen(v, depth - 1) for v in value)
    return False


_PLAIN = frozenset({int, float, str, bool, type(None), Fraction})


def _plain(v) -> bool:
    return type(v) in _PLAIN or (type(v) is tuple and _frozen(v, 2))


def _contents(value):
    """A small dict, list or set of plain values (or tuples of them) as an immutable key of
    its contents, else None."""
    kind = type(value)
    if kind is dict:
        if len(value) <= 16 and all(type(k) in _PLAIN and _plain(v) for k, v in value.items()):
            return (dict, tuple(value.items()))
    elif kind is list or kind is deque:
        if len(value) <= 16 and all(_plain(v) for v in value):
            return (kind, tuple(value))
    elif kind is set:
        if len(value) <= 16 and all(_plain(v) for v in value):
            return (set, frozenset(value))
    return None


class Rows:
    """``path -> text`` for the state panel after each step (see the module docstring).
    A row whose value is the very same unchangeable object as last time keeps its
    text: most of a big model's fields stand still in any one step."""

    def __init__(self, model, params=(), world=None):
        self.model, self.params, self.world = model, set(params), world
        self.cache: dict = {}  # path -> (the unchangeable value shown, its text)

    def _show(self, path: str, value, budget: int = BUDGET, depth: int = 2) -> str:
        hit = self.cache.get(path)
        if hit is not None and hit[0] is value:
            return hit[1]
        key = _contents(value)
        if key is not None and hit is not None and hit[0] == key:
            return hit[1]
        text = show(value, budget, depth)
        if key is not None:
            self.cache[path] = (key, text)  # a small container of scalars: known by its contents
        elif _frozen(value):
            self.cache[path] = (value, text)
        elif hit is not None:
            del self.cache[path]
        return text

    def __call__(self, state_text=None) -> dict:
        model, world = self.model, self.world
        out = {}
        if state_text is not None:
            out["state()"] = state_text
        for name, value in _public(model):
            if name in self.params or value is world:
                continue
            entries = _openable(value)
            if entries is None:
                out[name] = self._show(name, value)
                continue
            for key, item in entries:
                inner = _openable(item) if not isinstance(item, dict) else None
                path = f"{name}.{key}"
                if inner is None:
                    out[path] = self._show(path, item)
                    continue
                for attr, v in inner:
                    if v is not model and v is not world:
                        out[f"{path}.{attr}"] = self._show(f"{path}.{attr}", v, BUDGET, 1)
        return out


def rows(model, params=(), world=None, state_text=None) -> dict:
    """The rows of ``model`` now (one snapshot; ``Rows`` keeps texts between steps)."""
    return Rows(model, params, world)(state_text)

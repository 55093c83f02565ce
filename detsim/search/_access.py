"""What a step touched: footprints for partial-order reduction (docs/exhaustive.md).

A footprint maps keys to READ or WRITE; two footprints conflict when they share a
key and one of them writes it, or when either is *opaque* (the step may have
touched something no key describes). Keys come from three places:

* the model instance, whose class is swapped for a subclass that reports every
  attribute access (``("m", name)``: a write when set, deleted, or when the value
  read is mutable, since the caller may then change it in place);
* the world's public attributes (one key ``("w",)``, a write, except for a short
  list of names that read nothing another step changes);
* the primitives' own notes (``("o", name)``, always a write).

Anything else a process could reach is checked after each of its steps by looking
at what its generator frame holds (locals and the value stack, through the
garbage collector's referents): atoms, the model, the world, self-noting
primitives and objects only this frame refers to are fine; anything else makes
the step opaque (dependent with every other step).
"""
from __future__ import annotations

import gc
import sys
import types
from fractions import Fraction

READ, WRITE = 1, 2
_ATOMS = (type(None), bool, int, float, complex, str, bytes, Fraction, range, type(Ellipsis))
_HARMLESS = (types.CodeType, types.ModuleType, types.BuiltinFunctionType, types.FrameType, type)
_MAX_DEPTH = 6

# The tracker of the run in progress (runs in one process are sequential).
_ACTIVE: list = [None]


class Footprint:
    """Keys a transition read or wrote; ``opaque`` says why it conflicts with everything."""

    __slots__ = ("keys", "opaque")

    def __init__(self):
        self.keys: dict = {}
        self.opaque: str | None = None

    def add(self, key, mode: int) -> None:
        if self.keys.get(key, 0) < mode:
            self.keys[key] = mode

    def merge(self, other: "Footprint") -> None:
        for key, mode in other.keys.items():
            self.add(key, mode)
        if self.opaque is None:
            self.opaque = other.opaque

    def writes(self, keys) -> bool:
        return any(self.keys.get(k) == WRITE for k in keys)

    def conflicts(self, other: "Footprint") -> bool:
        if self.opaque is not None or other.opaque is not None:
            return True
        a, b = (self.keys, other.keys) if len(self.keys) <= len(other.keys) else (other.keys, self.keys)
        for key, mode in a.items():
            theirs = b.get(key)
            if theirs is not None and (mode == WRITE or theirs == WRITE):
                return True
        return False


def is_atom(value) -> bool:
    if isinstance(value, _ATOMS):
        return True
    if type(value) in (tuple, frozenset):
        return all(is_atom(v) for v in value)
    return False


def self_noting(value) -> bool:
    """A registered primitive, a node or the network whose class was swapped for a
    tracking one (``tracked_object_class``): every public access reports itself."""
    return getattr(type(value), "_detsim_tracked", False)


def value_mode(value) -> int:
    """How reading ``value`` out of an attribute counts: a read if it cannot be changed
    in place (atoms, tuples of atoms or of self-noting objects), else a write."""
    if is_atom(value) or self_noting(value):
        return READ
    if type(value) is tuple and all(is_atom(v) or self_noting(v) for v in value):
        return READ
    return WRITE


# ---- the model's attributes ------------------------------------------------------
_TRACKED: dict = {}  # original model class -> its tracking subclass


def tracked_class(cls):
    """A subclass of ``cls`` that reports attribute accesses to the active tracker;
    same name and module, so traces name the model as before."""
    sub = _TRACKED.get(cls)
    if sub is not None:
        return sub

    def __getattribute__(self, name):
        value = super(sub, self).__getattribute__(name)
        tracker = _ACTIVE[0]
        if tracker is not None and tracker.recording:
            if name.startswith("__"):
                if name == "__dict__":
                    tracker.model_opaque("the model's __dict__ was read")
            elif _own(self, name) or not _behaviour(cls, name):
                tracker.model_access(name, value_mode(value), value)
        return value

    def __setattr__(self, name, value):
        tracker = _ACTIVE[0]
        if tracker is not None and tracker.recording:
            tracker.model_access(name, WRITE, None)
        super(sub, self).__setattr__(name, value)

    def __delattr__(self, name):
        tracker = _ACTIVE[0]
        if tracker is not None and tracker.recording:
            tracker.model_access(name, WRITE, None)
        super(sub, self).__delattr__(name)

    sub = type(cls.__name__, (cls,), {"__slots__": (), "__module__": cls.__module__,
                                      "__qualname__": cls.__qualname__, "__getattribute__": __getattribute__,
                                      "__setattr__": __setattr__, "__delattr__": __delattr__})
    _TRACKED[cls] = sub
    return sub


def _own(obj, name) -> bool:
    """``name`` is in the instance's dict (a model with __slots__ has none: all state)."""
    try:
        return name in object.__getattribute__(obj, "__dict__")
    except AttributeError:
        return True


def _behaviour(cls, name) -> bool:
    """A class attribute that is code (a method, a property): what it touches is
    tracked when it runs, so reaching it is not an access."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            attr = klass.__dict__[name]
            return isinstance(attr, (types.FunctionType, staticmethod, classmethod, property))
    return False


# ---- primitives, nodes and the network ------------------------------------------
_OBJECTS: dict = {}  # original class -> its tracking subclass


def object_key(obj) -> tuple:
    """A receiver reads and changes its channel's state: it counts as its channel."""
    try:
        parent = object.__getattribute__(obj, "channel")
    except AttributeError:
        parent = None
    if parent is not None and getattr(type(parent), "_detsim_tracked", False):
        return object_key(parent)
    try:
        return ("o", object.__getattribute__(obj, "name"))
    except AttributeError:
        return ("o", type(obj).__name__)


def tracked_object_class(cls):
    """A subclass of a primitive's (node's, network's) class whose every public
    attribute access is a write of the object's key, on top of the notes its
    operations make; underscore names are its own implementation."""
    sub = _OBJECTS.get(cls)
    if sub is not None:
        return sub

    def __getattribute__(self, name):
        if name[0] != "_":
            tracker = _ACTIVE[0]
            if tracker is not None and tracker.recording:
                tracker.object_access(object_key(self))
        return super(sub, self).__getattribute__(name)

    def __setattr__(self, name, value):
        if name[0] != "_":
            tracker = _ACTIVE[0]
            if tracker is not None and tracker.recording:
                tracker.object_access(object_key(self))
        super(sub, self).__setattr__(name, value)

    sub = type(cls.__name__, (cls,), {"__slots__": (), "__module__": cls.__module__,
                                      "__qualname__": cls.__qualname__, "_detsim_tracked": True,
                                      "__getattribute__": __getattribute__, "__setattr__": __setattr__})
    _OBJECTS[cls] = sub
    return sub


# ---- what a generator frame holds -------------------------------------------------
def frame_reason(generator, model, world) -> str | None:
    """None when everything ``generator`` holds between steps is tracked or private
    to it; else why a step of it must count as touching everything."""
    if generator.gi_frame is None:
        return None
    return _check_refs(gc.get_referents(generator), model, world, 0, generator.gi_code.co_name) or \
        _globals_reason(generator)


def callback_reason(callback, model, world) -> str | None:
    """Like ``frame_reason`` for a callback that is not a process resuming: a named
    timer's function and arguments, or a model's own callable. detsim's and SimPy's
    own callbacks touch only what their notes report."""
    owner = getattr(callback, "__self__", None)
    if owner is None:
        return _check_refs([callback], model, world, 0, getattr(callback, "__name__", "a callback"))
    if hasattr(owner, "_fn") and hasattr(owner, "_args"):  # detsim.engine.after's timer
        fn = owner._fn
        if (getattr(fn, "__module__", None) or "").startswith("detsim."):
            return None
        return _check_refs([fn, *owner._args], model, world, 0, f"timer {owner.name}")
    if (type(owner).__module__ or "").startswith(("detsim.", "simpy.")):
        return None
    return _check_refs([owner], model, world, 0, f"a callback of {type(owner).__name__}")


def _check_refs(refs, model, world, depth, where) -> str | None:
    if depth > _MAX_DEPTH:
        return f"{where}: holds objects nested too deep to follow"
    for ref in refs:
        count = sys.getrefcount(ref)
        if ref is model or ref is world or is_atom(ref) or isinstance(ref, _HARMLESS) or self_noting(ref):
            continue
        kind = type(ref)
        if kind in (tuple, frozenset):
            reason = _check_refs(list(ref), model, world, depth + 1, where)
        elif kind is types.FunctionType:
            cells = [c.cell_contents for c in ref.__closure__ or () if _filled(c)]
            reason = _check_refs(cells, model, world, depth + 1, where)
        elif kind is types.MethodType:
            reason = _check_refs([ref.__self__], model, world, depth + 1, where)
        elif kind is types.GeneratorType:
            reason = None if ref.gi_frame is None else (
                _check_refs(gc.get_referents(ref), model, world, depth + 1, ref.gi_code.co_name)
                or _globals_reason(ref))
        elif kind.__name__ == "Timeout" and kind.__module__ == "simpy.events":
            reason = None  # only virtual time triggers a timeout
        elif count <= _PRIVATE:
            reason = _check_refs(gc.get_referents(ref), model, world, depth + 1, where)
        else:
            reason = f"{where} holds a {kind.__name__} that other code can reach"
        if reason is not None:
            return reason
    return None


def _filled(cell) -> bool:
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True


_GLOBALS_SEEN: dict = {}  # code object -> verdict (globals named by the code, checked once)


def _globals_reason(generator) -> str | None:
    code = generator.gi_code
    if code in _GLOBALS_SEEN:
        return _GLOBALS_SEEN[code]
    reason = None
    namespace = generator.gi_frame.f_globals
    for name in code.co_names:
        value = namespace.get(name)
        if value is None or is_atom(value) or isinstance(value, (types.FunctionType,) + _HARMLESS):
            continue
        if callable(value):  # classes, functions, bound methods of modules
            continue
        reason = f"{code.co_name} uses the module global {name!r}, which no footprint tracks"
        break
    _GLOBALS_SEEN[code] = reason
    return reason


def _probe():
    private = [object()]  # noqa: F841 (held by the frame only)
    yield private


def _calibrate() -> int:
    """The reference count an object has when only one frame holds it, as seen from
    inside ``_check_refs`` (so the rule follows the interpreter, not a guess)."""
    gen = _probe()
    next(gen)
    seen = []
    for ref in gc.get_referents(gen):
        count = sys.getrefcount(ref)
        if type(ref) is list:
            seen.append(count)
    return min(seen)


_PRIVATE = _calibrate()

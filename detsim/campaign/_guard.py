"""Uncontrolled nondeterminism: the wall clock and the global random generator.

During a run, the global ``random`` module's functions, ``time.time`` and its
siblings, and ``os.urandom`` are replaced by guards. Called directly from model
code (any file outside the standard library, installed packages and detsim), a
guard raises ``NondeterminismError`` naming the call site: the run would no longer
be a function of its decisions. Library code (logging's timestamps, say) is left
alone. Code that knows what it does wraps the call in
``with detsim.allow_nondeterminism("why"):``. Limits: ``datetime.now`` and random
generators made before the run are not guarded; re-executing a sample of runs
catches what the guards miss.
"""
from __future__ import annotations

import contextlib
import functools
import os
import random
import sys
import sysconfig
import time

from ..errors import NondeterminismError

_GUARDED = (
    (random, ("random", "randint", "randrange", "choice", "choices", "shuffle", "sample", "uniform",
              "gauss", "normalvariate", "getrandbits", "randbytes", "triangular", "expovariate", "seed")),
    (time, ("time", "time_ns", "monotonic", "monotonic_ns", "perf_counter", "perf_counter_ns")),
    (os, ("urandom",)),
)
_LIBRARY = tuple({os.path.realpath(p) for p in (sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"],
                                                  sysconfig.get_paths()["platlib"], sys.prefix, sys.base_prefix)})
_DETSIM = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_state = {"depth": 0, "allowed": 0}


@contextlib.contextmanager
def allow_nondeterminism(reason: str = ""):
    """Let model code inside this block read the clock or the global random generator."""
    _state["allowed"] += 1
    try:
        yield
    finally:
        _state["allowed"] -= 1


@functools.lru_cache(maxsize=4096)
def _from_model_code(filename: str) -> bool:
    # Cached by file name: realpath touches the file system, and a guarded clock read
    # (a Dask worker's own heartbeat, say) asks this on every call.
    path = os.path.realpath(filename)
    return not (path.startswith(_DETSIM) or path.startswith(_LIBRARY) or filename.startswith("<"))


def _guard(module, name: str, original):
    qualified = f"{module.__name__}.{name}"

    def guarded(*args, **kwargs):
        if not _state["allowed"]:
            caller = sys._getframe(1)
            if _from_model_code(caller.f_code.co_filename):
                where = f"{os.path.relpath(caller.f_code.co_filename)}:{caller.f_lineno}"
                raise NondeterminismError(
                    f"the model called {qualified}() at {where} during a run: the run would no longer "
                    "follow from its decisions; use world.choose(...) or a timer in virtual time "
                    "(or wrap the call in `with detsim.allow_nondeterminism(...)`)")
        return original(*args, **kwargs)

    guarded.__name__ = name
    guarded.__wrapped__ = original
    return guarded


_PLACES = tuple((module, name) for module, names in _GUARDED for name in names if hasattr(module, name))
_MODULES = [module for module, _ in _PLACES]
_NAMES = [name for _, name in _PLACES]
_made = {"originals": [], "guards": []}  # made once (again only if someone patched an original)


class guarded:
    """Install the guards for the duration of the block (re-entrant). A class over
    prepared lists (map loops in C), not a generator context manager: every run
    enters one (bench/engine_overhead.py)."""

    __slots__ = ()

    def __enter__(self) -> None:
        if _state["depth"] == 0:
            current = list(map(getattr, _MODULES, _NAMES))
            if current != _made["originals"]:  # first use, or an original was patched since
                _made["originals"] = current
                _made["guards"] = [_guard(m, n, o) for m, n, o in zip(_MODULES, _NAMES, current)]
            for _ in map(setattr, _MODULES, _NAMES, _made["guards"]):
                pass
        _state["depth"] += 1

    def __exit__(self, *exc) -> bool:
        _state["depth"] -= 1
        if _state["depth"] == 0:
            for _ in map(setattr, _MODULES, _NAMES, _made["originals"]):
                pass
        return False


class construction_allowed:
    """Model construction stays unguarded as it is outside a campaign-wide guard
    (``execute`` builds each run's model before its own ``guarded`` block): a model's
    ``__post_init__`` may read the clock. A class, as ``guarded``: every run enters one."""

    __slots__ = ()

    def __enter__(self) -> None:
        _state["allowed"] += 1

    def __exit__(self, *exc) -> bool:
        _state["allowed"] -= 1
        return False


def guard_active() -> bool:
    """Whether the guards are installed now (a campaign installs them once for its runs)."""
    return _state["depth"] > 0

"""History recording and linearizability checking for detsim.

Record a concurrent history with :class:`History` (``invoke`` / ``ok`` /
``fail`` / ``info``), then check it against a sequential specification
(a *spec*; in detsim a "model" is the protocol under test)::

    h = History("kv", now=lambda: world.now)
    op = h.invoke(client=1, f="put", key="x", value="a")
    h.ok(op)
    result = check_linearizable(h, kv)
    if not result.ok:
        print(result.describe())
        print(render_timeline(h, mark=result.first_unplaceable))

Results: ``h.ok(op, value)`` records a value that is checked, ``None``
included; :data:`UNKNOWN` (``h.ok(op, UNKNOWN)``, or ``h.info(op)`` when
even whether it happened is unknown) is accepted in any state; :data:`NIL`
is "no value" (an empty register).

Pure Python; only the ``linearizable`` property touches the rest of detsim.

The old "model" names (``RegisterModel``, ``CasRegisterModel``, ``KVModel``,
``get_model``) still resolve, with a :class:`DeprecationWarning`, for one
version.
"""

import warnings

from ._checker import LinearizabilityResult, check_linearizable
from ._readers import (Keyword, Symbol, parse_edn, parse_edn_all, read_edn_kv,
                       read_jepsen_edn_history, read_jepsen_etcd_log)
from ._record import NIL, UNKNOWN, History, HistoryError, HistoryFormatError, Op, Operation
from ._specs import (CasRegisterSpec, KVSpec, RegisterSpec, cas_register, get_spec, kv,
                     register)
from ._property import Linearizable, linearizable
from ._render import render_timeline

__all__ = [
    "History", "Op", "Operation", "NIL", "UNKNOWN", "HistoryError", "HistoryFormatError",
    "check_linearizable", "LinearizabilityResult",
    "RegisterSpec", "CasRegisterSpec", "KVSpec",
    "register", "cas_register", "kv", "get_spec",
    "parse_edn", "parse_edn_all", "Keyword", "Symbol",
    "read_jepsen_etcd_log", "read_edn_kv", "read_jepsen_edn_history",
    "render_timeline", "linearizable", "Linearizable",
]

_DEPRECATED = {"RegisterModel": RegisterSpec, "CasRegisterModel": CasRegisterSpec,
               "KVModel": KVSpec, "get_model": get_spec}


def __getattr__(name):
    # Old names still work for one version, but say what replaced them.
    if name in _DEPRECATED:
        new = _DEPRECATED[name]
        warnings.warn(f"detsim.history.{name} is deprecated; use {new.__name__}",
                      DeprecationWarning, stacklevel=2)
        return new
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""History recording and linearizability checking for detsim.

Record a concurrent history with :class:`History` (``invoke`` / ``ok`` /
``fail`` / ``info``), then check it against a sequential model::

    h = History("kv", now=lambda: world.now)
    op = h.invoke(client=1, f="put", key="x", value="a")
    h.ok(op)
    result = check_linearizable(h, kv)
    if not result.ok:
        print(result.describe())
        print(render_timeline(h, mark=result.first_unplaceable))

Pure Python; only the ``linearizable`` property touches the rest of detsim.
"""

from ._checker import LinearizabilityResult, check_linearizable
from ._models import (CasRegisterModel, KVModel, RegisterModel, cas_register,
                      get_model, kv, register)
from ._readers import (Keyword, Symbol, parse_edn, parse_edn_all, read_edn_kv,
                       read_jepsen_edn_history, read_jepsen_etcd_log)
from ._record import NIL, History, HistoryError, HistoryFormatError, Op, Operation
from ._property import Linearizable, linearizable
from ._render import render_timeline

__all__ = [
    "History", "Op", "Operation", "NIL", "HistoryError", "HistoryFormatError",
    "check_linearizable", "LinearizabilityResult",
    "RegisterModel", "CasRegisterModel", "KVModel",
    "register", "cas_register", "kv", "get_model",
    "parse_edn", "parse_edn_all", "Keyword", "Symbol",
    "read_jepsen_etcd_log", "read_edn_kv", "read_jepsen_edn_history",
    "render_timeline", "linearizable", "Linearizable",
]

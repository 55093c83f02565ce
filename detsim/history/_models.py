"""Deprecated: the old home of the sequential specifications (now ``_specs``).

The checker's sequential specifications used to be called "models", which
clashed with :class:`detsim.Model` (the protocol under test).  These aliases
keep old imports working for one version; new code uses the ``*Spec`` names
and :func:`~detsim.history.get_spec`.
"""

from ._specs import (CasRegisterSpec, KVSpec, RegisterSpec, cas_register, get_spec, kv,
                     register)

__all__ = ["RegisterModel", "CasRegisterModel", "KVModel",
           "register", "cas_register", "kv", "get_model"]

RegisterModel = RegisterSpec
CasRegisterModel = CasRegisterSpec
KVModel = KVSpec
get_model = get_spec

"""Deprecated alias of ``detsim.testing`` (the Hypothesis strategies), kept for one
version: "strategies" now means schedulers (``detsim.search``)."""
import warnings

from .testing import *  # noqa: F401,F403
from .testing import from_seed as _from_seed  # noqa: F401  (the name older code imported)

warnings.warn("detsim.strategies is deprecated; import detsim.testing instead",
              DeprecationWarning, stacklevel=2)

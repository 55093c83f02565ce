"""Deprecated alias of ``detsim.testing`` (the Hypothesis strategies), kept for one
version: "strategies" now means schedulers (``detsim.search``)."""
import warnings

from .testing import *  # noqa: F401,F403
from .testing import Deviations, _from_seed  # noqa: F401  (names older code imported)

warnings.warn("detsim.strategies is deprecated; import detsim.testing instead",
              DeprecationWarning, stacklevel=2)

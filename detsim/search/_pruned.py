"""``RunPruned``: a run of an exhaustive search ends early because it can only repeat
what was explored already (a sleep-set block, or a state seen before)."""
from ..errors import DetsimError


class RunPruned(DetsimError):
    """Internal: the run can only go on into behaviours already explored."""

"""Exceptions raised by detsim. Every one carries a one-line message naming the
step, the virtual time and the process where that is known."""


class DetsimError(Exception):
    """Base class of every detsim error."""


class PropertyViolation(DetsimError, AssertionError):
    """A property failed. Raised by the pytest helpers; ``check`` returns it."""

    def __init__(self, violation, report: str = ""):
        self.violation = violation
        super().__init__(report or str(violation))


class ReplayDivergence(DetsimError):
    """A replayed run asked a different question than the recorded trace."""


class StepBudgetExceeded(DetsimError):
    """A run took more steps than allowed (often a loop at one instant)."""


class ModelError(DetsimError):
    """The model misused the engine (bad parameter, unknown name, misuse of a primitive)."""


class NondeterminismError(ModelError):
    """The model's behaviour does not follow from its decisions alone: it read the
    wall clock or the global random generator, or a re-execution differed."""


class UsageError(DetsimError, ValueError):
    """A request that cannot be honoured as stated (a budget of no runs, a bad bound)."""


class TraceFormatError(DetsimError, ValueError):
    """A trace file is not valid detsim trace JSON."""

"""One decision of a run, the kinds of decision, and exact times in JSON."""
from __future__ import annotations

from fractions import Fraction

# Every decision carries the kind its asker gave it; nothing is classified by label text.
SCHEDULE = "schedule"  # which of several same-time events runs next
CHOICE = "choice"  # model-level nondeterminism: world.choose, select policies, latencies, swarm
FAULT = "fault"  # a fault: drop, duplicate, crash, pause, clock, partition, lost writes
KINDS = (SCHEDULE, CHOICE, FAULT)


def encode_time(t):
    """A virtual time as a JSON value: ints stay ints, Fractions become "p/q"."""
    if type(t) is int:  # the usual case, before an isinstance that goes through ABCMeta
        return t
    if isinstance(t, Fraction):
        return t.numerator if t.denominator == 1 else f"{t.numerator}/{t.denominator}"
    if isinstance(t, float) and t.is_integer():
        return int(t)
    return t


def decode_time(t):
    if isinstance(t, str):
        num, _, den = t.partition("/")
        return Fraction(int(num), int(den or 1))
    return t


class Decision:
    """One recorded decision: at ``step``/``time``, ``label`` of ``kind`` took index
    ``chosen`` (named ``choice``) among ``count`` candidates whose default (index 0)
    is named ``default``.

    ``candidates`` (every name, in order) is known for a decision made in this
    process, or read from a version-1 file; a version-2 file does not store it
    (None): ``detsim show`` rebuilds it by re-execution (docs/architecture.md,
    "The trace format")."""

    __slots__ = ("step", "time", "label", "kind", "count", "chosen", "choice", "default", "candidates")

    def __init__(self, step: int, time, label: str, candidates: tuple, chosen: int, kind: str = CHOICE):
        self.step, self.time, self.label, self.kind, self.chosen = step, time, label, kind, chosen
        self.candidates = tuple(candidates)
        self.count = len(self.candidates)
        self.choice = self.candidates[chosen]
        self.default = self.candidates[0]

    @classmethod
    def lean(cls, step: int, time, label: str, kind: str, count: int, chosen: int, choice: str,
             default: str) -> "Decision":
        """A decision known by its count and two names only (trace format version 2)."""
        d = cls.__new__(cls)
        d.step, d.time, d.label, d.kind, d.count, d.chosen = step, time, label, kind, count, chosen
        d.choice, d.default, d.candidates = choice, default, None
        return d

    def key(self) -> tuple:
        """What replay compares and equality means: everything version 2 stores."""
        return (self.step, self.time, self.label, self.kind, self.count, self.chosen, self.choice, self.default)

    def matches(self, label: str, candidates: tuple) -> bool:
        """Whether a re-execution asking ``label`` among ``candidates`` asks this decision:
        every name when they are known, else the count, the chosen and the default name."""
        if self.label != label:
            return False
        if self.candidates is not None:
            return self.candidates == tuple(candidates)
        return (len(candidates) == self.count and candidates[0] == self.default
                and candidates[self.chosen] == self.choice)

    def among(self) -> str:
        """The candidates for a message: every name if known, else what version 2 stores."""
        if self.candidates is not None:
            return f"among {list(self.candidates)}"
        return f"among {self.count} candidates (default {self.default!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Decision) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())

    def __getstate__(self):
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setstate__(self, state) -> None:
        for name, value in zip(self.__slots__, state):
            setattr(self, name, value)

    def to_json(self, version: int = 2) -> dict:
        if version != 1:
            return lean_json(self.key())
        if self.candidates is None:
            raise ValueError("a version-1 trace needs every candidate's name; this decision has only "
                             "its count (re-execute the trace to rebuild them)")
        return {"step": self.step, "time": encode_time(self.time), "label": self.label, "kind": self.kind,
                "chosen": self.chosen, "candidates": list(self.candidates)}

    def __repr__(self) -> str:
        return (f"Decision(step={self.step}, time={self.time!r}, label={self.label!r}, kind={self.kind!r}, "
                f"chosen={self.chosen}, count={self.count}, choice={self.choice!r}, default={self.default!r})")

    def __str__(self) -> str:
        return (f"step {self.step} t={encode_time(self.time)} {self.label}: chose "
                f"{self.choice!r} (#{self.chosen} of {self.count}; default {self.default!r})")


def lean_json(row: tuple) -> dict:
    """A version-2 decision from a (step, time, label, kind, count, chosen, choice, default)
    row, without building a Decision (the World's compact record, saved directly)."""
    step, time, label, kind, count, chosen, choice, default = row
    return {"step": step, "time": encode_time(time), "label": label, "kind": kind, "count": count,
            "chosen": chosen, "choice": choice, "default": default}

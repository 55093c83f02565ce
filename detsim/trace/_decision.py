"""One decision of a run, the kinds of decision, and exact times in JSON."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

# Every decision carries the kind its asker gave it; nothing is classified by label text.
SCHEDULE = "schedule"  # which of several same-time events runs next
CHOICE = "choice"  # model-level nondeterminism: world.choose, select policies, latencies, swarm
FAULT = "fault"  # a fault: drop, duplicate, crash, pause, clock, partition, lost writes
KINDS = (SCHEDULE, CHOICE, FAULT)


def encode_time(t):
    """A virtual time as a JSON value: ints stay ints, Fractions become "p/q"."""
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


@dataclass(frozen=True)
class Decision:
    step: int
    time: object
    label: str
    candidates: tuple
    chosen: int
    kind: str = CHOICE

    @property
    def choice(self) -> str:
        return self.candidates[self.chosen]

    def to_json(self) -> dict:
        return {"step": self.step, "time": encode_time(self.time), "label": self.label,
                "kind": self.kind, "candidates": list(self.candidates), "chosen": self.chosen}

    def __str__(self) -> str:
        default = self.candidates[0]
        return (f"step {self.step} t={encode_time(self.time)} {self.label}: chose "
                f"{self.choice!r} (#{self.chosen} of {len(self.candidates)}; default {default!r})")

"""How a run ended badly: a Violation names the property, the time, the step and the process."""
from __future__ import annotations

from dataclasses import dataclass, field

from ._decision import decode_time, encode_time


@dataclass
class Violation:
    property: str
    message: str
    time: object
    step: int
    process: str
    cycle: list = field(default_factory=list)
    error: str | None = None  # exception type, for a process that raised

    def __str__(self) -> str:
        return (f'property "{self.property}" violated at t={self.time}, step {self.step}, '
                f"process {self.process}: {self.message}")

    def to_json(self) -> dict:
        return {"property": self.property, "message": self.message, "time": encode_time(self.time),
                "step": self.step, "process": self.process, "cycle": list(self.cycle),
                "error": self.error}

    @classmethod
    def from_json(cls, data: dict) -> "Violation":
        return cls(data["property"], data["message"], decode_time(data["time"]), data["step"],
                   data["process"], list(data.get("cycle") or []), data.get("error"))

"""Traces: the decision list of one run as versioned JSON. Never pickled or eval'd."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import TraceFormatError
from ._decision import CHOICE, FAULT, KINDS, SCHEDULE, Decision, decode_time
from ._outcome import Violation

FORMAT = "detsim-trace"
VERSION = 1
# Files written before decisions carried a kind: the kind is recovered from the label,
# by the rule those versions of detsim used themselves. Only the loader uses this.
_LEGACY_FAULT_LABELS = ("drop ", "duplicate ", "partition", "crash ", "pause ", "clock ", "lose-writes ")


def _legacy_kind(label: str) -> str:
    if label == "schedule":
        return SCHEDULE
    return FAULT if label.startswith(_LEGACY_FAULT_LABELS) else CHOICE


@dataclass
class Trace:
    model: str  # "module:Class"
    params: dict
    decisions: list
    strategy: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    outcome: dict = field(default_factory=dict)
    detsim_version: str = ""

    # ---- views -----------------------------------------------------------
    def deviations(self) -> list[tuple[int, Decision]]:
        """(position, decision) for every decision that left the default."""
        return [(i, d) for i, d in enumerate(self.decisions) if d.chosen != 0]

    @property
    def violation(self):
        v = self.outcome.get("violation")
        return Violation.from_json(v) if v else None

    # ---- JSON ------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"format": FORMAT, "version": VERSION, "detsim": self.detsim_version,
                "model": self.model, "params": self.params, "strategy": self.strategy,
                "settings": self.settings, "outcome": self.outcome,
                "decisions": [d.to_json() for d in self.decisions]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, indent=1, ensure_ascii=False) + "\n"

    def save(self, path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path) -> "Trace":
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise TraceFormatError(f"{path}: cannot read trace: {e.strerror or e}") from None
        except UnicodeDecodeError:  # binary (e.g. pickled) data: never loaded, only JSON text
            raise TraceFormatError(f"{path}: not a UTF-8 JSON trace") from None
        return cls.from_json(text, source=str(path))

    @classmethod
    def from_json(cls, text: str, source: str = "<trace>") -> "Trace":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise TraceFormatError(f"{source}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
        return cls.from_dict(data, source)

    @classmethod
    def from_dict(cls, data, source: str = "<trace>") -> "Trace":
        def bad(why):
            return TraceFormatError(f"{source}: {why}")

        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise bad(f'not a detsim trace (expected "format": "{FORMAT}")')
        if data.get("version") != VERSION:
            raise bad(f"trace version {data.get('version')!r} is not supported (this detsim reads {VERSION})")
        model = data.get("model")
        if not isinstance(model, str) or ":" not in model:
            raise bad('"model" must be a "module:Class" string')
        for key in ("params", "strategy", "settings", "outcome"):
            if not isinstance(data.get(key, {}), dict):
                raise bad(f'"{key}" must be an object')
        raw = data.get("decisions")
        if not isinstance(raw, list):
            raise bad('"decisions" must be a list')
        decisions = []
        for i, d in enumerate(raw):
            try:
                cands = d["candidates"]
                chosen = d["chosen"]
                kind = d.get("kind") or _legacy_kind(d["label"])
                ok = (isinstance(cands, list) and len(cands) >= 2 and all(isinstance(c, str) for c in cands)
                      and type(chosen) is int and 0 <= chosen < len(cands) and isinstance(d["label"], str)
                      and type(d["step"]) is int and kind in KINDS)
                time = decode_time(d.get("time", 0))
            except (KeyError, TypeError, ValueError, ZeroDivisionError, AttributeError):
                ok = False
            if not ok:
                raise bad(f"decision {i} is malformed (needs step, time, label, kind, candidates[>=2 strings], "
                          "chosen index)")
            decisions.append(Decision(d["step"], time, d["label"], tuple(cands), chosen, kind))
        trace = cls(model, dict(data.get("params", {})), decisions, dict(data.get("strategy", {})),
                    dict(data.get("settings", {})), dict(data.get("outcome", {})), str(data.get("detsim", "")))
        try:
            trace.violation  # a stored violation must be readable, not a crash later in `show`
        except (KeyError, TypeError, ValueError, ZeroDivisionError, AttributeError):
            raise bad('"outcome.violation" is malformed (needs property, message, time, step, process)') from None
        return trace

    # ---- for people --------------------------------------------------------
    def describe(self) -> str:
        lines = [f"model {self.model} {json.dumps(self.params, sort_keys=True)}",
                 f"strategy {json.dumps(self.strategy, sort_keys=True)}; "
                 f"{len(self.decisions)} decisions, {len(self.deviations())} deviating from the default"]
        v = self.violation
        lines.append(f"outcome: {v}" if v else f"outcome: held ({self.outcome.get('end', 'ended')})")
        for pos, d in self.deviations():
            lines.append(f"  #{pos}: {d}")
        return "\n".join(lines)

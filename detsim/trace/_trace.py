"""Traces: the decision list of one run as versioned JSON. Never pickled or eval'd."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import TraceFormatError
from . import _validate as check
from ._decision import CHOICE, FAULT, KINDS, SCHEDULE, Decision
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
        """Write the trace as JSON; the file appears whole or not at all (a temporary
        file beside it is renamed into place), so a full disk never leaves half a trace."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = self.to_json()
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        return path

    @classmethod
    def load(cls, path) -> "Trace":
        path = Path(path)
        source = check.clip(str(path), 200)
        try:
            size = path.stat().st_size
            if size > check.MAX_BYTES:
                raise TraceFormatError(f"{source}: {size:,} bytes is too large for a trace "
                                       f"(limit {check.MAX_BYTES:,})")
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise TraceFormatError(f"{source}: cannot read trace: {e.strerror or e}") from None
        except UnicodeDecodeError:  # binary (e.g. pickled) data: never loaded, only JSON text
            raise TraceFormatError(f"{source}: not a UTF-8 JSON trace") from None
        return cls.from_json(text, source=source)

    @classmethod
    def from_json(cls, text: str, source: str = "<trace>") -> "Trace":
        return cls.from_dict(check.parse_json(text, source), source)

    @classmethod
    def from_dict(cls, data, source: str = "<trace>") -> "Trace":
        def bad(why):
            return TraceFormatError(f"{source}: {why}")

        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise bad(f'not a detsim trace (expected "format": "{FORMAT}")')
        version = data.get("version")
        if type(version) is not int or version != VERSION:
            raise bad(f"trace version {check.clip(repr(version), 40)} is not supported (this detsim reads {VERSION})")
        model = check.model_ref(data.get("model"), source)
        for key in ("params", "strategy", "settings", "outcome"):
            if not isinstance(data.get(key, {}), dict):
                raise bad(f'"{key}" must be an object')
        settings = check.settings(data.get("settings", {}), source)
        outcome = dict(data.get("outcome", {}))
        check.violation(outcome.get("violation"), source)
        raw = data.get("decisions")
        if not isinstance(raw, list):
            raise bad('"decisions" must be a list')
        decisions = [cls._decision(i, d, source) for i, d in enumerate(raw)]
        return cls(model, dict(data.get("params", {})), decisions, dict(data.get("strategy", {})),
                   settings, outcome, check.clip(data.get("detsim", ""), 40))

    @staticmethod
    def _decision(i: int, d, source: str) -> Decision:
        try:
            cands = d["candidates"]
            chosen = d["chosen"]
            label = check.name(d["label"], f"decision {i} label", source)
            kind = d.get("kind") or _legacy_kind(label)
            ok = (isinstance(cands, list) and len(cands) >= 2
                  and all(isinstance(c, str) and len(c) <= check.MAX_NAME for c in cands)
                  and type(chosen) is int and 0 <= chosen < len(cands)
                  and type(d["step"]) is int and d["step"] >= 0 and kind in KINDS)
            time = check.time_value(d.get("time", 0), f"decision {i} time", source)
        except (KeyError, TypeError, AttributeError):
            ok = False
        if not ok:
            raise TraceFormatError(f"{source}: decision {i} is malformed (needs step, time, label, kind, "
                                   "candidates[>=2 strings], chosen index)")
        return Decision(d["step"], time, label, tuple(cands), chosen, kind)

    # ---- for people --------------------------------------------------------
    def describe(self, preemptions: int | None = None) -> str:
        """The trace for people; ``preemptions`` (counted by re-executing it) goes
        next to the deviations."""
        counted = "" if preemptions is None else f", {preemptions} preemption(s)"
        lines = [f"model {self.model} {json.dumps(self.params, sort_keys=True)}",
                 f"strategy {json.dumps(self.strategy, sort_keys=True)}; "
                 f"{len(self.decisions)} decisions, {len(self.deviations())} deviating from the default{counted}"]
        v = self.violation
        lines.append(f"outcome: {v}" if v else f"outcome: held ({self.outcome.get('end', 'ended')})")
        for pos, d in self.deviations():
            lines.append(f"  #{pos}: {d}")
        return "\n".join(lines)

"""Traces: the decision list of one run as versioned JSON. Never pickled or eval'd."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from ..errors import TraceFormatError
from . import _validate as check
from ._decision import Decision, lean_json
from ._outcome import Violation

FORMAT = "detsim-trace"
VERSION = 2  # what this detsim writes
READS = (1, 2)  # what it loads: version 1 stored every candidate's name, version 2 their count


class Trace:
    """The decision list of one run, with what rebuilds the model and judges the outcome.

    A trace made by a run is given the run's ``record`` (the World) instead of a
    decision list: nothing per decision is built unless someone reads
    ``decisions`` (then with every candidate's name) or saves it (straight from
    the World's compact record, version 2)."""

    def __init__(self, model: str, params: dict, decisions: list | None = None, strategy: dict | None = None,
                 settings: dict | None = None, outcome: dict | None = None, detsim_version: str = "", *,
                 record=None):
        self.model, self.params = model, params
        self.strategy = {} if strategy is None else strategy
        self.settings = {} if settings is None else settings
        self.outcome = {} if outcome is None else outcome
        self.detsim_version = detsim_version
        self._decisions = decisions
        self._record = record if decisions is None else None
        if decisions is None and record is None:
            self._decisions = []

    @property
    def decisions(self) -> list:
        if self._decisions is None:
            self._decisions = [Decision(*row) for row in self._record.decisions]
            self._record = None
        return self._decisions

    @decisions.setter
    def decisions(self, value: list) -> None:
        self._decisions, self._record = value, None

    @property
    def record(self):
        """The run's World while its decisions still live there (none read yet), else None."""
        return self._record

    def __eq__(self, other) -> bool:
        return isinstance(other, Trace) and self.to_dict() == other.to_dict()

    def __getstate__(self) -> dict:  # a trace crosses processes as data, never with its World
        state = dict(self.__dict__)
        state["_decisions"], state["_record"] = self.decisions, None
        return state

    def __repr__(self) -> str:
        return f"Trace({self.model!r}, {self.params!r}, <{len(self.decisions)} decisions>, {self.strategy!r})"

    # ---- views -----------------------------------------------------------
    def deviations(self) -> list[tuple[int, Decision]]:
        """(position, decision) for every decision that left the default."""
        return [(i, d) for i, d in enumerate(self.decisions) if d.chosen != 0]

    @property
    def violation(self):
        v = self.outcome.get("violation")
        return Violation.from_json(v) if v else None

    # ---- JSON ------------------------------------------------------------
    def to_dict(self, version: int = VERSION) -> dict:
        """The trace as JSON data. ``version=1`` (every candidate's name) needs decisions
        that know their candidates: made in this process or loaded from version 1."""
        if version not in READS:
            raise ValueError(f"trace version {version} cannot be written (known: {READS})")
        if self._decisions is None and version == 2:
            decisions = [lean_json(row) for row in self._record.decision_rows()]
        else:
            decisions = [d.to_json(version) for d in self.decisions]
        return {"format": FORMAT, "version": version, "detsim": self.detsim_version,
                "model": self.model, "params": self.params, "strategy": self.strategy,
                "settings": self.settings, "outcome": self.outcome, "decisions": decisions}

    def to_json(self, version: int = VERSION) -> str:
        """Version 2 puts the header first and one decision per line (a long trace stays
        readable and diffs line by line); version 1 is laid out as it always was."""
        data = self.to_dict(version)
        if version == 1:
            return json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
        decisions = data.pop("decisions")
        head = json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False)
        # each decision's keys in a fixed order (step, time, label, kind, count, chosen, ...)
        rows = ",\n  ".join(json.dumps(d, ensure_ascii=False) for d in decisions)
        body = f"[\n  {rows}\n ]" if decisions else "[]"
        return f'{head[:-2]},\n "decisions": {body}\n}}\n'

    def save(self, path, version: int = VERSION) -> Path:
        """Write the trace as JSON; the file appears whole or not at all (a temporary
        file beside it is renamed into place), so a full disk never leaves half a trace."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = self.to_json(version)
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
        if type(version) is not int or version not in READS:
            raise bad(f"trace version {check.clip(repr(version), 40)} is not supported "
                      f"(this detsim reads {' and '.join(map(str, READS))})")
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
        read = check.decision_v1 if version == 1 else check.decision_v2
        decisions = [_decision(read(i, d, source)) for i, d in enumerate(raw)]
        return cls(model, dict(data.get("params", {})), decisions, dict(data.get("strategy", {})),
                   settings, outcome, check.clip(data.get("detsim", ""), 40))

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


def _decision(fields: tuple) -> Decision:
    """A checked decision: (step, time, label, kind, chosen, candidates) from version 1,
    (step, time, label, kind, count, chosen, choice, default) from version 2."""
    if len(fields) == 6:
        step, time, label, kind, chosen, candidates = fields
        return Decision(step, time, label, candidates, chosen, kind)
    return Decision.lean(*fields)

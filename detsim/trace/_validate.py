"""Reading trace JSON that may be hostile: every field checked, nothing evaluated.

A trace file is data. It names a model (``module:Class``) that the campaign
loader may build only under its own trust rules; here we only check shapes,
types and sizes, and turn anything else into one ``TraceFormatError`` line that
names the file and the field, with untrusted text cut to a sane length.
"""
from __future__ import annotations

import json
import math
import re
from fractions import Fraction

from ..errors import TraceFormatError
from ._decision import CHOICE, FAULT, KINDS, SCHEDULE

MAX_BYTES = 256 * 2**20  # a long Raft counterexample is a few MB
MAX_NAME = 4096  # a label, a candidate, a property name
MAX_MESSAGE = 2**20  # a violation message (history reports can be long)
SETTINGS = {"max_steps": "count", "instant_budget": "count", "horizon": "time"}
_REF = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_FRACTION = re.compile(r"^-?[0-9]{1,40}(/[0-9]{1,40})?$")
# Files written before decisions carried a kind: the kind is recovered from the label,
# by the rule those versions of detsim used themselves. Only the loader uses this.
_LEGACY_FAULT_LABELS = ("drop ", "duplicate ", "partition", "crash ", "pause ", "clock ", "lose-writes ")


def clip(value, limit: int = 120) -> str:
    """Untrusted text for an error message: one line, at most ``limit`` characters."""
    text = value if isinstance(value, str) else repr(value)
    text = text.replace("\n", "\\n").replace("\r", "\\r")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def parse_json(text: str, source: str):
    """json.loads that refuses NaN/Infinity and survives absurd nesting."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        raise TraceFormatError(f"{source}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None
    except ValueError as e:
        raise TraceFormatError(f"{source}: not valid JSON ({e})") from None
    except RecursionError:
        raise TraceFormatError(f"{source}: not a detsim trace (JSON nested too deeply)") from None


def model_ref(value, source: str) -> str:
    if not isinstance(value, str) or len(value) > 512 or not _REF.match(value):
        raise TraceFormatError(f'{source}: "model" must be a "module:Class" reference, got {clip(value)}')
    return value


def time_value(value, what: str, source: str):
    """A virtual time: an int, a finite float, or "p/q" (exact). Negative times are invalid."""
    if type(value) is int:
        t = value
    elif type(value) is float:
        if not math.isfinite(value):
            raise TraceFormatError(f"{source}: {what} must be a finite time, got {clip(value)}")
        t = value
    elif isinstance(value, str) and _FRACTION.match(value):
        num, _, den = value.partition("/")
        if den and int(den) == 0:
            raise TraceFormatError(f"{source}: {what} divides by zero: {clip(value)}")
        t = Fraction(int(num), int(den or 1))
    else:
        raise TraceFormatError(f"{source}: {what} must be a time (an int or 'p/q'), got {clip(value)}")
    if t < 0:
        raise TraceFormatError(f"{source}: {what} must be >= 0, got {clip(value)}")
    return t


def name(value, what: str, source: str, limit: int = MAX_NAME) -> str:
    if not isinstance(value, str):
        raise TraceFormatError(f"{source}: {what} must be a string, got {clip(value)}")
    if len(value) > limit:
        raise TraceFormatError(f"{source}: {what} is {len(value):,} characters long (limit {limit:,})")
    return value


def settings(raw, source: str) -> dict:
    """Run settings: only the known keys, each with a sane value."""
    out = {}
    for key, value in raw.items():
        kind = SETTINGS.get(key)
        if kind is None:
            raise TraceFormatError(f'{source}: unknown setting {clip(key, 40)} (known: {", ".join(SETTINGS)})')
        if value is None:
            continue
        if kind == "count":
            if type(value) is not int or value <= 0:
                raise TraceFormatError(f"{source}: setting {key} must be a positive integer, got {clip(value)}")
            out[key] = value
        else:
            time_value(value, f"setting {key}", source)
            out[key] = value
    return out


def violation(raw, source: str) -> None:
    """A stored violation must be readable, not a crash later in ``show``."""
    if raw is None:
        return
    if not isinstance(raw, dict):
        raise TraceFormatError(f'{source}: "outcome.violation" must be an object')
    try:
        name(raw["property"], "outcome.violation.property", source)
        name(raw["message"], "outcome.violation.message", source, MAX_MESSAGE)
        name(raw["process"], "outcome.violation.process", source)
        if raw["time"] is not None:
            time_value(raw["time"], "outcome.violation.time", source)
        if type(raw["step"]) is not int:
            raise TypeError
        cycle = raw.get("cycle") or []
        if not isinstance(cycle, list) or not all(isinstance(c, str) for c in cycle):
            raise TypeError
        if raw.get("error") is not None:
            name(raw["error"], "outcome.violation.error", source)
    except (KeyError, TypeError):
        raise TraceFormatError(f'{source}: "outcome.violation" is malformed (needs property, message, '
                               "time, step, process)") from None


def _legacy_kind(label: str) -> str:
    if label == "schedule":
        return SCHEDULE
    return FAULT if label.startswith(_LEGACY_FAULT_LABELS) else CHOICE


def _is_name(value) -> bool:
    return isinstance(value, str) and len(value) <= MAX_NAME


def decision_v1(i: int, d, source: str) -> tuple:
    """A version-1 decision (every candidate's name): (step, time, label, kind, chosen, candidates)."""
    try:
        cands = d["candidates"]
        chosen = d["chosen"]
        label = name(d["label"], f"decision {i} label", source)
        kind = d.get("kind") or _legacy_kind(label)
        ok = (isinstance(cands, list) and len(cands) >= 2 and all(_is_name(c) for c in cands)
              and type(chosen) is int and 0 <= chosen < len(cands)
              and type(d["step"]) is int and d["step"] >= 0 and kind in KINDS)
        time = time_value(d.get("time", 0), f"decision {i} time", source)
    except (KeyError, TypeError, AttributeError):
        ok = False
    if not ok:
        raise TraceFormatError(f"{source}: decision {i} is malformed (needs step, time, label, kind, "
                               "candidates[>=2 strings], chosen index)")
    return (d["step"], time, label, kind, chosen, tuple(cands))


def decision_v2(i: int, d, source: str) -> tuple:
    """A version-2 decision: (step, time, label, kind, count, chosen, choice, default)."""
    try:
        label = name(d["label"], f"decision {i} label", source)
        step, kind, count, chosen, choice, default = (d["step"], d["kind"], d["count"], d["chosen"],
                                                      d["choice"], d["default"])
        ok = (type(step) is int and step >= 0 and kind in KINDS and type(count) is int and count >= 2
              and type(chosen) is int and 0 <= chosen < count and _is_name(choice) and _is_name(default)
              and (chosen != 0 or choice == default))
        time = time_value(d["time"], f"decision {i} time", source)
    except (KeyError, TypeError, AttributeError):
        ok = False
    if not ok:
        raise TraceFormatError(f"{source}: decision {i} is malformed (needs step, time, label, kind, "
                               "count >= 2, chosen index below count, choice and default names)")
    return (step, time, label, kind, count, chosen, choice, default)

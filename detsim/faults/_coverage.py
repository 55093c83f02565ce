"""Fault coverage: how often each kind was enabled and actually fired over a campaign."""
from __future__ import annotations

import warnings

from ._plan import FAULT_KINDS


def fault_coverage(counters: dict) -> dict:
    """kind -> {"enabled": runs in which it was enabled, "fired": faults fired}."""
    out = {}
    for kind in FAULT_KINDS + ("lost-writes",):
        enabled, fired = counters.get(f"fault-enabled:{kind}", 0), counters.get(f"fault:{kind}", 0)
        if enabled or fired:
            out[kind] = {"enabled": enabled, "fired": fired}
    return out


def coverage_table(counters: dict, runs: int | None = None) -> str:
    cov = fault_coverage(counters)
    planned, faulty = counters.get("fault-plan", 0), counters.get("faulty-runs", 0)
    head = (f"fault coverage: {planned} run(s) with a fault plan" + (f" of {runs}" if runs is not None else "")
            + f", {faulty} with at least one fault")
    lines = [head, f"  {'kind':<12} {'enabled in runs':>16} {'fired':>7}"]
    for kind, row in cov.items():
        lines.append(f"  {kind:<12} {row['enabled']:>16} {row['fired']:>7}")
    for key in ("net:sent", "net:delivered", "net:dropped-partition", "net:dropped-crashed"):
        if key in counters:
            lines.append(f"  {key:<29} {counters[key]:>7}")
    return "\n".join(lines)


class FaultCoverageWarning(UserWarning):
    """A campaign asked for faults, but none fired: fault injection did nothing."""


def coverage_warning(counters: dict, runs: int) -> str | None:
    planned = counters.get("fault-plan", 0)
    if not planned:
        return None
    fired = sum(n for key, n in counters.items() if key.startswith("fault:"))
    if fired:
        return None
    enabled = [k for k in FAULT_KINDS if counters.get(f"fault-enabled:{k}")]
    return (f"fault injection did nothing: {planned} of {runs} run(s) had a fault plan "
            f"(kinds enabled: {', '.join(enabled) or 'none, after swarm'}) but no fault fired; "
            f"raise the fault rate or the budget, or check that the model's nodes use world.network")


def warn_coverage(counters: dict, runs: int) -> list[str]:
    message = coverage_warning(counters, runs)
    if message is None:
        return []
    warnings.warn(message, FaultCoverageWarning, stacklevel=4)  # the caller of check()
    return [message]

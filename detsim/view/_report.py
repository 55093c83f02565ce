"""Counterexamples for people: the property, the time, only the deviating
decisions, the wait-for cycle, and a replay command to copy."""
from __future__ import annotations

import shlex


def replay_command(path) -> str:
    return f"detsim replay {shlex.quote(str(path))}"


def _preemptions(result, trace) -> str:
    """", N preemption(s)" when the campaign counted them (or the shrunk trace says), else ""."""
    n = getattr(result, "preemptions", None)
    if n is None and isinstance(trace.strategy, dict):
        n = trace.strategy.get("preemptions")
    return f", {n} preemption(s)" if type(n) is int else ""


def counterexample_report(result, path=None) -> str:
    v = result.violation
    if v is None:
        return f"held over {result.runs} schedules"
    trace = result.trace
    if trace is None:  # a campaign-level failure (sometimes never held)
        return f'property "{v.property}" failed: {v.message}'
    lines = [f'property "{v.property}" violated at t={v.time} (step {v.step}, process {v.process})',
             f"  {v.message}",
             f"  model {trace.model} {trace.params}",
             f"  found after {result.runs} schedule(s) by {result.strategy}"]
    devs = trace.deviations()
    original = result.original_trace
    preemptions = _preemptions(result, trace)
    if original is not None and original is not trace:
        shrunk = "1-minimal" if result.one_minimal else "not proven minimal (shrink budget ran out)"
        before = getattr(result, "original_preemptions", None)
        before = f" ({before} preemption(s))" if type(before) is int else ""
        lines.append(f"  shrunk from {len(original.deviations())}{before} to {len(devs)} deviating decision(s){preemptions} "
                     f"in {result.shrink_runs} runs; {shrunk}")
    elif preemptions:
        lines.append(f"  {len(devs)} deviating decision(s){preemptions}")
    if devs:
        lines.append("  deviations from the default schedule (everything else is FIFO / no fault):")
        lines.extend(f"    #{pos}: {d}" for pos, d in devs)
    else:
        lines.append("  the default schedule alone fails (no deviation needed)")
    if path:
        lines.append(f"  replay: {replay_command(path)}")
    else:
        lines.append("  replay: save the trace (result.trace.save(PATH)), then detsim replay PATH")
    return "\n".join(lines)

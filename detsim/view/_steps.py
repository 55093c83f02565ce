"""The story as text: ``detsim show PATH --steps`` and the steps around each deviation.

One line per step: its number, the virtual time, who ran, the ``file:line`` it ran
to, the code of that stretch, and what it did. A deviation is marked ``⚑`` where
it happens (with the default it replaced), a preemption ``↯`` (the previous
process could have gone on), a fault ``✗``. A run of four or more steps of one
process with nothing else to say folds into one line: ``t1 ×4, lines 31–38``, with the
code of its last step.
"""
from __future__ import annotations

from ._story import phrases

FOLD = 4  # a run of this many steps of one process folds into one line
AROUND = 2  # steps shown on each side of a deviation by the short form


def _where(story, step) -> str:
    at = step.get("at")
    if at is None:
        return ""
    path = story["files"][at[0]].rsplit("/", 1)[-1]
    return f"{path}:{at[1]}"


def _marks(story, step) -> tuple[str, list[str]]:
    """(gutter, explanations) of one step's decisions."""
    gutter, said = "", []
    for index in step["d"]:
        d = story["decisions"][index]
        candidates, chosen = d["candidates"], d["chosen"]
        if d["kind"] == "schedule":
            if d["dev"]:
                gutter += "⚑"
                said.append(f"deviation #{d['pos']}: ran {candidates[chosen]}, FIFO would run {candidates[0]}")
            if d["pre"]:
                gutter += "↯"
            continue
        mark = "⚑" if d["dev"] else ""
        if d["kind"] == "fault" and d["dev"]:
            mark += "✗"
        gutter += mark
        default = f" (default {candidates[0]})" if d["dev"] else ""
        said.append(f"{d['label']}: {candidates[chosen]}{default}" + (f" [#{d['pos']}]" if d["dev"] else ""))
    return gutter, said


LEGEND = ("⚑ deviation from the default (FIFO order, no fault)   ↯ preemption (the process that ran "
          "before could have gone on)   ✗ fault")


def _gutter(marks: str) -> str:
    """Each kind of mark once, in a fixed order."""
    return "".join(m for m in "⚑↯✗" if m in marks)


def _line(story, step, width: int) -> str:
    gutter, said = _marks(story, step)
    gutter = _gutter(gutter)
    what = phrases(step["notes"], step["p"])
    code = step["code"]
    text = "  ".join(part for part in (code, "; ".join(what)) if part)
    if said:
        text += ("  " if text else "") + "[" + "; ".join(said) + "]"
    return f"{gutter:>3} {step['i']:>5}  t={step['t']!s:<6} {step['p']:<{width[0]}}  {_where(story, step):<{width[1]}}  {text}".rstrip()


def _foldable(story, step, process: str) -> bool:
    """Part of a run of ``process``: its step, no preemption, no fault or choice."""
    if step["p"] != process or not step["task"]:
        return False
    for index in step["d"]:
        d = story["decisions"][index]
        if d["kind"] != "schedule" or d["pre"]:
            return False
    return True


def _fold(story, run, width: int) -> str:
    first, last = run[0], run[-1]
    lines = [s["at"][1] for s in run if s.get("at")] + [s.get("from") for s in run if s.get("from")]
    span = ("to the end" if not lines else f"line {lines[0]}" if min(lines) == max(lines)
            else f"lines {min(lines)}–{max(lines)}")
    gutter, said = _marks(story, first)
    inner = sum(1 for s in run[1:] for i in s["d"] if story["decisions"][i]["dev"])
    if inner:
        gutter += "⚑"
        said.append(f"{inner} deviation(s) kept {first['p']} running where FIFO would switch")
    what = list(dict.fromkeys(p for s in run for p in phrases(s["notes"], s["p"])))
    text = f"{first['p']} ×{len(run)}, {span}"
    if last.get("code"):
        text += f" → {last['code']}"
    if what:
        text += ": " + "; ".join(what[:6]) + (" …" if len(what) > 6 else "")
    if said:
        text += "  [" + "; ".join(said) + "]"
    gutter = _gutter(gutter)
    steps = f"{first['i']}–{last['i']}"
    return f"{gutter:>3} {steps:>5}  t={first['t']!s:<6} {'':<{width[0]}}  {_where(story, last):<{width[1]}}  {text}"


def render_steps(story, only=None) -> str:
    """Every step (or the step numbers in ``only``), runs of one process folded."""
    steps = [s for s in story["steps"] if s["i"] > 0 and (only is None or s["i"] in only)]
    width = (max([len(s["p"]) for s in steps] + [7]), max([len(_where(story, s)) for s in steps] + [6]))
    out = [LEGEND, f"{'':>3} {'step':>5}  {'time':<8} {'process':<{width[0]}}  {'ran to':<{width[1]}}  what"]
    i, previous = 0, None
    while i < len(steps):
        step = steps[i]
        if previous is not None and step["i"] != previous + 1:
            out.append(f"{'':>3} {'⋮':>5}")  # steps left out
        j = i + 1
        while (j < len(steps) and steps[j]["i"] == steps[j - 1]["i"] + 1
               and _foldable(story, steps[j], step["p"]) and step["task"]):
            j += 1
        if j - i >= FOLD:
            out.append(_fold(story, steps[i:j], width))
        else:
            out.extend(_line(story, s, width) for s in steps[i:j])
        previous = steps[j - 1]["i"]
        i = j
    return "\n".join(out)


def deviation_steps(story) -> list[int]:
    """Step numbers that carry a deviation."""
    return sorted({d["step"] for d in story["decisions"] if d["dev"]})


def render_around(story, around: int = AROUND) -> str:
    """The steps around each deviation and the last step: the short form of ``show``."""
    last = story["steps"][-1]["i"] if story["steps"] else 0
    keys = deviation_steps(story) + ([last] if last else [])
    wanted = {k for key in keys for k in range(max(1, key - around), min(last, key + around) + 1)}
    if not wanted:
        return "(no steps)"
    return render_steps(story, wanted)


def render_setup(story) -> str:
    """Decisions and notes of the model's setup, if any (step 0)."""
    step = story["steps"][0] if story["steps"] else None
    if step is None or not (step["d"] or step["notes"]):
        return ""
    _, said = _marks(story, step)
    what = phrases(step["notes"], "setup")
    return "setup: " + "; ".join(said + what)

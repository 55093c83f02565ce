"""How a run ended, for the pictures: the wait-for graph at the violation, the lasso
of a livelock, and each recorded history with its longest linearizable prefix."""
from __future__ import annotations

from ..history import Linearizable, check_linearizable
from ..monitor import NoLivelock
from ..trace import encode_time

HISTORY_TIME_LIMIT = 10.0  # seconds for the picture's linearizability search (the verdict is the property's)


def ending(world, model, result, states: list, progress: list) -> dict:
    v = result.violation
    props = _properties(model)
    return {"waitfor": _waitfor(world, v), "lasso": _lasso(v, props, states, progress),
            "histories": [_history(h, props) for h in world.histories.values()]}


def _properties(model) -> list:
    try:
        return list(model.properties())
    except Exception:  # the run already reported a broken properties(); the picture goes without
        return []


def _waitfor(world, violation) -> dict:
    edges = [[a[0], a[1], b[0], b[1]] for a, b in world.waitfor.graph.edges()]
    edges.sort()
    cycle = list(violation.cycle) if violation is not None else []
    return {"edges": edges, "cycle": cycle}


def _lasso(violation, props, states: list, progress: list):
    """Steps of the prefix and of one turn of the cycle, from the recorded ``state()``
    texts: the stretch since the last progress, the set of states the run was
    trapped in at the end, where it entered that set, and its last full turn."""
    if violation is None or not states:
        return None
    if not any(isinstance(p, NoLivelock) and p.name == violation.property for p in props):
        return None
    end = min(violation.step, len(states) - 1)
    start = 0
    for k in range(end, 0, -1):
        if progress[k] != progress[k - 1]:
            start = k
            break
    walk = states[start:end + 1]
    succ: dict = {}
    for a, b in zip(walk, walk[1:]):
        succ.setdefault(a, set()).add(b)
    trap = _strongly_connected(succ, walk[-1])
    entry = len(walk) - 1
    while entry > 0 and walk[entry - 1] in trap:
        entry -= 1
    turn = entry
    seen = set()
    for j in range(len(walk) - 2, entry - 1, -1):
        seen.add(walk[j + 1])
        if walk[j] == walk[-1] and seen >= trap:
            turn = j
            break
    return {"prefix": [start, start + entry], "cycle": [start + turn, end], "states": len(trap)}


def _strongly_connected(succ: dict, node) -> set:
    """The states reachable from ``node`` that also reach it."""
    def reach(graph, root):
        seen, todo = {root}, [root]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    pred: dict = {}
    for a, bs in succ.items():
        for b in bs:
            pred.setdefault(b, set()).add(a)
    return reach(succ, node) & reach(pred, node)


def _stamp(t):
    """A history time stamp ((time, step) in a world history) as [time text, number, step]."""
    if isinstance(t, tuple) and len(t) == 2:
        time, step = t
    else:
        time, step = t, None
    try:
        x = float(time)
    except (TypeError, ValueError):
        x = 0.0
    return [encode_time(time) if not isinstance(time, float) else time, x, step]


def _history(history, props) -> dict:
    ops = history.operations()
    checker = next((p for p in props if isinstance(p, Linearizable) and p.history == history.name), None)
    spec = None
    if checker is not None:  # the sequential specification (``spec``; ``model`` in older versions)
        spec = getattr(checker, "spec", None) or getattr(checker, "model", None)
    describe = getattr(spec, "describe_op", None)
    out = {"name": history.name, "ops": [], "checked": checker is not None, "verdict": "",
           "prefix": [], "bad": None, "property": checker.name if checker is not None else ""}
    for op in ops:
        label = describe(op) if describe is not None else str(op)
        out["ops"].append({"id": op.id, "client": str(op.client), "label": str(label),
                           "call": _stamp(op.call), "ret": None if op.ret is None else _stamp(op.ret)})
    if spec is None or not ops:
        return out
    verdict = check_linearizable(history, spec, time_limit=HISTORY_TIME_LIMIT)
    out["verdict"] = verdict.verdict
    if verdict.ok is False:
        out["prefix"] = [op.id for op in verdict.longest_prefix]
        bad = verdict.first_unplaceable
        out["bad"] = bad.id if bad is not None else None
    return out

"""ASCII timelines of histories (used by ``detsim show``).

One row per client (more when an unknown-outcome op overlaps later ops of
the same client), operations drawn as ``|--put('x', 1)--|`` on a shared time
axis.  The axis is *ordinal*: every distinct timestamp gets its own column
position, so short operations stay visible.  Unknown-outcome operations run
to the right edge and end in ``>``.  Marked operations are drawn ``#==op==#``.
"""

from __future__ import annotations

import warnings

from ._record import Operation

__all__ = ["render_timeline"]


def _ops_of(x) -> list[Operation]:
    if hasattr(x, "operations"):
        return x.operations()
    return list(x)


def _marked(mark) -> list:
    if mark is None:
        return []
    if hasattr(mark, "first_unplaceable"):  # a LinearizabilityResult
        return [] if mark.first_unplaceable is None else [mark.first_unplaceable]
    if isinstance(mark, Operation):
        return [mark]
    return list(mark)


def _sorted(values):
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=repr)


def render_timeline(ops_or_history, width: int = 100, *, mark=None, spec=None,
                    legend: bool = True, model=None) -> str:
    """Draw ``ops_or_history`` (a History or a list of Operations).

    ``mark`` may be an Operation, a list of them, or a LinearizabilityResult
    (its ``first_unplaceable`` is marked).  ``spec`` (optional) supplies
    ``describe_op`` for the labels (``model=`` is its deprecated spelling).
    With ``legend``, marked ops are listed below the timeline.
    """
    if model is not None:
        warnings.warn("render_timeline(model=...) is deprecated; use spec=...",
                      DeprecationWarning, stacklevel=2)
        spec = model if spec is None else spec
    ops = _ops_of(ops_or_history)
    if not ops:
        return "(empty history)"
    marked = _marked(mark)
    marked_ids = {(m.id, m.client, m.call) for m in marked}
    describe = getattr(spec, "describe_op", None) or str

    clients = _sorted({op.client for op in ops})
    names = {c: f"client {c}" for c in clients}
    margin = max(len(n) for n in names.values()) + 1
    axis = max(20, width - margin - 1)
    times = _sorted({t for op in ops for t in (op.call, op.ret) if t is not None})
    nt = len(times)
    has_open = any(op.ret is None for op in ops)
    span = axis - (3 if has_open else 1)
    col = {t: (0 if nt == 1 else round(i * span / (nt - 1))) for i, t in enumerate(times)}

    lanes: dict = {c: [] for c in clients}  # client -> [[chars, last_col]]
    for op in sorted(ops, key=lambda o: (col[o.call], o.id)):
        c0 = col[op.call]
        c1 = axis - 1 if op.ret is None else col[op.ret]
        hot = (op.id, op.client, op.call) in marked_ids
        seg = _segment(describe(op), c1 - c0 + 1, "=" if hot else "-",
                       op.ret is None, "#" if hot else "|")
        for lane in lanes[op.client]:
            if lane[1] < c0:
                break
        else:
            lane = [[" "] * axis, -1]
            lanes[op.client].append(lane)
        lane[0][c0:c1 + 1] = seg
        lane[1] = c1

    out = [" " * margin + _ruler(times, col, axis)]
    for c in clients:
        for k, (chars, _) in enumerate(lanes[c]):
            name = names[c] if k == 0 else ""
            out.append(f"{name:<{margin}}" + "".join(chars).rstrip())
    if legend:
        for m in marked:
            ret = "inf" if m.ret is None else m.ret
            out.append(f"marked (#==#): client {m.client}: {describe(m)} "
                       f"[t={m.call}..{ret}]")
    return "\n".join(out)


def _segment(label: str, n: int, fill: str, open_end: bool, bar: str) -> list:
    """Characters for an op occupying ``n`` columns."""
    if n <= 1:
        return [bar if not open_end else ">"]
    inner = n - 2
    if len(label) + 2 <= inner:
        left = (inner - len(label)) // 2
        body = fill * left + label + fill * (inner - len(label) - left)
    elif inner >= 4:
        body = label[:inner - 1] + "~"
    else:
        body = fill * inner
    return list(bar + body + (">" if open_end else bar))


def _ruler(times, col, axis) -> str:
    """A time axis line: some timestamps written at their columns."""
    chars = [" "] * axis
    last = -2
    for t in times:
        c = col[t]
        text = str(t)
        if c > last + 1 and c + len(text) <= axis:
            chars[c:c + len(text)] = text
            last = c + len(text)
    return "".join(chars).rstrip()

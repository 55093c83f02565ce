"""The search behind :func:`~detsim.history.check_linearizable`, one partition at a time.

Wing & Gong's search with Lowe's memoization, as in Porcupine (Athalye):

1. Each operation becomes a *call* and a *return* event, sorted by time
   (see :func:`event_order`) into a doubly linked list kept in flat lists.
2. The search walks the list.  At a call event it tries to linearize that
   operation next: if the spec accepts it and the new configuration (the set
   of linearized ops and the new state) is not known to fail, the op's events
   are *lifted* out of the list, the choice is pushed on a stack and the walk
   restarts from the head.  Reaching a *return* event means the op it
   belongs to can no longer be postponed: the last choice is undone
   (*unlift*) and the walk continues after it.
3. An empty stack at a return event means no linearization exists.

Unknown-outcome operations (``ret is None``) are legal in every state and
precede nothing, so they get special care.  None of this changes a verdict:

* They wait in a list of their own and are tried *after* the ops with a
  known return, as candidates at the first return event, and only when they
  change the state (one that changes nothing can always go last instead).
* The search succeeds as soon as every known op is placed: the unknown ones
  left can all go last.
* A configuration is remembered when it *fails* (is popped), keyed by the
  known ops placed and the state, with the set of unknown ops placed.  A new
  configuration fails too if a failed one had the same key and a subset of
  its unknown ops: it can only do less.  Trying unknown ops last makes the
  smaller sets fail first.  (This subsumes Lowe's exact cache, and only
  failed configurations are compared: one still on the stack is not known
  to fail.)

And one for ops that only observe (``spec.read_only(input, output)``, e.g.
a read, or a cas that reported failure): such an op, when placed, is moved
ahead of everything placed after it without changing any state, so if the
search fails after placing it, the configuration before it fails as well
and the search backs up one more step.

States must be hashable and compare equal exactly when interchangeable.
"""

from __future__ import annotations

from ._record import UNKNOWN, HistoryError
from ._specs import unknown_output_of

__all__ = ["SLICE", "event_order", "search"]

SLICE = 256  # backtracks per time slice of a partition's search


def event_order(ops):
    """``[(sort key, op index, is_call), ...]`` for the call and return events
    of ``ops``, sorted by time; see the tie rule in ``detsim.history._checker``."""
    keys = []
    for i, op in enumerate(ops):
        c, r = op.call, op.ret
        if c is None:
            raise HistoryError(f"operation {op!r} has no call time")
        if r is None:
            keys.append(((0, c, 2, i, 0), i, True))
            keys.append(((1, 0, 0, i, 0), i, False))
        elif r == c:
            keys.append(((0, c, 1, i, 0), i, True))
            keys.append(((0, c, 1, i, 1), i, False))
        elif r > c:
            keys.append(((0, c, 2, i, 0), i, True))
            keys.append(((0, r, 0, i, 0), i, False))
        else:
            raise HistoryError(f"operation {op!r} returns before it is called")
    keys.sort(key=lambda k: k[0])
    return keys


def _subsumed(failed_sets, placed: int) -> bool:
    """Did a configuration with a subset of the unknown ops ``placed`` fail?
    (Then one with ``placed`` fails too: it can only do less.)"""
    for sub in failed_sets:
        if sub | placed == placed:
            return True
    return False


def search(ops, spec):
    """Check one partition: a generator that yields (``None``) every
    :data:`SLICE` backtracks and finally returns ``(verdict, info)``; ``info``
    is ``(prefix_op_indices, state, unplaceable_op_index)`` on failure."""
    events = event_order(ops)
    size = len(events)
    head = size  # sentinel node of both lists
    nxt = [-1] * (size + 1)  # main list: calls and returns of known-return ops
    prv = [-1] * (size + 1)
    unxt = [-1] * (size + 1)  # calls of unknown-outcome ops, in call order
    uprv = [-1] * (size + 1)
    is_call = [False] * size
    match = [-1] * size  # known call -> its return
    inp = [None] * size
    out = [None] * size
    bit = [0] * size
    opi = [0] * size
    read_only = [False] * size
    unknown = unknown_output_of(spec)
    observes = getattr(spec, "read_only", None)
    all_known = 0
    call_node = {}
    last, ulast = head, head
    for node, (_, i, call) in enumerate(events):  # node number = rank in time
        op = ops[i]
        opi[node] = i
        if call:
            call_node[i] = node
            is_call[node] = True
            inp[node] = (op.f, op.key, op.input)
            out[node] = unknown if op.ret is None or op.output is UNKNOWN else op.output
            bit[node] = 1 << i
            if op.ret is None:
                unxt[ulast], uprv[node], ulast = node, ulast, node
                continue
            all_known |= 1 << i
            read_only[node] = observes is not None and bool(observes(inp[node], out[node]))
        elif op.ret is None:
            continue  # an unknown op never has to be placed: no return event
        else:
            match[call_node[i]] = node
        nxt[last], prv[node], last = node, last, node

    step = spec.step
    state = spec.init()
    placed_known = 0  # bitsets of the ops placed so far
    placed_unknown = 0
    # Failed configurations by (placed_known, state): those with no unknown op
    # placed (they subsume every other with that key), and the rest's sets.
    failed_plain: set = set()
    failed_with: dict = {}
    placed: list = []  # nodes placed, in order; ~node for unknown ops
    states: list = []  # the state before each
    limits: list = []  # for each unknown op placed: the return it was tried before
    best = ([], state, None)
    budget = SLICE
    entry, limit = nxt[head], -1  # limit >= 0: walking unknown calls before that return
    while placed_known != all_known:
        if limit < 0:
            if is_call[entry]:  # try to place a known op next
                ok, new = step(state, inp[entry], out[entry])
                if ok:
                    key = placed_known | bit[entry]
                    config = (key, new)
                    if config not in failed_plain and not (
                            placed_unknown and config in failed_with
                            and _subsumed(failed_with[config], placed_unknown)):
                        placed.append(entry)
                        states.append(state)
                        state, placed_known = new, key
                        p, q = prv[entry], nxt[entry]
                        nxt[p], prv[q] = q, p
                        ret = match[entry]
                        p, q = prv[ret], nxt[ret]
                        nxt[p] = q
                        if q != -1:
                            prv[q] = p
                        entry = nxt[head]
                        continue
                entry = nxt[entry]
                continue
            limit, entry = entry, unxt[head]  # the first return: now the unknown calls
        if entry != -1 and entry < limit:  # try an unknown op called before `limit`
            ok, new = step(state, inp[entry], out[entry])
            if ok and new != state:
                key = placed_unknown | bit[entry]
                config = (placed_known, new)
                if config not in failed_plain and not (
                        config in failed_with and _subsumed(failed_with[config], key)):
                    placed.append(~entry)
                    states.append(state)
                    limits.append(limit)
                    state, placed_unknown = new, key
                    p, q = uprv[entry], unxt[entry]
                    unxt[p] = q
                    if q != -1:
                        uprv[q] = p
                    entry, limit = nxt[head], -1
                    continue
            entry = unxt[entry]
            continue
        # The op returning at `limit` cannot be placed here: back up.
        if len(placed) > len(best[0]) or best[2] is None:
            best = ([opi[e if e >= 0 else ~e] for e in placed], state, opi[limit])
        budget -= 1
        if not budget:
            budget = SLICE
            yield
        while True:
            if not placed:
                return "not linearizable", best
            if placed_unknown:
                failed_with.setdefault((placed_known, state), []).append(placed_unknown)
            else:
                failed_plain.add((placed_known, state))
            node = placed.pop()
            state = states.pop()
            if node >= 0:
                placed_known ^= bit[node]
                ret = match[node]
                p, q = prv[ret], nxt[ret]
                nxt[p] = ret
                if q != -1:
                    prv[q] = ret
                nxt[prv[node]] = node
                prv[nxt[node]] = node
                if read_only[node]:
                    continue  # it could have gone first: the parent fails too
                entry, limit = nxt[node], -1
            else:
                node = ~node
                limit = limits.pop()
                placed_unknown ^= bit[node]
                p, q = uprv[node], unxt[node]
                unxt[p] = node
                if q != -1:
                    uprv[q] = node
                entry = q
            break
    return "linearizable", None

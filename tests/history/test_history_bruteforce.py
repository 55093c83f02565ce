"""Randomized cross-check of the checker against a brute-force search.

Small histories (3 clients, at most 8 operations, integer times with ties)
are recorded through the History API, then checked both by
``check_linearizable`` and by trying every order consistent with real time,
using independent reference semantics for each spec.  Reported results
include lies, ``None`` (a real, wrong value for a register) and ``UNKNOWN``.
"""

import json
from functools import lru_cache

from hypothesis import given, settings
from hypothesis import strategies as st

from detsim.history import (NIL, UNKNOWN, History, cas_register, check_linearizable, kv,
                            register)

SPECS = {"register": register, "cas_register": cas_register, "kv": kv}
VALUES = [NIL, 0, 1, 2]
STRINGS = ["", "a", "b", "ab", "ba", "aa"]


def _ref_apply(kind, state, op):
    """Reference semantics: (legal, new state); state is a dict as a tuple."""
    out = op.output if op.ret is not None else UNKNOWN
    f = op.f
    if kind == "kv":
        d = dict(state)
        cur = d.get(op.key, "")
        if f == "get":
            return out is UNKNOWN or out == cur, state
        d[op.key] = op.input if f == "put" else cur + op.input
        return True, tuple(sorted(d.items()))
    cur = state
    if f == "read":
        return out is UNKNOWN or out == cur, cur
    if f == "write":
        return True, op.input
    expected, new = op.input
    if out is UNKNOWN:
        return True, new if cur == expected else cur
    return out == (cur == expected), new if cur == expected else cur


def _precedes(a, ia, b, ib):
    """Real-time order, as documented in detsim.history._checker."""
    if a.ret is None or a.ret > b.call:
        return False
    if a.ret < b.call:
        return True
    zero_a, zero_b = a.call == a.ret, b.call == b.ret
    return ia < ib if (zero_a and zero_b) else True


def brute_force(ops, kind):
    n = len(ops)
    preds = [sum(1 << i for i in range(n) if i != j and _precedes(ops[i], i, ops[j], j))
             for j in range(n)]
    known = sum(1 << i for i in range(n) if ops[i].ret is not None)

    @lru_cache(maxsize=None)
    def search(done, state):
        if done & known == known:
            return True  # unknown-outcome ops may never take effect
        for j in range(n):
            bit = 1 << j
            if not done & bit and preds[j] & done == preds[j]:
                ok, new = _ref_apply(kind, state, ops[j])
                if ok and search(done | bit, new):
                    return True
        return False

    return search(0, () if kind == "kv" else NIL)


@st.composite
def histories(draw, kind, max_ops=8, clients=3, unknown_weight=1):
    clock = [0]
    h = History("gen", now=lambda: clock[0])
    n_ops = draw(st.integers(1, max_ops))
    started = 0
    pending = {}
    truth = {} if kind == "kv" else NIL  # a sequential system, sometimes lied about
    while started < n_ops or pending:
        can = sorted(set(pending) | (set(range(clients)) - set(pending)
                                     if started < n_ops else set()))
        client = draw(st.sampled_from(can))
        clock[0] += draw(st.integers(0, 2))
        if client not in pending:
            if kind == "kv":
                f = draw(st.sampled_from(["get", "put", "append"]))
                key = draw(st.sampled_from(["x", "y"]))
                value = None if f == "get" else draw(st.sampled_from(["a", "b"]))
            else:
                fs = ["read", "write"] + (["cas"] if kind == "cas_register" else [])
                f, key, value = draw(st.sampled_from(fs)), None, None
                if f == "write":
                    value = draw(st.sampled_from(VALUES[1:]))
                elif f == "cas":
                    value = (draw(st.sampled_from(VALUES)), draw(st.sampled_from(VALUES[1:])))
            pending[client] = h.invoke(client, f, key, value)
            started += 1
            continue
        op = pending.pop(client)
        outcome = draw(st.sampled_from(["ok"] * 6 + ["info"] * unknown_weight + ["fail"]))
        honest = draw(st.booleans())
        if kind == "kv":
            cur = truth.get(op.key, "")
            real = cur if op.f == "get" else None
            if outcome == "ok" or (outcome == "info" and draw(st.booleans())):
                if op.f != "get":
                    truth[op.key] = op.value if op.f == "put" else cur + op.value
            lie = draw(st.sampled_from(STRINGS + [UNKNOWN])) if op.f == "get" else None
        else:
            if op.f == "read":
                real, lie = truth, draw(st.sampled_from(VALUES + [None, UNKNOWN]))
            elif op.f == "write":
                real = lie = None
            else:
                real, lie = truth == op.value[0], draw(st.sampled_from([True, False, UNKNOWN]))
            if outcome == "ok" or (outcome == "info" and draw(st.booleans())):
                if op.f == "write":
                    truth = op.value
                elif op.f == "cas" and real:
                    truth = op.value[1]
        if outcome == "ok":
            h.ok(op, real if honest else lie)
        elif outcome == "info":
            h.info(op)
        else:
            h.fail(op, "refused")
    return h


def _check(h, kind):
    ops = h.operations()
    expected = brute_force(ops, kind)
    result = check_linearizable(h, SPECS[kind])
    assert result.ok is expected, (expected, result.describe(), ops)
    if kind == "kv":
        assert check_linearizable(ops, kv, partition=False).ok is expected
    if not expected:  # the explanation is a legal prefix that excludes the culprit
        state = () if kind == "kv" else NIL
        for op in result.longest_prefix:
            ok, state = _ref_apply(kind, state, op)
            assert ok
        assert result.first_unplaceable not in result.longest_prefix
    # serialization round-trip keeps the operations
    again = History.from_json(json.loads(json.dumps(h.to_json())))
    assert again.operations() == ops


@settings(max_examples=300, deadline=None)
@given(histories("register"))
def test_register_matches_brute_force(h):
    _check(h, "register")


@settings(max_examples=300, deadline=None)
@given(histories("cas_register"))
def test_cas_register_matches_brute_force(h):
    _check(h, "cas_register")


@settings(max_examples=300, deadline=None)
@given(histories("kv"))
def test_kv_matches_brute_force(h):
    _check(h, "kv")


# Many unknown outcomes: the search's pruning of unknown-outcome ops is exercised.
@settings(max_examples=300, deadline=None)
@given(histories("cas_register", max_ops=10, clients=4, unknown_weight=4))
def test_cas_register_with_many_unknown_outcomes_matches_brute_force(h):
    _check(h, "cas_register")


@settings(max_examples=200, deadline=None)
@given(histories("kv", max_ops=10, clients=4, unknown_weight=4))
def test_kv_with_many_unknown_outcomes_matches_brute_force(h):
    _check(h, "kv")

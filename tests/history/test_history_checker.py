"""Unit tests for detsim.history: recording, specs, checker, readers, render."""

import json
from fractions import Fraction

import pytest

from detsim.history import (NIL, UNKNOWN, History, HistoryError, HistoryFormatError,
                            Keyword, Operation, cas_register, check_linearizable, get_spec,
                            kv, parse_edn, parse_edn_all, read_edn_kv,
                            read_jepsen_edn_history, read_jepsen_etcd_log, register,
                            render_timeline)


class Clock:
    def __init__(self):
        self.t = 0

    def __call__(self):
        return self.t


def op(client, f, inp, out, call, ret, key=None, id=-1):
    return Operation(client, f, key, inp, out, call, ret, id)


def numbered(ops):
    return [o._replace(id=i) for i, o in enumerate(ops)]


# -- recording -------------------------------------------------------------

def test_record_timestamps_and_operations():
    clk = Clock()
    h = History("h", now=clk)
    a = h.invoke(1, "write", value=5)
    clk.t = 3
    b = h.invoke(2, "read")
    clk.t = 4
    h.ok(a)
    clk.t = Fraction(9, 2)
    h.ok(b, 5)
    c = h.invoke(1, "write", value=6)
    h.fail(c, RuntimeError("nope"))
    d = h.invoke(1, "write", value=7)
    h.info(d)
    e = h.invoke(1, "read")  # a client may go on after an unknown outcome
    ops = h.operations()
    assert [(o.client, o.f, o.input, o.output, o.call, o.ret) for o in ops] == [
        (1, "write", 5, None, 0, 4), (2, "read", None, 5, 3, Fraction(9, 2)),
        (1, "write", 7, UNKNOWN, Fraction(9, 2), None),
        (1, "read", None, UNKNOWN, Fraction(9, 2), None)]
    assert [o.id for o in ops] == [0, 1, 3, 4]
    assert h.outstanding() == [e]
    assert len(h.operations(pending=False)) == 3


def test_record_errors():
    h = History("h")
    a = h.invoke("c1", "read")
    with pytest.raises(HistoryError, match="still outstanding"):
        h.invoke("c1", "write", value=1)
    h.ok(a, 1)
    with pytest.raises(HistoryError, match="already returned"):
        h.ok(a, 1)
    with pytest.raises(HistoryError, match="already returned"):
        h.fail(a)
    with pytest.raises(HistoryError, match="never invoked"):
        History("other").ok(a)
    with pytest.raises(HistoryError, match="never invoked"):
        h.info("not an op")
    b = h.invoke("c1", "read")
    h.info(b)
    with pytest.raises(HistoryError, match="already returned"):
        h.info(b)


def test_json_round_trip_is_deterministic():
    clk = Clock()
    h = History("rt", now=clk)
    a = h.invoke(1, "cas", key="k", value=(NIL, 2))
    clk.t = Fraction(1, 3)
    h.ok(a, True)
    b = h.invoke(2, "write", value=[1, {"x": (1, 2)}])
    h.fail(b, ValueError("boom"))
    c = h.invoke(3, "read")
    h.info(c)
    h.invoke(4, "read")
    data = h.to_json()
    text = json.dumps(data, sort_keys=True)
    assert json.dumps(History.from_json(json.loads(text)).to_json(), sort_keys=True) == text
    h2 = History.from_json(json.loads(text))
    assert h2.operations() == h.operations()
    assert h2.name == "rt"


def test_json_keeps_none_and_unknown_apart_and_reads_version_1():
    h = History("v")
    a = h.invoke(1, "read")
    h.ok(a, None)
    b = h.invoke(2, "read")
    h.ok(b, UNKNOWN)
    data = json.loads(json.dumps(h.to_json()))
    assert data["format"] == "detsim.history/2"
    assert [o.output for o in History.from_json(data).operations()] == [None, UNKNOWN]
    data["format"] = "detsim.history/1"  # written when None meant "unknown"
    assert [o.output for o in History.from_json(data).operations()][0] is UNKNOWN


@pytest.mark.parametrize("data", [
    {}, {"format": "detsim.history/1", "events": [["ok", 0, 1, None]]},
    {"format": "detsim.history/1", "events": [["invoke", 0, 0, 1, "read", None]]},
    {"format": "detsim.history/1", "events": [["bogus", 0, 0]]}])
def test_from_json_rejects_malformed(data):
    with pytest.raises(HistoryFormatError):
        History.from_json(data)


# -- specs -----------------------------------------------------------------

def test_register_specs():
    s = register.init()
    assert s is NIL
    assert register.step(s, ("read", None, None), NIL) == (True, NIL)
    assert register.step(s, ("read", None, None), 1)[0] is False
    assert register.step(s, ("read", None, None), UNKNOWN)[0] is True
    assert register.step(s, ("read", None, None), None)[0] is False  # None is a value
    assert register.step(5, ("read", None, None), None)[0] is False
    assert register.unknown_output is UNKNOWN and cas_register.unknown_output is UNKNOWN
    assert register.step(s, ("write", None, 3), None) == (True, 3)
    assert cas_register.step(3, ("cas", None, (3, 4)), True) == (True, 4)
    assert cas_register.step(3, ("cas", None, (3, 4)), False)[0] is False
    assert cas_register.step(2, ("cas", None, (3, 4)), False) == (True, 2)
    assert cas_register.step(2, ("cas", None, (3, 4)), True)[0] is False
    assert cas_register.step(3, ("cas", None, (3, 4)), UNKNOWN) == (True, 4)
    assert cas_register.step(2, ("cas", None, (3, 4)), UNKNOWN) == (True, 2)
    assert cas_register.step(3, ("cas", None, (3, 4)), None)[0] is False
    with pytest.raises(HistoryError, match="unsupported"):
        register.step(s, ("cas", None, (1, 2)), True)
    # read_only: the ops that never change the state wherever they are legal
    assert register.read_only(("read", None, None), 5)
    assert not register.read_only(("write", None, 1), None)
    assert cas_register.read_only(("cas", None, (1, 2)), False)
    assert not cas_register.read_only(("cas", None, (1, 2)), True)
    assert not cas_register.read_only(("cas", None, (1, 2)), UNKNOWN)
    assert kv.read_only(("get", "a", None), "x") and not kv.read_only(("put", "a", "x"), None)


def test_kv_spec_and_partition():
    s = kv.init()
    ok, s = kv.step(s, ("append", "a", "x"), None)
    ok, s = kv.step(s, ("append", "a", "y"), None)
    ok, s = kv.step(s, ("put", "b", "z"), None)
    assert kv.step(s, ("get", "a", None), "xy") == (True, s)
    assert kv.step(s, ("get", "b", None), "z")[0]
    assert not kv.step(s, ("get", "c", None), "z")[0]
    assert kv.step(s, ("get", "c", None), "")[0]
    assert kv.step(s, ("get", "c", None), UNKNOWN)[0]
    assert not kv.step(s, ("get", "c", None), None)[0]
    assert kv.step(s, ("put", "b", ""), None)[1] == kv.step(s, ("put", "b", ""), None)[1]
    ops = numbered([op(1, "get", None, "", 0, 1, key="b"), op(2, "get", None, "", 0, 1, key="a")])
    assert [(k, [o.id for o in p]) for k, p in kv.partition(ops)] == [("a", [1]), ("b", [0])]
    assert get_spec("kv") is kv
    with pytest.raises(HistoryError):
        get_spec("nope")


def test_old_model_names_still_work_but_warn():
    import detsim.history as history
    from detsim.history import _models  # the old module, kept for old imports

    with pytest.warns(DeprecationWarning, match="RegisterSpec"):
        assert history.RegisterModel is history.RegisterSpec
    with pytest.warns(DeprecationWarning, match="get_spec"):
        assert history.get_model("kv") is kv
    assert _models.CasRegisterModel is history.CasRegisterSpec
    assert _models.KVModel is history.KVSpec and _models.get_model is get_spec
    assert "RegisterModel" not in history.__all__ and "KVSpec" in history.__all__
    ops = numbered([op(1, "write", 1, None, 0, 1)])
    with pytest.warns(DeprecationWarning, match="spec="):
        result = check_linearizable(ops, model=register)
    assert result.ok is True and result.spec is register
    with pytest.warns(DeprecationWarning, match=r"\.spec"):
        assert result.model is register
    with pytest.raises(TypeError, match="both"):
        check_linearizable(ops, register, model=register)
    with pytest.raises(TypeError, match="spec"):
        check_linearizable(ops)
    with pytest.warns(DeprecationWarning, match="spec="):
        assert "write(1)" in render_timeline(ops, model=register)


# -- verdicts ----------------------------------------------------------------

def test_sequential_and_concurrent_verdicts():
    seq = numbered([op(1, "write", 1, None, 0, 1), op(2, "read", None, 1, 2, 3)])
    assert check_linearizable(seq, register).verdict == "linearizable"
    stale = numbered([op(1, "write", 1, None, 0, 1), op(2, "read", None, NIL, 2, 3)])
    r = check_linearizable(stale, register)
    assert r.verdict == "not linearizable" and r.ok is False and not r
    conc = numbered([op(1, "write", 1, None, 0, 5), op(2, "read", None, NIL, 1, 2),
                     op(3, "read", None, 1, 3, 4)])
    r = check_linearizable(conc, "register")
    assert r.ok is True and r.verdict == "linearizable" and r
    # a read of 1 followed by a read of NIL is not linearizable, even concurrently
    flip = numbered([op(1, "write", 1, None, 0, 9), op(2, "read", None, 1, 1, 2),
                     op(3, "read", None, NIL, 3, 4)])
    assert check_linearizable(flip, register).ok is False


def test_tie_rule_return_before_call():
    # the write returns at t=1 and the read is invoked at t=1: write happens first
    tie = numbered([op(1, "write", 1, None, 0, 1), op(2, "read", None, NIL, 1, 2)])
    assert check_linearizable(tie, register).ok is False
    overlap = numbered([op(1, "write", 1, None, 0, 2), op(2, "read", None, NIL, 1, 2)])
    assert check_linearizable(overlap, register).ok is True
    # zero-duration ops at the same instant are ordered by position in the list
    zero = numbered([op(1, "write", 1, None, 5, 5), op(2, "read", None, 1, 5, 5)])
    assert check_linearizable(zero, register).ok is True
    assert check_linearizable(list(reversed(zero)), register).ok is False


def test_unknown_outcomes():
    took_effect = numbered([op(1, "write", 1, None, 0, None), op(2, "read", None, 1, 5, 6)])
    assert check_linearizable(took_effect, register).ok is True
    never = numbered([op(1, "write", 1, None, 0, None), op(2, "read", None, NIL, 5, 6)])
    assert check_linearizable(never, register).ok is True
    # an unknown write cannot take effect before it is invoked
    early = numbered([op(2, "read", None, 1, 0, 1), op(1, "write", 1, None, 2, None)])
    assert check_linearizable(early, register).ok is False
    # failed ops are dropped by History: reading their value is a violation
    h = History("f")
    w = h.invoke(1, "write", value=1)
    h.fail(w)
    r = h.invoke(2, "read")
    h.ok(r, 1)
    assert check_linearizable(h, register).ok is False
    # an unknown write takes effect once at most, at a single point
    once = [op(1, "write", 1, None, 0, 1), op(2, "write", 2, None, 2, None),
            op(3, "read", None, 2, 3, 4), op(3, "read", None, 1, 5, 6)]
    assert check_linearizable(numbered(once), register).ok is False
    twice = once[:3] + [op(3, "read", None, 2, 5, 6)]
    assert check_linearizable(numbered(twice), register).ok is True
    # unknown ops can take effect in any order among themselves
    order = [op(1, "write", 1, None, 0, None), op(2, "write", 2, None, 0, None),
             op(3, "read", None, 2, 1, 2), op(3, "read", None, 1, 3, 4)]
    assert check_linearizable(numbered(order), register).ok is True
    assert check_linearizable(numbered(order + [op(3, "read", None, 2, 5, 6)]),
                              register).ok is False
    # a read whose result is UNKNOWN only constrains time
    assert check_linearizable(numbered([op(2, "read", None, UNKNOWN, 0, 1)]), register).ok


def test_a_read_of_none_is_checked_but_unknown_is_not():
    def history(outcome):
        h = History("h", now=Clock())
        w = h.invoke(1, "write", value=5)
        h.ok(w)
        h.now.t = 1
        r = h.invoke(2, "read")
        h.now.t = 2
        outcome(h, r)
        return h

    returned_none = history(lambda h, r: h.ok(r, None))
    result = check_linearizable(returned_none, register)
    assert result.ok is False and result.state_after_prefix == 5
    assert "read() -> None" in result.describe()
    assert check_linearizable(history(lambda h, r: h.ok(r, 5)), register).ok is True
    # unknown outcomes are still accepted: info (may happen later) or a returned UNKNOWN
    assert check_linearizable(history(lambda h, r: h.info(r)), register).ok is True
    assert check_linearizable(history(lambda h, r: h.ok(r, UNKNOWN)), register).ok is True
    assert history(lambda h, r: h.info(r)).operations()[1].output is UNKNOWN
    # a register that reads None when empty says so
    none_reg = type(register)(initial=None)
    assert check_linearizable([op(1, "read", None, None, 0, 1, id=0)], none_reg).ok is True
    assert check_linearizable([op(1, "read", None, None, 0, 1, id=0)], register).ok is False


class OldStyleRegister:
    """A spec written before UNKNOWN: None meant "unknown"."""
    name = "old"

    def init(self):
        return NIL

    def step(self, state, input, output):
        if input[0] == "read":
            return output is None or output == state, state
        return True, input[2]


def test_old_style_specs_get_none_for_unknown_and_a_warning():
    ops = numbered([op(1, "write", 5, None, 0, 1), op(2, "read", None, UNKNOWN, 2, 3),
                    op(3, "read", None, 7, 4, None)])
    with pytest.warns(DeprecationWarning, match="unknown_output"):
        assert check_linearizable(ops, OldStyleRegister()).ok is True
    bad = numbered([op(1, "write", 5, None, 0, 1), op(2, "read", None, 7, 2, 3)])
    with pytest.warns(DeprecationWarning):
        assert check_linearizable(bad, OldStyleRegister()).ok is False


def test_failure_explanation():
    ops = numbered([op(1, "write", 1, None, 0, 2), op(2, "write", 2, None, 3, 4),
                    op(3, "read", None, 2, 5, 6), op(1, "read", None, 1, 7, 10),
                    op(2, "write", 3, None, 8, 9)])
    r = check_linearizable(ops, register)
    assert r.verdict == "not linearizable"
    # the longest order found also places the concurrent write(3)
    assert [o.id for o in r.longest_prefix] == [0, 1, 2, 4]
    assert r.state_after_prefix == 3
    assert r.first_unplaceable.id == 3
    assert [o.id for o in r.concurrent] == [4]
    assert r.partition_key is None
    text = r.describe()
    assert "not linearizable" in text and "read() -> 1" in text and "write(3)" in text


def test_kv_failure_names_partition():
    ops = numbered([op(1, "put", "x", None, 0, 1, key="a"),
                    op(2, "get", None, "x", 2, 3, key="a"),
                    op(1, "append", "y", None, 4, 5, key="b"),
                    op(2, "get", None, "x", 6, 7, key="b")])
    r = check_linearizable(ops, kv)
    assert r.ok is False and r.partition_key == "b" and r.partitions == 2
    assert r.first_unplaceable.id == 3
    assert "key 'b'" in r.describe()
    assert check_linearizable(ops, kv, partition=False).ok is False
    assert check_linearizable(ops[:2], kv).ok is True


def _pathological(n):
    ops = [op(i, "write", i, None, 0, 10) for i in range(n)]
    return numbered(ops + [op(n, "read", None, 999, 11, 12)])


def test_time_limit_gives_unknown():
    r = check_linearizable(_pathological(24), register, time_limit=0.05)
    assert r.verdict == "unknown" and r.ok is None
    assert "time limit" in r.describe()
    # a search that finishes is unaffected by the limit
    assert check_linearizable(_pathological(6), register, time_limit=60).ok is False
    assert check_linearizable(_pathological(6)[:-1], register, time_limit=0).ok is True
    with pytest.raises(ValueError):
        check_linearizable([], register, time_limit=-1)


def test_bad_operations_rejected():
    with pytest.raises(HistoryError, match="before it is called"):
        check_linearizable([op(1, "read", None, 1, 5, 4)], register)
    with pytest.raises(HistoryError, match="not an Operation"):
        check_linearizable([(1, "read")], register)
    assert check_linearizable([], register).ok is True


# -- readers -----------------------------------------------------------------

ETCD_OK = """INFO  jepsen.util - 0\t:invoke\t:write\t3
INFO  jepsen.util - 1\t:invoke\t:read\tnil
some unrelated log line
INFO  jepsen.util - 0\t:ok\t:write\t3
INFO  jepsen.util - 1\t:ok\t:read\tnil
INFO  jepsen.util - 2\t:invoke\t:cas\t[3 4]
INFO  jepsen.util - 3\t:invoke\t:read\tnil
INFO  jepsen.util - 3\t:fail\t:read\t:timed-out
INFO  jepsen.util - 2\t:info\t:cas\t:timed-out
"""


def test_read_etcd_log(tmp_path):
    p = tmp_path / "e.log"
    p.write_text(ETCD_OK)
    ops = read_jepsen_etcd_log(p)
    assert [(o.client, o.f, o.input, o.output, o.call, o.ret) for o in ops] == [
        (0, "write", 3, None, 1, 4), (1, "read", None, NIL, 2, 5),
        (2, "cas", (3, 4), UNKNOWN, 6, None), (3, "read", None, UNKNOWN, 7, 8)]
    assert check_linearizable(ops, cas_register).ok is True


@pytest.mark.parametrize("lines,bad_line,msg", [
    (["0 :invoke :write abc"], 1, "unexpected argument"),
    (["0 :invoke :read nil", "1 :ok :read 3"], 2, "unmatched return"),
    (["0 :invoke :read nil", "0 :invoke :read nil"], 2, "still open"),
    (["0 :invoke :write 1", "0 :ok :write 2"], 2, "does not repeat"),
    (["0 :invoke :read nil", "0 :ok :cas [1 2]"], 2, "invoked :read"),
    (["0 :invoke :cas [1]"], 1, "unexpected argument"),
])
def test_read_etcd_log_errors(tmp_path, lines, bad_line, msg):
    p = tmp_path / "bad.log"
    p.write_text("".join(f"INFO  jepsen.util - {line}\n" for line in lines))
    with pytest.raises(HistoryFormatError, match=msg) as exc:
        read_jepsen_etcd_log(p)
    assert f"{p}:{bad_line}:" in str(exc.value)


def test_read_edn_kv(tmp_path):
    p = tmp_path / "kv.txt"
    p.write_text('{:process 0, :type :invoke, :f :put, :key "a", :value "x"}\n'
                 '{:process 1, :type :invoke, :f :get, :key "a", :value nil}\n'
                 '{:process 0, :type :ok, :f :put, :key "a", :value "x"}\n'
                 '{:process 1, :type :ok, :f :get, :key "a", :value "x"}\n')
    ops = read_edn_kv(p)
    assert [(o.client, o.f, o.key, o.input, o.output, o.call, o.ret) for o in ops] == [
        (0, "put", "a", "x", None, 1, 3), (1, "get", "a", None, "x", 2, 4)]
    assert check_linearizable(ops, kv).ok is True


@pytest.mark.parametrize("text,bad_line,msg", [
    ('{:process 0, :type :invoke, :f :get, :key "a", :value nil}\n{:process 0, :type :ok',
     2, "unclosed"),
    ('\n{:process 0, :type :ok, :f :get, :key "a", :value "x"}\n', 2, "unmatched return"),
    ('{:process 0, :type :invoke, :f :get, :key "a" :value nil}\n'
     '{:process 0, :type :ok, :f :get, :key "a", :value 3}\n', 2, "must return a string"),
    ('{:process 0, :type :invoke, :f :get, :value nil}\n', 1, "missing :key"),
    ('[1 2]\n', 1, "expected an op map"),
    ('[{:process 0, :type :invoke, :f :get, :key "a", :value nil}\n\n'  # one vector:
     ' {:process 0, :type :ok, :f :get, :key "a", :value 3}]\n', 3, "must return"),  # its lines
    ('[1 2] {:a 1}\n', 1, "expected an op map, got \\(1, 2\\)"),  # two forms: not unwrapped
    ('{:process 0, :type :invoke, :f :get, :key "a", :value "\\q"}\n', 1, "escape"),
])
def test_read_edn_kv_errors(tmp_path, text, bad_line, msg):
    p = tmp_path / "bad.txt"
    p.write_text(text)
    with pytest.raises(HistoryFormatError, match=msg) as exc:
        read_edn_kv(p)
    assert f"{p}:{bad_line}:" in str(exc.value)


def test_parse_edn():
    v = parse_edn('{:a 1, :b [1 "s\\n" nil true false], :c (1 2) :d #{3} #_ :x :e -2.5}')
    assert v == {"a": 1, "b": (1, "s\n", None, True, False), "c": (1, 2),
                 "d": frozenset({3}), "e": -2.5}
    assert isinstance(next(iter(v)), Keyword) and repr(Keyword("a")) == ":a"
    assert parse_edn_all("1 ; comment\n :k") == [1, "k"]
    with pytest.raises(HistoryFormatError, match="one EDN form"):
        parse_edn("1 2")
    with pytest.raises(HistoryFormatError, match=r"f\.edn:3: unexpected"):
        parse_edn("[1\n2\n)]", source="f.edn")
    assert parse_edn("(__import__ 'os')".replace("'", '"')) == ("__import__", "os")


def test_read_jepsen_edn_history(tmp_path):
    p = tmp_path / "history.edn"
    p.write_text("""[{:process 0 :type :invoke :f :write :value 1}
 {:process :nemesis :type :info :f :start :value nil}
 {:process 1 :type :invoke :f :cas :value [1 2]}
 {:process 0 :type :ok :f :write :value 1}
 {:process 1 :type :ok :f :cas :value [1 2]}
 {:process 2 :type :invoke :f :write :value 7}
 {:process 2 :type :fail :f :write :value 7}
 {:process 3 :type :invoke :f :read :value nil}
 {:process 3 :type :ok :f :read :value 2}
 {:process 4 :type :invoke :f :write :value 9}
 {:process 4 :type :info :f :write :value 9}]""")
    ops = read_jepsen_edn_history(p)
    assert [(o.client, o.f, o.input, o.output, o.call, o.ret) for o in ops] == [
        (0, "write", 1, 1, 0, 3), (1, "cas", (1, 2), True, 2, 4),
        (3, "read", None, 2, 7, 8), (4, "write", 9, UNKNOWN, 9, None)]
    assert check_linearizable(ops, cas_register).ok is True
    p.write_text("{:process 0 :type :invoke :f :read :value [\"k\" nil]}\n"
                 "{:process 0 :type :ok :f :read :value [\"k\" 5]}\n")
    ops = read_jepsen_edn_history(p, independent=True)
    assert (ops[0].key, ops[0].input, ops[0].output) == ("k", None, 5)
    p.write_text("[{:process 0 :type :invoke :f :read}\n"
                 " {:process 1 :type :ok :f :read :value 1}]")
    with pytest.raises(HistoryFormatError, match=r"history\.edn:2: unmatched return"):
        read_jepsen_edn_history(p)


class MutexSpec:
    """A lock: acquire succeeds only when free, release only when held."""
    name = "mutex"
    unknown_output = UNKNOWN

    def init(self):
        return False  # held?

    def step(self, held, input, output):
        if output is UNKNOWN:  # must be accepted in any state; leaves the lock as it says
            return True, input[0] == "acquire"
        if input[0] == "acquire":
            return not held, True
        return held, False


MUTEX_TWO_HOLDERS = """{:process 0 :type :invoke :f :acquire :value nil}
{:process 0 :type :ok :f :acquire :value nil}
{:process 1 :type :invoke :f :acquire}
{:process 1 :type :ok :f :acquire}
"""


def test_jepsen_edn_completion_without_value(tmp_path):
    p = tmp_path / "mutex.edn"
    p.write_text(MUTEX_TWO_HOLDERS)  # two clients hold the lock at once
    # by default a missing / nil :value means UNKNOWN, which hides the violation
    ops = read_jepsen_edn_history(p)
    assert [o.output for o in ops] == [UNKNOWN, UNKNOWN]
    assert check_linearizable(ops, MutexSpec()).ok is True
    # stating what an :ok acquire returns exposes it
    ops = read_jepsen_edn_history(p, completion_value={"acquire": True, "release": True})
    assert [o.output for o in ops] == [True, True]
    result = check_linearizable(ops, MutexSpec())
    assert result.ok is False and result.first_unplaceable.client == 1
    # strict mode refuses to guess, naming the line
    with pytest.raises(HistoryFormatError, match=r"mutex\.edn:2: :ok :acquire reports no"):
        read_jepsen_edn_history(p, strict=True)
    assert len(read_jepsen_edn_history(p, strict=True, completion_value={"acquire": 1})) == 2
    # a mutex history that is fine stays fine
    p.write_text(MUTEX_TWO_HOLDERS.replace(
        "{:process 1 :type :invoke :f :acquire}",
        "{:process 0 :type :invoke :f :release}\n{:process 0 :type :ok :f :release}\n"
        "{:process 1 :type :invoke :f :acquire}"))
    ops = read_jepsen_edn_history(p, completion_value={"acquire": True, "release": True})
    assert check_linearizable(ops, MutexSpec()).ok is True
    # nil reads that mean "empty register" can say so too
    p.write_text("{:process 0 :type :invoke :f :read}\n{:process 0 :type :ok :f :read :value nil}\n")
    assert read_jepsen_edn_history(p, completion_value={"read": NIL})[0].output is NIL
    with pytest.raises(TypeError, match="completion_value"):
        read_jepsen_edn_history(p, completion_value=True)


# -- rendering ---------------------------------------------------------------

def test_render_timeline_shows_clients_and_mark():
    ops = numbered([op("alice", "put", "1", None, 0, 4, key="x"),
                    op("bob", "get", None, "2", 2, 6, key="x"),
                    op("carol", "append", "z", None, 3, None, key="x")])
    r = check_linearizable(ops, kv)
    assert r.ok is False
    text = render_timeline(ops, width=90, mark=r, spec=kv)
    for name in ("client alice", "client bob", "client carol"):
        assert name in text
    assert "put('x', '1')" in text and "#" in text and "marked" in text
    lines = text.splitlines()
    assert max(len(line) for line in lines[:4]) <= 90
    h = History("h")
    h.invoke(1, "read")
    assert "client 1" in render_timeline(h)
    assert render_timeline([]) == "(empty history)"

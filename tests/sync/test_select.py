"""world.select: policies, parking on several branches, recorded random choices,
bypass accounting and the select_fairness property."""
import pytest

import detsim
from detsim.search import Guided
from tests.support import scripted


def two_full_channels(policy, n_items=4, properties=()):
    def make(m, world):
        m.a, m.b = world.channel("a", n_items), world.channel("b", n_items)
        m.sel = world.select([m.a, m.b], policy=policy, name="sel")

    def fill(m, world):
        for i in range(n_items):
            yield m.a.send(("a", i))
            yield m.b.send(("b", i))

    def take(m, world):
        yield world.timeout(1)  # both channels are full by now
        for _ in range(2 * n_items):
            index, item = yield m.sel.recv()
            m.log.append(item)
    return scripted(make, properties, fill=fill, take=take)


def test_biased_takes_the_first_ready_branch_in_order():
    result = detsim.run(two_full_channels("biased"))
    assert result.ok
    assert result.model.log == [("a", i) for i in range(4)] + [("b", i) for i in range(4)]
    stats = result.model.sel.statistics()
    assert stats.policy == "biased" and stats.taken == (4, 4) and stats.max_bypassed == (0, 4)


def test_fair_rotates_between_ready_branches():
    result = detsim.run(two_full_channels("fair"))
    assert result.model.log == [(ch, i) for i in range(4) for ch in ("a", "b")]
    assert result.model.sel.statistics().max_bypassed == (1, 1)


def test_random_is_a_recorded_choice_whose_default_is_round_robin():
    fifo = detsim.run(two_full_channels("random"))
    assert fifo.model.log == [(ch, i) for i in range(4) for ch in ("a", "b")]
    choices = [d for d in fifo.trace.decisions if d.label == "select sel"]
    assert len(choices) == 7 and all(sorted(d.candidates) == ["a", "b"] for d in choices)
    # a deviation at the first select takes b first; replay reproduces it exactly
    first = fifo.trace.decisions.index(choices[0])
    deviated = detsim.run(two_full_channels("random"), Guided([(first, 1, "b")]))
    assert deviated.model.log[0] == ("b", 0)
    replayed = detsim.run(two_full_channels("random"), detsim.Replay(deviated.trace))
    assert replayed.model.log == deviated.model.log


def test_a_parked_select_takes_the_first_send_and_leaves_the_other_branch():
    def make(m, world):
        m.a, m.b = world.channel("a", 1), world.channel("b", 1)
        m.sel = world.select([("left", m.a), ("right", m.b)], policy="fair", name="sel")

    def waiter(m, world):
        m.log.append((yield m.sel.recv()))
        m.log.append(("stats", m.sel.statistics().waiting))

    def sender(m, world):
        yield world.timeout(1)
        assert m.sel.statistics().waiting
        yield m.b.send("to-b")
        yield m.a.send("to-a")  # nobody selects any more: it is buffered, not lost to a stale waker
        m.log.append(("a buffered", len(m.a), m.a.statistics().receivers_waiting))

    result = detsim.run(scripted(make, waiter=waiter, sender=sender))
    assert result.ok, result.violation
    assert result.model.log == [detsim.Selected(1, "to-b"), ("stats", False), ("a buffered", 1, 0)]


def test_select_over_oneshot_broadcast_and_watch_branches():
    def make(m, world):
        m.once = world.oneshot("once")
        m.bus = world.broadcast("bus", 2)
        m.rx = m.bus.subscribe("r")
        m.cfg = world.watch("cfg", 0)
        m.sel = world.select([m.once, m.rx, ("cfg", m.cfg.subscribe("w"))], policy="fair", name="sel")

    def waiter(m, world):
        for _ in range(3):
            m.log.append(tuple((yield m.sel.recv())))

    def sender(m, world):
        yield world.timeout(1)
        m.cfg.send(7)
        yield world.timeout(1)
        m.bus.send("hello")
        yield world.timeout(1)
        m.once.send("done")

    result = detsim.run(scripted(make, waiter=waiter, sender=sender))
    assert result.ok, result.violation
    assert result.model.log == [(2, 7), (1, "hello"), (0, "done")]


def test_a_blocked_select_is_named_in_the_stall_report():
    def make(m, world):
        m.sel = world.select([world.channel("a"), world.channel("b")], name="sel")

    def waiter(m, world):
        yield m.sel.recv()

    result = detsim.run(scripted(make, waiter=waiter))
    assert result.violation.property == "no deadlock"
    assert "waiter (waits on select sel over [a, b] (no branch ready))" in result.violation.message


def test_closed_branches_are_ready_and_can_be_disabled():
    def make(m, world):
        m.a, m.b = world.channel("a"), world.channel("b")
        m.sel = world.select([m.a, m.b], policy="biased", name="sel")

    def waiter(m, world):
        index, item = yield m.sel.recv()
        m.log.append((index, item))
        m.sel.disable(index)
        m.log.append(tuple((yield m.sel.recv())))
        with pytest.raises(detsim.ModelError, match="last enabled branch"):
            m.sel.disable(1)

    def closer(m, world):
        m.a.close()
        yield world.timeout(1)
        yield m.b.send("b")

    result = detsim.run(scripted(make, waiter=waiter, closer=closer))
    assert result.ok, result.violation
    assert result.model.log == [(0, detsim.CLOSED), (1, "b")]


@pytest.mark.parametrize("make, match", [
    (lambda w: w.select([w.channel("a")], policy="lifo"), "policy must be one of"),
    (lambda w: w.select([]), "at least one branch"),
    (lambda w: w.select([w.mutex("m")]), "not a channel or receiver"),
    (lambda w: (lambda c: w.select([c, ("again", c)]))(w.channel("a")), "appears twice"),
])
def test_bad_select_arguments_are_model_errors(make, match):
    with pytest.raises(detsim.ModelError, match=match):
        make(detsim.World())


def test_select_fairness_reports_the_starved_branch():
    result = detsim.run(two_full_channels("biased", properties=[detsim.select_fairness("sel", max_bypass=2)]))
    v = result.violation
    assert v.property == "no starved branch" and v.process == "take"
    assert v.message == ("select sel (policy biased) starved branch 1 'b' of receiver take: it was ready "
                         "at 3 consecutive selects since t=1 (step 12) and bypassed every time (bound K=2); "
                         "taken instead: a ×3")


def test_select_fairness_holds_for_fair_at_n_minus_1():
    model = two_full_channels("fair", properties=[detsim.select_fairness("sel", max_bypass=1)])
    assert detsim.check(model, detsim.Random(0), runs=50).ok
    with pytest.raises(ValueError):
        detsim.select_fairness("sel", max_bypass=-1)

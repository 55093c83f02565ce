"""world.network: latency, reordering, drop, duplicate, partitions, crashed
destinations, and clear errors for bad input."""
import pytest

import detsim
from detsim import ModelError
from tests.support import SCENARIOS, run_scenario, scenario


def receiver(model, node, count=None, timeout=None):
    got = 0
    while count is None or got < count:
        msg = yield node.recv(timeout=timeout)
        if msg is None:
            model.log.append((node.world.now, node.name, "timeout"))
            return
        model.log.append((node.world.now, node.name, msg.body, msg.src, msg.number))
        got += 1


# ---- latency and ordering --------------------------------------------------------------
@scenario
def two_messages(model, world):
    world.network.configure((1, 3))
    a, b = world.node("a"), world.node("b")
    b.spawn("rx", receiver(model, b, 2))

    def tx():
        a.send("b", "first")
        a.send("b", "second")
        yield world.checkpoint()

    a.spawn("tx", tx())


def test_default_latency_is_the_minimum_and_order_is_kept():
    result = run_scenario("two_messages")
    assert result.ok, result.violation
    assert result.model.log == [(1, "b", "first", "a", 1), (1, "b", "second", "a", 2)]
    labels = [d.label for d in result.trace.decisions]
    assert "latency a->b #1" in labels and "latency a->b #2" in labels
    lat = next(d for d in result.trace.decisions if d.label == "latency a->b #1")
    assert lat.candidates == ("1", "2", "3")


def test_latency_choices_reorder_messages():
    result = run_scenario("two_messages", {"latency a->b #1": 2})
    assert [entry[:3] for entry in result.model.log] == [(1, "b", "second"), (3, "b", "first")]
    assert detsim.replay(result.trace).model.log == result.model.log


def test_same_time_arrivals_are_a_named_schedule_choice():
    result = run_scenario("two_messages", {"schedule": 1})
    assert [entry[2] for entry in result.model.log] == ["second", "first"]
    tie = next(d for d in result.trace.decisions if d.label == "schedule" and "a->b #1" in d.candidates)
    assert set(tie.candidates) == {"a->b #1", "a->b #2"}


@scenario
def fifo_link(model, world):
    world.network.configure((1, 3), reorder=False)
    a, b = world.node("a"), world.node("b")
    b.spawn("rx", receiver(model, b, 2))

    def tx():
        a.send("b", "first")
        a.send("b", "second")
        yield world.checkpoint()

    a.spawn("tx", tx())


def test_fifo_links_never_reorder():
    crossed = run_scenario("fifo_link", {"latency a->b #1": 2})
    assert [e[2] for e in crossed.model.log] == ["first", "second"]
    assert [e[0] for e in crossed.model.log] == [3, 3]  # the second waits for the first
    tied = run_scenario("fifo_link", {"schedule": 1})
    assert [e[2] for e in tied.model.log] == ["first", "second"]


# ---- drop and duplicate ------------------------------------------------------------------
@scenario
def lossy(model, world):
    world.faults.configure(kinds=("drop", "duplicate"), budget=5)
    world.network.configure(2)
    a, b = world.node("a"), world.node("b")
    b.spawn("rx", receiver(model, b, timeout=10))
    a.spawn("tx", (lambda: (yield from _send_two(world, a)))())


def _send_two(world, a):
    a.send("b", "x")
    yield world.timeout(1)
    a.send("b", "y")


def test_drop_is_a_fault_decision():
    result = run_scenario("lossy", {"drop a->b #1": 1})
    assert [e[2] for e in result.model.log] == ["y", "timeout"]
    assert result.counters["fault:drop"] == 1
    d = next(d for d in result.trace.decisions if d.label == "drop a->b #1")
    assert d.candidates == ("deliver", "drop")


def test_duplicate_delivers_twice_with_the_same_number():
    result = run_scenario("lossy", {"duplicate a->b #2": 1})
    assert [e[2:] for e in result.model.log[:3]] == [("x", "a", 1), ("y", "a", 2), ("y", "a", 2)]
    assert result.counters["fault:duplicate"] == 1
    assert "latency a->b #2'" not in [d.label for d in result.trace.decisions]  # one latency: no choice


def test_without_a_fault_plan_no_fault_decision_is_asked():
    result = run_scenario("two_messages")
    assert not [d for d in result.trace.decisions if d.label.startswith(("drop", "duplicate"))]


# ---- partitions ------------------------------------------------------------------------------
def partition_scenario(shape):
    def partitioned(model, world):
        net = world.network.configure(1)
        nodes = [world.node(n) for n in ("a", "b", "c")]
        for n in nodes:
            n.spawn("rx", receiver(model, n, timeout=20), daemon=True)

        def driver():
            net.partition(shape)
            for src in nodes:
                for dst in nodes:
                    if src is not dst:
                        src.send(dst.name, f"{src.name}{dst.name}-cut")
            yield world.timeout(5)
            net.heal()
            nodes[0].send("b", "ab-healed")
            yield world.timeout(5)

        world.spawn("driver", driver())

    SCENARIOS[f"partition {shape}"] = partitioned
    return f"partition {shape}"


def delivered(shape):
    result = run_scenario(partition_scenario(shape))
    assert result.ok, result.violation
    return sorted(e[2] for e in result.model.log if e[2] != "timeout"), result


@pytest.mark.parametrize("shape, through", [
    ("isolate a", ["ab-healed", "bc-cut", "cb-cut"]),
    ("a,b|c", ["ab-cut", "ab-healed", "ba-cut"]),  # the shape of a 3-node split is an isolation
    ("a-/->b", ["ab-healed", "ac-cut", "ba-cut", "bc-cut", "ca-cut", "cb-cut"]),
])
def test_partitions_cut_links_until_healed(shape, through):
    got, result = delivered(shape)
    assert got == through
    assert result.counters["net:dropped-partition"] == 6 - len(through) + 1
    assert result.counters["fault:partition"] == 1


def test_partition_shapes_cover_isolation_splits_and_one_way_cuts():
    world = detsim.World()
    for name in ("n1", "n2", "n3", "n4"):
        world.node(name)
    shapes = world.network.partition_shapes()
    assert shapes[:4] == ("isolate n1", "isolate n2", "isolate n3", "isolate n4")
    assert set(shapes[4:7]) == {"n1,n2|n3,n4", "n1,n3|n2,n4", "n1,n4|n2,n3"}
    assert len(shapes) == 4 + 3 + 12 and "n3-/->n1" in shapes


# ---- crashed destinations --------------------------------------------------------------------
@scenario
def to_crashed(model, world):
    world.network.configure(2)
    a, b = world.node("a"), world.node("b")
    b.spawn("rx", receiver(model, b), daemon=True)

    def tx():
        b.crash()
        a.send("b", "lost")
        reply = yield a.recv(timeout=10)
        model.log.append((world.now, "a", reply))

    a.spawn("tx", tx())


def test_a_message_to_a_crashed_node_is_dropped_and_counted_never_hangs():
    result = run_scenario("to_crashed")
    assert result.ok and result.end == "quiescent", result.violation
    assert result.model.log == [(10, "a", None)]
    assert result.counters["net:dropped-crashed"] == 1
    assert result.counters.get("net:delivered", 0) == 0


# ---- bad input ---------------------------------------------------------------------------------
@scenario
def unknown_destination(model, world):
    a = world.node("a")

    def tx():
        a.send("zz", "hello")
        yield world.checkpoint()

    a.spawn("tx", tx())


def test_an_unknown_node_is_a_clear_error():
    result = run_scenario("unknown_destination")
    assert result.violation.property == "ModelError"
    assert "unknown node 'zz' (known: a)" in result.violation.message


@scenario
def send_from_crashed(model, world):
    a, b = world.node("a"), world.node("b")

    def driver():
        a.crash()
        world.network.send("a", "b", "ghost")
        yield world.checkpoint()

    world.spawn("driver", driver())


def test_sending_from_a_crashed_node_is_a_clear_error():
    result = run_scenario("send_from_crashed")
    assert result.violation.property == "ModelError"
    assert "node a is down" in result.violation.message


@pytest.mark.parametrize("configure, message", [
    (lambda w: w.network.configure((-1, 3)), "latency bounds must be >= 0"),
    (lambda w: w.network.configure((3, 1)), "latency hi 1 is below lo 3"),
    (lambda w: w.network.configure(0.5), "must be an int or Fraction"),
    (lambda w: w.network.configure((1, 2, 3)), "(lo, hi) pair"),
    (lambda w: w.faults.configure(kinds=("meteor",)), "unknown fault kind 'meteor'"),
    (lambda w: w.faults.configure(kinds=("drop",), budget=-1), "budget must be an int >= 0"),
    (lambda w: w.faults.configure(kinds=("drop",), rate=2), "rate must be within [0, 1]"),
    (lambda w: w.faults.configure(kinds=("crash",)), "need heal_at (or a run horizon)"),
    (lambda w: w.faults.configure(kinds=("drop",), typo=1), "unknown fault plan setting 'typo'"),
    (lambda w: (w.node("a"), w.faults.configure(kinds=("drop",))), "configure faults before creating nodes"),
    (lambda w: w.node("a b"), "node names must be"),
    (lambda w: (w.node("a"), w.node("a", boot=print)), "already exists"),
    (lambda w: (w.node("a"), w.node("b"), w.network.partition("a|zz")), "unknown node 'zz'"),
    (lambda w: (w.node("a"), w.network.partition("a and b")), "expected 'isolate N'"),
    (lambda w: w.node("a").pause(-1), "negative duration"),
    (lambda w: w.node("a").sleep(-1), "negative duration"),
])
def test_bad_configuration_is_a_model_error(configure, message):
    with pytest.raises(ModelError) as info:
        configure(detsim.World())
    assert message in str(info.value)


def test_restarting_a_running_node_is_an_error():
    world = detsim.World()
    with pytest.raises(ModelError, match="node a is up"):
        world.node("a").restart()

"""The engine's crash points (``FaultPlan.crash_points``): a crash decision after every
durable write and send of a node and at every message's arrival, index 0 = no crash,
under the plan's crash kind, budget, rate and heal_at, the restart scheduled as the
nemesis does; deterministic, and shrunk with everything else."""
import pytest

import detsim
from tests.support import Pick, Scenario, run_scenario, scenario

PLAN = {"kinds": ["crash"], "budget": 3, "heal_at": 100, "every": 1000, "durations": [5, 20],
        "crash_points": ["write", "send", "recv"]}


@scenario
def replicate(model, world):
    """n1 writes k to disk then sends it to n2 in the same step, three times, 10 apart;
    n2 logs what it receives. c1 (faults=False) writes and sends too."""
    world.network.configure(1)

    def writer_boot(node):
        model.log.append((node.name, "boot", world.now, node.incarnation, node.disk.read("k")))

        def writer():
            for k in range(node.disk.read("next", 0), 3):
                yield node.sleep(10)
                node.disk.write("k", k)
                node.send("n2", ("put", k))
                node.disk.write("next", k + 1)

        node.spawn(f"writer{node.incarnation}", writer())

    def reader_boot(node):
        model.log.append((node.name, "boot", world.now, node.incarnation))

        def reader():
            while True:
                msg = yield node.recv()
                model.log.append(("n2 got", world.now, msg.body))

        node.spawn(f"reader{node.incarnation}", reader(), daemon=True)

    def client_boot(node):
        def client():
            yield node.sleep(5)
            node.disk.write("x", 1)
            node.send("n2", ("hello", 0))

        node.spawn(f"client{node.incarnation}", client())

    world.node("n1", writer_boot)
    world.node("n2", reader_boot)
    world.node("c1", client_boot, faults=False)


def crash_decisions(result):
    return [d for d in result.trace.decisions if d.label.startswith("crash ")]


def test_every_write_send_and_receipt_asks_a_crash_whose_default_is_no_crash():
    plain = run_scenario("replicate", faults={**PLAN, "crash_points": []})
    quiet = run_scenario("replicate", faults=PLAN)
    assert quiet.model.log == plain.model.log  # index 0 everywhere: nothing changes
    assert not crash_decisions(plain)
    asked = [(d.time, d.label) for d in crash_decisions(quiet)]
    assert asked[:5] == [(6, "crash n2 at receipt of hello from c1 #1"),
                         (10, "crash n1 after disk write 'k'"), (10, "crash n1 after send put to n2 #1"),
                         (10, "crash n1 after disk write 'next'"), (11, "crash n2 at receipt of put from n1 #1")]
    assert len(asked) == 1 + 3 * 4  # c1's message, then three rounds of write, send, write, receipt
    assert all(d.kind == "fault" and d.chosen == 0 and d.candidates == ("no", "crash 5", "crash 20")
               for d in crash_decisions(quiet))
    assert not any(label.startswith("crash c1") for _, label in asked)  # faults=False: never a target


def test_a_crash_after_a_write_keeps_the_write_loses_the_rest_of_the_step_and_restarts_later():
    result = run_scenario("replicate", {"crash n1 after disk write 'k'": 2}, faults={**PLAN, "budget": 1})
    assert [d.label for d in crash_decisions(result) if d.chosen] == ["crash n1 after disk write 'k'"]
    assert result.counters["net:dropped-crashed"] == 1 and result.counters["fault:crash"] == 1
    # restarted 20 later (the chosen duration), as the nemesis would: the write of k=0 is
    # durable, but its send and the 'next' write came after the crash, so k=0 is redone
    assert ("n1", "boot", 30, 2, 0) in result.model.log
    assert [e[1:] for e in result.model.log if e[0] == "n2 got"] == [
        (6, ("hello", 0)), (41, ("put", 0)), (51, ("put", 1)), (61, ("put", 2))]
    assert result.world.faults.budget_left == 0
    assert len(crash_decisions(result)) == 2  # c1's message, the crash; then the budget is spent


def test_a_crash_after_a_send_delivers_the_message():
    result = run_scenario("replicate", {"crash n1 after send put to n2 #1": 1}, faults=PLAN)
    assert ("n2 got", 11, ("put", 0)) in result.model.log
    assert ("n1", "boot", 15, 2, 0) in result.model.log  # down at 10, back after 5
    assert result.world.network.nodes["n1"].disk.read("next", 0) == 3


def test_a_crash_at_receipt_loses_the_message_and_restarts_the_receiver():
    result = run_scenario("replicate", {"crash n2 at receipt of put from n1 #1": 1}, faults=PLAN)
    got = [e[2] for e in result.model.log if e[0] == "n2 got"]
    assert got == [("hello", 0), ("put", 1), ("put", 2)] and ("n2", "boot", 16, 2) in result.model.log


def test_heal_at_ends_the_crash_points():
    result = run_scenario("replicate", faults={**PLAN, "heal_at": 15})
    assert [d.time for d in crash_decisions(result)] == [6, 10, 10, 10, 11]
    swarmed = run_scenario("replicate", faults={**PLAN, "heal_at": 15, "swarm": True})
    assert max(d.time for d in swarmed.trace.decisions if d.label.startswith("swarm crash ")) < 15


class RateSpy(detsim.Strategy):
    """Index 0 everywhere; notes the fault rate the world reports at each fault decision."""

    name = "rate-spy"

    def __init__(self):
        self.rates = {}

    def choose(self, label, candidates, world):
        if world.decision_kind == "fault":
            self.rates[label] = world.fault_rate
        return 0


def test_crash_rate_applies_at_crash_points_only():
    plan = {**PLAN, "kinds": ["crash", "drop"], "rate": 0.05, "crash_rate": 0.5}
    spy = RateSpy()
    detsim.run(Scenario("replicate", plan), spy)
    assert spy.rates["crash n1 after disk write 'k'"] == 0.5
    assert spy.rates["drop n1->n2 #1"] == 0.05
    spy = RateSpy()
    detsim.run(Scenario("replicate", {**plan, "crash_rate": None}), spy)
    assert spy.rates["crash n1 after disk write 'k'"] == 0.05


def test_swarm_decides_each_crash_point_site_once_per_run():
    plan = {**PLAN, "swarm": True}
    on = run_scenario("replicate", faults=plan)
    sites = [d.label for d in on.trace.decisions if d.label.startswith("swarm crash ")]
    assert sites == ["swarm crash at receipt of hello", "swarm crash after disk write 'k'", "swarm crash after send put",
                     "swarm crash after disk write 'next'", "swarm crash at receipt of put"]
    off = run_scenario("replicate", {"swarm crash after disk write 'k'": 1}, faults=plan)
    labels = [d.label for d in crash_decisions(off)]
    assert labels and not any("'k'" in label for label in labels)


def test_crash_points_are_deterministic():
    model = Scenario("replicate", {**PLAN, "crash_rate": 0.3})
    first = [detsim.run(model, detsim.Random(seed)).trace.to_json() for seed in range(5)]
    again = [detsim.run(model, detsim.Random(seed)).trace.to_json() for seed in range(5)]
    assert first == again
    assert len({json for json in first}) > 1


@scenario
def write_then_tell(model, world):
    """n1 writes k durably and tells n2 in the same step; at the end n2 must know every
    k that n1's disk holds. A crash right after the write breaks it."""
    world.network.configure(1)
    model.told = []

    def boot(node):
        def writer():
            for k in range(node.disk.read("next", 0), 4):
                yield node.sleep(10)
                node.disk.write("next", k + 1)
                node.send("n2", k)

        node.spawn(f"writer{node.incarnation}", writer())

    def reader_boot(node):
        def reader():
            while True:
                msg = yield node.recv()
                model.told.append(msg.body)

        node.spawn(f"reader{node.incarnation}", reader(), daemon=True)

    world.node("n1", boot)
    world.node("n2", reader_boot)


class WriteThenTell(Scenario):
    def properties(self):
        return [detsim.at_end("n2 knows every write", lambda m: sorted(set(m.told)) == list(range(4)))]


def test_a_crash_point_counterexample_shrinks_to_the_crash():
    plan = {"kinds": ["crash", "drop"], "budget": 4, "heal_at": 200, "every": 1000, "durations": [5],
            "crash_points": ["write", "send", "recv"], "rate": 0.2, "crash_rate": 0.3}
    result = detsim.check(WriteThenTell("write_then_tell", plan), detsim.Random(0), runs=200)
    assert not result.ok and result.violation.property == "n2 knows every write"
    deviations = [d.label for _, d in result.trace.deviations()]
    assert len(deviations) == 1 and deviations[0].startswith("crash n1 after disk write 'next'"), deviations
    assert not detsim.replay(result.trace).ok


def test_the_plan_checks_its_crash_points():
    with pytest.raises(detsim.ModelError, match="unknown crash point 'fsync'"):
        detsim.FaultPlan(kinds=["crash"], crash_points=["fsync"])
    with pytest.raises(detsim.ModelError, match="need the 'crash' fault kind"):
        detsim.FaultPlan(kinds=["drop"], crash_points=["write"])
    with pytest.raises(detsim.ModelError, match="crash rate"):
        detsim.FaultPlan(kinds=["crash"], crash_points="write", crash_rate=2)
    plan = detsim.FaultPlan(kinds=["crash"], crash_points=("recv", "write"))
    assert plan.crash_points == ("write", "recv")
    assert detsim.FaultPlan.of(plan.to_dict()) == plan

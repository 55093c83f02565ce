"""``detsim.World``, the services a model uses on top of the control point: the
primitive factories and their one namespace, counters and progress marks, client
histories, wait reports for no_starvation, and the network, nodes and fault plan
created on first use. (Scheduling itself is tested in tests/engine.)"""
from fractions import Fraction

import pytest

import detsim
from detsim.faults import DEFAULT_FAULT_RATE, Faults, Network
from detsim.sync import (Broadcast, Channel, Mutex, Notify, Oneshot, RwLock, Select, Semaphore, WaitLog,
                         Watch)
from tests.support import scripted


def test_primitive_names_are_unique():
    def make(m, world):
        world.mutex("x")
        world.channel("x")

    with pytest.raises(detsim.ModelError, match="'x' already exists"):
        detsim.run(scripted(make))


def test_each_factory_registers_its_primitive_under_its_name():
    world = detsim.World()
    made = {
        "m": world.mutex("m"), "s": world.semaphore("s", 2), "rw": world.rwlock("rw"),
        "c": world.channel("c"), "o": world.oneshot("o"), "b": world.broadcast("b", 1),
        "w": world.watch("w", 0), "n": world.notify("n"),
    }
    made["select-0"] = world.select([made["c"]])  # unnamed selects are numbered
    made["select-1"] = world.select([world.channel("d")])
    kinds = {"m": Mutex, "s": Semaphore, "rw": RwLock, "c": Channel, "o": Oneshot, "b": Broadcast,
             "w": Watch, "n": Notify, "select-0": Select, "select-1": Select}
    for name, primitive in made.items():
        assert isinstance(primitive, kinds[name]) and primitive.name == name and primitive.world is world
        assert world.primitives[name] is primitive
    assert set(world.primitives) == set(made) | {"d"}


def test_counters_and_progress_marks_are_per_run():
    def busy(m, world):
        world.count("ticks")
        world.count("ticks", 2)
        world.progress("tick")
        world.progress()
        m.log.append(world.progress_count)
        yield world.checkpoint()

    result = detsim.run(scripted(p=busy))
    assert result.counters == {"ticks": 3} and result.model.log == [2]
    again = detsim.run(scripted(p=busy))
    assert again.counters == {"ticks": 3}  # a fresh World every run


def test_a_history_is_one_per_name_and_stamped_with_time_and_step():
    seen = {}

    def client(m, world):
        history = world.history("kv")
        assert world.history("kv") is history and history.name == "kv"
        yield world.timeout(Fraction(3, 2))
        op = history.invoke(client=1, f="put", key="x", value="a")
        yield world.checkpoint()
        history.ok(op)
        seen["steps"] = world.steps

    result = detsim.run(scripted(c=client))
    history = result.world.histories["kv"]
    (invoke, ok) = history.events
    assert invoke[0] == "invoke" and ok[0] == "ok"
    assert invoke[2][0] == ok[2][0] == Fraction(3, 2)  # (virtual time, step)
    assert invoke[2][1] < ok[2][1] == seen["steps"]


def test_wait_reports_need_a_wait_log_and_name_the_running_process():
    reports = []

    def waiter(m, world):
        world.arrive("pool")  # no starvation property: nothing is kept
        reports.append(world.wait_log)
        world.wait_log = WaitLog(world)
        lock = world.mutex("lock")
        world.arrive(lock)  # a resource may be given as anything with a name
        world.arrive("pool", "someone")
        reports.append({r: sorted(w) for r, w in world.wait_log.by_resource.items()})
        world.grant("pool", world.tasks["waiter"])  # ... and so may the process
        world.withdraw(lock)
        reports.append({r: sorted(w) for r, w in world.wait_log.by_resource.items()})
        yield world.checkpoint()

    detsim.run(scripted(waiter=waiter))
    assert reports == [None, {"lock": ["waiter"], "pool": ["someone"]}, {"lock": [], "pool": ["someone"]}]


def test_network_and_faults_are_created_on_first_use_and_kept():
    world = detsim.World()
    assert world.fault_rate == DEFAULT_FAULT_RATE  # no fault plan yet
    faults = world.faults
    assert isinstance(faults, Faults) and world.faults is faults
    faults.configure(kinds=("drop",), rate=0.5)
    assert world.fault_rate == 0.5
    network = world.network
    assert isinstance(network, Network) and world.network is network
    node = world.node("a")
    assert world.node("a") is node is network.nodes["a"] and node.faults
    assert not world.node("b", faults=False).faults

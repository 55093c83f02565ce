"""With no strategy (or Fifo) a World is plain SimPy: identical event logs, event for event.

Each workload is a function ``workload(env, log)`` written against the plain SimPy API
(``env.process``, resources, conditions, interrupts); it runs once on
``simpy.Environment()`` and once on ``detsim.World()``, and the complete logs of
(time, who, what) must be equal.
"""
import random

import pytest
import simpy

import detsim
from tests.support import Last


def record(env, log):
    return lambda who, what: log.append((env.now, who, what))


# ---- workloads ---------------------------------------------------------------

def resource_workload(env, log):
    note = record(env, log)
    res = simpy.Resource(env, capacity=2)

    def customer(name, arrive, work):
        yield env.timeout(arrive)
        note(name, "arrive")
        with res.request() as req:
            yield req
            note(name, f"granted users={res.count} queue={len(res.queue)}")
            yield env.timeout(work)
        note(name, "leave")

    # Same-time arrivals and same-time releases: FIFO order decides everything.
    for i, (arrive, work) in enumerate([(0, 3), (0, 2), (0, 1), (1, 2), (1, 1), (2, 2), (3, 1), (3, 1)]):
        env.process(customer(f"c{i}", arrive, work))
    env.run()
    note("env", "done")


def store_workload(env, log):
    note = record(env, log)
    store = simpy.Store(env, capacity=2)
    fstore = simpy.FilterStore(env)
    pstore = simpy.PriorityStore(env)

    def producer(name, items, gap):
        for item in items:
            yield store.put(item)
            note(name, f"put {item} level={len(store.items)}")
            yield env.timeout(gap)

    def consumer(name, n, gap):
        for _ in range(n):
            item = yield store.get()
            note(name, f"got {item}")
            yield env.timeout(gap)

    def filter_user():
        for i in range(4):
            yield fstore.put(i)
        odd = yield fstore.get(lambda x: x % 2 == 1)
        note("filter", f"odd {odd}")
        rest = []
        for _ in range(3):
            rest.append((yield fstore.get()))
        note("filter", f"rest {rest}")

    def priority_user():
        for p in (3, 1, 2, 1):
            yield pstore.put(simpy.PriorityItem(p, f"item-p{p}-{len(pstore.items)}"))
        for _ in range(4):
            got = yield pstore.get()
            note("prio", f"{got.priority} {got.item}")

    env.process(producer("p0", ["a", "b", "c", "d"], 0))
    env.process(producer("p1", ["x", "y", "z"], 1))
    env.process(consumer("k0", 4, 1))
    env.process(consumer("k1", 3, 0))
    env.process(filter_user())
    env.process(priority_user())
    env.run()


def preemption_workload(env, log):
    note = record(env, log)
    res = simpy.PreemptiveResource(env, capacity=1)

    def user(name, arrive, priority, work, preempt=True):
        yield env.timeout(arrive)
        with res.request(priority=priority, preempt=preempt) as req:
            try:  # may be preempted before it even resumes from the grant
                yield req
                note(name, "granted")
                yield env.timeout(work)
                note(name, "finished")
            except simpy.Interrupt as interrupt:
                cause = interrupt.cause
                note(name, f"preempted at usage_since={cause.usage_since} by {cause.by.name}")

    env.process(user("low", 0, 5, 10))
    env.process(user("mid", 2, 3, 10))
    env.process(user("high", 2, 1, 3))
    env.process(user("polite", 2, 0, 1, preempt=False))
    env.process(user("late", 4, 4, 1))
    env.run()


def condition_workload(env, log):
    note = record(env, log)

    def describe(value):
        return sorted(str(v) for v in value.values())

    def any_ties():
        # Both timeouts fire at t=1: the AnyOf result holds every event processed
        # before the condition itself; its content depends on the order of ties.
        got = yield env.timeout(1, "a") | env.timeout(1, "b")
        note("any", f"tie {describe(got)}")
        got = yield env.any_of([env.timeout(2, "slow"), env.timeout(1, "fast"), env.timeout(1, "fast2")])
        note("any", f"first {describe(got)}")

    def all_of():
        events = [env.timeout(d, f"v{d}") for d in (3, 1, 2, 1)]
        got = yield env.all_of(events)
        note("all", f"{describe(got)}")
        got = yield (env.timeout(1, "p") & env.timeout(1, "q")) | env.timeout(1, "r")
        note("all", f"nested {describe(got)}")
        got = yield env.all_of([])
        note("all", f"empty {describe(got)}")

    def racers():
        shared = env.event()

        def waiter(name):
            value = yield shared | env.timeout(5, "timeout")
            note(name, f"woke {describe(value)}")

        for i in range(3):
            env.process(waiter(f"w{i}"))
        yield env.timeout(2)
        shared.succeed("shared")
        note("racers", "triggered")

    env.process(any_ties())
    env.process(all_of())
    env.process(racers())
    env.run()


def interrupt_workload(env, log):
    note = record(env, log)

    def sleeper(name, nap):
        while True:
            try:
                yield env.timeout(nap)
                note(name, "woke")
            except simpy.Interrupt as i:
                note(name, f"interrupted cause={i.cause}")
                if i.cause == "stop":
                    return f"{name} stopped"

    def boss(targets):
        yield env.timeout(2)  # same instant as the sleepers' timeouts: a tie
        for t in targets:
            t.interrupt("poke")
        yield env.timeout(1)
        for t in targets:
            t.interrupt("stop")
        for t in targets:
            value = yield t
            note("boss", f"joined {value}")

    s1 = env.process(sleeper("s1", 1))
    s2 = env.process(sleeper("s2", 2))
    env.process(boss([s1, s2]))
    env.run()


def join_workload(env, log):
    note = record(env, log)

    def child(name, delay, fail=False):
        yield env.timeout(delay)
        note(name, "child done")
        if fail:
            raise ValueError(f"{name} failed")
        return f"{name}-result"

    def parent():
        value = yield env.process(child("c1", 1))
        note("parent", f"got {value}")
        early = env.process(child("c2", 0))
        yield env.timeout(2)
        value = yield early  # joining a process that already ended
        note("parent", f"late join {value}")
        try:
            yield env.process(child("c3", 1, fail=True))
        except ValueError as e:
            note("parent", f"caught {e}")
        kids = [env.process(child(f"k{i}", 1)) for i in range(3)]
        values = yield env.all_of(kids)
        note("parent", f"all {sorted(values.values())}")
        return "parent-done"

    p = env.process(parent())
    env.run()
    note("env", f"parent value {p.value}")


def failure_workload(env, log):
    note = record(env, log)

    def failer():
        ev = env.event()
        yield env.timeout(1)
        ev.fail(RuntimeError("nobody listens"))
        ev.defused = True  # handled out of band: must not crash either environment
        note("failer", "failed an event nobody waits for")
        yield env.timeout(1)
        note("failer", f"defused ok={ev.ok}")
        for i in range(2):  # several defused failures at one instant, tied with a timeout
            bad = env.event()
            bad.fail(OSError(f"bad{i}"))
            bad.defused = True
        yield env.timeout(0)
        note("failer", "survived")

    def catcher():
        ev = env.event()

        def trigger():
            yield env.timeout(1)
            ev.fail(KeyError("k"))

        env.process(trigger())
        try:
            yield ev
        except KeyError as e:
            note("catcher", f"caught {e!r}")
        bad = env.event()
        bad.fail(ValueError("in condition"))
        try:
            yield env.all_of([env.timeout(1), bad])
        except ValueError as e:
            note("catcher", f"all_of failed {e}")
        bad2 = env.event()
        bad2.fail(ValueError("any"))
        try:
            yield bad2 | env.timeout(1)
        except ValueError as e:
            note("catcher", f"any_of failed {e}")

    env.process(failer())
    env.process(catcher())
    env.run()


def until_workload(env, log):
    note = record(env, log)

    def ticker(name, period):
        n = 0
        while True:
            yield env.timeout(period)
            n += 1
            note(name, f"tick {n}")

    def stopper():
        yield env.timeout(7)
        note("stopper", "done")
        return "stop-value"

    env.process(ticker("t1", 1))
    env.process(ticker("t2", 2))
    env.process(ticker("t3", 3))
    note("env", f"run(until=4) -> {env.run(until=4)} now={env.now}")  # ticks due at 4 are not run
    note("env", f"run(until=6) -> {env.run(until=6)} now={env.now}")
    stop = env.process(stopper())
    note("env", f"run(until=event) -> {env.run(until=stop)} now={env.now}")
    note("env", f"again -> {env.run(until=stop)} now={env.now}")  # already processed
    done = env.event()

    def finisher():
        yield env.timeout(2)
        done.succeed("finished")

    env.process(finisher())
    note("env", f"run(until=event) -> {env.run(until=done)} now={env.now}")
    note("env", f"peek={env.peek()}")


def random_workload(seed):
    """Many processes doing random operations with tiny integer delays: lots of ties."""

    def workload(env, log):
        note = record(env, log)
        rng = random.Random(seed)
        res = simpy.Resource(env, capacity=rng.randint(1, 3))
        store = simpy.Store(env, capacity=rng.randint(1, 3))
        prio = simpy.PreemptiveResource(env, capacity=1)
        procs = []

        def worker(name, plan):
            for op, arg in plan:
                try:
                    if op == "sleep":
                        yield env.timeout(arg)
                    elif op == "lock":
                        with res.request() as req:
                            yield req
                            note(name, "locked")
                            yield env.timeout(arg)
                    elif op == "put":
                        yield store.put(f"{name}:{arg}")
                        note(name, f"put {arg}")
                    elif op == "get":
                        got = yield store.get() | env.timeout(arg)
                        note(name, f"get {sorted(str(v) for v in got.values())}")
                    elif op == "prio":
                        with prio.request(priority=arg) as req:
                            yield req
                            note(name, "prio granted")
                            yield env.timeout(1)
                    elif op == "any":
                        got = yield env.any_of([env.timeout(d, d) for d in arg])
                        note(name, f"any {sorted(got.values())}")
                    elif op == "poke" and procs:
                        target = procs[arg % len(procs)]
                        if target.is_alive and target is not env.active_process:
                            target.interrupt(name)
                            note(name, f"poked {target.name}")
                except simpy.Interrupt as i:
                    cause = i.cause if isinstance(i.cause, str) else "preempted"
                    note(name, f"interrupted by {cause}")
            note(name, "done")

        ops = ["sleep", "lock", "put", "get", "prio", "any", "poke"]
        for i in range(8):
            plan = []
            for _ in range(rng.randint(3, 10)):
                op = rng.choice(ops)
                arg = ([rng.randint(0, 2) for _ in range(rng.randint(1, 3))] if op == "any"
                       else rng.randint(0, 2))
                plan.append((op, arg))
            procs.append(env.process(worker(f"w{i}", plan)))
        env.run(until=40)
        note("env", f"end store={list(store.items)} res={res.count}")

    return workload


WORKLOADS = {
    "resource": resource_workload,
    "store": store_workload,
    "preemptive": preemption_workload,
    "any_all_of": condition_workload,
    "interrupt": interrupt_workload,
    "join": join_workload,
    "defused_failures": failure_workload,
    "run_until": until_workload,
}


def run_on(env, workload):
    log = []
    workload(env, log)
    return log


@pytest.mark.parametrize("name", sorted(WORKLOADS))
@pytest.mark.parametrize("make_world", [lambda: detsim.World(), lambda: detsim.World(detsim.Fifo())],
                         ids=["no-strategy", "fifo"])
def test_world_reproduces_simpy_log(name, make_world):
    workload = WORKLOADS[name]
    expected = run_on(simpy.Environment(), workload)
    world = make_world()
    actual = run_on(world, workload)
    assert len(expected) >= 5, "the workload must actually do something"
    assert actual == expected
    assert all(d[4] == 0 for d in world.decisions)


def test_workloads_really_contain_ties():
    """The comparison is only meaningful if the World had to make tie decisions."""
    for name in ("resource", "any_all_of", "interrupt", "join", "run_until"):
        world = detsim.World()
        run_on(world, WORKLOADS[name])
        assert world.decisions, f"{name}: no tie was ever decided"


@pytest.mark.parametrize("seed", range(12))
def test_random_workloads_match_simpy(seed):
    workload = random_workload(seed)
    expected = run_on(simpy.Environment(), workload)
    world = detsim.World(detsim.Fifo())
    assert run_on(world, workload) == expected
    assert world.now == 40


def test_a_deviation_changes_the_log():
    """Sanity check of the harness: a non-FIFO choice is visible in the log."""
    expected = run_on(simpy.Environment(), resource_workload)
    assert run_on(detsim.World(Last()), resource_workload) != expected

"""no_starvation: bypass and max_wait reports naming waiter, resource and overtakers,
model-level wait reports (arrive/grant/withdraw), vacuity, and FIFO primitives that
never starve anyone."""
import warnings
from collections import deque
from dataclasses import dataclass

import pytest

import detsim


@dataclass
class Contention(detsim.Model):
    """``workers`` workers take the same primitive ``rounds`` times."""

    workers: int = 4
    rounds: int = 3
    kind: str = "mutex"  # or "semaphore"

    def setup(self, world):
        self.lock = world.mutex("m") if self.kind == "mutex" else world.semaphore("m", 2)
        for i in range(self.workers):
            world.spawn(f"w{i}", self.worker(world))

    def worker(self, world):
        for _ in range(self.rounds):
            yield world.checkpoint()
            yield self.lock.acquire()
            yield world.checkpoint()
            self.lock.release()

    def properties(self):
        return [detsim.no_starvation(max_bypass=0)]


@pytest.mark.parametrize("kind", ["mutex", "semaphore"])
def test_fifo_primitives_never_let_a_later_arrival_overtake(kind):
    with warnings.catch_warnings():
        warnings.simplefilter("error", detsim.VacuityWarning)  # waits did happen
        result = detsim.check(Contention(kind=kind), detsim.Random(0), runs=150)
    assert result.ok, result.report()
    assert result.counters["no starvation: waits"] > 100


@dataclass
class ReaderStream(detsim.Model):
    """A stream of readers and one writer on ``world.rwlock("rw")``.

    Reader i starts at t=i, then reads for 1 time unit every ``readers`` units, so at
    every instant one reader hands over to the next. The writer asks at t=1 and then
    every ``writer_every`` units after it wrote. With the reader-preferring policy a
    reader that arrives while another reads walks past the queued writer; with unlucky
    handovers the writer is overtaken again and again. (The workload of the example
    model ``RwLock(lock="detsim")``.)
    """

    readers: int = 2
    reads: int = 8
    writes: int = 2
    writer_every: int = 3
    max_bypass: int = 2
    policy: str = "reader-preferring"

    def setup(self, world):
        self.rw = world.rwlock("rw", policy=self.policy)
        for i in range(self.readers):
            world.spawn(f"reader-{i}", self.reader(world, i))
        world.spawn("writer-0", self.writer(world))

    def reader(self, world, i):
        yield world.timeout(i)
        for _ in range(self.reads):
            yield self.rw.read()
            yield world.timeout(1)  # reading
            self.rw.release()
            yield world.timeout(self.readers - 1)

    def writer(self, world):
        yield world.timeout(1)
        for _ in range(self.writes):
            yield self.rw.write()
            yield world.checkpoint()  # writing
            self.rw.release()
            yield world.timeout(self.writer_every)

    def properties(self):
        return [detsim.no_starvation(max_bypass=self.max_bypass, name="writer not starved", resources=["rw"])]


@dataclass
class StrictPriorityPool(detsim.Model):
    """One worker serves a high- and a low-priority queue, a high job whenever there is one.

    A job takes 1 time unit. High jobs come in bursts of ``burst``, one per unit, with an
    idle unit after each burst; a low job every ``burst + 1`` units from t=1. At every
    instant of a burst the worker finishing a job and the client submitting the next one
    tie: whenever the client wins, the waiting low job is passed over again. Jobs report
    to ``world.arrive``/``world.grant`` (resource ``pool``). (The workload of the example
    model ``PriorityPool(bug="strict-priority")``.)
    """

    high_jobs: int = 20
    burst: int = 5
    low_jobs: int = 4
    max_wait: int = 3

    def setup(self, world):
        self.queues = {"high": deque(), "low": deque()}
        self.idle = None  # the worker's wake-up event while it has nothing to do
        self.done = 0
        world.spawn("worker", self.worker(world), daemon=True)
        high_times = [n + n // self.burst for n in range(self.high_jobs)]
        low_times = [1 + n * (self.burst + 1) for n in range(self.low_jobs)]
        world.spawn("high-client", self.client(world, "high", high_times))
        world.spawn("low-client", self.client(world, "low", low_times))

    def client(self, world, priority, times):
        for n, when in enumerate(times):
            yield world.timeout(when - world.now)
            job = f"{priority}-{n}"
            self.queues[priority].append(job)
            world.arrive("pool", job)
            if self.idle is not None:
                idle, self.idle = self.idle, None
                idle.succeed()
            yield world.checkpoint()  # lets a woken worker run first under FIFO

    def worker(self, world):
        while True:
            if not (self.queues["high"] or self.queues["low"]):
                self.idle = world.event()
                yield self.idle
            high, low = self.queues["high"], self.queues["low"]
            job = high.popleft() if high else low.popleft()
            world.grant("pool", job)
            yield world.timeout(1)  # running the job
            self.done += 1

    def properties(self):
        return [detsim.no_starvation(max_wait=self.max_wait, name="low-priority work completes",
                                     resources=["pool"], waiters=lambda job: job.startswith("low")),
                detsim.at_end("all jobs done", lambda m: m.done == m.high_jobs + m.low_jobs)]


def test_starvation_report_names_waiter_resource_and_overtakers():
    result = detsim.check(ReaderStream(), detsim.Random(0), runs=100)
    v = result.violation
    assert v.property == "writer not starved" and v.process == "writer-0"
    assert "writer-0 waiting on rw since t=1" in v.message
    assert "overtaken by 3 later arrivals (max_bypass=2): " in v.message
    assert "reader-0" in v.message and "reader-1" in v.message
    assert "assuming weak fairness, bound K=8" in v.message
    assert detsim.replay(result.trace).violation.message == v.message


def test_max_wait_report_and_replay():
    result = detsim.check(StrictPriorityPool(), detsim.Random(0), runs=50)
    v = result.violation
    assert v.property == "low-priority work completes" and v.process.startswith("low-")
    assert "> max_wait=3 while it was granted 4 times to others: high-" in v.message
    assert result.one_minimal and detsim.replay(result.trace).violation.message == v.message


@dataclass
class Impatient(detsim.Model):
    """A waiter that gives up (withdraw) is not judged; one that stays is."""

    withdraw: bool = True

    def setup(self, world):
        world.spawn("holder", self.holder(world))
        world.spawn("waiter", self.waiter(world))

    def holder(self, world):
        for _ in range(5):
            world.grant("res")  # the holder takes the resource again and again
            yield world.checkpoint()

    def waiter(self, world):
        world.arrive("res")
        if self.withdraw:
            world.withdraw("res")
        yield world.timeout(1)

    def properties(self):
        return [detsim.no_starvation(max_bypass=1)]


def test_model_level_wait_reports_and_withdraw():
    assert detsim.run(Impatient(withdraw=True)).ok
    v = detsim.run(Impatient(withdraw=False)).violation
    assert v is not None and "waiter waiting on res" in v.message and "holder ×2" in v.message


def test_vacuous_starvation_property_warns():
    with pytest.warns(detsim.VacuityWarning, match="no process ever waited"):
        result = detsim.check(Contention(workers=1), detsim.Random(0), runs=5)
    assert result.ok
    assert "no starvation: held assuming weak fairness, bound K=8" in str(result)
    assert "warning: " in str(result)


def test_no_starvation_needs_a_bound():
    with pytest.raises(ValueError):
        detsim.no_starvation()
    with pytest.raises(ValueError):
        detsim.no_starvation(max_bypass=-1)

"""world.rwlock: readers share, a writer is alone; FIFO (a queued writer holds later
readers back) or reader-preferring; misuse is a model error."""
from dataclasses import dataclass
from fractions import Fraction

import pytest

import detsim


@dataclass
class Shared(detsim.Model):
    """r0 reads from t=0 to 2; the writer asks at t=1/2, while r0 reads; r1 asks at t=1."""

    policy: str = "fifo"

    def setup(self, world):
        self.rw = world.rwlock("rw", policy=self.policy)
        self.log = []
        world.spawn("r0", self.reader(world, "r0", 0))
        world.spawn("w", self.writer(world))
        world.spawn("r1", self.reader(world, "r1", 1))

    def reader(self, world, name, delay):
        yield world.timeout(delay)
        yield self.rw.read()
        self.log.append(f"{name}+")
        yield world.timeout(2)
        self.log.append(f"{name}-")
        self.rw.release()

    def writer(self, world):
        yield world.timeout(Fraction(1, 2))
        yield self.rw.write()
        self.log.append("w+")
        self.log.append("w-")
        self.rw.release()


def test_rwlock_fifo_queues_a_reader_behind_a_waiting_writer():
    result = detsim.run(Shared())
    assert result.model.log == ["r0+", "r0-", "w+", "w-", "r1+", "r1-"]
    stats = result.model.rw.statistics()
    assert stats.reads == 2 and stats.writes == 1 and stats.max_readers == 1


def test_rwlock_reader_preferring_lets_a_reader_pass_the_writer():
    result = detsim.run(Shared(policy="reader-preferring"))
    assert result.model.log[:3] == ["r0+", "r1+", "r0-"]
    assert result.model.rw.statistics().max_readers == 2


def test_rwlock_misuse_is_a_model_error():
    @dataclass
    class Twice(detsim.Model):
        def setup(self, world):
            self.rw = world.rwlock("rw")
            world.spawn("t", self.body())

        def body(self):
            yield self.rw.read()
            yield self.rw.write()

    @dataclass
    class Stranger(detsim.Model):
        def setup(self, world):
            self.rw = world.rwlock("rw")
            world.spawn("t", self.body())

        def body(self):
            self.rw.release()
            yield

    assert "already holds" in detsim.run(Twice()).violation.message
    assert "without holding it" in detsim.run(Stranger()).violation.message
    with pytest.raises(detsim.ModelError, match="policy"):
        detsim.run(Shared(policy="writer-first"))

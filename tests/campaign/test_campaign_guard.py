"""A campaign of independent runs installs the nondeterminism guards once for all its
runs (detsim/campaign/_check.py, docs/lean-runs.md): model code is still caught in
every run, model construction stays unguarded, and the guards are gone afterwards."""
import os
import random
import time
from dataclasses import dataclass

import pytest

import detsim
from detsim.campaign._guard import guard_active
from detsim.errors import NondeterminismError


@dataclass
class ClockInRun(detsim.Model):
    late: int = 3  # the run in which the model reads the clock

    def setup(self, world):
        world.spawn("worker", self.work(world))

    def work(self, world):
        yield world.checkpoint()
        if _RUNS.append(1) or len(_RUNS) > self.late:
            time.time()


_RUNS = []


@dataclass
class ClockInConstructor(detsim.Model):
    def __post_init__(self):
        self.started = time.time()  # construction, not a run: allowed, as outside a campaign

    def setup(self, world):
        world.spawn("worker", self.work(world))

    def work(self, world):
        yield world.checkpoint()
        yield world.checkpoint()


@dataclass
class SeesGuard(detsim.Model):
    def setup(self, world):
        assert guard_active()
        world.spawn("worker", self.work(world))

    def work(self, world):
        yield world.checkpoint()


def test_a_clock_read_in_a_later_run_of_a_campaign_is_still_caught():
    _RUNS.clear()
    originals = (random.random, time.time, os.urandom)
    with pytest.raises(NondeterminismError, match="time.time"):
        detsim.check(ClockInRun(late=3), detsim.Random(0), runs=10)
    assert len(_RUNS) == 4  # runs 0..2 passed, the fourth read the clock
    assert (random.random, time.time, os.urandom) == originals
    assert not guard_active()


def test_model_construction_may_read_the_clock_in_a_campaign():
    result = detsim.check(ClockInConstructor(), detsim.Random(0), runs=20)
    assert result.ok and result.runs == 20
    assert not guard_active()


def test_runs_are_guarded_and_the_guards_removed_after_the_campaign():
    originals = (random.random, time.time, os.urandom)
    result = detsim.check(SeesGuard(), detsim.Random(1), runs=5)
    assert result.ok and result.runs == 5
    assert (random.random, time.time, os.urandom) == originals
    assert time.time() > 0  # outside a campaign the clock is the caller's again

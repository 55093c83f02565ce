"""Exhaustive: footprints, the verdicts it allows, how far it reduces, and the CLI."""
from dataclasses import dataclass

import pytest

import detsim
from detsim import DFS, check
from detsim.campaign import digest
from detsim.cli import main as cli_main
from detsim.engine import model_ref
from detsim.search import Exhaustive
from detsim.search._access import READ, WRITE, Footprint, tracked_class, value_mode
from tests.search.soundness_models import Counter, explore
from tests.support import RacyCounter

SHARED_GLOBAL = []


def footprint(*keys, opaque=None):
    fp = Footprint()
    for key, mode in keys:
        fp.add(key, mode)
    fp.opaque = opaque
    return fp


def test_footprints_conflict_on_a_common_key_with_a_write():
    assert footprint(("a", WRITE)).conflicts(footprint(("a", READ)))
    assert footprint(("a", READ)).conflicts(footprint(("a", WRITE), ("b", READ)))
    assert not footprint(("a", READ)).conflicts(footprint(("a", READ)))
    assert not footprint(("a", WRITE)).conflicts(footprint(("b", WRITE)))
    assert footprint(opaque="why").conflicts(footprint())
    merged = footprint(("a", READ))
    merged.merge(footprint(("a", WRITE), opaque="x"))
    assert merged.keys == {"a": WRITE} and merged.opaque == "x"


def test_reading_a_mutable_value_counts_as_a_write():
    assert value_mode(3) == READ and value_mode(("a", 1)) == READ
    assert value_mode([1]) == WRITE and value_mode({}) == WRITE and value_mode(object()) == WRITE


def test_the_tracking_class_keeps_the_models_name_and_parameters():
    model = RacyCounter(workers=2)
    model.__class__ = tracked_class(RacyCounter)
    assert model_ref(model) == model_ref(RacyCounter(workers=2))
    assert isinstance(model, RacyCounter) and model.workers == 2


@dataclass
class Independent(detsim.Model):
    """Processes that touch nothing shared: one execution covers them all."""
    workers: int = 3
    steps: int = 3

    def setup(self, world):
        for i in range(self.workers):
            world.spawn(f"w{i}", self.work(world))

    def work(self, world):
        total = 0
        for k in range(self.steps):
            total += k
            yield world.checkpoint()


@dataclass
class LockReadUnlock(detsim.Model):
    """GenMC's example: N threads lock, read, unlock; one execution per lock order at most."""
    threads: int = 3

    def setup(self, world):
        self.value = 0
        self.lock = world.mutex("lock")
        for i in range(self.threads):
            world.spawn(f"t{i}", self.thread(world))

    def thread(self, world):
        yield self.lock.acquire()
        seen = self.value  # noqa: F841 (the read)
        self.lock.release()


@dataclass
class UsesGlobal(detsim.Model):
    def setup(self, world):
        for i in range(2):
            world.spawn(f"w{i}", self.work(world, i))

    def work(self, world, i):
        yield world.checkpoint()
        SHARED_GLOBAL.append(i)

    def final(self):
        return None


def test_independent_processes_need_one_execution():
    result = check(Independent(), Exhaustive(), runs=None)
    assert result.exhausted and result.runs == 1
    assert result.summary().startswith("verified: every behaviour explored (1 executions")
    naive = check(Independent(workers=3, steps=2), DFS(), runs=None)
    assert naive.exhausted and naive.runs > 1000


def test_lock_read_unlock_is_far_below_naive():
    # Not one execution per lock order: an acquire that finds the lock free and one
    # that parks are different transitions (acquire counts as a write), so each lock
    # order also comes with who had to wait (docs/exhaustive.md, "Limits").
    for n, most in ((2, 4), (3, 30), (4, 336)):
        result = check(LockReadUnlock(threads=n), Exhaustive(), runs=None)
        assert result.exhausted and result.runs <= most, (n, result.runs)
    naive = check(LockReadUnlock(threads=3), DFS(), runs=None)
    assert naive.exhausted and naive.runs >= 10 * 30


def test_verified_only_when_complete_and_bounded_otherwise():
    done = check(RacyCounter(bug=None), Exhaustive(), runs=None)
    assert done.ok and done.exhausted and done.runs <= 100
    assert {"executions", "transitions", "depth"} <= set(done.stats)
    assert done.stats["depth"] >= 36 and done.stats["executions"] == done.runs
    assert done.summary().startswith("verified: every behaviour explored")
    capped = check(RacyCounter(bug=None), Exhaustive(), runs=3)
    assert capped.ok and not capped.exhausted
    assert capped.summary().startswith("bounded: explored 3 executions without finishing")


def test_a_planted_bug_is_found_and_shrunk():
    found = check(RacyCounter(), Exhaustive(), runs=None)
    assert found.violation is not None and found.violation.property == "no lost update"
    assert not found.exhausted and found.one_minimal


def test_a_module_global_makes_steps_opaque():
    strategy = Exhaustive()
    explore(UsesGlobal(), strategy)
    assert strategy.opaque and "SHARED_GLOBAL" in strategy.opaque_reasons[0]
    SHARED_GLOBAL.clear()


def test_the_same_campaign_twice_runs_the_same_schedules():
    def digests():
        seen = []
        check(Counter(workers=3), Exhaustive(), runs=None, on_run=lambda i, r: seen.append(digest(r.trace)))
        return seen

    first = digests()
    assert len(first) > 5 and first == digests()


def test_cli_verified_and_bounded(capsys):
    assert cli_main(["check", "tests.support:RacyCounter", "-p", "bug=null", "--strategy", "exhaustive"]) == 0
    assert "verified: every behaviour explored" in capsys.readouterr().out
    assert cli_main(["check", "tests.support:RacyCounter", "-p", "bug=null", "--strategy", "exhaustive",
                     "--runs", "2"]) == 0
    assert "bounded: explored 2 executions without finishing" in capsys.readouterr().out


@pytest.mark.parametrize("bad", [0, -1, 1.5])
def test_bad_max_runs_is_a_usage_error(bad):
    with pytest.raises(detsim.UsageError):
        Exhaustive(max_runs=bad)


@dataclass
class Slotted(detsim.Model):
    """A model with __slots__: every attribute is state (there is no instance dict)."""
    __slots__ = ("count", "workers")
    workers: int

    def setup(self, world):
        self.count = 0
        for i in range(self.workers):
            world.spawn(f"w{i}", self.work(world))

    def work(self, world):
        seen = self.count
        yield world.checkpoint()
        self.count = seen + 1

    def properties(self):
        return [detsim.at_end("all counted", lambda m: m.count == m.workers)]


def test_a_model_with_slots_is_tracked_and_its_race_found():
    found = check(Slotted(workers=2), Exhaustive(), runs=None)
    assert found.violation is not None and found.violation.property == "all counted"


def test_the_notes_say_what_liveness_was_judged_on():
    done = check(RacyCounter(bug=None, workers=2), Exhaustive(), runs=None)
    assert any("no_deadlock is proved" in n and "per execution" in n for n in done.notes)
    capped = check(RacyCounter(bug=None), Exhaustive(), runs=2)
    assert not any("proved" in n for n in capped.notes)


def test_runs_without_its_tracker_fall_back_to_every_order():
    # A caller that attaches its own recorder gets no reduction, and no false "verified".
    from detsim.engine import Recorder

    strategy, outcomes, i = Exhaustive(), set(), 0
    while strategy.begin(i):
        result = detsim.campaign.execute(Counter(workers=2), strategy, {}, recorder=Recorder())
        strategy.end(result)
        outcomes.add(result.model.count)
        i += 1
    naive = check(Counter(workers=2), DFS(), runs=None)
    assert strategy.exhausted and i == naive.runs and outcomes == {1, 2}


def test_max_executions_caps_the_search_and_stats_keep_every_contract_key():
    capped = detsim.check(RacyCounter(bug=None), detsim.Exhaustive(max_executions=3), runs=None)
    assert capped.runs == 3 and not capped.exhausted
    assert capped.summary().startswith("bounded: explored 3 executions without finishing")
    assert {"executions", "states", "transitions", "depth"} <= set(capped.stats)

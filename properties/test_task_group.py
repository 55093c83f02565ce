"""A JoinSet of workers under a deadline: the correct scope leaks nothing, observes
every outcome once and frees the lock of a cancelled worker; three planted bugs
(a leak, a lock kept after cancellation, dropped outcomes) are found and shrunk."""
import pytest

import detsim
from models.task_group import TaskGroupJobs

SMALL = dict(workers=2, deadline=4)  # small enough for every schedule to be explored


def test_correct_scope_holds(campaign):
    result = campaign.holds(TaskGroupJobs(), runs=campaign.budget(ci=400, deep=5000))
    # the guards: cancellations happened, one while the lock was held, one in a tie
    assert len(result.reached) == 3, result.reached


def test_default_schedule_finishes_before_the_deadline():
    result = detsim.run(TaskGroupJobs())
    assert result.ok and result.model.observed == ["jobs/w0", "jobs/w1", "jobs/w2"]
    assert result.world.primitives["jobs"].statistics().cancelled == 0


def test_small_instance_holds_on_every_schedule():
    result = detsim.check(TaskGroupJobs(**SMALL), detsim.DFS(), runs=5000)
    assert result.ok and result.exhausted, result.summary()
    assert "every schedule explored" in result.summary()


@pytest.mark.parametrize("bug, prop", [
    ("leak-on-cancel", "no leaked task"),
    ("lock-held-after-cancel", "a cancelled child releases the locks it held"),
    ("unobserved-cancel", "every child's outcome is observed once"),
])
def test_planted_bug_is_found_and_shrunk(campaign, bug, prop):
    assert detsim.run(TaskGroupJobs(bug=bug)).ok  # not visible without a slow job
    result = campaign.finds(TaskGroupJobs(bug=bug), prop, within=50)
    devs = [d for _, d in result.trace.deviations()]
    # two slow jobs push the third past the deadline: nothing else is needed
    assert len(devs) == 2 and all(d.label.startswith("job ") for d in devs), result.report()


@pytest.mark.parametrize("bug, props", [
    # leaving early also drops the outcomes; DFS meets that first on the small instance
    ("leak-on-cancel", {"no leaked task", "every child's outcome is observed once"}),
    ("lock-held-after-cancel", {"a cancelled child releases the locks it held"}),
    ("unobserved-cancel", {"every child's outcome is observed once"}),
])
def test_planted_bug_is_found_exhaustively_on_the_small_instance(bug, props):
    result = detsim.check(TaskGroupJobs(bug=bug, **SMALL), detsim.DFS(), runs=5000)
    assert result.violation is not None and result.violation.property in props, result.summary()


def test_lock_held_after_cancel_reads_as_a_sentence(campaign):
    result = campaign.finds(TaskGroupJobs(bug="lock-held-after-cancel"),
                            "a cancelled child releases the locks it held", within=50)
    assert "ended (cancelled) while holding mutex store" in result.violation.message


# ---- Exhaustive() (source-DPOR, docs/exhaustive.md): every behaviour of the smallest instance ----
EXHAUSTIVE = dict(workers=2, deadline=3)  # deadline 4 never ties the deadline with a job: a guard stays unmet


def _exhaustive(bug=None):
    return detsim.check(TaskGroupJobs(bug=bug, **EXHAUSTIVE), detsim.Exhaustive(), runs=None)


def test_exhaustive_verifies_the_correct_scope_with_two_workers():
    """Instance: 2 workers, deadline 3, durations [1, 3] (945 executions)."""
    result = _exhaustive()
    assert result.ok and result.exhausted
    assert result.summary().startswith("verified: every behaviour explored")


@pytest.mark.parametrize("bug, prop", [("leak-on-cancel", "no leaked task"),
                                       ("lock-held-after-cancel", "a cancelled child releases the locks it held"),
                                       ("unobserved-cancel", "every child's outcome is observed once")])
def test_exhaustive_finds_each_bug_with_two_workers(bug, prop):
    """Instance: 2 workers, deadline 3, durations [1, 3]."""
    result = _exhaustive(bug)
    assert not result.ok and result.violation.property == prop

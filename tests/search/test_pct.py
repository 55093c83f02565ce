"""PCT in its fair form: Peterson's spin loops never abort a campaign (the bug is
found, the correct lock holds), a spinner drops to the lowest priority, an unmarked
spin loop ends with the fair random suffix, k is learned, n counts processes, and
the summary states the miss bound of Burckhardt et al."""
import pytest
from hypothesis import given, settings

import detsim
from detsim.errors import ModelError, UsageError
from detsim.testing import assert_run_holds, from_seed, schedules
from tests.campaign.peterson import Peterson
from tests.support import scripted


def waiter(marked: bool, rounds: int = 1):
    """``waiter`` busy-waits until ``setter`` has raised the flag ``rounds`` times; the
    setter needs 3 steps per round. Marked: the loop yields ``world.spin()``."""
    def wait(m, world):
        for r in range(1, rounds + 1):
            while len(m.log) < r:  # the setter's flags
                yield world.spin() if marked else world.checkpoint()

    def setter(m, world):
        for r in range(rounds):
            yield world.checkpoint()
            yield world.checkpoint()
            m.log.append(r)
            yield world.checkpoint()

    return scripted(waiter=wait, setter=setter)


@pytest.mark.parametrize("depth", [2, 3])
def test_the_correct_peterson_holds_under_pct_without_an_abort(depth):
    result = detsim.check(Peterson(bug=None), detsim.PCT(depth, 1), runs=300)
    assert result.verdict == "held" and result.runs == 300 and result.error is None
    assert "pct: runs ended with the fair random suffix" not in result.counters  # the spin marks suffice


def test_the_turn_first_bug_is_found_under_pct3():
    result = detsim.check(Peterson(bug="turn-first"), detsim.PCT(3, 1), runs=500)
    assert result.verdict == "violated" and result.violation.property == "mutual exclusion"
    assert result.preemptions is not None and "preemption(s)" in result.report()
    assert detsim.replay(result.trace).violation.property == "mutual exclusion"


def test_a_spinner_drops_to_the_lowest_priority():
    # Whoever is drawn first, the marked waiter never runs twice in a row while the setter can.
    for seed in range(20):
        result = detsim.run(waiter(marked=True), detsim.PCT(1, seed))
        runs = [d.choice for d in result.trace.decisions]
        assert result.ok and runs.count("waiter") <= 2, (seed, runs)


def test_an_unmarked_spin_loop_ends_with_the_fair_suffix_instead_of_the_step_budget():
    model = waiter(marked=False)
    strict = [detsim.check(model, detsim.PCT(1, seed, fair_after=None), runs=1, max_steps=5_000)
              for seed in range(10)]
    assert any(r.verdict == "error" and "step budget" in r.error for r in strict)  # PCT alone starves it
    for seed in range(10):
        fair = detsim.check(model, detsim.PCT(1, seed, fair_after=200), runs=1, max_steps=5_000)
        assert fair.verdict == "held", (seed, fair.error)
    late = detsim.check(model, detsim.PCT(1, 0, fair_after=200), runs=30, max_steps=5_000)
    assert late.counters.get("pct: runs ended with the fair random suffix", 0) > 0
    assert any("fair random suffix (a spin loop without world.spin()?)" in n for n in late.notes)


def test_k_is_learned_and_n_counts_processes_not_exit_events():
    pct = detsim.PCT(3, 0, steps=1000)
    result = detsim.check(waiter(marked=True, rounds=3), pct, runs=5)
    assert result.ok and pct.processes_seen == 2
    assert pct.steps_estimate < 1000  # learned from the runs: the runs are shorter than the guess
    assert pct.describe()["steps_estimate"] == pct.steps_estimate  # the last run used the learned k


def test_the_summary_states_the_miss_bound():
    pct = detsim.PCT(2, 0)
    result = detsim.check(Peterson(bug=None), pct, runs=200)
    n, k, runs, p = pct.miss_bound()
    assert n == 2 and 0 < runs <= 200 and k == pct.steps_estimate
    assert p == pytest.approx(1 - (1 - 1 / (n * k)) ** runs)
    line = result.notes[0]
    assert line.startswith(f"PCT(d=2): a bug of depth 2 within the first {k:,} scheduling steps "
                           "would have been found with probability ≥ ")
    assert f"n = {n} processes seen, k = {k:,}, N = {runs:,} run(s) at this k" in line
    shown = float(line.split("≥ ")[1].split("%")[0])
    assert shown <= p * 100 < shown + 0.1  # rounded down: a bound is never rounded up
    assert "PCT(d=2)" in str(result)


def test_the_same_run_begun_again_is_the_same_run():
    pct = detsim.PCT(3, 4)
    first = detsim.run(Peterson(bug=None), pct)
    again = detsim.run(Peterson(bug=None), pct)
    assert again.trace.to_json() == first.trace.to_json()


@settings(max_examples=30, deadline=None, database=None)
@given(schedules("pct"))
def test_a_hypothesis_test_of_the_correct_peterson_passes_under_pct(schedule):
    assert_run_holds(Peterson(bug=None), schedule, save_dir=None)


def test_hypothesis_mixes_pct_only_in_its_fair_form():
    pct = from_seed(7)
    assert isinstance(pct, detsim.PCT) and pct.fair_after is not None
    assert detsim.run(Peterson(bug=None), pct).ok


class Watching(detsim.Strategy):
    """FIFO, noting which candidates were marked spinning at each schedule decision."""

    def __init__(self):
        self.marks = []

    def choose(self, label, candidates, world):
        self.marks.append({name: world.tasks[name].spinning for name in candidates if name in world.tasks})
        return 0


def test_spin_marks_the_pending_wake_up_and_only_inside_a_process():
    watching = Watching()
    assert detsim.run(waiter(marked=True), watching).ok
    assert {"waiter": True, "setter": False} in watching.marks  # while its spin is pending
    assert {"waiter": False, "setter": False} in watching.marks  # at its start: not a spin
    with pytest.raises(ModelError, match=r"world.spin\(\) must be called from a process"):
        detsim.World().spin()
    with pytest.raises(UsageError):
        detsim.PCT(2, 0, fair_after=0)

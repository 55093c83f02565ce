"""5. No vacuous green: a budget that explores nothing is a usage error; a campaign
that explored nothing never says "held"; "every schedule explored" only when true."""
import pytest

import detsim
from detsim.errors import UsageError

from .test_budgets import Racy


@pytest.mark.parametrize("args, words", [
    (["--runs", "0"], ["--runs", "invalid positive integer value: '0'"]),
    (["--runs", "-5"], ["--runs"]),
    (["--strategy", "dfs", "--max-deviations", "-1"], ["--max-deviations"]),
    (["--strategy", "pct", "--depth", "0"], ["--depth"]),
    (["--max-steps", "0"], ["--max-steps"]),
    (["--horizon", "nan"], ["--horizon"]),
    (["--horizon", "-1"], ["--horizon"]),
    (["--horizon", "inf"], ["--horizon"]),
    (["-p", "novalue"], ["-p expects key=value"]),
    (["-p", "nope=1"], ["has no parameter nope"]),
])
def test_usage_errors_exit_2_with_one_line(project, args, words):
    outcome = project.detsim("check", "models.counter:Counter", *args)
    assert outcome.code == 2 and outcome.out == ""
    outcome.one_error_line(*words)


@pytest.mark.parametrize("runs", [0, -1, 1.5, True, "10"])
def test_check_refuses_a_campaign_of_no_runs(runs):
    with pytest.raises(UsageError, match="runs must be a positive integer"):
        detsim.check(Racy(), detsim.Random(0), runs=runs)


def test_until_done_needs_a_strategy_that_runs_out():
    with pytest.raises(UsageError, match="runs=None .* needs a strategy that runs out"):
        detsim.check(Racy(), detsim.Random(0), runs=None)
    done = detsim.check(Racy(spin=1), detsim.DFS(max_deviations=1), runs=None)
    assert done.exhausted and done.stats["executions"] == done.runs > 1


@pytest.mark.parametrize("settings, words", [
    ({"max_steps": 0}, "max_steps must be a positive integer"),
    ({"instant_budget": -3}, "instant_budget must be a positive integer"),
    ({"horizon": float("nan")}, "horizon must be a finite virtual time"),
    ({"horizon": -1}, "horizon must be a finite virtual time"),
    ({"max_step": 5}, "unknown run setting 'max_step'"),
])
def test_bad_run_settings_are_usage_errors(settings, words):
    with pytest.raises(UsageError, match=words):
        detsim.run(Racy(), detsim.Random(0), **settings)


def test_strategy_bounds_are_usage_errors():
    with pytest.raises(UsageError):
        detsim.PCT(depth=0)
    with pytest.raises(UsageError):
        detsim.DFS(max_deviations=-1)
    with pytest.raises(UsageError):
        detsim.DFS(max_runs=0)


class Nothing(detsim.Strategy):
    """A strategy with nothing to explore."""

    def begin(self, run):
        return False

    def choose(self, label, candidates, world):
        return 0


def test_a_campaign_that_ran_nothing_never_holds():
    result = detsim.check(Racy(), Nothing(), runs=100)
    assert not result.ok and result.runs == 0 and result.verdict == "nothing explored"
    assert "held" not in str(result) and "nothing explored" in str(result)


def test_every_schedule_explored_only_when_true():
    bounded = detsim.check(Racy(spin=1), detsim.DFS(max_deviations=1), runs=10_000)
    assert bounded.ok and bounded.exhausted and bounded.bound is not None
    assert "every schedule explored" not in str(bounded)
    assert "every schedule with at most 1 deviation(s) from the default explored" in str(bounded)
    budget = detsim.check(Racy(spin=1), detsim.DFS(max_runs=3), runs=10_000)
    assert not budget.exhausted and budget.runs == 3 and "every schedule explored" not in str(budget)
    # only the passes it finished are claimed (iterative bounding), the one under way is not
    assert "every schedule with ≤ 0 preemptions explored: 2" in str(budget)
    assert "not all of them (the budget ran out)" in str(budget)

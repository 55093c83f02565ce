"""detsim.testing (formerly detsim.strategies): Hypothesis draws short lists (seeds,
PCT parameters, deviations), never raw indices, and a failing run is reported shrunk."""
import re

import pytest
from hypothesis import HealthCheck, find, given, settings

import detsim
import detsim.testing as ds
from tests.support import RacyCounter

FEW = settings(max_examples=15, deadline=None, database=None, derandomize=True,
               suppress_health_check=[HealthCheck.too_slow])

KIND_NAMES = {"random": {"random"}, "pct": {"pct"}, "deviations": {"deviations"}, "mixed": {"random", "pct"}}


@pytest.mark.parametrize("kind", sorted(KIND_NAMES))
def test_each_kind_gives_schedules_usable_with_run(kind):
    seen = set()

    @FEW
    @given(ds.schedules(kind))
    def check_one(schedule):
        assert isinstance(schedule, detsim.Strategy)
        result = detsim.run(RacyCounter(bug=None), schedule)
        assert result.ok and result.trace.decisions
        name = result.trace.strategy["name"]
        assert name in KIND_NAMES[kind]
        seen.add(name)
        # Same schedule description, same run: the drawn value fully determines it.
        again = detsim.run(RacyCounter(bug=None), schedule)
        assert again.trace.to_json() == result.trace.to_json()

    check_one()
    assert seen


def test_unknown_kind_is_rejected():
    with pytest.raises(ValueError, match="unknown schedule kind"):
        ds.schedules("exhaustive")


def test_pct_depth_is_bounded():
    depths = set()

    @FEW
    @given(ds.schedules("pct", max_depth=4))
    def draw(schedule):
        depths.add(schedule.depth)

    draw()
    assert depths <= {2, 3, 4}


@FEW
@given(ds.deviations(max_position=40, max_deviations=4, max_index=2))
def test_deviations_are_real_deviations_at_their_positions(schedule):
    result = detsim.run(RacyCounter(), schedule)
    wanted = {pos for pos, _ in schedule.pairs}
    assert len(schedule.pairs) <= 4 and all(1 <= idx <= 2 for _, idx in schedule.pairs)
    taken = {pos for pos, _ in result.trace.deviations()}
    assert taken == {pos for pos in wanted if pos < len(result.trace.decisions)}
    assert result.trace.strategy == {"name": "deviations", "deviations": [list(p) for p in schedule.pairs]}


def test_hypothesis_shrinks_deviation_lists_to_one():
    failing = find(ds.deviations(), lambda s: not detsim.run(RacyCounter(), s).ok,
                   settings=settings(max_examples=500, database=None, derandomize=True, deadline=None))
    assert len(failing.pairs) == 1
    assert detsim.run(RacyCounter(), failing).violation.property == "no lost update"


def deviation_lines(message):
    return re.findall(r"^    #\d+: step \d+ ", message, re.M)


@pytest.mark.parametrize("kind", ["random", "mixed", "deviations"])
def test_assert_run_holds_fails_with_a_shrunk_report(kind, tmp_path):
    @settings(max_examples=60, deadline=None, database=None, derandomize=True, print_blob=False)
    @given(ds.schedules(kind))
    def counter_holds(schedule):
        ds.assert_run_holds(RacyCounter(), schedule, save_dir=tmp_path)

    with pytest.raises(detsim.PropertyViolation) as info:
        counter_holds()
    message = str(info.value)
    assert 'property "no lost update" violated' in message
    assert 1 <= len(deviation_lines(message)) <= 2, message
    assert info.value.violation.property == "no lost update"
    saved = re.search(r"replay: detsim replay (\S+)", message).group(1)
    assert detsim.replay(saved).violation.property == "no lost update"


def test_assert_run_holds_passes_and_returns_the_run():
    result = ds.assert_run_holds(RacyCounter(bug=None), detsim.Random(4), save_dir=None)
    assert result.ok and result.trace.strategy["name"] == "random"


def test_assert_run_holds_without_shrinking(tmp_path):
    for seed in range(200):
        if not detsim.run(RacyCounter(), detsim.Random(seed)).ok:
            break
    with pytest.raises(detsim.PropertyViolation) as info:
        ds.assert_run_holds(RacyCounter(), detsim.Random(seed), shrink=False, save_dir=None)
    assert "shrunk from" not in str(info.value)
    assert "save the trace" in str(info.value)  # nothing saved: says how to save and replay

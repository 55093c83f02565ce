"""State coverage (issue 11, part 4): a campaign over a model with ``state()`` counts
the distinct abstract states it saw and prints their growth; a model without
``state()`` prints nothing of the kind."""
import detsim
from detsim.campaign._coverage import growth_line
from tests.campaign.peterson import Peterson
from tests.support import RacyCounter


def test_a_campaign_prints_the_growth_of_distinct_states():
    result = detsim.check(Peterson(bug=None), detsim.Random(0), runs=40)
    line = next(n for n in result.notes if n.startswith("distinct abstract states: "))
    assert "after 10% (4 runs)" in line and "after 50% (20 runs)" in line and "after 100% (40 runs)" in line
    final = int(line.rsplit(": ", 1)[1].split(", ")[-1].split(" ")[0].replace(",", ""))
    assert final == result.stats["states"] > 1
    assert line in str(result)


def test_the_growth_is_read_at_each_share_of_the_runs():
    assert growth_line([1, 1, 2, 2, 3, 5, 5, 5, 8, 9]) == (
        "distinct abstract states: 1 after 10% (1 run), 3 after 50% (5 runs), 9 after 100% (10 runs)")
    assert growth_line([]) is None


def test_no_state_no_coverage_line():
    result = detsim.check(RacyCounter(bug=None), detsim.Random(0), runs=5)
    assert not any(n.startswith("distinct abstract states") for n in result.notes)
    assert result.stats["states"] is None  # the key is always there (the contract); None: not counted

"""Campaigns (``detsim.check``): exceptions are found, not crashes; counters are
summed over runs; only an exhausted search claims every schedule."""
import detsim
from tests.support import RacyCounter, scripted, stepper


def test_exceptions_are_found_by_check_not_crashes():
    def racer(m, world):
        yield world.checkpoint()
        m.log.append("racer")

    def checker(m, world):
        yield world.checkpoint()
        assert "racer" in m.log, "racer has not run yet"

    result = detsim.check(scripted(racer=racer, checker=checker), detsim.Random(0), runs=50)
    assert not result.ok and result.violation.property == "AssertionError"
    assert len(result.trace.deviations()) == 1


def test_counters_are_summed_over_a_campaign():
    def counting(m, world):
        world.count("ticks", 2)
        yield world.checkpoint()

    result = detsim.check(scripted(c=counting), detsim.Random(0), runs=7)
    assert result.ok and result.counters == {"ticks": 14}


def test_only_an_exhausted_search_claims_every_schedule():
    fifo = detsim.check(RacyCounter(), detsim.Fifo(), runs=10)
    assert fifo.ok and fifo.runs == 1 and not fifo.exhausted  # the race is there; Fifo cannot see it
    assert "every schedule explored" not in str(fifo)
    capped = detsim.check(RacyCounter(bug=None), detsim.DFS(max_runs=5), runs=100)
    assert capped.ok and capped.runs == 5 and not capped.exhausted
    small = scripted(a=stepper("a", 2), b=stepper("b", 2))
    full = detsim.check(small, detsim.DFS(), runs=1000)
    assert full.ok and full.exhausted and 1 < full.runs < 1000
    assert "every schedule explored" in str(full)

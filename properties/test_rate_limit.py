"""Token bucket and leaky bucket: every window of length T sees at most
burst + rate·T acquisitions; planted bug: racy-refill (a lost update)."""
import pytest

import detsim
from models.rate_limit import LeakyBucket, TokenBucket

BUCKETS = [TokenBucket, LeakyBucket]


@pytest.mark.parametrize("bucket", BUCKETS, ids=lambda c: c.__name__)
def test_correct_bucket_survives(campaign, bucket):
    campaign.holds(bucket(), runs=campaign.budget(ci=600, deep=10000))


@pytest.mark.parametrize("bucket", BUCKETS, ids=lambda c: c.__name__)
def test_correct_bucket_survives_pct(campaign, bucket):
    campaign.holds(bucket(), runs=campaign.budget(ci=150, deep=3000), strategy=detsim.PCT(3, campaign.seed))


@pytest.mark.parametrize("strategy", [detsim.Random(0), detsim.PCT(3, 0)], ids=["random", "pct3"])
@pytest.mark.parametrize("bucket", BUCKETS, ids=lambda c: c.__name__)
def test_racy_refill_exceeds_the_rate(campaign, bucket, strategy):
    result = campaign.finds(bucket(bug="racy-refill"), "at most burst + rate·T per window", within=400,
                            strategy=strategy)
    assert "acquisitions in the window" in result.violation.message
    assert len(result.trace.deviations()) == 1  # the refill read before a client took a token

# ---- exhaustive verification of a small instance (docs/exhaustive.md) --------------------

def _exhaustive(**params):
    return detsim.check(TokenBucket(**params), detsim.Exhaustive(), runs=None)

def test_exhaustive_verifies_2_clients_3_ticks():
    result = _exhaustive(clients=2, ticks=3)
    assert result.ok and result.exhausted and result.summary().startswith("verified:")


def test_exhaustive_finds_the_racy_refill():
    result = _exhaustive(clients=2, ticks=3, bug="racy-refill")
    assert result.violation.property.startswith("at most burst")

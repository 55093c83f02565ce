"""Campaigns on a Dask cluster (detsim.campaign._dask), against a real scheduler and
worker processes on loopback: the cluster CI starts (``DETSIM_DASK_ADDRESS``), or
one this module starts. The result is the one-process result, byte for byte.

Without the ``dask`` extra these tests are skipped on a developer's machine and
fail in CI (``CI`` set): they are never skipped silently there."""
import os
import subprocess
import sys
import threading

import pytest

from detsim.campaign import check
from detsim.errors import DetsimError, ModelError
from detsim.search import PCT, Random
from tests.campaign.lottery import Lottery, Spinner
from tests.campaign.test_parallel import same

try:
    import distributed
except ImportError:  # pragma: no cover - depends on the installed extras
    distributed = None
    if os.environ.get("CI"):
        raise RuntimeError("CI must test the Dask cluster: install detsim[dev] (it includes the dask extra)")

pytestmark = pytest.mark.skipif(distributed is None, reason="the dask extra is not installed")


@pytest.fixture(scope="module")
def address():
    given = os.environ.get("DETSIM_DASK_ADDRESS")
    if given:
        yield given
        return
    from tests.campaign.dask_cluster import loopback_cluster

    with loopback_cluster(workers=2) as started:
        yield started


@pytest.fixture(scope="module")
def client(address):
    with distributed.Client(address, timeout="30s") as client:
        assert len(client.nthreads()) >= 2, "the cluster needs two worker processes"
        yield client


def test_the_counterexample_on_the_cluster_is_the_one_process_one(client):
    one = check(Lottery(), Random(3), runs=3000)
    assert one.verdict == "violated" and one.runs == 30
    same(one, check(Lottery(), Random(3), runs=3000, workers=client))


def test_a_campaign_that_holds_merges_what_the_workers_saw(client):
    one = check(Lottery(winning=None), Random(2), runs=400)
    two = check(Lottery(winning=None), Random(2), runs=400, workers=client)
    assert one.verdict == "held" and one.counters == {"draws": 800} and one.stats["states"] > 100
    same(one, two)
    ran_on = client.run(os.getpid)  # the runs happened in the worker processes, not here
    assert os.getpid() not in ran_on.values() and len(set(ran_on.values())) >= 2


def test_an_overrun_and_a_model_error_on_the_cluster(client):
    same(check(Spinner(), Random(1), runs=500, max_steps=300),
         check(Spinner(), Random(1), runs=500, max_steps=300, workers=client))
    with pytest.raises(ModelError, match="a broken setup"):
        check(Lottery(winning=None, broken=30), Random(0), runs=500, workers=client)


def test_a_strategy_with_dependent_runs_stays_in_this_process(client):
    result = check(Lottery(tickets=5, winning=None), PCT(2, 0), runs=30, workers=client)
    assert result.runs == 30 and any("not on the Dask cluster: pct runs depend" in n for n in result.notes)


def test_a_model_that_cannot_travel_is_one_error(client):
    model = Lottery(winning=None)
    model.lock = threading.Lock()  # cannot be pickled, so cannot reach the workers
    with pytest.raises(DetsimError, match="cannot send the campaign to the Dask workers.*must be picklable"):
        check(model, Random(0), runs=50, workers=client)


def test_detsim_check_dask_address_prints_what_one_process_prints(address):
    def cli(*where):
        proc = subprocess.run([sys.executable, "-m", "detsim", "check", "tests.campaign.lottery:Lottery", "--runs",
                               "2000", "--seed", "3", "--no-shrink", *where], capture_output=True, text=True,
                              timeout=300, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
        assert proc.returncode == 1, proc.stderr
        return proc.stdout.split("replay: detsim replay")[0]

    assert cli("--dask", address) == cli("--workers", "1")


def test_an_unreachable_scheduler_is_one_error(monkeypatch):
    from detsim.campaign import _dask, dask_connect

    monkeypatch.setattr(_dask, "CONNECT_TIMEOUT", "2s")
    with pytest.raises(DetsimError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        dask_connect("tcp://127.0.0.1:9")


def test_detsim_check_dask_local_starts_its_own_cluster():
    proc = subprocess.run([sys.executable, "-m", "detsim", "check", "tests.campaign.lottery:Lottery", "--runs",
                           "300", "-p", "winning=null", "--dask", "local"], capture_output=True, text=True,
                          timeout=300, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert proc.returncode == 0, proc.stderr
    assert "held over 300 schedules" in proc.stdout

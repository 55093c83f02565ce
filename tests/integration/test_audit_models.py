"""Every example model passes ``detsim check --audit``: its correct variant, run again
in a fresh process under another PYTHONHASHSEED, takes exactly the same decisions."""
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO

DETSIM = str(Path(sys.executable).with_name("detsim"))
MODELS = ["batch_window:BatchWindow", "channel_broadcast:BroadcastFanout", "channel_mpsc:BoundedMpsc",
          "channel_oneshot:OneshotReply", "channel_watch:WatchConfig", "circuit_breaker:CircuitBreaker",
          "crdt:GCounter", "crdt:GSet", "crdt:LWWRegister", "crdt:PNCounter", "crdt:TwoPSet",
          "dining_philosophers:DiningPhilosophers", "event_sourcing:EventSourcing",
          "graceful_shutdown:GracefulShutdown", "lease:Lease", "load_balancer:LoadBalancer",
          "lost_update:LostUpdate", "mutex:Mutex", "notify:CondQueue", "priority_pool:PriorityPool", "raft:Raft",
          "rate_limit:LeakyBucket", "rate_limit:TokenBucket", "retry:Retry", "rwlock:RwLock", "select:SelectMux",
          "semaphore:PermitPool", "supervision:Supervision", "task_group:TaskGroupJobs"]


@pytest.mark.parametrize("model", MODELS)
def test_every_example_model_passes_the_audit(model):
    runs = "5" if model.startswith("raft") else "20"
    done = subprocess.run([DETSIM, "check", f"models.{model}", "-p", "bug=null", "--runs", runs, "--audit"],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert "Traceback" not in done.stderr, done.stderr
    assert f"audit: all {runs} run(s) identical in a fresh process" in done.stdout, done.stdout + done.stderr

"""A Dask cluster on loopback: a scheduler and worker processes started as separate
programs (``dask scheduler``, ``dask worker``), as CI and a real cluster run them.
Used by the Dask tests when ``DETSIM_DASK_ADDRESS`` names no running cluster, and
by ``bench/parallel.py``.

Workers get the repository on ``PYTHONPATH``, so that they can import the models
a campaign sends them (pickled by reference, as on any cluster).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


@contextmanager
def loopback_cluster(workers: int = 2):
    """Yields the scheduler's address once ``workers`` single-threaded workers joined."""
    from distributed import Client  # the dask extra: only where a cluster is wanted

    with tempfile.TemporaryDirectory(prefix="detsim-dask-") as tmp:
        info = Path(tmp) / "scheduler.json"
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
                   # the worker's statistical profiler samples every thread 100 times a second
                   DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED="False")
        log = open(Path(tmp) / "cluster.log", "w")
        procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                   "--port", "0", "--no-dashboard", "--scheduler-file", str(info)],
                                  cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)]
        try:
            _wait_for(info, procs[0], Path(tmp) / "cluster.log")
            address = json.loads(info.read_text())["address"]
            procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address,
                                           "--nworkers", str(workers), "--nthreads", "1", "--no-dashboard",
                                           "--host", "127.0.0.1"],
                                          cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True))
            with Client(address, timeout="30s") as client:
                client.wait_for_workers(workers, timeout=START_TIMEOUT)
            yield address
        finally:
            for proc in reversed(procs):  # each in its own session: the nanny's children go too
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGTERM)
            for proc in procs:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            log.close()


def _wait_for(info: Path, proc, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not info.exists() or not info.read_text().strip():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the Dask scheduler did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.1)

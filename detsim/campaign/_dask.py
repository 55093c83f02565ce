"""Campaigns on a Dask cluster: the same chunks of run indices as local workers,
submitted as Dask tasks (docs/scale.md, "On a Dask cluster").

``distributed`` is optional (``pip install 'detsim[dask]'``), so it is imported
only when a campaign asks for a cluster: the CLI and every other campaign start
without it.
"""
from __future__ import annotations

import os
import threading

from ..errors import DetsimError, UsageError
from ._parallel import Job, run_chunk

CONNECT_TIMEOUT = "20s"
_ONE_RUN_AT_A_TIME = threading.Lock()  # runs patch process-wide guards: one per worker process


def is_client(workers) -> bool:
    """A ``dask.distributed.Client`` (recognised without importing distributed)."""
    return type(workers).__module__.split(".")[0] == "distributed" and hasattr(workers, "submit")


def _distributed():
    try:
        import dask
        import distributed
    except ImportError:
        raise UsageError("a Dask cluster needs the dask extra: pip install 'detsim[dask]'") from None
    return dask, distributed


def connect(address: str):
    """A Client for ``address`` ("tcp://host:port"), or for a new LocalCluster of one
    single-threaded worker process per core when ``address`` is "local"."""
    dask, distributed = _distributed()
    try:
        if address == "local":
            # the workers' statistical profiler costs CPU that campaign runs want
            dask.config.set({"distributed.worker.profile.enabled": False})
            cluster = distributed.LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1,
                                               processes=True, dashboard_address=None)
            return distributed.Client(cluster)
        return distributed.Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as e:
        raise DetsimError(f"cannot reach the Dask scheduler at {address}: {e}") from None


def close(client) -> None:
    """Close a client made by ``connect`` (and its LocalCluster, if it made one)."""
    cluster = client.cluster
    client.close()
    if cluster is not None:
        cluster.close()


def _remote_chunk(job, start, stop):
    with _ONE_RUN_AT_A_TIME:  # a worker with several threads still runs one campaign run at a time
        return run_chunk(job, start, stop)


class DaskPool:
    """Chunks as Dask tasks. A chunk above a failure is cancelled if it has not
    started; one already running finishes and is ignored."""

    def __init__(self, job: Job, client):
        _, distributed = _distributed()
        self.client = client
        threads = sum(client.nthreads().values())
        if not threads:
            raise DetsimError(f"the Dask cluster at {client.scheduler.address} has no workers")
        self.slots = threads
        try:
            [self.job] = client.scatter([job], broadcast=True, hash=False)
        except Exception as e:
            raise DetsimError(f"cannot send the campaign to the Dask workers ({type(e).__name__}: {e}); "
                              "the model and strategy must be picklable") from None
        self.futures: dict = {}  # future key -> (start, future)
        self.done = distributed.as_completed()

    def submit(self, start: int, stop: int) -> None:
        future = self.client.submit(_remote_chunk, self.job, start, stop, pure=False)
        self.futures[future.key] = (start, future)
        self.done.add(future)

    def next(self):
        for future in self.done:
            if future.key not in self.futures:  # cancelled by lower(): already written off
                continue
            del self.futures[future.key]
            try:
                return future.result()
            except Exception as e:
                raise DetsimError(f"a Dask worker could not run a chunk of the campaign ({type(e).__name__}: "
                                  f"{e}); do the workers run the same code, with the project importable?") from None
        raise DetsimError("the Dask cluster lost the campaign's tasks")

    def lower(self, limit: int) -> int:
        """Cancel chunks starting above ``limit``; how many were written off."""
        moot = [key for key, (start, _) in self.futures.items() if start > limit]
        futures = [self.futures.pop(key)[1] for key in moot]
        if futures:
            self.client.cancel(futures)
        return len(futures)

    def close(self) -> None:
        rest = [future for _, future in self.futures.values()]
        self.futures.clear()
        if rest:
            self.client.cancel(rest)
        self.done.clear()

"""A permit pool: ``workers`` tasks share a semaphore of ``permits`` permits.

Each worker runs ``rounds`` jobs. A job acquires a permit, works inside the
critical section (two scheduling points) and releases. Any job may be cancelled
before it starts (``world.choose``, default: not cancelled); a cancelled job
runs only the cleanup path.

Properties: never more than ``permits`` workers inside; every worker inside
holds a permit of its own (no permit leaked to someone else); all permits back
at the end.

Planted bug ``release-without-acquire`` (from a design report's guard sketch):
the cleanup path releases "if a permit is out" (``available < permits``)
instead of "if this job acquired one". A cancelled job then releases a permit
another worker holds: that worker is inside without a permit and one worker
too many can enter. The semaphore itself cannot tell a stolen release from a
legitimate hand-off by a signalling task, so the count check slips through.
"""
from dataclasses import dataclass

import detsim


@dataclass
class PermitPool(detsim.Model):
    workers: int = 3
    permits: int = 2
    rounds: int = 2
    bug: str | None = None  # "release-without-acquire"

    def setup(self, world):
        if self.bug not in (None, "release-without-acquire"):
            raise detsim.ModelError(f"PermitPool: unknown bug {self.bug!r}")
        self.sem = world.semaphore("pool", self.permits)
        self.inside: list[str] = []
        self.max_inside = 0
        self.jobs_done = 0
        for i in range(self.workers):
            world.spawn(f"worker-{i}", self.worker(world, f"worker-{i}"))

    def worker(self, world, name):
        for job in range(self.rounds):
            cancelled = world.choose(f"{name} job {job} cancelled", [False, True])
            acquired = False
            if not cancelled:
                yield self.sem.acquire()
                acquired = True
                self.inside.append(name)
                self.max_inside = max(self.max_inside, len(self.inside))
                yield world.checkpoint()
                yield world.checkpoint()
                self.inside.remove(name)
                self.jobs_done += 1
            # cleanup: give the permit back
            if self.bug == "release-without-acquire":
                if self.sem.available < self.sem.permits:
                    self.sem.release()
            elif acquired:
                self.sem.release()
            yield world.checkpoint()

    def _inside_hold_permits(self) -> bool:
        holders = {t.name for t in self.sem.holders}
        return all(name in holders for name in self.inside)

    def properties(self):
        return [
            detsim.always("at most N permits held", lambda m: len(m.inside) <= m.permits),
            detsim.always("no permit leak", PermitPool._inside_hold_permits),
            detsim.at_end("all permits returned", lambda m: m.sem.available == m.permits),
            detsim.sometimes("a worker waited for a permit", lambda m: m.sem.statistics().tasks_waiting > 0),
            detsim.sometimes("every permit in use", lambda m: m.max_inside == m.permits),
        ]

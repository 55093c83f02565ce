"""Priority worker pool: one worker serves a high- and a low-priority queue.

A job takes 1 time unit. The high-priority client submits ``high_jobs`` jobs in
bursts of ``burst``, one per time unit, with one idle unit after each burst: a
bounded load just under the worker's capacity. The low-priority client submits
``low_jobs`` jobs, one every ``burst + 1`` units from t=1. At every instant of a
burst the worker finishing a job and the client submitting the next one tie: if
the worker looks first, the high queue is empty. A client takes a checkpoint
after each submission, so under the default (FIFO) schedule the worker looks
first: the bug needs deviations. Jobs report to ``world.arrive``/``world.grant``
(resource ``pool``).

Properties: ``low-priority work completes`` (``no_starvation(max_wait=T)`` on low
jobs: none waits longer than ``max_wait`` while the worker serves others),
``all jobs done`` and the vacuity guard ``low job passed over``.

Variants:

* ``None``: priority with aging. High jobs go first, but once a waiting low job has
  been passed over ``max_skip`` times the worker takes it next.
* ``"strict-priority"``: always a high job if there is one. Whenever the client
  wins the tie, low work is passed over again; a run of such ties starves it
  for as long as the high-priority load lasts.
"""
from collections import deque
from dataclasses import dataclass

import detsim

VARIANTS = (None, "strict-priority")


@dataclass
class PriorityPool(detsim.Model):
    high_jobs: int = 20
    burst: int = 5
    low_jobs: int = 4
    max_skip: int = 1
    max_wait: int = 3
    bug: str | None = None

    def __post_init__(self):
        if self.bug not in VARIANTS:
            raise ValueError(f"unknown bug {self.bug!r} (known: {', '.join(map(repr, VARIANTS))})")

    def setup(self, world):
        self.queues = {"high": deque(), "low": deque()}
        self.skipped = 0  # high jobs taken while a low job waited
        self.passed_over = False
        self.idle = None  # the worker's wake-up event while it has nothing to do
        self.done = 0
        world.spawn("worker", self.worker(world), daemon=True)
        high_times = [n + n // self.burst for n in range(self.high_jobs)]
        low_times = [1 + n * (self.burst + 1) for n in range(self.low_jobs)]
        world.spawn("high-client", self.client(world, "high", high_times))
        world.spawn("low-client", self.client(world, "low", low_times))

    def client(self, world, priority, times):
        for n, when in enumerate(times):
            yield world.timeout(when - world.now)
            job = f"{priority}-{n}"
            self.queues[priority].append(job)
            world.arrive("pool", job)
            if self.idle is not None:
                idle, self.idle = self.idle, None
                idle.succeed()
            yield world.checkpoint()  # lets a woken worker run first under FIFO

    def pick(self):
        high, low = self.queues["high"], self.queues["low"]
        aged = self.bug != "strict-priority" and low and self.skipped >= self.max_skip
        if high and not aged:
            if low:
                self.skipped += 1
                self.passed_over = True
            return high.popleft()
        self.skipped = 0
        return low.popleft()

    def worker(self, world):
        while True:
            if not (self.queues["high"] or self.queues["low"]):
                self.idle = world.event()
                yield self.idle
            job = self.pick()
            world.grant("pool", job)
            yield world.timeout(1)  # running the job
            self.done += 1
            world.progress(job)

    def properties(self):
        return [
            detsim.no_starvation(max_wait=self.max_wait, name="low-priority work completes",
                                 resources=["pool"], waiters=lambda job: job.startswith("low")),
            detsim.at_end("all jobs done", lambda m: m.done == m.high_jobs + m.low_jobs),
            detsim.sometimes("low job passed over", lambda m: m.passed_over),
        ]

"""Lost update: three workers do read–checkpoint–write on a shared counter.

Worker i first does ``stagger*i`` checkpoints of local work, so under the default
(FIFO, round-robin) schedule their critical sections never overlap; the race needs
one deviation late in the run, where one worker reads before the previous one
writes. The yardstick for comparing strategies.

Variants: ``bug=None`` guards the critical section with a mutex; ``bug="no-lock"``
does not.
"""
from dataclasses import dataclass

import detsim


@dataclass
class LostUpdate(detsim.Model):
    workers: int = 3
    stagger: int = 1
    warmup: int = 8
    bug: str | None = "no-lock"

    def setup(self, world):
        self.count = 0
        self.lock = world.mutex("counter-lock")
        for i in range(self.workers):
            world.spawn(f"worker-{i}", self.worker(world, i))

    def worker(self, world, i):
        for _ in range(self.warmup + self.stagger * i):
            yield world.checkpoint()  # local work
        if self.bug != "no-lock":
            yield self.lock.acquire()
        seen = self.count
        yield world.checkpoint()
        self.count = seen + 1
        if self.bug != "no-lock":
            self.lock.release()

    def properties(self):
        return [detsim.at_end("no lost update", lambda m: m.count == m.workers)]

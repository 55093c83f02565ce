"""Peterson's lock for two threads, with the turn-before-flag bug (an inline model for
the shrink and viewer tests and bench/shrink_sizes.py).

Thread i runs ``rounds`` critical sections. Correct entry: raise ``flag[i]``, then
give ``turn`` to the other thread, then wait while the other's flag is up and the
turn is the other's. ``bug="turn-first"`` gives the turn away *before* raising the
flag: the other thread can take the turn back, see no flag, and enter; this thread
then raises its flag, sees the turn is its own, and enters too. Every statement
is its own step (a checkpoint after each), so which statement ran is what a
counterexample has to tell.
"""
from dataclasses import dataclass

import detsim


@dataclass
class Peterson(detsim.Model):
    rounds: int = 3
    work: int = 0  # checkpoints of local work before each round
    bug: str | None = "turn-first"

    def setup(self, world):
        self.flag = [False, False]
        self.turn = 0
        self.inside = []  # threads in the critical section
        for i in range(2):
            world.spawn(f"t{i}", self.thread(world, i))

    def thread(self, world, i):
        other = 1 - i
        for _ in range(self.rounds):
            for _ in range(self.work):
                yield world.checkpoint()  # local work
            if self.bug == "turn-first":
                self.turn = other
                yield world.checkpoint()
                self.flag[i] = True
                yield world.checkpoint()
            else:
                self.flag[i] = True
                yield world.checkpoint()
                self.turn = other
                yield world.checkpoint()
            while self.flag[other] and self.turn == other:
                yield world.spin()  # busy-waiting for the other thread
            self.inside.append(f"t{i}")
            yield world.checkpoint()  # the critical section
            self.inside.remove(f"t{i}")
            self.flag[i] = False
            yield world.checkpoint()

    def state(self):
        return (tuple(self.flag), self.turn, tuple(self.inside))

    def properties(self):
        return [detsim.always("mutual exclusion", lambda m: len(m.inside) <= 1,
                              explain=lambda m: f"{' and '.join(m.inside)} are both in the critical section")]

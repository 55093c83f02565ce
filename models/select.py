"""Select fairness: a consumer selects over a busy channel and a quiet one.

The ``fast`` producer sends ``fast_messages`` items as quickly as backpressure
allows, so its channel is ready at every poll until it runs out. The ``slow``
producer sends ``slow_messages`` items, one every ``slow_every`` time units. The
consumer takes one item per ``select`` and spends one time unit on each.

Property: a continuously ready branch is bypassed at most ``max_bypass`` times.
* ``policy="fair"`` (round robin): at most n-1 = 1 bypass, on every schedule.
* ``policy="random"``: a recorded choice whose default is the round-robin pick.
  Under a uniform chooser (Random, PCT) a waiting branch survives k more polls
  with probability 2^-k; with K=20 and 3 slow items that is about 1.4e-6 per run.
  An adversarial chooser can starve it, but only by deviating from the default
  at K+1 consecutive selects: an unfair coin, not a bug.
* ``bug="biased"``: the design report's ``biased;`` select checks ``fast``
  first, so ``slow`` waits until ``fast`` is exhausted (about 28 bypasses).
"""
from dataclasses import dataclass

import detsim


@dataclass
class SelectMux(detsim.Model):
    policy: str = "fair"  # "fair" or "random"; bug="biased" overrides it
    fast_messages: int = 30
    slow_messages: int = 3
    slow_every: int = 3
    capacity: int = 2
    max_bypass: int = 20
    bug: str | None = None  # "biased"

    def setup(self, world):
        if self.bug not in (None, "biased"):
            raise detsim.ModelError(f"SelectMux: unknown bug {self.bug!r}")
        self.fast = world.channel("fast", self.capacity)
        self.slow = world.channel("slow", self.capacity)
        policy = "biased" if self.bug == "biased" else self.policy
        self.mux = world.select([("fast", self.fast), ("slow", self.slow)], policy=policy, name="mux")
        self.received = {"fast": [], "slow": []}
        world.spawn("consumer", self.consumer(world))
        world.spawn("fast-producer", self.producer(world, self.fast, self.fast_messages, 0))
        world.spawn("slow-producer", self.producer(world, self.slow, self.slow_messages, self.slow_every))

    def producer(self, world, channel, count, every):
        for seq in range(count):
            if every:
                yield world.timeout(every)
            yield channel.send(seq)
        channel.close()

    def consumer(self, world):
        open_branches = 2
        while True:
            index, item = yield self.mux.recv()
            if item is detsim.CLOSED:
                open_branches -= 1
                if not open_branches:
                    return
                self.mux.disable(index)
                continue
            self.received[self.mux.labels[index]].append(item)
            world.progress("message handled")
            yield world.timeout(1)

    def properties(self):
        return [
            detsim.select_fairness("mux", self.max_bypass),
            detsim.at_end("every message received in order",
                          lambda m: m.received == {"fast": list(range(m.fast_messages)),
                                                   "slow": list(range(m.slow_messages))}),
            detsim.sometimes("the slow branch waited while fast was taken",
                             lambda m: m.mux.statistics().max_bypassed[1] >= 1),
        ]

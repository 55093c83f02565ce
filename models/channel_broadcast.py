"""Broadcast with lagging receivers: a publisher sends ``messages`` items, one
per time unit, into a broadcast channel of ``capacity``; ``receivers``
subscribers read them. A receiver may stall for ``stall`` time units
(``world.choose``, default: it does not); then it falls behind, the channel
overwrites what it has not read, and its next receive is ``Lagged(n)``.

Properties: each receiver sees messages in order and never twice; every
message is either received or reported as lagged (nothing vanishes silently).

Planted bug ``ignore-lag``: the design report's receive loop treats a lag
error as "try again" (``Err(Lagged(_)) => continue``), so a lagging receiver
silently loses messages.
"""
from dataclasses import dataclass

import detsim


@dataclass
class BroadcastFanout(detsim.Model):
    receivers: int = 2
    messages: int = 5
    capacity: int = 2
    stall: int = 3
    bug: str | None = None  # "ignore-lag"

    def setup(self, world):
        if self.bug not in (None, "ignore-lag"):
            raise detsim.ModelError(f"BroadcastFanout: unknown bug {self.bug!r}")
        self.bus = world.broadcast("bus", self.capacity)
        self.got = {f"rx-{r}": [] for r in range(self.receivers)}
        self.lag_reported = {name: 0 for name in self.got}
        for name in self.got:
            world.spawn(name, self.receiver(world, name, self.bus.subscribe(name)))
        world.spawn("publisher", self.publisher(world))

    def publisher(self, world):
        for seq in range(self.messages):
            yield world.timeout(1)
            self.bus.send(seq)
        self.bus.close()

    def receiver(self, world, name, rx):
        while True:
            msg = yield rx.recv()
            if msg is detsim.CLOSED:
                return
            if isinstance(msg, detsim.Lagged):
                if self.bug != "ignore-lag":
                    self.lag_reported[name] += msg.n
                continue
            self.got[name].append(msg)
            pause = world.choose(f"{name} stalls", [0, self.stall])
            if pause:
                yield world.timeout(pause)

    def _in_order(self) -> bool:
        return all(all(a < b for a, b in zip(got, got[1:])) for got in self.got.values())

    def properties(self):
        return [
            detsim.always("in order, never twice", BroadcastFanout._in_order),
            detsim.at_end("every message received or reported lagged",
                          lambda m: all(len(m.got[n]) + m.lag_reported[n] == m.messages for n in m.got)),
            detsim.sometimes("a receiver lagged", lambda m: any(m.bus.statistics().lagged.values())),
        ]

"""Watch: a publisher sets a value ``updates`` times (1, 2, ...), one per time
unit, then drops the sender; ``watchers`` tasks wait for changes. A watcher may
be busy for a while (``world.choose``, default: not); a watch keeps only the
latest value, so a busy watcher skips intermediate ones, which is allowed.

Properties: a watcher sees strictly increasing values (never an older one,
never the same twice); every watcher sees the final value before it learns the
sender is gone.

Planted bug ``lost-on-close``: the design report's ``changed()`` checks
"sender dropped?" before "newer version?". A watcher that was busy when the
last value was set and the sender dropped returns without seeing it.
"""
from dataclasses import dataclass

import detsim


@dataclass
class WatchConfig(detsim.Model):
    watchers: int = 2
    updates: int = 3
    busy: int = 2
    bug: str | None = None  # "lost-on-close"

    def setup(self, world):
        if self.bug not in (None, "lost-on-close"):
            raise detsim.ModelError(f"WatchConfig: unknown bug {self.bug!r}")
        self.config = world.watch("config", 0)
        self.seen = {f"watcher-{w}": [] for w in range(self.watchers)}
        for name in self.seen:
            world.spawn(name, self.watcher(world, name, self.config.subscribe(name)))
        world.spawn("publisher", self.publisher(world))

    def publisher(self, world):
        for value in range(1, self.updates + 1):
            yield world.timeout(1)
            self.config.send(value)
        self.config.close()

    def changed(self, rx):
        if self.bug == "lost-on-close" and self.config.closed:
            return detsim.CLOSED  # the sketch: "sender gone? stop watching"
        return (yield rx.changed())

    def watcher(self, world, name, rx):
        while True:
            value = yield from self.changed(rx)
            if value is detsim.CLOSED:
                return
            self.seen[name].append(value)
            if world.choose(f"{name} busy", [False, True]):
                yield world.timeout(self.busy)

    def properties(self):
        return [
            detsim.always("values only move forward",
                          lambda m: all(all(a < b for a, b in zip(s, s[1:])) for s in m.seen.values())),
            detsim.at_end("every watcher saw the final value",
                          lambda m: all(s and s[-1] == m.updates for s in m.seen.values())),
            detsim.sometimes("a watcher skipped a value",
                             lambda m: any(len(s) < m.updates for s in m.seen.values())),
        ]

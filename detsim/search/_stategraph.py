"""State caching: plain depth-first search over every decision, pruned at states seen before.

``Exhaustive(states=True)`` makes a ``StateCaching`` strategy. Every run replays a
prefix of decisions and goes on with index 0; after every step the complete world
state is fingerprinted (``_fingerprint``). A state seen before (in this run or an
earlier one) ends the run (``RunPruned``): everything reachable from it is explored,
or will be, from its first visit, because nothing is reduced (every alternative of
every decision is tried). This is why caching is combined with the unreduced DFS
and not with DPOR (docs/exhaustive.md, "State caching").

The fingerprints and the steps between them form the complete state graph of the
instance. Once the search is exhausted, ``no_livelock`` (if the model states it) is
judged on that graph: a strongly connected set of states whose edges make no
``world.progress()`` and that is fair (every process enabled in all its states
steps inside it) is a livelock. The lasso (decisions to the set, then one turn of
the cycle) is kept in ``self.lasso`` for the campaign to replay and report.
"""
from __future__ import annotations

import os
import sys

import networkx as nx

from ..engine import Recorder, Strategy, Task
from ..errors import NondeterminismError, UsageError
from ._fingerprint import Unfingerprintable, collision_probability, fingerprint
from ._pruned import RunPruned

BITS = 64
_INIT = "init"
# Kinds of property that see nothing but the current state (or the terminal one):
# a pruned run can only repeat their verdicts. Others remember the path.
_STATELESS_KINDS = frozenset({"always", "at_end", "sometimes", "no_deadlock", "no_livelock"})


class StateCaching(Strategy):
    """Every decision's every alternative, pruned at fingerprints already explored."""

    name = "exhaustive"
    finite = True

    def __init__(self, max_runs: int | None = None):
        if max_runs is not None and (type(max_runs) is not int or max_runs < 1):
            raise UsageError(f"Exhaustive max_runs must be a positive integer or None, got {max_runs!r}")
        self.max_runs = max_runs
        self.exhausted = False
        self.run = 0
        self.nodes: list[list] = []  # per decision position: [labels, kind, chosen]
        self._prefix: list[int] = []
        self.seen: dict[int, tuple] = {}  # fingerprint -> (decisions, steps, time) of its first visit
        self.enabled: dict = {}  # fingerprint -> processes with an event due
        self.edges: dict = {}  # (from, to) -> (process, progress made, decisions made in the step)
        self.complete = self.pruned = self.transitions = self.depth = 0
        self.unfingerprintable: str | None = None  # why pruning was switched off
        self.livelock_judged = False
        self.lasso: dict | None = None
        self.wants_livelock = False
        self.reads_clock = False  # someone read world.now: absolute time is part of the state
        self.restarts = 0
        self._restart = False

    # ---- the three-method interface ------------------------------------------------
    def begin(self, run: int) -> bool:
        self.run = run
        if self.max_runs is not None and run >= self.max_runs:
            return False
        if run == 0 or self._restart:
            if self._restart:  # fingerprints without the clock may have merged states: start again
                self.restarts += 1
                self.seen, self.enabled, self.edges, self._restart = {}, {}, {}, False
            self.nodes, self._prefix = [], []
            return True
        for k in range(len(self.nodes) - 1, -1, -1):
            node = self.nodes[k]
            if node[2] + 1 < len(node[0]):
                node[2] += 1
                del self.nodes[k + 1:]
                self._prefix = [n[2] for n in self.nodes]
                return True
        self.nodes = []
        self.exhausted = True
        self._judge_graph()
        return False

    def recorder(self):
        return _Cache(self)

    def choose(self, label, candidates, world) -> int:
        pos = len(world.decisions)
        labels = tuple(candidates)
        if pos < len(self._prefix):
            node = self.nodes[pos]
            if node[0] != labels or node[1] != world.decision_kind:
                raise NondeterminismError(
                    f"the model is nondeterministic: decision {pos} ({label}) offered {list(candidates)}, "
                    f"earlier the same decisions led to {list(node[0])}")
            return node[2]
        self.nodes.append([labels, world.decision_kind, 0])
        return 0

    def end(self, result) -> None:
        self.complete += 1

    # ---- the state graph ---------------------------------------------------------
    def _judge_graph(self) -> None:
        if not self.wants_livelock or self.unfingerprintable is not None:
            return
        self.livelock_judged = True
        idle = nx.DiGraph()
        for (u, v), (_, progress, _) in self.edges.items():
            if not progress:
                idle.add_edge(u, v)
        for component in sorted(nx.strongly_connected_components(idle), key=lambda c: sorted(map(str, c))):
            members = sorted(component, key=str)
            if len(members) == 1 and not idle.has_edge(members[0], members[0]):
                continue
            inside = idle.subgraph(members)
            stepping = {self.edges[e][0] for e in inside.edges}
            always = set.intersection(*(set(self.enabled.get(m, ())) for m in members))
            if always - stepping:  # someone enabled throughout never runs: every such cycle is unfair
                continue
            self.lasso = self._lasso(members[0], inside, always)
            return

    def _lasso(self, entry, inside, needed) -> dict:
        """Decisions that reach ``entry``, then a closed walk from it in which every
        process in ``needed`` (enabled throughout the set) takes a step: a fair cycle."""
        walk = [entry]
        for name in sorted(needed):
            here = walk[-1]
            best = None
            for u, v in sorted(inside.edges, key=str):
                if self.edges[(u, v)][0] != name:
                    continue
                path = nx.shortest_path(inside, here, u) + [v]
                if best is None or len(path) < len(best):
                    best = path
            walk += best[1:]
        if len(walk) == 1 or walk[-1] != entry:
            tail = walk[-1]
            if len(walk) == 1:  # nothing was needed: any turn of a cycle through entry
                tail = min(inside.successors(entry), key=str)
                walk.append(tail)
            walk += nx.shortest_path(inside, tail, entry)[1:]
        cycle = [(self.edges[(u, v)][0], self.edges[(u, v)][2]) for u, v in zip(walk, walk[1:])]
        decisions, steps, now = self.seen[entry]
        return {"prefix": list(decisions), "steps": steps, "time": now, "cycle": cycle, "states": len(inside),
                "processes": sorted({p for p, _ in cycle})}

    # ---- reporting -----------------------------------------------------------------
    def describe(self) -> dict:
        return {"name": self.name, "states": True, "run": self.run, "max_runs": self.max_runs}

    def stats(self) -> dict:
        return {"complete": self.complete, "pruned": self.pruned, "transitions": self.transitions,
                "depth": self.depth, "states": len(self.seen), "distinct_states": True,
                "collision_probability": collision_probability(len(self.seen), BITS),
                "reduction": "state caching (unreduced DFS)" if self.unfingerprintable is None else "none"}

    def summary(self, runs: int) -> list:
        n = len(self.seen)
        lines = [f"state caching: {self.complete} complete execution(s), {self.pruned} cut at a state already "
                 f"explored, {n:,} distinct states, {self.transitions:,} transitions; "
                 f"{BITS}-bit fingerprints, collision probability {collision_probability(n, BITS):.1e} "
                 f"(n²/2^{BITS + 1})"]
        lines.append("time in the state: " + ("absolute (the model reads world.now or has a horizon)"
                     if self.reads_clock else "pending events by their delay from now (world.now is never read)"))
        if self.restarts:
            lines.append(f"restarted {self.restarts} time(s): world.now was read after exploration started")
        if self.unfingerprintable is not None:
            lines.append(f"no run was cut: {self.unfingerprintable}; explored without state caching")
        if self.exhausted:
            lines.append("no_deadlock judged on the complete state graph: every reachable terminal state was "
                         "reached")
            if self.livelock_judged:
                lines.append("no_livelock judged on the complete state graph (weak fairness among processes)")
        return lines


class _Cache(Recorder):
    """Fingerprints the state after every step and cuts the run at a state explored before."""

    def __init__(self, strategy: StateCaching):
        self.strategy = strategy
        self.world = self.model = None
        self.prev = _INIT
        self.decided = 0
        self.progress = 0
        self.count = 0

    def attach(self, world, model) -> None:
        self.world, self.model = world, model
        world.__class__ = _clocked(type(world))
        _READER[0] = self.strategy
        s = self.strategy
        if s.run == 0 and s.unfingerprintable is None:
            kinds = sorted({p.kind for p in model.properties()} - _STATELESS_KINDS)
            if kinds:
                s.unfingerprintable = f"properties of kind {', '.join(kinds)} remember the path"
            s.wants_livelock = any(p.kind == "no_livelock" for p in model.properties())

    def finish(self, world, result) -> None:
        _READER[0] = None

    def after_step(self, world) -> None:
        s = self.strategy
        self.count += 1
        s.transitions += 1
        s.depth = max(s.depth, self.count)
        if s.unfingerprintable is not None:
            return
        try:
            fp = fingerprint(world, self.model, BITS, absolute=s.reads_clock or world.horizon is not None)
        except Unfingerprintable as e:
            s.unfingerprintable = f"the state cannot be fingerprinted ({e})"
            return
        decisions = world.decisions
        made = tuple(d[4] for d in decisions[self.decided:])
        self.decided = len(decisions)
        progress = world.progress_count != self.progress
        self.progress = world.progress_count
        edge = (self.prev, fp)
        if edge not in s.edges:
            s.edges[edge] = (world.current_name, progress, made)
        self.prev = fp
        if fp in s.seen:
            if len(decisions) < len(s._prefix):
                return  # replaying the prefix: these states are this branch's own ancestors
            s.pruned += 1
            raise RunPruned("a state explored before")
        s.seen[fp] = (tuple(d[4] for d in decisions), world.steps, world._now)
        s.enabled[fp] = _enabled(world)


def _enabled(world) -> tuple:
    """Names of the processes with an event due at the next instant."""
    due = list(world._urgent) + list(world._normal)
    if not due and world._buckets:
        due = list(world._buckets[min(world._buckets)])
    names = set()
    for event in due:
        for callback in getattr(event, "callbacks", None) or ():
            owner = getattr(callback, "__self__", None)
            if isinstance(owner, Task):
                names.add(owner.name)
    return tuple(sorted(names))


# Reads of world.now by the runner's and monitor's own bookkeeping (stamping a
# violation, the livelock walk) do not make behaviour depend on the clock.
_BOOKKEEPING = tuple(os.path.join("detsim", *parts) for parts in (
    ("campaign", "_run.py"), ("monitor", "_base.py"), ("monitor", "_livelock.py"), ("monitor", "_monitor.py")))
_READER: list = [None]
_CLOCKED: dict = {}


def _clocked(cls):
    """A subclass of the run's World class that notices the model reading ``now``:
    from then on states at different times differ (and the search restarts once)."""
    sub = _CLOCKED.get(cls)
    if sub is not None:
        return sub
    base = cls.now

    def now(self):
        strategy = _READER[0]
        if strategy is not None and not strategy.reads_clock:
            caller = sys._getframe(1).f_code.co_filename
            if not caller.endswith(_BOOKKEEPING):
                strategy.reads_clock = True
                strategy._restart = strategy.transitions > 0
        return base.fget(self)

    sub = type(cls.__name__, (cls,), {"__slots__": (), "__module__": cls.__module__,
                                      "__qualname__": cls.__qualname__, "now": property(now)})
    _CLOCKED[cls] = sub
    return sub

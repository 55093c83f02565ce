"""Livelock on abstract states: the per-run state graph and the lasso.

After every step ``model.state()`` gives a hashable abstract state. The run's
states and transitions form ``world.state_graph`` (a networkx DiGraph). A livelock
is a fair stretch with no ``world.progress()`` in which the run has stayed, for
more than ``window`` steps, inside one strongly connected set of states of that
stretch: it keeps cycling and never leaves. The counterexample is a lasso: the
prefix that leads into the set, then one turn of the cycle it repeats.

``state()`` must be a function of the schedule. A rolling digest of the visited
states goes into the trace; replaying the trace recomputes it and a difference
is a ModelError naming the model.
"""
from __future__ import annotations

import dataclasses
import zlib

import networkx as nx

from ..engine import DEFAULT_FAIRNESS_BOUND, defines, fairness_text, model_ref
from ..errors import ModelError
from ..trace import SCHEDULE
from ._base import Property
from ._fairness_witness import witness_for

DIGEST_EVERY = 256
_MASK = (1 << 48) - 1


def canonical(value) -> str:
    """A text for a state that is the same in every process (no hash or id order)."""
    if isinstance(value, (frozenset, set)):
        return "{" + ", ".join(sorted(canonical(v) for v in value)) + "}"
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(canonical(v) for v in value) + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(sorted(f"{canonical(k)}: {canonical(v)}" for k, v in value.items())) + "}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = ", ".join(f"{f.name}={canonical(getattr(value, f.name))}" for f in dataclasses.fields(value))
        return f"{type(value).__name__}({fields})"
    return repr(value)


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


class NoLivelock(Property):
    kind = "no_livelock"

    def __init__(self, name: str, window: int, fairness: int):
        super().__init__(name)
        if int(window) < 1:
            raise ValueError("no_livelock: window must be at least 1 step")
        self.window, self.fairness = int(window), int(fairness)
        self.lasso = None  # (prefix entries, cycle entries, repeats) of the last violation

    def __repr__(self) -> str:
        return f"no_livelock({self.name!r}, window={self.window})"

    # ---- per run ---------------------------------------------------------------
    def attach(self, model, world) -> None:
        self.ref = model_ref(model)
        if not defines(model, "state"):
            raise ModelError(f"{self.ref}: no_livelock needs a state() method returning a hashable "
                             "abstract state")
        self.witness = witness_for(world, self.fairness)
        self.graph = nx.DiGraph()
        world.state_graph = self.graph
        self.ids: dict = {}
        self.states: list = []
        self.digest, self.digests = 0, []
        self.notes = {"every": DIGEST_EVERY, "checkpoints": self.digests, "final": 0, "steps": 0}
        world.trace_notes["state_digests"] = self.notes
        expected = None
        recorded = world.strategy.recorded_outcome() if world.strategy is not None else None
        if recorded is not None:
            expected = recorded.get("state_digests")
        self.expected = expected if isinstance(expected, dict) else None
        self.progress_seen = world.progress_count
        self.targets = {}  # process name -> the event it waits on, to see who ran in a step
        _who_ran(world, self.targets)
        self.prev = self._intern(self._state(model))
        self._restart(world, "run start")
        self.next_check = 0

    def _state(self, model):
        try:
            state = model.state()
        except Exception as e:
            raise ModelError(f"{self.ref}.state() raised {type(e).__name__}: {e}") from None
        try:
            hash(state)
        except TypeError as e:
            raise ModelError(f"{self.ref}.state() must return a hashable value "
                             f"(a tuple or frozenset of plain values): {e}") from None
        return state

    def _intern(self, state) -> int:
        i = self.ids.get(state)
        if i is None:
            i = self.ids[state] = len(self.states)
            self.states.append(state)
            self.graph.add_node(state)
            self.digest = (self.digest * 1000003 + zlib.crc32(canonical(state).encode())) & _MASK
        return i

    def _restart(self, world, why: str) -> None:
        self.anchor = (why, world.steps, world.now)
        self.walk = [(self.prev, world.steps, world.now, "")]
        self.visited = {self.prev}  # states of this stretch

    def after_step(self, model, world):
        cur = self._intern(self._state(model))
        prev, graph = self.prev, self.graph
        a, b = self.states[prev], self.states[cur]
        edge = graph._succ[a].get(b)  # the hot path: one dict lookup per step
        if edge is not None:
            edge["count"] += 1
        else:
            graph.add_edge(a, b, count=1)
        self.prev = cur
        self.digest = (self.digest * 1000003 + cur + 1) & _MASK
        self.notes["final"], self.notes["steps"] = self.digest, world.steps
        if world.steps % DIGEST_EVERY == 0:
            self._checkpoint(world)
        who = _who_ran(world, self.targets)
        self.witness.sync()
        if world.progress_count != self.progress_seen:
            self.progress_seen = world.progress_count
            self._restart(world, f"progress at step {world.steps}")
            return None
        if self.witness.last_unfair_step > self.anchor[1]:
            self._restart(world, f"an unfair decision at step {self.witness.last_unfair_step}")
            return None
        walk = self.walk
        walk.append((cur, world.steps, world.now, who))
        recurring = cur in self.visited
        self.visited.add(cur)
        if recurring and len(walk) > self.window + 1 and world.steps >= self.next_check:
            self.next_check = world.steps + max(1, self.window // 8)
            return self._judge(world)
        return None

    def at_finish(self, model, world):
        self._compare("final", self.notes["final"], world)
        world.count(f"{self.name}: runs")
        if world.progress_count:
            world.count(f"{self.name}: runs with progress")
        if world.steps > self.window:
            world.count(f"{self.name}: runs longer than the window")
        return None

    def campaign_notes(self, counters: dict, runs: int):
        """(note, vacuity message or None) for a campaign that held."""
        name = self.name
        note = f"{name}: held assuming {fairness_text(self.fairness)}, window {self.window} steps"
        vacuous = None
        if not counters.get(f"{name}: runs longer than the window", 0):
            vacuous = (f'"{name}" held vacuously: no run was longer than the window ({self.window} '
                       "steps), so no livelock could have been seen")
        elif not counters.get(f"{name}: runs with progress", 0):
            vacuous = (f'"{name}" held, but no run ever called world.progress(): does the model '
                       "mark progress?")
        return note, vacuous

    # ---- replay check ------------------------------------------------------------
    def _checkpoint(self, world) -> None:
        self.digests.append(self.digest)
        self._compare(len(self.digests) - 1, self.digest, world)

    def _compare(self, key, value, world) -> None:
        expected = self.expected
        if expected is None or expected.get("every") != DIGEST_EVERY:
            return
        if key == "final":
            want, where = expected.get("final"), f"by the end of the run (step {world.steps})"
            if expected.get("steps") != world.steps:
                return  # a shorter or longer run: the replay itself reports the divergence
        else:
            marks = expected.get("checkpoints") or []
            if key >= len(marks):
                return
            want, where = marks[key], f"between steps {key * DIGEST_EVERY} and {(key + 1) * DIGEST_EVERY}"
        if want != value:
            raise ModelError(
                f"{self.ref}.state() is not a function of the schedule: replaying the same trace gave "
                f"different abstract states {where}. state() must not depend on id(), object identity, "
                "set or hash order, wall-clock time or global random state")

    # ---- the verdict ---------------------------------------------------------------
    def _judge(self, world):
        walk = self.walk[-4 * self.window:]
        cur = walk[-1][0]
        stretch = nx.DiGraph()
        stretch.add_edges_from((walk[i][0], walk[i + 1][0]) for i in range(len(walk) - 1))
        trap = nx.descendants(stretch, cur) & nx.ancestors(stretch, cur)
        trap.add(cur)
        entry = len(walk) - 1
        while entry > 0 and walk[entry - 1][0] in trap:
            entry -= 1
        trapped = len(walk) - 1 - entry
        if trapped <= self.window:
            return None
        start = _one_turn(walk, entry, trap)
        prefix, cycle = walk[:entry + 1], walk[start:]
        repeats = trapped // max(1, len(cycle) - 1)  # whole turns in the trapped stretch
        self.lasso = ([self.states[e[0]] for e in prefix], [self.states[e[0]] for e in cycle], repeats)
        why, _, a_time = self.anchor
        message = (f"livelock: no progress for {len(self.walk) - 1} steps (t={a_time}..{world.now}, since "
                   f"{why}); for the last {trapped} steps (window={self.window}) the run cycled among "
                   f"{len(trap)} abstract states and never left them; {self.witness.assumption()}\n"
                   + self._render(prefix, cycle, repeats))
        return self.violation(world, message, walk[-1][3] or "-")

    def _render(self, prefix, cycle, repeats) -> str:
        states = self.states
        # Indented to line up under the first line of the message in a report.
        lines = [f"  lasso: prefix of {len(prefix) - 1} step(s), then a cycle of {len(cycle) - 1} step(s), "
                 f"gone round {repeats} time(s)",
                 "    prefix:"]
        shown = prefix[-4:]
        if len(prefix) > len(shown):
            lines.append(f"      … {len(prefix) - len(shown)} earlier step(s) since {self.anchor[0]}")
        lines.extend(_lines(shown, states, "      "))
        lines.append("    cycle:")
        lines.extend(_lines(cycle[1:], states, "      "))
        lines.append(f"      ↺ back to {_short(canonical(states[cycle[0][0]]))}")
        return "\n".join(lines)


def _one_turn(walk, entry: int, trap: set) -> int:
    """Where the last turn through the whole trapped set starts: the latest earlier
    visit of the current state such that the steps since then cover every state of
    the set (a self-loop alone would be a poor picture of the cycle)."""
    cur, seen = walk[-1][0], set()
    for j in range(len(walk) - 2, entry - 1, -1):
        seen.add(walk[j + 1][0])
        if walk[j][0] == cur and len(seen) == len(trap):
            return j
    return next(j for j in range(entry, len(walk)) if walk[j][0] == cur)


def _squeeze(entries):
    """Runs of steps that leave the state unchanged become one entry plus a count."""
    out = []
    for e in entries:
        if out and out[-1][0][0] == e[0]:
            out[-1][1].append(e)
        else:
            out.append([e, []])
    return out


def _lines(entries, states, indent: str) -> list[str]:
    out = []
    for (node, step, time, who), same in _squeeze(entries):
        out.append(f"{indent}step {step} t={time}{' ' + who if who else ''}: {_short(canonical(states[node]))}")
        if same:
            times = sorted({e[2] for e in same})
            when = f"t={times[0]}" if len(times) == 1 else f"t={times[0]}..{times[-1]}"
            movers = ", ".join(dict.fromkeys(e[3] for e in same if e[3]))
            out.append(f"{indent}  … {len(same)} more step(s) leave it unchanged ({when}"
                       f"{': ' + _short(movers, 100) if movers else ''})")
    return out


def _who_ran(world, targets: dict) -> str:
    """The processes that moved in the last step: the one a scheduling decision
    picked, else (a step without a tie) those whose awaited event changed."""
    decisions = world.decisions
    if decisions and decisions[-1][0] == world.steps - 1 and decisions[-1][5] == SCHEDULE:
        _, _, _, candidates, chosen, _ = decisions[-1]
        name = candidates[chosen]
        task = world.tasks.get(name)
        if task is not None:
            targets[name] = task._target
            return name
    moved = []
    for name, task in world.tasks.items():
        target = task._target
        if targets.get(name, 0) is not target:
            targets[name] = target
            moved.append(name)
    return ", ".join(moved)



def no_livelock(window: int = 200, *, name: str = "no livelock",
                fairness: int = DEFAULT_FAIRNESS_BOUND) -> NoLivelock:
    """No fair stretch of more than ``window`` steps without ``world.progress()``
    during which the run cycles in a set of abstract states (``model.state()``)
    that it never leaves. The counterexample is printed as a lasso."""
    return NoLivelock(name, window, fairness)

"""Exhaustive verification of small instances: source-DPOR with sleep sets.

``Exhaustive()`` explores every behaviour of a model up to equivalence: every
order of same-time events that could matter, every ``world.choose`` option and
every fault decision the plan allows. Two orders are equivalent when they differ
only by swapping adjacent transitions whose footprints do not conflict
(``_access``); races between conflicting transitions add backtrack points
(``_dpor``); sleep sets keep explored orders from being explored again. A run that
can only continue into an order already covered is abandoned (``RunPruned``).
How it stays sound, and its limits: docs/exhaustive.md.
"""
from __future__ import annotations

from ..engine import Recorder, Strategy
from ..errors import NondeterminismError, UsageError
from ..trace import SCHEDULE
from ._access import (_ACTIVE, WRITE, Footprint, callback_reason, frame_reason, object_key,
                      tracked_class, tracked_object_class)
from ._dpor import Instant, Node, Transition
from ._pruned import RunPruned
from ._stategraph import StateCaching

# World attributes that read nothing another transition changes (or whose users
# note what they touch): reaching them is not an access.
_WORLD_FREE = frozenset({
    "now", "timeout", "checkpoint", "event", "choose", "decide", "any_of", "all_of", "active_process",
    "current_name", "recorder", "waitfor", "wait_log", "strategy", "decision_kind", "decisions", "steps",
    "alarm", "max_steps", "instant_budget", "horizon", "lint", "end", "network", "schedule", "step",
    "peek", "exit", "run_steps"})
_VISIBLE = ("visible",)
_EVERYTHING = ("*",)


class Exhaustive(Strategy):
    """Every behaviour up to equivalence; ``exhausted`` once the tree is complete."""

    name = "exhaustive"
    finite = True

    def __new__(cls, max_runs: int | None = None, states: bool = False, *, max_executions: int | None = None):
        max_runs = max_executions if max_executions is not None else max_runs
        if states:  # state caching over the unreduced tree (docs/exhaustive.md, "State caching")
            return StateCaching(max_runs)
        return super().__new__(cls)

    def __init__(self, max_runs: int | None = None, states: bool = False, *, max_executions: int | None = None):
        # max_executions is the documented name (the contract); max_runs the older spelling
        max_runs = max_executions if max_executions is not None else max_runs
        if max_runs is not None and (type(max_runs) is not int or max_runs < 1):
            raise UsageError(f"Exhaustive max_runs must be a positive integer or None, got {max_runs!r}")
        self.max_runs = max_runs
        self.exhausted = False
        self.run = 0
        self.nodes: list[Node] = []
        self._prefix: list[int] = []
        self.visible: set = set()  # keys the per-step properties read: writes to them are ordered
        self.restart = False
        self.tracker = None
        self.complete = self.pruned = self.transitions = self.depth = 0
        self.opaque = self.backtracks = self.restarts = 0
        self.opaque_reasons: list[str] = []

    # ---- the three-method interface ------------------------------------------------
    def begin(self, run: int) -> bool:
        self.run = run
        _ACTIVE[0] = None
        if self.max_runs is not None and run >= self.max_runs:
            return False
        if run == 0 or self.restart:
            if self.restart:
                self.restarts += 1  # properties read something new: explore again with it ordered
            self.restart, self.nodes, self._prefix = False, [], []
            return True
        for k in range(len(self.nodes) - 1, -1, -1):
            node = self.nodes[k]
            nxt = node.next_choice()
            if nxt is not None:
                node.chosen = nxt
                del self.nodes[k + 1:]
                self._prefix = [n.chosen for n in self.nodes]
                return True
        self.nodes = []
        self.exhausted = True
        return False

    def recorder(self):
        self.tracker = _Tracker(self)
        return self.tracker

    def choose(self, label, candidates, world) -> int:
        pos = len(world.decisions)
        kind = world.decision_kind
        tracker = self.tracker if self.tracker is not None and self.tracker.world is world else None
        if pos < len(self._prefix):
            node = self.nodes[pos]
            if node.labels != tuple(candidates) or node.kind != kind:
                raise NondeterminismError(
                    f"the model is nondeterministic: decision {pos} ({label}) offered {list(candidates)}, "
                    f"earlier the same decisions led to {list(node.labels)}")
        elif kind == SCHEDULE and tracker is not None:
            due = world._normal
            asleep = frozenset(k for k, event in enumerate(due) if tracker.asleep(event))
            awake = [k for k in range(len(candidates)) if k not in asleep]
            if not awake:
                self.pruned += 1
                raise RunPruned("every event due now leads to an order already explored")
            node = Node(kind, tuple(candidates), awake[0], asleep)
            self.nodes.append(node)
        else:
            node = Node(kind, tuple(candidates), 0)
            if kind == SCHEDULE:  # a run nobody tracks (another recorder was attached): no reduction
                node.backtrack = set(range(len(candidates)))
            self.nodes.append(node)
        if kind == SCHEDULE and tracker is not None:
            tracker.decided(pos, node, world._normal)
        return node.chosen

    def end(self, result) -> None:
        self.complete += 1

    # ---- reporting -----------------------------------------------------------------
    def describe(self) -> dict:
        return {"name": self.name, "run": self.run, "max_runs": self.max_runs}

    def stats(self) -> dict:
        return {"complete": self.complete, "pruned": self.pruned, "transitions": self.transitions,
                "depth": self.depth, "opaque": self.opaque, "backtracks": self.backtracks,
                "restarts": self.restarts, "reduction": "source-DPOR + sleep sets"}

    def summary(self, runs: int) -> list:
        lines = [f"reduction: source-DPOR with sleep sets; {self.complete} complete execution(s), "
                 f"{self.pruned} abandoned as already covered, {self.transitions} transitions, "
                 f"{self.backtracks} backtrack point(s) from races"]
        if self.opaque:
            lines.append(f"{self.opaque} transition(s) could not be tracked and were ordered with every "
                         f"other (first: {self.opaque_reasons[0]})")
        if self.exhausted:
            lines.append("every terminal state was reached, so no_deadlock is proved for this instance; "
                         "no_livelock was judged per execution (no state graph is built)")
        if self.restarts:
            lines.append(f"restarted {self.restarts} time(s): properties read state not seen before")
        return lines


class _Tracker(Recorder):
    """Watches one run for ``Exhaustive``: footprints, transitions, the sleep set."""

    def __init__(self, strategy: Exhaustive):
        self.strategy = strategy
        self.recording = False  # read by the model's tracking class
        self.in_step = False
        self.cur: Transition | None = None
        self.instant: Instant | None = None
        self.sleep: list = []  # (event, footprint) of transitions explored from an earlier node
        self.made: dict = {}  # event -> (time, index of the transition that scheduled it)
        self.due_at: dict = {}  # decision position -> the due events then, in candidate order
        self.window: set = set()  # keys read between steps (the properties)
        self.untracked = None  # why no transition of this run can be trusted to be independent
        self.frames: dict = {}  # process -> why its frame is untrackable (None: it is trackable)
        self.tasks_seen = self.objects_seen = self.nodes_seen = 0
        self.parents: list = []  # primitives with subscribers
        self.count = 0
        self.world = self.model = None

    def attach(self, world, model) -> None:
        self.world, self.model = world, model
        try:
            model.__class__ = tracked_class(type(model))
        except TypeError as e:  # e.g. a layout a subclass cannot take: order everything
            self.untracked = f"the model's attributes cannot be tracked ({e})"
        world.__class__ = _tracked_world(type(world))
        _ACTIVE[0] = self

    def finish(self, world, result) -> None:
        self._close()
        if result.end == "violation":
            self._pending(world)
        self.recording = False
        _ACTIVE[0] = None
        s = self.strategy
        s.depth = max(s.depth, self.count)

    # ---- accesses ------------------------------------------------------------------
    def model_access(self, name: str, mode: int, value) -> None:
        if self.in_step:
            self.cur.fp.add(("m", name), mode)
            return
        self.window.add(("m", name))

    def object_access(self, key: tuple) -> None:
        if self.in_step:
            self.cur.fp.add(key, WRITE)
        else:
            self.window.add(key)

    def model_opaque(self, reason: str) -> None:
        if self.in_step:
            self.cur.fp.opaque = self.cur.fp.opaque or reason
        else:
            self.window.add(_EVERYTHING)

    def world_access(self, name: str) -> None:
        if name in _WORLD_FREE:
            return
        if self.in_step:
            self.cur.fp.add(("w",), WRITE)
        else:
            self.window.add(("w",))

    def note(self, obj, action: str, detail: str = "") -> None:
        if not self.recording:
            return
        self.object_access(object_key(obj))

    # ---- steps and transitions --------------------------------------------------------
    def asleep(self, event) -> bool:
        return any(e is event for e, _ in self.sleep)

    def before_step(self, world) -> None:
        self._new_objects(world)
        self._new_tasks(world)
        if world._late or world._urgent:
            if self.cur is None:
                self.cur = Transition(None, None)
        else:
            self._close()
            normal = world._normal
            if len(normal) == 1:
                if self.asleep(normal[0]):
                    self.strategy.pruned += 1
                    raise RunPruned("the only event due leads to an order already explored")
                self.cur = Transition(normal[0], None)
            else:
                if not normal:
                    self.sleep = []  # a new instant: every sleeping event has run
                self.cur = Transition(None, None)  # a tie: ``decided`` names it
        self.recording = self.in_step = True

    def after_step(self, world) -> None:
        cur = self.cur
        cur.ran = True
        self.in_step = False
        self._new_objects(world)  # made in this step: tracked before frames are judged
        for callback in world._last_callbacks:
            process = getattr(callback, "__self__", None)
            generator = getattr(process, "_generator", None)
            if generator is None or not hasattr(generator, "gi_frame"):
                reason = callback_reason(callback, self.model, world)
                if reason is not None and cur.fp.opaque is None:
                    cur.fp.opaque = reason
                continue
            # What the process could reach when resumed (its frame before the step) or
            # took hold of during it (its frame now); a finished frame shows nothing.
            before = self.frames.get(process, "a process not started by world.spawn")
            after = self.frames[process] = frame_reason(generator, self.model, world)
            reason = before or after
            if reason is not None and cur.fp.opaque is None:
                cur.fp.opaque = reason
        if self.window:
            s = self.strategy
            new = self.window - s.visible
            if new:
                s.visible |= new
                s.restart = s.restart or s.transitions > 0  # orders chosen without them may be unsound
            self.window = set()

    def _new_objects(self, world) -> None:
        """Swap the classes of primitives, nodes and the network made since the last
        step for tracking ones (docs/exhaustive.md, "Footprints")."""
        fresh = list(object.__getattribute__(world, "primitives").values())[self.objects_seen:]
        self.objects_seen += len(fresh)
        network = object.__getattribute__(world, "_network")
        if network is not None:
            nodes = list(object.__getattribute__(network, "nodes").values())
            fresh += nodes[self.nodes_seen:] + ([network] if not self.nodes_seen and nodes else [])
            self.nodes_seen = len(nodes)
        self.parents += [p for p in fresh if hasattr(p, "_subscribers")]
        for parent in self.parents:  # broadcast and watch receivers, made by subscribe() at any time
            fresh += list(object.__getattribute__(parent, "_subscribers").values())
        for obj in fresh:
            if not getattr(type(obj), "_detsim_tracked", False):
                try:
                    obj.__class__ = tracked_object_class(type(obj))
                except TypeError:  # cannot be tracked: then it is not trusted in frames either
                    pass

    def _new_tasks(self, world) -> None:
        """Frames of processes spawned since the last step, before they first run (their arguments)."""
        tasks = object.__getattribute__(world, "tasks")  # not an access of the model's
        if len(tasks) > self.tasks_seen:
            for task in list(tasks.values())[self.tasks_seen:]:
                self.frames[task] = frame_reason(task._generator, self.model, world)
            self.tasks_seen = len(tasks)

    def _pending(self, world) -> None:
        """A run cut short by a violation leaves events due that never ran: each counts
        as touching everything, so that orders putting it earlier are explored too (a
        campaign stops at the first violation; enumerations that go on need this)."""
        if self.instant is None or self.instant.time != world._now:
            return
        for event in list(world._normal):
            t = Transition(event, None)
            t.fp.opaque = "never ran: the run ended first"
            made = self.made.get(event)
            if made is not None and made[0] == world._now:
                t.trigger = made[1]
            self.strategy.backtracks += self.instant.add(t, self.due_at, self.strategy.nodes)

    def decided(self, pos: int, node: Node, due: list) -> None:
        self.due_at[pos] = list(due)
        for d in sorted(node.done):
            if d != node.chosen:
                self.sleep.append((due[d], node.fps[d]))
        self.cur.event, self.cur.node = due[node.chosen], pos

    def made_event(self, world, event) -> None:
        now, instant = world._now, self.instant
        index = len(instant.steps) if instant is not None and instant.time == now else 0
        self.made[event] = (now, index)

    def _close(self) -> None:
        t, self.cur = self.cur, None
        if t is None or not t.ran:
            return
        s, fp = self.strategy, t.fp
        if self.untracked is not None and fp.opaque is None:
            fp.opaque = self.untracked
        if s.visible and (fp.writes(s.visible) or (_EVERYTHING in s.visible and WRITE in fp.keys.values())):
            fp.add(_VISIBLE, WRITE)
        if fp.opaque is not None:
            s.opaque += 1
            if len(s.opaque_reasons) < 5:
                s.opaque_reasons.append(fp.opaque)
        now = self.world._now
        if self.instant is None or self.instant.time != now:
            self.instant = Instant(now)
        made = self.made.pop(t.event, None) if t.event is not None else None
        if made is not None and made[0] == now:
            t.trigger = made[1]
        if t.node is not None:
            node = s.nodes[t.node]
            node.fps.setdefault(node.chosen, Footprint()).merge(fp)
        self.sleep = [(e, f) for e, f in self.sleep if not f.conflicts(fp)]
        s.backtracks += self.instant.add(t, self.due_at, s.nodes)
        s.transitions += 1
        self.count += 1


_WORLDS: dict = {}


def _tracked_world(cls):
    """A subclass of the run's World class that tells the tracker about every step,
    every event made due now and every public attribute reached."""
    sub = _WORLDS.get(cls)
    if sub is not None:
        return sub

    def step(self):
        tracker = _ACTIVE[0]
        if tracker is None:
            return cls.step(self)
        tracker.before_step(self)
        cls.step(self)
        tracker.after_step(self)

    def schedule(self, event, priority=1, delay=0):
        tracker = _ACTIVE[0]
        if tracker is not None and not delay and tracker.cur is not None:
            tracker.made_event(self, event)
        cls.schedule(self, event, priority, delay)

    def __getattribute__(self, name):
        if name[0] != "_":
            tracker = _ACTIVE[0]
            if tracker is not None and tracker.recording:
                tracker.world_access(name)
        return object.__getattribute__(self, name)

    sub = type(cls.__name__, (cls,), {"__slots__": (), "__module__": cls.__module__,
                                      "__qualname__": cls.__qualname__, "step": step, "schedule": schedule,
                                      "__getattribute__": __getattribute__})
    _WORLDS[cls] = sub
    return sub

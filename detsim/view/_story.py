"""The story of a run: every step, who ran, to which line, and what it did.

``StoryRecorder`` is a ``detsim.engine.Recorder``: attach it to a re-execution of a
trace (``detsim.campaign.story``) and ``recorder.story`` is plain, JSON-ready data
that both the ``--steps`` text and the HTML page are drawn from:

* ``steps``: per step its number, virtual time, the process that ran (or the
  timer that fired), the ``file:line`` it ran to with that line's code, what it did
  with primitives, the network, nodes and disks (phrases built from the
  recorder's notes) and the decisions taken for it, deviations and preemptions
  marked. Step 0 is the model's ``setup``.
* ``messages`` and ``bands`` (crashes, pauses, partitions) for the Lamport
  diagram; ``state``: the state panel's rows after each step, as changes only;
  and, at the end (``_ending``), the wait-for graph, the lasso of a livelock and
  every recorded history with its longest linearizable prefix.
"""
from __future__ import annotations

import linecache
import re

from ..engine import Recorder, defines, model_params, model_ref
from ..monitor import canonical
from ..trace import SCHEDULE, encode_time, is_preemption
from ._ending import ending
from ._frames import short_path, where
from ._values import BUDGET, Rows

_SEND = re.compile(r"^(?P<body>.*) to (?P<dst>\S+) #(?P<n>\d+)$")
_DROP = re.compile(r"^#(?P<n>\d+) to (?P<dst>\S+): (?P<why>.*)$")
_DELIVER = re.compile(r"^(?P<body>.*) from (?P<src>\S+) #(?P<n>\d+)$")
_LOST = re.compile(r"^(?P<src>\S+)->(?P<dst>\S+) #(?P<n>\d+): (?P<why>.*)$")
_NODE_ACTIONS = {"crash": "crashed", "restart": "restarted", "pause": "paused", "resume": "resumed"}
CODE_WIDTH = 70


def number(t) -> float:
    """A virtual time as a number for drawing (exact times stay exact in ``encode_time``)."""
    return float(t)


_HEADER = ("for ", "while ", "if ", "elif ", "else:", "try:", "except", "finally:", "with ", "def ", "async ")


def code_of(path: str, first: int, last: int) -> str:
    """The code a step ran, as far as lines tell: the statements just above the line it
    stopped at, at its indentation (back to where it started, a block header, a nested
    block or another yield, at most three), then that line, comment included."""
    parts = []
    low = first + 1 if first < last else last - 6
    stop = linecache.getline(path, last)
    indent = len(stop) - len(stop.lstrip())
    for line in range(last - 1, max(low, last - 6) - 1, -1):
        raw = linecache.getline(path, line)
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        if (text.startswith(_HEADER) or "yield" in text or len(parts) == 3
                or len(raw) - len(raw.lstrip()) != indent):  # a nested block: it may not have run
            break
        parts.insert(0, text.split("  #", 1)[0].strip())
    parts.append(linecache.getline(path, last).strip())
    text = "; ".join(p for p in parts if p)
    return text if len(text) <= CODE_WIDTH else text[:CODE_WIDTH - 1] + "…"


class StoryRecorder(Recorder):
    """Records the story of one run (see the module docstring); ``state=False`` skips
    the state panel's snapshots."""

    def __init__(self, state: bool = True):
        self.want_state = state
        self.story = None

    def attach(self, world, model) -> None:
        self.world, self.model = world, model
        self.params = set(model_params(model))
        self.has_state = defines(model, "state")
        self.files: dict[str, int] = {}
        self.positions: dict[str, tuple] = {}  # process -> (file index, line) it stands at
        self.notes: list = []
        self.steps: list = []
        self.decisions: list = []
        self.seen = 0  # decisions already attached to a step
        self.messages: dict = {}
        self.bands: list = []
        self.open_bands: dict = {}
        self.rows: dict = {}
        self.snapshot = Rows(model, self.params, world)
        self.changes: list = []
        self.states: list = []  # state() text after each step (for the lasso)
        self.progress: list = []  # world.progress_count after each step
        self.processes: dict = {}  # name -> {"name", "group", "daemon"}

    # ---- the recorder hooks --------------------------------------------------------
    def note(self, obj, action: str, detail: str = "") -> None:
        name = getattr(obj, "name", None)
        name = name if isinstance(name, str) else type(obj).__name__.lower()
        step = self.world.steps
        kind = getattr(obj, "kind", None)
        kind = kind if isinstance(kind, str) else ("node" if hasattr(obj, "inbox") else "")
        self.notes.append((step, name, kind, action, detail))
        now = self.world.now
        if action in ("send", "drop", "deliver", "lost"):
            self._message(name, action, detail, step, now)
        elif action in ("crash", "restart", "pause", "resume", "partition", "heal"):
            self._band(name, action, detail, step, now)

    def after_step(self, world) -> None:
        if not self.steps:
            self._setup_step()
        k = world.steps
        name = world.current_name
        name = name if name != "-" else "(event)"
        task = world.tasks.get(name)
        entry = {"i": k, "t": encode_time(world.now), "x": number(world.now), "p": name,
                 "task": task is not None, "at": None, "code": "", "notes": [], "d": []}
        if task is not None:
            self._process(name, task)
            self._where(entry, name, task)
        self._take(entry)
        self.steps.append(entry)
        if task is None and entry["notes"] and all(n[2] in ("deliver", "lost") for n in entry["notes"]):
            self._unchanged()  # a message arrived: network code ran, none of the model's
        else:
            self._snapshot(k)

    def finish(self, world, result) -> None:
        if not self.steps:
            self._setup_step()
        if world.steps > self.steps[-1]["i"]:  # a step that raised: still told
            self.after_step(world)
        elif self.seen < len(world.decisions) or self.notes:
            self._take(self.steps[-1])
        for band in self.open_bands.values():
            band["to"] = None
        for entry in self.steps:
            entry["said"] = phrases(entry["notes"], entry["p"])
        v = result.violation
        self.story = {
            "model": model_ref(self.model), "params": model_params(self.model),
            "outcome": {"end": result.end, "steps": result.steps, "time": encode_time(result.now),
                        "violation": v.to_json() if v is not None else None},
            "processes": list(self.processes.values()),
            "groups": self._groups(world),
            "files": list(self.files), "steps": self.steps, "decisions": self.decisions,
            "messages": list(self.messages.values()), "bands": self.bands,
            "state": self.changes if self.want_state else [],
            **ending(world, self.model, result, self.states, self.progress),
        }

    # ---- pieces --------------------------------------------------------------------
    def _groups(self, world) -> list:
        """Nodes with processes, in the order the network created them."""
        used = {p["group"] for p in self.processes.values() if p["group"]}
        network = getattr(world, "_network", None)
        order = list(network.nodes) if network is not None else []
        return [g for g in order if g in used] + sorted(used.difference(order))

    def _setup_step(self) -> None:
        entry = {"i": 0, "t": 0, "x": 0.0, "p": "setup", "task": False, "at": None,
                 "code": "", "notes": [], "d": []}
        self._take(entry)
        self.steps.append(entry)
        for name, task in self.world.tasks.items():
            self._process(name, task)
            self.positions[name] = self._position(task)
        self._snapshot(0)

    def _process(self, name: str, task) -> None:
        if name not in self.processes:
            group = name.split("/", 1)[0] if "/" in name else ""
            self.processes[name] = {"name": name, "group": group, "daemon": bool(task.daemon)}

    def _position(self, task):
        spot = where(task)
        if spot is None:
            return None
        path, line, function = spot
        index = self.files.setdefault(short_path(path), len(self.files))
        return index, line, function, path

    def _where(self, entry, name, task) -> None:
        before = self.positions.get(name)
        now = self._position(task)
        self.positions[name] = now
        if now is None:
            entry["code"] = "(finished)"
            return
        index, line, function, path = now
        entry["at"] = [index, line, function]
        same = before is not None and before[0] == index and before[2] == function
        entry["from"] = before[1] if same else line
        entry["code"] = code_of(path, before[1] if same else 0, line)

    def _take(self, entry) -> None:
        """Attach to ``entry`` the notes made during its step and its decisions: the
        schedule decision that chose it (taken before the step) and those taken in it."""
        k = entry["i"]
        mine = [n for n in self.notes if n[0] <= k]
        self.notes = [n for n in self.notes if n[0] > k]
        entry["notes"].extend(list(n[1:]) for n in mine)
        decisions = self.world.decisions
        pos = self.seen
        while pos < len(decisions):
            step, time, label, candidates, chosen, kind = decisions[pos]
            if (step + 1 if kind == SCHEDULE else step) > k:
                break
            previous = self.steps[-1]["p"] if self.steps else "-"
            pre = kind == SCHEDULE and is_preemption(previous, candidates, chosen)
            self.decisions.append({"pos": pos, "step": k, "label": label, "kind": kind,
                                   "candidates": list(candidates), "chosen": chosen,
                                   "dev": chosen != 0, "pre": pre})
            entry["d"].append(len(self.decisions) - 1)
            pos += 1
        self.seen = pos

    def _unchanged(self) -> None:
        self.progress.append(self.world.progress_count)
        if self.has_state:
            self.states.append(self.states[-1] if self.states else None)
        if self.want_state:
            self.changes.append({})

    def _snapshot(self, k: int) -> None:
        world = self.world
        self.progress.append(world.progress_count)
        state_text = None
        if self.has_state:
            try:
                state_text = canonical(self.model.state())
            except Exception as e:  # the livelock property reports a broken state(); here it is shown
                state_text = f"state() raised {type(e).__name__}"
            self.states.append(state_text)
        if not self.want_state:
            return
        if state_text is not None and len(state_text) > 4 * BUDGET:
            state_text = state_text[:4 * BUDGET - 1] + "…"
        now = self.snapshot(state_text)
        before = self.rows
        changed = {k2: v for k2, v in now.items() if before.get(k2) != v}
        changed.update({k2: None for k2 in before if k2 not in now})
        self.changes.append(changed)
        self.rows = now

    def _message(self, name, action, detail, step, now) -> None:
        at = [step, encode_time(now), number(now)]
        if action == "send":
            m = _SEND.match(detail)
            if m:
                key = (name, m["dst"], int(m["n"]))
                self.messages[key] = {"src": name, "dst": m["dst"], "n": int(m["n"]), "body": m["body"],
                                      "sent": at, "arrived": [], "fate": "in flight", "why": ""}
            return
        if action == "drop":
            m = _DROP.match(detail)
            key = (name, m["dst"], int(m["n"])) if m else None
        elif action == "deliver":
            m = _DELIVER.match(detail)
            key = (m["src"], name, int(m["n"])) if m else None
        else:
            m = _LOST.match(detail)
            key = (m["src"], m["dst"], int(m["n"])) if m else None
        message = self.messages.get(key)
        if message is None:
            return
        if action == "deliver":
            message["arrived"].append(at)
            message["fate"] = "duplicated" if len(message["arrived"]) > 1 else "delivered"
        else:
            message["fate"] = "dropped" if action == "drop" else "lost"
            message["why"] = m["why"]
            message["lost_at"] = at

    def _band(self, name, action, detail, step, now) -> None:
        at = [step, encode_time(now), number(now)]
        kind = {"restart": "crash", "resume": "pause", "heal": "partition"}.get(action, action)
        key = (kind, name)
        if action in ("crash", "pause", "partition"):
            if kind == "partition" and key in self.open_bands:
                self.open_bands.pop(key)["to"] = at  # a new cut replaces the old one
            band = {"kind": kind, "node": name, "label": detail or action, "from": at, "to": None}
            self.bands.append(band)
            self.open_bands[key] = band
        else:
            band = self.open_bands.pop(key, None)
            if band is not None:
                band["to"] = at


def phrases(notes, running: str) -> list[str]:
    """Notes of one step as short phrases: "acquired fork-1", "blocked on fork-2",
    "sent AppendEntries to s2 #3"; a use followed by what came of it is said once."""
    out = []
    holds = {(n[0], n[3]) for n in notes if n[2] == "hold"}
    for i, (name, kind, action, detail) in enumerate(notes):
        if kind == "node" and action in ("use", "block"):
            if action == "block":
                out.append("waits for a message")
            continue
        if action == "use":
            if any(n[0] == name and n[2] in ("block", "get", "hold", "release") for n in notes[i + 1:i + 3]):
                continue
            out.append(f"{name}.{detail}")
        elif action == "get":
            if (name, detail) not in holds:
                out.append(f"got {name}" if detail == running else f"{name} → {detail}")
        elif action == "hold":
            out.append(f"acquired {name}" if detail == running else f"{name} handed to {detail}")
        elif action == "block":
            out.append(f"blocked on {name}" if detail in (running, "") else f"{detail} blocked on {name}")
        elif action == "release":
            out.append(f"released {name}" if detail == running else f"{detail} released {name}")
        elif action == "send":
            out.append(f"{name} sent {detail}")
        elif action == "deliver":
            out.append(f"{name} received {detail}")
        elif action == "drop":
            out.append(f"{name} dropped {detail}")
        elif action == "lost":
            out.append(f"lost {detail}")
        elif action in _NODE_ACTIONS:
            out.append(f"{name} {_NODE_ACTIONS[action]}" + (f" ({detail})" if detail else ""))
        elif action == "partition":
            out.append(f"partition {detail}")
        elif action == "heal":
            out.append("partition healed")
        elif action == "write":
            out.append(f"{name} wrote {detail}")
        else:
            out.append(f"{name} {action} {detail}".strip())
    return out

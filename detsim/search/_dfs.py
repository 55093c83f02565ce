"""Systematic search: stateless depth-first enumeration in order of increasing bound.

Iterative context bounding, as CHESS does it (Musuvathi & Qadeer, PLDI 2007):
first every schedule with 0 preemptions, then every schedule with 1, then 2, ...
A run replays a prefix of decisions and then continues with the zero-cost default;
after a run, the deepest decision that still has an untried alternative is
advanced. An alternative that would cost more than the current bound is not
dropped but kept for the pass of its cost, so every schedule is run exactly once,
in the pass of its cost (docs/search.md).

What a decision costs, by ``bound`` kind:

* ``"preemptions"`` (the default): switching away from the process that just ran
  while it could go on costs 1 (``detsim.trace.is_preemption``); the default is to
  let it go on. A process whose pending wake-up is a ``world.spin()`` is the
  exception: switching away from it is free and letting it spin on costs 1. A
  switch after the previous process blocked or finished is free among processes;
  running a non-process event there (a finished process's exit, a timer's
  callback) ahead of FIFO order costs 1, so their orders wait for a later pass.
* ``"delays"`` (delay bounding, Emmi, Qadeer & Rakamarić, POPL 2011): the default
  is SimPy's FIFO order (index 0, round robin at checkpoints); choosing the i-th
  candidate instead delays i of them and costs i.
* ``"deviations"``: the default is index 0 and any other choice costs 1.

A non-default model choice or fault costs 1 in every kind: it is bounded together
with the schedule, and the summary says so ("choices, faults, ... count too")
whenever such a cost cut or deferred something. After ``fair_after`` scheduling
decisions a run continues in FIFO order without branching, so a spin loop nobody
marked still ends.
"""
from __future__ import annotations

from collections import deque

from ..engine import Strategy
from ..errors import UsageError
from ..trace import SCHEDULE

DEFAULT_FAIR_AFTER = 5_000  # scheduling decisions per run that branch; FIFO after them
MAX_PENDING = 1_000_000  # deferred alternatives kept for later passes; beyond, the search is cut

BOUND_KINDS = ("preemptions", "delays", "deviations")
_UNITS = {"preemptions": ("preemption", "preemptions"), "delays": ("delay", "delays"),
          "deviations": ("deviation(s) from the default",) * 2}


def _bound_value(name: str, value) -> int | None:
    if value is not None and (type(value) is not int or value < 0):
        raise UsageError(f"DFS {name} must be an integer >= 0 or None, got {value!r}")
    return value


class DFS(Strategy):
    """``DFS()`` deepens the preemption bound until the budget runs out;
    ``DFS(max_preemptions=2)`` stops after the pass of 2; ``DFS(max_delays=3)`` bounds
    delays instead; ``DFS(max_deviations=1)`` bounds deviations from index 0.
    ``max_runs`` caps the runs. Runs depend on the runs before them (it is one
    search), so a DFS campaign is never split across workers."""

    name = "dfs"
    finite = True

    def __init__(self, max_runs: int | None = None, max_deviations: int | None = None, *,
                 max_preemptions: int | None = None, max_delays: int | None = None,
                 fair_after: int = DEFAULT_FAIR_AFTER):
        if max_runs is not None and (type(max_runs) is not int or max_runs < 1):
            raise UsageError(f"DFS max_runs must be a positive integer or None, got {max_runs!r}")
        caps = {"deviations": _bound_value("max_deviations", max_deviations),
                "preemptions": _bound_value("max_preemptions", max_preemptions),
                "delays": _bound_value("max_delays", max_delays)}
        given = [kind for kind, cap in caps.items() if cap is not None]
        if len(given) > 1:
            raise UsageError(f"DFS takes one bound, got {', '.join('max_' + k for k in given)}")
        if type(fair_after) is not int or fair_after < 1:
            raise UsageError(f"DFS fair_after must be a positive integer, got {fair_after!r}")
        self.kind = given[0] if given else "preemptions"
        self.cap = caps[self.kind]
        self.max_runs, self.max_deviations = max_runs, max_deviations
        self.fair_after = fair_after
        self.run = 0
        self._reset()

    def _reset(self) -> None:
        self.exhausted = False
        self.bound = None
        self.pruned = False  # the cap cut some schedule out
        self.truncated = False  # fair_after or MAX_PENDING cut some schedule out
        self.charged_other = False  # a non-default choice or fault was charged to the bound
        self.current = 0  # the bound of the pass under way
        self.completed = None  # the largest bound whose pass is complete
        self.completed_runs = 0  # runs done when that pass completed
        self._runs_done = 0
        self._pending: dict[int, list] = {}  # cost -> deferred (decisions, position, alternative)
        self._queue: deque = deque()  # the current pass's work items
        self._npending = 0
        self._prefix: list[int] = []
        self._root = 0  # positions before this belong to the work item's parents
        self._record: list[tuple] = []
        self._last: list[tuple] | None = None

    # ---- a run -----------------------------------------------------------------
    def begin(self, run: int) -> bool:
        self.run = run
        if self.max_runs is not None and run >= self.max_runs:
            return False
        if run == 0:
            self._reset()
        elif self._last is None or not self._advance(self._last):
            return False
        self._record, self._schedules = [], 0
        return True

    def choose(self, label, candidates, world) -> int:
        n = len(candidates)
        default, previous, spinning, fair, free = 0, -1, False, False, None
        schedule = world.decision_kind == SCHEDULE
        if schedule:
            self._schedules += 1
            fair = self._schedules > self.fair_after
            name = world.current_name
            if name in candidates:
                previous = candidates.index(name)
                task = world.tasks.get(name)
                spinning = task is not None and task.spinning
            if self.kind == "preemptions" and not fair:
                if previous >= 0:
                    default = previous if not spinning else (1 if previous == 0 else 0)
                else:
                    free = frozenset(i for i, c in enumerate(candidates) if c in world.tasks)
                    default = min(free) if free else 0
        pos = len(self._record)
        chosen = min(self._prefix[pos], n - 1) if pos < len(self._prefix) else default
        self._record.append((chosen, n, default, previous, spinning, schedule, fair, free))
        return chosen

    def end(self, result) -> None:
        self._last = self._record
        self._runs_done += 1

    # ---- what a choice costs -----------------------------------------------------
    def _cost(self, rec, idx: int) -> int:
        _, _, default, previous, spinning, schedule, fair, free = rec
        if fair:
            return 0  # no branching there: nothing to bound
        if not schedule or self.kind == "deviations":
            return 1 if idx else 0
        if self.kind == "delays":
            return idx
        if previous < 0:  # the previous process cannot go on: a switch to any process is free
            return 0 if idx == default or idx in free else 1
        if spinning:
            return 1 if idx == previous else 0  # letting a spinner spin on is the costly choice
        return 0 if idx == previous else 1

    def _order(self, rec) -> list[int]:
        """The alternatives at a decision in the order tried: the default, then the rest."""
        default, n = rec[2], rec[1]
        return [default] + [i for i in range(n) if i != default]

    # ---- the next run ------------------------------------------------------------
    def _advance(self, record) -> bool:
        costs, total = [], 0
        for rec in record:
            costs.append(total)
            total += self._cost(rec, rec[0])
        chosen = tuple(rec[0] for rec in record)
        for pos in range(len(record) - 1, self._root - 1, -1):
            rec = record[pos]
            if rec[1] < 2:
                continue
            if rec[6]:  # past fair_after: FIFO, no branching
                self.truncated = True
                continue
            order = self._order(rec)
            for alt in order[order.index(rec[0]) + 1:]:
                cost = costs[pos] + self._cost(rec, alt)
                if cost <= self.current:  # within this work item's subtree: the root stays
                    self._prefix = list(chosen[:pos]) + [alt]
                    return True
                self._defer(cost, chosen, pos, alt, rec)
        return self._next_item()

    def _defer(self, cost: int, chosen: tuple, pos: int, alt: int, rec) -> None:
        if self.kind == "preemptions" and (not rec[5] or rec[3] < 0 or rec[4]):
            self.charged_other = True  # a choice, fault, event out of order or a spinner spinning on
        elif self.kind == "delays" and not rec[5]:
            self.charged_other = True
        if self.cap is not None and cost > self.cap:
            self.pruned = True
        elif self._npending >= MAX_PENDING:
            self.truncated = True
        else:
            self._pending.setdefault(cost, []).append((chosen, pos, alt))
            self._npending += 1

    def _next_item(self) -> bool:
        """The next deferred work item: of this pass, else of the cheapest next pass."""
        while not self._queue:
            if self.current not in self._pending or not self._pending[self.current]:
                self._pending.pop(self.current, None)
                self.completed, self.completed_runs = self.current, self._runs_done
                if not self._pending:
                    self._finish()
                    return False
                self.current = min(self._pending)
            items = self._pending.pop(self.current)
            self._npending -= len(items)
            self._queue = deque(items)
        chosen, pos, alt = self._queue.popleft()
        self._prefix, self._root = list(chosen[:pos]) + [alt], pos + 1
        return True

    def _finish(self) -> None:
        if self.truncated:
            return  # something was cut: nothing is claimed beyond the summary's words
        self.exhausted = True
        if self.pruned:
            self.bound = f"with at most {self.cap} {self._unit(self.cap)}"

    def _unit(self, bound: int) -> str:
        unit = _UNITS[self.kind][bound != 1]
        if self.charged_other and self.kind != "deviations":
            unit += " (choices, faults, out-of-order events and spinning on count too)"
        return unit

    def _also(self) -> str:
        return (" (choices, faults, out-of-order events and spinning on count too)"
                if self.charged_other and self.kind != "deviations" else "")

    # ---- reports -----------------------------------------------------------------
    def summary(self, runs: int) -> list:
        lines = []
        cut = (f" (each run branched only in its first {self.fair_after:,} scheduling steps)"
               if self.truncated else "")
        if self.completed is not None:
            unit = _UNITS[self.kind][self.completed != 1]
            lines.append(f"every schedule with ≤ {self.completed} {unit} explored: "
                         f"{self.completed_runs:,}{self._also()}{cut}")
        if not self.exhausted and self._runs_done > self.completed_runs:
            unit = _UNITS[self.kind][self.current != 1]
            lines.append(f"schedules with ≤ {self.current} {unit}: "
                         f"{self._runs_done - self.completed_runs:,} more run, not all of them (the budget ran out)"
                         f"{self._also()}")
        return lines

    def stats(self) -> dict:
        out = {"dfs bound": self.current}
        if self.completed is not None:
            out["dfs complete bound"] = self.completed
        return out

    def describe(self) -> dict:
        out = {"name": self.name, "run": self.run, "bound": self.kind, "max": self.cap}
        if self.kind == "deviations":
            out["max_deviations"] = self.cap
        return out

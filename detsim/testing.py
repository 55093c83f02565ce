"""Hypothesis strategies that produce detsim schedules (formerly ``detsim.strategies``).

Hypothesis drawing every scheduling index raw is slow to find races and shrinks
poorly (docs/architecture.md, "Hypothesis"). So Hypothesis works on short lists
instead:

* ``schedules()`` draws a seed (and for PCT a depth): dense exploration, as good at
  finding as ``Random``. When a run fails, ``assert_run_holds`` shrinks the
  recorded decisions with detsim's delta debugging, so the report is 1-minimal.
* ``deviations()`` draws a sparse list of (position, index) deviations from the
  default schedule: Hypothesis's own shrinking then deletes deviations.
"""
from __future__ import annotations

from hypothesis import strategies as st

from .campaign import FAILURES, CheckResult, execute, save_failure
from .campaign import shrink as _shrink
from .errors import PropertyViolation
from .faults import CRASH_POINTS, FAULT_KINDS, FaultPlan
from .search import PCT, Random, Strategy

__all__ = ["schedules", "deviations", "fault_plans", "assert_run_holds", "Deviations", "from_seed"]


class Deviations(Strategy):
    """Default everywhere except at the listed decision positions."""

    name = "deviations"

    def __init__(self, pairs):
        self.pairs = sorted(dict(pairs).items())
        self._at = dict(self.pairs)

    def choose(self, label, candidates, world) -> int:
        idx = self._at.get(len(world.decisions))
        if not idx:
            return 0
        return 1 + (idx - 1) % (len(candidates) - 1)  # always a real deviation

    def describe(self) -> dict:
        return {"name": self.name, "deviations": [list(p) for p in self.pairs]}

    def __repr__(self) -> str:
        return f"Deviations({[tuple(p) for p in self.pairs]!r})"


def deviations(max_position: int = 64, max_deviations: int = 8, max_index: int = 3):
    """Sparse deviation lists; shrinking removes deviations and lowers indices."""
    pair = st.tuples(st.integers(0, max_position), st.integers(1, max_index))
    return st.lists(pair, max_size=max_deviations, unique_by=lambda p: p[0]).map(Deviations)


def from_seed(seed: int, max_depth: int = 3):
    """One seed, one schedule: mostly Random, PCT one time in eight (always in its fair
    form: spinners yield and a long run ends with a fair random suffix, so a busy-wait
    loop never exhausts the step budget; docs/search.md). Splitting the
    search across two drawn branches wasted examples: Hypothesis starts every search
    at the same simplest examples of each branch (bench/README.md). A failing example
    prints as ``from_seed(143, 3)``: paste it after ``from detsim.testing import from_seed``."""
    if seed % 8 == 7:
        return PCT(2 + (seed >> 3) % (max_depth - 1), seed)
    return Random(seed)


def schedules(kind: str = "mixed", max_depth: int = 3):
    """Schedules for ``detsim.run``: "random", "pct", "deviations" or "mixed"
    (the default: a drawn seed that selects Random, or PCT one time in eight)."""
    seeds = st.integers(0, 2**32 - 1)
    random = st.builds(Random, seed=seeds)
    pct = st.builds(PCT, depth=st.integers(2, max_depth), seed=seeds)
    if kind == "random":
        return random
    if kind == "pct":
        return pct
    if kind == "deviations":
        return deviations()
    if kind == "mixed":
        return st.builds(from_seed, seeds, st.just(max(2, max_depth)))
    raise ValueError(f"unknown schedule kind {kind!r} (random, pct, deviations, mixed)")


def fault_plans(kinds=None, *, base=None, max_budget: int = 4, rates=(0.02, 0.05, 0.1), swarm=None,
                crash_points=None):
    """``FaultPlan`` objects: a non-empty subset of ``kinds`` (default: the base
    plan's kinds, else every kind), a budget in 1..max_budget, a fault rate and
    (unless fixed) swarm on or off. When the drawn kinds include "crash", also a
    subset of the engine's crash points (``crash_points``, default: the base plan's,
    else every one of ``CRASH_POINTS``; docs/faults.md). Other settings (heal_at,
    tick, durations, crash_rate) come from ``base`` (a FaultPlan or a model's fault
    dict).

    A drawn plan goes into a model in either of two ways: as a parameter,
    ``GSet(faults=plan)`` (a model's parameters are stored in traces as JSON, and a
    FaultPlan is stored as its ``to_dict()``, which ``world.faults.configure``
    accepts back), or with ``plan.apply(model)``, a copy of ``model`` whose
    ``faults`` parameter is the plan. It composes with ``schedules()``: the plan
    decides which faults may happen, the schedule's seed where they happen::

        @given(schedules(), fault_plans(base=GSet().faults))
        def test(schedule, plan):
            assert_run_holds(GSet(faults=plan), schedule)

    Hypothesis shrinks a failing plan to fewer kinds, a smaller budget, a lower
    rate, no swarm and fewer crash points; detsim shrinks the run's decisions
    (faults included)."""
    base_plan = FaultPlan.of(base)
    pool = tuple(kinds) if kinds is not None else (base_plan.kinds or FAULT_KINDS)
    if not pool or any(k not in FAULT_KINDS for k in pool):
        raise ValueError(f"fault_plans(kinds=...) needs kinds among {', '.join(FAULT_KINDS)}, got {pool!r}")
    points = tuple(crash_points) if crash_points is not None else (base_plan.crash_points or CRASH_POINTS)
    if any(p not in CRASH_POINTS for p in points):
        raise ValueError(f"fault_plans(crash_points=...) needs points among {', '.join(CRASH_POINTS)}, "
                         f"got {points!r}")
    swarms = st.booleans() if swarm is None else st.just(bool(swarm))

    def build(chosen, budget, rate, swarm_on, flags):
        # Crash points are crash decisions: a plan without the crash kind has none.
        at = tuple(p for p, on in zip(points, flags) if on) if "crash" in chosen else ()
        return FaultPlan.of(base_plan, kinds=tuple(chosen), budget=budget, rate=rate, swarm=swarm_on,
                            crash_points=at)

    return st.builds(build, st.lists(st.sampled_from(pool), min_size=1, max_size=len(pool), unique=True),
                     st.integers(1, max(1, max_budget)), st.sampled_from(tuple(rates)), swarms,
                     st.tuples(*[st.booleans()] * len(points)))  # one flag per point: shrinks to none


def assert_run_holds(model, schedule, *, shrink: bool = True, save_dir=FAILURES, **settings):
    """Run one schedule; on a violation, shrink it, save the trace and raise PropertyViolation."""
    schedule.begin(schedule.run)
    result = execute(model, schedule, settings)
    schedule.end(result)
    if result.violation is None:
        return result
    final, spent, minimal = result.trace, 0, None
    if shrink:
        final, spent, minimal = _shrink(model, result.trace, result.violation.property, settings)
    check = CheckResult(False, 1, final.violation, final, result.trace, schedule.describe(),
                        shrink_runs=spent, one_minimal=minimal)
    if save_dir:
        check.path = str(save_failure(final, save_dir))
    raise PropertyViolation(check.violation, check.report())

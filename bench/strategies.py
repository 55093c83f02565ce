"""Schedules to the first failure: Random, PCT(d=2), PCT(d=3) and Hypothesis.

    python bench/strategies.py                 # 20 seeds, every model and strategy
    python bench/strategies.py --seeds 40 --budget 5000 --models lost_update

For each (model, strategy) and seed 0..N-1: run schedules until the first
violation (at most ``--budget``), then shrink that counterexample with detsim's
delta debugging (``detsim.check`` on a ``Replay`` of it, the same shrinker every
campaign uses) and count its deviations. Reported: how many seeds found the bug,
the median, mean and max number of schedules executed up to and including the
first failing one (mean: only if every seed found it), the median shrunk size, and
the median wall time to find / shrink.

Hypothesis rows drive ``detsim.testing.schedules()`` with ``@given``: one
example = one schedule executed; per seed ``@seed(s)``, ``derandomize=False``,
``database=None``, generate phase only (its own shrinking is not what we measure).
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import hypothesis  # noqa: E402
from hypothesis import HealthCheck, Phase, given  # noqa: E402

import detsim  # noqa: E402
from detsim.testing import schedules  # noqa: E402


def models() -> list[tuple[str, object]]:
    out = []
    from models.lost_update import LostUpdate

    out.append(("lost_update", LostUpdate(bug="no-lock")))
    try:
        from models.dining_philosophers import DiningPhilosophers
    except ImportError as e:  # written concurrently; the harness works without it
        print(f"(dining philosophers unavailable: {e})")
    else:
        out.append(("philosophers", DiningPhilosophers(bug="circular-wait")))
    return out


# ---- one search = one seed ------------------------------------------------------------
class _Found(Exception):
    pass


def search_campaign(model, strategy, budget: int):
    """(schedules executed, failing trace or None) for a detsim strategy."""
    result = detsim.check(model, strategy, runs=budget, shrink=False)
    return result.runs, (None if result.ok else result.original_trace)


def search_hypothesis(model, seed: int, budget: int, kind: str):
    """(schedules executed, failing trace or None) with Hypothesis choosing schedules."""
    state = {"count": 0, "trace": None}

    @hypothesis.seed(seed)
    @hypothesis.settings(database=None, derandomize=False, max_examples=budget, deadline=None,
                         phases=[Phase.generate], report_multiple_bugs=False,
                         suppress_health_check=list(HealthCheck))
    @given(schedules(kind))
    def search(schedule):
        if state["trace"] is not None:
            raise _Found  # Hypothesis replays the failing example once more: not a new schedule
        state["count"] += 1
        result = detsim.run(model, schedule)
        if result.violation is not None:
            state["trace"] = result.trace
            raise _Found

    try:
        search()
    except _Found:
        pass
    return state["count"], state["trace"]


def shrink(model, trace):
    """detsim's shrinker (as in every campaign) applied to one failing trace."""
    result = detsim.check(model, detsim.Replay(trace), runs=1, shrink=True)
    assert not result.ok, "the failing trace did not replay to a failure"
    return len(result.trace.deviations()), result.violation.property


STRATEGIES = {
    "Random": lambda model, s, budget: search_campaign(model, detsim.Random(s), budget),
    "PCT(d=2)": lambda model, s, budget: search_campaign(model, detsim.PCT(2, s), budget),
    "PCT(d=3)": lambda model, s, budget: search_campaign(model, detsim.PCT(3, s), budget),
    "Hypothesis schedules()": lambda model, s, budget: search_hypothesis(model, s, budget, "mixed"),
    "Hypothesis schedules('random')": lambda model, s, budget: search_hypothesis(model, s, budget, "random"),
    "Hypothesis schedules('deviations')":
        lambda model, s, budget: search_hypothesis(model, s, budget, "deviations"),
}


def measure(model, name: str, seeds: int, budget: int) -> dict:
    counts, sizes, props, find_s, shrink_s, missed = [], [], set(), [], [], 0
    for s in range(seeds):
        start = time.perf_counter()
        n, trace = STRATEGIES[name](model, s, budget)
        find_s.append(time.perf_counter() - start)
        if trace is None:
            missed += 1
            counts.append(float("inf"))
            continue
        counts.append(n)
        start = time.perf_counter()
        size, prop = shrink(model, trace)
        shrink_s.append(time.perf_counter() - start)
        sizes.append(size)
        props.add(prop)
    return {"found": seeds - missed, "seeds": seeds, "median": statistics.median(counts),
            "mean": statistics.mean(counts) if not missed else None, "max": max(counts), "shrunk": statistics.median(sizes) if sizes else None,
            "find_s": statistics.median(find_s), "shrink_s": statistics.median(shrink_s) if shrink_s else 0,
            "props": sorted(props)}


def fmt(x) -> str:
    if x is None:
        return "-"
    if x == float("inf"):
        return "none"
    return f"{x:.1f}" if isinstance(x, float) and not x.is_integer() else f"{x:g}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--budget", type=int, default=5000, help="schedules per seed before giving up")
    ap.add_argument("--models", default="", help="comma-separated subset (lost_update, philosophers)")
    ap.add_argument("--strategies", default="", help="comma-separated subset of the row names")
    args = ap.parse_args(argv)
    wanted_models = set(filter(None, args.models.split(",")))
    wanted = [n for n in STRATEGIES if not args.strategies or n in args.strategies.split(",")]

    print(f"python {platform.python_version()}, hypothesis {hypothesis.__version__}, "
          f"{args.seeds} seeds, budget {args.budget} schedules per seed")
    verdict = 0
    for model_name, model in models():
        if wanted_models and model_name not in wanted_models:
            continue
        print(f"\n{model_name}: {model!r}")
        print(f"  {'strategy':<36}{'found':>8}{'median':>8}{'mean':>8}{'max':>7}{'shrunk':>8}"
              f"{'find s':>8}{'shrink s':>9}")
        rows = {}
        for name in wanted:
            r = rows[name] = measure(model, name, args.seeds, args.budget)
            print(f"  {name:<36}{r['found']:>4}/{r['seeds']:<3}{fmt(r['median']):>8}{fmt(r['mean']):>8}"
                  f"{fmt(r['max']):>7}"
                  f"{fmt(r['shrunk']):>8}{r['find_s']:>8.3f}{r['shrink_s']:>9.3f}   {', '.join(r['props'])}")
        if "Random" in rows and "Hypothesis schedules()" in rows:
            hyp, rnd = rows["Hypothesis schedules()"], rows["Random"]
            ratio = hyp["median"] / rnd["median"]
            ok = ratio <= 2
            verdict |= not ok
            mean = f"{hyp['mean'] / rnd['mean']:.2f}" if hyp["mean"] and rnd["mean"] else "-"
            print(f"  Hypothesis schedules() / Random: median {ratio:.2f}, mean {mean} "
                  f"(requirement <= 2 on the median: {'met' if ok else 'NOT MET'})")
    return verdict


if __name__ == "__main__":
    sys.exit(main())

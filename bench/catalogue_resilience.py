"""Evidence for the resilience models of issue 15 (circuit_breaker, retry,
graceful_shutdown, batch_window): for each planted bug, Random and PCT(3) with seeds 0-9.

    python bench/catalogue_resilience.py           # the bug table, then the correct variants' speed

Per bug: the median (and max) number of schedules until the first failure, the
median (and max) size of the shrunk trace in deviations from the default schedule,
the median size before shrinking, and the wall time of all ten campaigns (search,
shrink and replay). Per correct variant: schedules per second under Random(0).
"""
from __future__ import annotations

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import detsim  # noqa: E402
from models.batch_window import BatchWindow  # noqa: E402
from models.circuit_breaker import CircuitBreaker  # noqa: E402
from models.graceful_shutdown import GracefulShutdown  # noqa: E402
from models.retry import Retry  # noqa: E402

SEEDS = range(10)
MODELS = [CircuitBreaker, Retry, GracefulShutdown, BatchWindow]
BUDGET = 5000


STRATEGIES = {"random": detsim.Random, "pct3": lambda seed: detsim.PCT(3, seed)}


def bug_row(cls, bug, strategy) -> str:
    found, sizes, before, props = [], [], [], set()
    start = time.perf_counter()
    for seed in SEEDS:
        result = detsim.check(cls(bug=bug), STRATEGIES[strategy](seed), runs=BUDGET)
        assert result.violation is not None and result.one_minimal, (cls.__name__, bug, seed, result.summary())
        found.append(result.runs)
        sizes.append(len(result.trace.deviations()))
        before.append(len(result.original_trace.deviations()))
        props.add(result.violation.property)
    wall = time.perf_counter() - start
    return (f"| `{cls.__name__}` | `{bug}` | {'; '.join(sorted(props))} | {strategy} | {statistics.median(found)} "
            f"(max {max(found)}) | {statistics.median(sizes)} (max {max(sizes)}) | {statistics.median(before)} "
            f"| {wall:.1f} s |")


def speed_row(cls, runs=1000) -> str:
    start = time.perf_counter()
    result = detsim.check(cls(), detsim.Random(0), runs=runs)
    wall = time.perf_counter() - start
    assert result.ok, result.summary()
    return f"| `{cls.__name__}` | {runs} | {wall:.2f} s | {runs / wall:.0f} |"


def main() -> None:
    print(f"### Planted bugs, Random and PCT(3) seeds 0-9 (budget {BUDGET} schedules each)\n")
    print("| model | bug | property violated | strategy | schedules to find: median (max) "
          "| shrunk deviations: median (max) | before shrinking: median | wall, 10 seeds |")
    print("|---|---|---|---|---:|---:|---:|---:|")
    for cls in MODELS:
        for bug in cls.BUGS:
            for strategy in STRATEGIES:
                print(bug_row(cls, bug, strategy), flush=True)
    print("\n### Correct variants, Random(0)\n")
    print("| model | schedules | wall | schedules/s |")
    print("|---|---:|---:|---:|")
    for cls in MODELS:
        print(speed_row(cls), flush=True)


if __name__ == "__main__":
    import warnings
    warnings.simplefilter("ignore", detsim.FaultCoverageWarning)
    main()

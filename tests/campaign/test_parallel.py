"""Campaigns over worker processes (detsim.campaign._parallel): whatever the number
of workers and the chunk size, the result is the one-process result, byte for byte:
the lowest failing run, the same shrunk trace, the same counters, coverage, fault
tables, sometimes-guards, notes; overruns, model errors and nondeterminism surface
as in one process; Ctrl-C returns what was found."""
import io
import multiprocessing
import os
import subprocess
import sys
import threading
from dataclasses import dataclass

import pytest

import detsim
from detsim.campaign import Progress, RunSummary, _parallel, check, digest
from detsim.errors import DetsimError, ModelError, NondeterminismError, UsageError
from detsim.search import DFS, PCT, Fair, Fifo, Random
from tests.campaign.lottery import Beats, Flaky, Lottery, Spinner


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    # Chunks of 3 runs: a failure is found many chunks in, with chunks above it in flight.
    monkeypatch.setattr(_parallel, "CHUNK_MAX", 3)


def same(a, b):
    """Everything a user sees of two campaign results, compared."""
    assert a.verdict == b.verdict
    assert a.runs == b.runs
    assert a.summary() == b.summary()
    assert a.counters == b.counters
    assert a.reached == b.reached
    assert a.stats == b.stats
    assert a.notes == b.notes
    assert a.strategy == b.strategy
    assert a.warnings == b.warnings
    assert a.report() == b.report()  # the model's parameters in the same order, too
    for which in ("trace", "original_trace"):
        x, y = getattr(a, which), getattr(b, which)
        assert (x is None) == (y is None)
        if x is not None:
            assert x.to_json() == y.to_json()


@pytest.mark.parametrize("workers", [2, 3])
def test_the_counterexample_is_the_lowest_failing_run_byte_identical(workers):
    one = check(Lottery(), Random(3), runs=3000)
    many = check(Lottery(), Random(3), runs=3000, workers=workers)
    assert one.verdict == "violated" and one.runs > 10  # not in the first chunks
    same(one, many)
    assert many.original_trace.strategy["run"] == many.runs - 1
    assert many.report() == one.report()


def test_every_failing_index_is_found_in_order():
    # Three seeds: wherever the first failure is, two workers agree with one.
    for seed in (0, 1, 2):
        same(check(Lottery(tickets=30), Random(seed), runs=2000, shrink=False),
             check(Lottery(tickets=30), Random(seed), runs=2000, shrink=False, workers=2))


def test_a_campaign_that_holds_merges_counters_coverage_and_runs_in_order():
    seen = {1: [], 2: []}
    results = {w: check(Lottery(winning=None), Random(2), runs=300, workers=w,
                        on_run=lambda i, r, w=w: seen[w].append((i, r)))
               for w in (1, 2)}
    one, two = results[1], results[2]
    assert one.verdict == "held" and one.counters == {"draws": 600}
    assert one.stats["states"] > 100 and any("distinct abstract states" in n for n in one.notes)
    same(one, two)
    assert [i for i, _ in seen[2]] == list(range(300))
    assert all(isinstance(r, RunSummary) for _, r in seen[2])
    assert [r.digest for _, r in seen[2]] == [digest(r.trace) for _, r in seen[1]]


def test_a_sometimes_guard_never_reached_is_reported_after_merging():
    one = check(Lottery(winning=None, guard=99), Random(0), runs=200)
    two = check(Lottery(winning=None, guard=99), Random(0), runs=200, workers=2)
    assert one.violation.property == "guard drawn" and "never held in 200 runs" in one.violation.message
    same(one, two)


def test_fault_tables_are_merged():
    one = check(Beats(), Random(4), runs=200)
    two = check(Beats(), Random(4), runs=200, workers=2)
    assert one.fault_coverage and sum(row["fired"] for row in one.fault_coverage.values()) > 0
    same(one, two)
    assert one.fault_table() == two.fault_table()


def test_a_step_budget_overrun_ends_the_campaign_at_the_same_run():
    one = check(Spinner(), Random(1), runs=500, max_steps=300)
    two = check(Spinner(), Random(1), runs=500, max_steps=300, workers=2)
    assert one.verdict == "error" and one.runs > 3
    same(one, two)
    assert one.error == two.error


def test_a_model_error_is_raised_as_in_one_process():
    for workers in (1, 2):
        with pytest.raises(ModelError, match="setup.* raised ValueError: a broken setup") as raised:
            check(Lottery(winning=None, broken=30), Random(0), runs=500, workers=workers)
        assert type(raised.value) is ModelError


def test_a_nondeterministic_model_is_caught_by_the_re_execution_in_a_worker():
    with pytest.raises(NondeterminismError, match="run 99 re-executed"):
        check(Flaky(), Random(0), runs=300)
    with pytest.raises(NondeterminismError, match="run 99 re-executed"):
        check(Flaky(), Random(0), runs=300, workers=2)


@dataclass
class Exits(detsim.Model):
    """Kills the process that runs it (only ever run on a worker here)."""

    def setup(self, world):
        os._exit(3)


def test_a_worker_that_dies_or_cannot_answer_is_one_error(monkeypatch):
    with pytest.raises(DetsimError, match=r"campaign worker detsim-worker-\d died \(exit code 3\)"):
        check(Exits(), Random(0), runs=100, workers=2)
    assert multiprocessing.active_children() == []

    def unsendable(job, start, stop, limit=None):  # the forked workers inherit this patch
        return _parallel.Chunk(start, stop, done=stop - start, fresh=[[]] * (stop - start),
                               counters={"odd": threading.Lock()})

    monkeypatch.setattr(_parallel, "run_chunk", unsendable)
    with pytest.raises(DetsimError, match=r"could not send back runs 0\.\.\d+: TypeError: .*lock"):
        check(Lottery(), Random(0), runs=100, workers=2)


@pytest.mark.parametrize("make", [lambda: PCT(2, 0), lambda: DFS(max_runs=50)], ids=["pct", "dfs"])
def test_a_strategy_whose_runs_depend_on_earlier_runs_runs_on_one_worker(make):
    one = check(Lottery(tickets=5, winning=None), make(), runs=50)
    two = check(Lottery(tickets=5, winning=None), make(), runs=50, workers=2)
    note = [n for n in two.notes if n.startswith("ran on one worker")]
    assert len(note) == 1 and "depend on the runs before them" in note[0]
    assert sorted(two.notes) == sorted(one.notes + note)
    assert two.runs == one.runs and two.stats == one.stats


def test_strategies_declare_whether_their_runs_are_independent():
    assert Random(0).independent_runs and Fifo().independent_runs
    assert not PCT(2, 0).independent_runs and not DFS().independent_runs
    assert detsim.Strategy.independent_runs is False
    assert Fair(Random(0)).independent_runs and not Fair(PCT(2, 0)).independent_runs


def test_fifo_runs_out_after_one_run_on_workers_too():
    one = check(Lottery(winning=None), Fifo(), runs=100)
    two = check(Lottery(winning=None), Fifo(), runs=100, workers=2)
    assert one.runs == 1
    same(one, two)


def test_how_many_workers():
    random = Random(0)
    assert _parallel.resolve(1, random, 10_000) == (1, None)
    assert _parallel.resolve(4, random, 3) == (3, None)  # never more workers than runs
    assert _parallel.resolve("auto", random, _parallel.AUTO_MIN_RUNS - 1) == (1, None)
    assert _parallel.resolve("auto", random, _parallel.AUTO_MIN_RUNS)[0] == multiprocessing.cpu_count()
    assert _parallel.resolve("auto", PCT(2, 0), 10_000) == (1, None)  # auto says nothing
    for bad in (0, -1, 2.0, "many", None):
        with pytest.raises(UsageError, match="workers must be"):
            check(Lottery(), Random(0), runs=10, workers=bad)


def test_ctrl_c_returns_what_was_merged_and_stops_the_workers():
    def interrupt(i, result):
        if i == 40:
            raise KeyboardInterrupt

    result = check(Lottery(winning=None), Random(0), runs=1000, workers=2, on_run=interrupt)
    assert result.verdict == "interrupted" and result.runs == 41  # run 40 was done when it was interrupted
    assert 0 < result.counters["draws"] <= 2 * 41  # an interrupted chunk may be merged in part
    assert "no violation found so far" in result.summary()
    assert multiprocessing.active_children() == []


CTRL_C_WHILE_FORKING = """
import ctypes, multiprocessing, os, signal
import detsim
from tests.campaign.lottery import Lottery

signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored

libc = ctypes.CDLL(None)
armed = [True]


def ctrl_c():  # an at-fork hook, as logging's are: Ctrl-C lands while a worker is forked
    if armed:
        armed.clear()
        libc.kill(os.getpid(), signal.SIGINT)  # from C: Python's handler runs at the next bytecode


os.register_at_fork(before=ctrl_c)
result = detsim.check(Lottery(winning=None), detsim.Random(0), runs=3000, workers=2)
print(result.verdict, result.runs, len(multiprocessing.active_children()))
"""


def test_ctrl_c_while_the_workers_are_forked_is_not_lost(tmp_path):
    """A KeyboardInterrupt raised inside an at-fork hook is printed as "Exception
    ignored" and dropped by Python: the campaign went on and said "held". SIGINT is
    now held while the workers are forked, so Ctrl-C interrupts the campaign."""
    script = tmp_path / "ctrl_c.py"
    script.write_text(CTRL_C_WHILE_FORKING)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    done = subprocess.run([sys.executable, str(script)], cwd=root, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": root})
    assert done.stdout.split() == ["interrupted", "0", "0"], done.stdout + done.stderr
    assert "Exception ignored" not in done.stderr, done.stderr


def test_progress_plain_lines_and_bar():
    out = io.StringIO()
    progress = Progress(200, out, mode="plain")
    check(Beats(), Random(4), runs=200, workers=2, progress=progress)
    lines = out.getvalue().splitlines()
    assert len(lines) == 10 and lines[-1].startswith("detsim: checking: 200/200 runs, ")
    assert "faults fired" in lines[-1] and "distinct states" in lines[-1]
    bar = io.StringIO()
    progress = Progress(100, bar, mode="bar")
    check(Lottery(winning=None), Random(0), runs=100, progress=progress)
    progress.close()
    assert "100/100" in bar.getvalue() and "schedules/s" in bar.getvalue()

"""Parallel campaigns: run indices shared out in chunks over worker processes.

Run ``i`` of a strategy that declares ``independent_runs`` depends only on the
strategy's parameters and ``i``, so chunks of indices can run anywhere, in any
order. The parent merges finished chunks in index order and stops at the first
event (a violation, an overrun, an error, the strategy running out): because
every chunk below it has been merged, that event has the lowest index, and the
campaign's result is the one a single process would have produced. The rules
and their limits are in docs/scale.md.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import connection
from types import SimpleNamespace

from ..errors import DetsimError, NondeterminismError, StepBudgetExceeded, UsageError
from ..trace import Trace
from ._audit import digest
from ._coverage import MAX_TRACKED
from ._run import RunPlan
from ._verify import due, unrepeatable, verify

CHUNK_MAX = 64  # runs per chunk at most: what a failure elsewhere may waste per worker
CHUNKS_PER_WORKER = 8  # at least this many chunks per worker, so they finish close together
AUTO_MIN_RUNS = 1000  # workers="auto" shares out campaigns of at least this many runs
NO_LIMIT = 2 ** 62
_EVENTS = ("violation", "unrepeatable", "budget", "error", "exhausted")


@dataclass
class Job:
    """What a worker needs to run any index of a campaign."""
    model: object
    strategy: object
    settings: dict
    digests: bool = False  # also return a summary of every run (for ``on_run``)


@dataclass
class RunSummary:
    """What ``on_run`` receives for a run that happened in a worker process."""
    index: int
    ok: bool
    steps: int
    end: str
    violation: object
    digest: str  # detsim.campaign.digest(trace) of the run's trace


@dataclass
class Chunk:
    """What a worker ran of ``[start, stop)`` and what it saw, until its first event."""
    start: int
    stop: int
    done: int = 0  # runs completed (an overrun's run is not among them)
    event: str | None = None  # one of _EVENTS, or "cancelled" (a lower event made the rest moot)
    index: int | None = None  # the run index of the event
    trace: Trace | None = None  # the failing (or overrunning) run's, pickled as it is (dict order kept)
    error: object = None  # the exception of an "error", the message of a "budget"
    counters: dict = field(default_factory=dict)
    reached: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    fresh: list = field(default_factory=list)  # per run: sorted state digests new to this chunk
    runs: list = field(default_factory=list)  # per run: RunSummary, when the job asks for digests


def resolve(workers, strategy, runs) -> tuple[int, str | None]:
    """(worker processes to use, a note for the report or None). ``workers`` is a
    positive int or "auto" (every core for campaigns of ``AUTO_MIN_RUNS`` runs or more)."""
    if workers == "auto":
        wanted = (os.cpu_count() or 1) if runs is not None and runs >= AUTO_MIN_RUNS else 1
        explicit = False
    elif type(workers) is int and workers >= 1:
        wanted, explicit = workers, True
    else:
        raise UsageError(f"workers must be a positive integer, 'auto' or a dask.distributed.Client, got {workers!r}")
    if wanted == 1:
        return 1, None
    if not strategy.independent_runs or runs is None:
        why = ("runs=None needs the strategy's own order" if strategy.independent_runs
               else f"{strategy.name} runs depend on the runs before them")
        return 1, f"ran on one worker: {why}" if explicit else None
    return min(wanted, runs), None


def chunk_size(runs: int, slots: int) -> int:
    return max(1, min(CHUNK_MAX, runs // (slots * CHUNKS_PER_WORKER)))


def run_chunk(job: Job, start: int, stop: int, limit=None) -> Chunk:
    """Runs ``start``..``stop - 1`` until the first event; stops early (cancelled)
    once ``limit.value`` says a lower index already ended the campaign."""
    strategy, chunk, seen = job.strategy, Chunk(start, stop), set()
    plan = RunPlan(job.model, job.settings)
    for i in range(start, stop):
        if limit is not None and i > limit.value:
            chunk.event, chunk.index = "cancelled", i
            break
        if not strategy.begin(i):
            chunk.event, chunk.index = "exhausted", i
            break
        states: set = set()
        try:
            result = plan.execute(strategy, lint=i == 0, states=states, lean=not job.digests)
            strategy.end(result)
        except StepBudgetExceeded as e:
            trace = getattr(e, "trace", None)
            chunk.event, chunk.index, chunk.error = "budget", i, str(e)
            chunk.trace = trace
            break
        except Exception as e:  # a broken model, or detsim's own error: re-raised by the parent
            chunk.event, chunk.index, chunk.error = "error", i, _portable(e)
            break
        _absorb_run(chunk, result, states, seen, job.digests, i)
        if result.violation is not None:
            chunk.event, chunk.index, chunk.trace = "violation", i, result.trace
            try:
                result.trace.decisions  # rebuilt here, where the run was, not while pickling it
            except NondeterminismError as e:  # the run did not repeat: the parent says so and keeps what it can
                chunk.event, chunk.error, chunk.trace = "unrepeatable", _portable(e), None
            break
        if due(i):
            try:
                verify(job.model, job.settings, result.trace, f"run {i}")
            except Exception as e:
                chunk.event, chunk.index, chunk.error = "error", i, _portable(e)
                break
    return chunk


def _absorb_run(chunk: Chunk, result, states: set, seen: set, digests: bool, i: int) -> None:
    new = sorted(states - seen)
    seen.update(new)
    chunk.fresh.append(new)
    chunk.done += 1
    for key, n in result.counters.items():
        chunk.counters[key] = chunk.counters.get(key, 0) + n
    chunk.reached.extend(n for n in result.reached if n not in chunk.reached)
    chunk.warnings.extend(w for w in result.warnings if w not in chunk.warnings)
    if digests:
        chunk.runs.append(RunSummary(i, result.ok, result.steps, result.end, result.violation,
                                     digest(result.trace)))


def _portable(error: Exception) -> Exception:
    """The exception itself if it survives pickling, else a DetsimError with its text."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        return DetsimError(f"{type(error).__name__}: {error}")


def explore(campaign, runs: int, pool, progress=None):
    """Run ``runs`` indices on ``pool``, merging chunks into ``campaign`` in index
    order. Returns the failing run (``.trace``, ``.violation``) or None; raises what
    the lowest-index erroring run raised."""
    size = chunk_size(runs, pool.slots)
    limit, pending, merged, next_start, inflight = NO_LIMIT, {}, 0, 0, 0
    try:
        while True:
            while inflight < pool.slots * 2 and next_start < runs and next_start <= limit:
                pool.submit(next_start, min(runs, next_start + size))
                next_start, inflight = min(runs, next_start + size), inflight + 1
            if not inflight:  # every run done, none failed
                campaign.strategy.begin(runs - 1)  # as after a one-process campaign
                return None
            chunk = pool.next()
            inflight -= 1
            if chunk.event in _EVENTS and chunk.index < limit:
                limit = chunk.index
                inflight -= pool.lower(limit)
            pending[chunk.start] = chunk
            while merged in pending:
                done = pending.pop(merged)
                merge(campaign, done)
                if progress is not None:
                    progress.update(campaign.done, campaign.counters, len(campaign.states))
                if done.event is not None:
                    return outcome(campaign, done)
                merged = done.stop
    finally:
        pool.close()


def merge(campaign, chunk: Chunk) -> None:
    """Add a chunk's runs to the campaign as if they had run here, in order."""
    states = campaign.states
    for k, new in enumerate(chunk.fresh):
        for d in new:
            if len(states) < MAX_TRACKED:
                states.add(d)
        campaign.done += 1
        campaign.growth.append(len(states))
        if campaign.on_run is not None and chunk.runs:
            campaign.on_run(chunk.start + k, chunk.runs[k])
    for key, n in chunk.counters.items():
        campaign.counters[key] = campaign.counters.get(key, 0) + n
    campaign.reached.extend(n for n in chunk.reached if n not in campaign.reached)
    campaign.warnings.extend(w for w in chunk.warnings if w not in campaign.warnings)


def outcome(campaign, chunk: Chunk):
    campaign.strategy.begin(chunk.index)  # the parent's strategy describes the run that ended it
    if chunk.event == "unrepeatable":
        raise unrepeatable(chunk.error, campaign.plan, campaign.strategy, chunk.index, None)
    if chunk.event == "violation":
        return SimpleNamespace(trace=chunk.trace, violation=chunk.trace.violation)
    if chunk.event == "budget":
        error = StepBudgetExceeded(chunk.error)
        error.trace = chunk.trace
        raise error
    if chunk.event == "error":
        raise chunk.error
    return None  # the strategy ran out


class LocalPool:
    """Worker processes on this machine, forked (no pickling of the model) where the
    platform allows, fed chunks through one queue, each answering on its own pipe."""

    def __init__(self, job: Job, workers: int):
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.limit = ctx.RawValue("q", NO_LIMIT)
        self.tasks = ctx.SimpleQueue()
        pipes = [ctx.Pipe(duplex=False) for _ in range(workers)]
        self.readers = [reader for reader, _ in pipes]
        self.procs = [ctx.Process(target=_serve, args=(job, self.tasks, writer, self.limit),
                                  name=f"detsim-worker-{n}", daemon=True) for n, (_, writer) in enumerate(pipes)]
        self.slots = workers
        gc.freeze()  # the objects the workers inherit stay out of their collections: no copy-on-write
        try:
            with _ctrl_c_held():
                for proc in self.procs:
                    proc.start()
        except BaseException:  # Ctrl-C as the workers started: none of them may outlive us
            self.close()
            raise
        finally:
            gc.unfreeze()
        for _, writer in pipes:
            writer.close()  # the workers' ends: a dead worker's pipe then reads as closed

    def submit(self, start: int, stop: int) -> None:
        self.tasks.put((start, stop))

    def next(self) -> Chunk:
        ready = connection.wait(self.readers)
        try:
            return ready[0].recv()
        except EOFError:
            proc = self.procs[self.readers.index(ready[0])]
            proc.join(1)
            raise DetsimError(f"campaign worker {proc.name} died (exit code {proc.exitcode})") from None

    def lower(self, limit: int) -> int:
        self.limit.value = limit  # chunks above it stop at their next run and report "cancelled"
        return 0

    def close(self) -> None:
        started = [proc for proc in self.procs if proc.pid is not None]
        for proc in started:  # a worker holds nothing worth keeping: stop them at once
            if proc.is_alive():
                proc.terminate()
        for proc in started:
            proc.join()
        for reader in self.readers:
            reader.close()


@contextmanager
def _ctrl_c_held():
    """SIGINT blocked while the workers are forked, delivered when this ends. Python
    runs at-fork hooks (logging's, for one) around each fork, and a KeyboardInterrupt
    raised inside one is printed as "Exception ignored" and lost: the campaign would
    go on as if Ctrl-C had never been pressed."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _serve(job, tasks, results, limit) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it stops us
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # forked while it was held
    for start, stop in iter(tasks.get, None):
        chunk = run_chunk(job, start, stop, limit)
        try:
            results.send(chunk)
        except Exception as e:  # something the runs returned does not pickle: say what
            results.send(Chunk(start, stop, event="error", index=chunk.start, error=DetsimError(
                f"a campaign worker could not send back runs {start}..{chunk.index or stop}: "
                f"{type(e).__name__}: {e}")))

"""A JoinSet of workers under a deadline (structured concurrency with cancellation).

A parent opens a task group (``world.task_group``, tokio's ``JoinSet``) with a
scope deadline ``deadline``, spawns ``workers`` children and joins them one by one
until none is left, then closes the scope. Each worker takes a shared mutex
(``store``, a connection or a file it writes), works while holding it for a time
the environment chooses (``world.choose``; index 0 is the quick job), and
releases it. Jobs that run late are cancelled by the deadline; the cancellation
reaches a worker at its current yield, which may be while it holds the lock or
while it still waits for it.

Properties:
* "no leaked task" (built in, checked at ``close()``): at scope exit no child runs;
* "every child's outcome is observed once": the parent's joins name every child
  exactly once, whether it finished or was cancelled;
* "a cancelled child releases the locks it held": no ended child holds the mutex.
Guards (``sometimes``): a child was cancelled; a cancelled child released the lock
in its cleanup; the deadline fired at the instant a job would complete (a tie the
engine makes a choice: index 0 lets the job finish).

Planted bugs (mistakes common with JoinSet/CancellationToken code):
* ``leak-on-cancel``: the parent runs its own deadline as a race between
  ``join_next()`` and a timer; when the timer wins it cancels the group, collects
  the results that are already there and leaves the scope, assuming "cancelled"
  means "stopped" (tokio's ``abort_all()`` without awaiting the aborted tasks). The
  cancelled children are still running at scope exit.
* ``lock-held-after-cancel``: the worker releases the lock on its normal path only,
  not in a ``finally`` (the classic "guard not dropped on cancellation" of a manual
  lock), so a worker cancelled while holding it ends holding it.
* ``unobserved-cancel``: once the deadline fired the parent stops joining: it waits
  for the group to drain and reports only the results it had already joined, so the
  cancelled jobs' outcomes are silently dropped.

The default schedule (every job quick) finishes well before the deadline: no bug
shows without a chosen slow job.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import simpy

import detsim

BUGS = ("leak-on-cancel", "lock-held-after-cancel", "unobserved-cancel")


@dataclass
class TaskGroupJobs(detsim.Model):
    workers: int = 3
    deadline: int = 5
    durations: list = field(default_factory=lambda: [1, 3])  # index 0: the quick job
    bug: str | None = None

    def setup(self, world):
        if self.bug is not None and self.bug not in BUGS:
            raise detsim.ModelError(f"TaskGroupJobs has no planted bug {self.bug!r} (known: {', '.join(BUGS)})")
        self.world = world
        self.lock = world.mutex("store")
        self.group = None
        self.observed: list = []  # names the parent learned the outcome of, in order
        self.cancelled_with_lock = 0  # cancellations whose cleanup released the lock
        self.deadline_tie = False
        world.spawn("parent", self.parent(world))

    # ---- the worker ---------------------------------------------------------------
    def worker(self, world, i):
        yield self.lock.acquire()
        duration = world.choose(f"job {i} takes", self.durations)
        if self.bug == "lock-held-after-cancel":
            yield world.timeout(duration)  # a cancellation here skips the release
            self.lock.release()
        else:
            ends_at = world.now + duration
            try:
                yield world.timeout(duration)
            except simpy.Interrupt:  # cancelled: clean up as a finally would (not on GeneratorExit)
                self.lock.release()
                self.cancelled_with_lock += 1
                self.deadline_tie |= world.now == ends_at  # the deadline won a tie with this job
                raise
            self.lock.release()
        return f"job {i} done"

    # ---- the parent -------------------------------------------------------------------
    def parent(self, world):
        tg = self.group = world.task_group("jobs")
        for i in range(self.workers):
            tg.spawn(f"w{i}", self.worker(world, i))
        if self.bug == "leak-on-cancel":
            yield from self.join_with_own_timer(world, tg)
        else:
            yield from self.join_under_scope_deadline(world, tg)
        tg.close()

    def join_under_scope_deadline(self, world, tg):
        scope = tg.timeout(self.deadline)
        while True:
            joined = yield tg.join_next()
            if joined is None:
                break
            if self.bug == "unobserved-cancel" and scope.fired:
                yield tg.wait()  # drain the rest and report only what was joined so far
                break
            self.observed.append(joined.name)
        scope.disarm()

    def join_with_own_timer(self, world, tg):
        timer = world.timeout(self.deadline)
        while True:
            join = tg.join_next()
            yield world.any_of([join, timer])
            if join.triggered and join.processed:
                if join.value is None:
                    return
                self.observed.append(join.value.name)
                continue
            tg.cancel()
            while tg.select_ready():  # collect what already finished (try_join_next) ...
                joined = yield tg.join_next()
                if joined is None:
                    return
                self.observed.append(joined.name)
            return  # ... and leave without waiting for the cancellations to land: the bug

    # ---- properties -----------------------------------------------------------------
    def every_outcome_observed_once(self) -> bool:
        return sorted(self.observed) == sorted(self.group.children) if self.group else True

    def describe_observed(self) -> str:
        return (f"the parent observed {self.observed} of children {list(self.group.children)}"
                if self.group else "no group")

    def no_ended_child_holds_the_lock(self) -> bool:
        holder = self.lock.holder
        return holder is None or holder.is_alive

    def describe_holder(self) -> str:
        return f"{self.lock.holder.name} ended (cancelled) while holding mutex store"

    def properties(self):
        return [
            detsim.at_end("every child's outcome is observed once", TaskGroupJobs.every_outcome_observed_once,
                          explain=TaskGroupJobs.describe_observed),
            detsim.always("a cancelled child releases the locks it held",
                          TaskGroupJobs.no_ended_child_holds_the_lock, explain=TaskGroupJobs.describe_holder),
            detsim.sometimes("a child was cancelled",
                             lambda m: m.group is not None and m.group.statistics().cancelled > 0),
            detsim.sometimes("a cancelled child released the lock in its cleanup",
                             lambda m: m.cancelled_with_lock > 0),
            detsim.sometimes("the deadline fired at the instant a job would complete", lambda m: m.deadline_tie),
        ]

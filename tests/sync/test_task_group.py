"""Task groups: children, join_next in end order, cancellation delivered at the
child's yield as a scheduling point, leaving wait queues, scope deadlines whose
tie with the work is a choice, the group's exit, leaks, statistics."""
import simpy

import detsim
from detsim.sync import CANCELLED, Joined
from tests.support import scripted


def worker(duration, value):
    def body(m, world):
        yield world.timeout(duration)
        m.log.append((world.now, f"done {value}"))
        return value
    return body


def test_join_next_hands_out_children_in_the_order_they_end():
    def parent(m, world):
        tg = world.task_group("jobs")
        tg.spawn("slow", worker(5, "s")(m, world))
        tg.spawn("fast", worker(2, "f")(m, world))
        got = []
        while (joined := (yield tg.join_next())) is not None:
            got.append(joined)
        m.got = got
        tg.close()

    result = detsim.run(scripted(parent=parent))
    assert result.ok, result.violation
    assert result.model.got == [Joined("jobs/fast", "ok", "f"), Joined("jobs/slow", "ok", "s")]
    stats = result.world.primitives["jobs"].statistics()
    assert (stats.spawned, stats.finished, stats.joined, stats.running, stats.max_running) == (2, 2, 2, 0, 2)


def test_cancel_interrupts_each_child_at_its_yield_and_is_not_a_violation():
    def child(m, world):
        try:
            yield world.timeout(100)
        except simpy.Interrupt as stop:
            m.log.append((world.now, "cancelled", stop.cause is CANCELLED))
            raise

    def parent(m, world):
        tg = world.task_group("jobs")
        tg.spawn("a", child(m, world))
        tg.spawn("b", child(m, world))
        yield world.timeout(3)
        assert tg.cancel() == 2 and tg.cancel() == 0  # a second cancel sends nothing more
        m.ended = yield tg.wait()
        tg.close()

    result = detsim.run(scripted(parent=parent))
    assert result.ok, result.violation
    assert result.model.log == [(3, "cancelled", True), (3, "cancelled", True)]
    assert [j.outcome for j in result.model.ended] == ["cancelled", "cancelled"]
    assert result.world.primitives["jobs"].statistics().cancelled == 2


def test_the_delivery_of_a_cancellation_is_a_scheduling_point():
    def busy(m, world):
        for _ in range(3):
            yield world.checkpoint()
            m.log.append("busy step")

    def parent(m, world):
        tg = world.task_group("jobs")
        tg.spawn("busy", busy(m, world))
        tg.cancel()
        yield tg.wait()
        tg.close()

    result = detsim.run(scripted(parent=parent))
    assert any("cancel jobs/busy" in d.candidates for d in result.trace.decisions)
    orders = {tuple(r.model.log) for r in (detsim.run(scripted(parent=parent), detsim.Random(s))
                                          for s in range(20))}
    assert len(orders) > 1  # the child is cancelled after a varying number of its own steps


def test_a_cancelled_waiter_leaves_the_lock_queue_and_is_never_granted():
    def holder(m, world):
        yield m.lock.acquire()
        yield world.timeout(10)
        m.lock.release()
        yield m.lock.acquire()  # the cancelled child must not hold it now
        m.log.append("holder again")
        m.lock.release()

    def parent(m, world):
        tg = world.task_group("jobs")
        tg.spawn("waiter", waiter(m, world))
        yield world.timeout(1)
        tg.cancel()
        yield tg.wait()
        tg.close()

    def waiter(m, world):
        yield world.checkpoint()
        yield m.lock.acquire()
        m.log.append("waiter got the lock")  # never: it was cancelled while queued

    def make(m, world):
        m.lock = world.mutex("lock")

    result = detsim.run(scripted(make, holder=holder, parent=parent))
    assert result.ok, result.violation
    assert result.model.log == ["holder again"]
    assert result.world.primitives["lock"].statistics().acquisitions == 2
    assert not result.world.waitfor.graph.edges()


def held_by_a_cancelled_child(release_in_finally: bool):
    def child(m, world):
        yield m.lock.acquire()
        try:
            yield world.timeout(10)
        finally:
            if release_in_finally:
                m.lock.release()

    def parent(m, world):
        tg = world.task_group("jobs")
        tg.spawn("child", child(m, world))
        yield world.timeout(1)
        tg.cancel()
        yield tg.wait()
        tg.close()
        yield m.lock.acquire()
        m.log.append("parent got the lock")
        m.lock.release()

    def make(m, world):
        m.lock = world.mutex("lock")

    return scripted(make, parent=parent)


def test_a_lock_held_by_a_cancelled_child_is_released_only_by_its_own_code():
    good = detsim.run(held_by_a_cancelled_child(release_in_finally=True))
    assert good.ok and good.model.log == ["parent got the lock"]
    bad = detsim.run(held_by_a_cancelled_child(release_in_finally=False))
    assert bad.violation is not None and bad.violation.property == "no deadlock"
    assert "mutex lock held by jobs/child" in bad.violation.message


def deadline_model():
    def parent(m, world):
        tg = world.task_group("jobs")
        tg.spawn("work", worker(5, "w")(m, world))
        deadline = tg.timeout(5)  # the work ends at the very instant the deadline expires
        m.ended = yield tg.wait()
        m.timed_out = deadline.fired
        tg.close()

    return scripted(parent=parent)


def test_a_deadline_at_the_instant_the_work_ends_is_a_choice_defaulting_to_no_cancellation():
    default = detsim.run(deadline_model())
    assert default.model.ended[0].outcome == "ok" and not default.model.timed_out
    outcomes = set()

    def record(i, run):
        outcomes.add((run.model.ended[0].outcome, run.model.timed_out))

    result = detsim.check(deadline_model(), detsim.DFS(), runs=None, on_run=record)
    assert result.ok and result.exhausted
    # in time; cancelled at the deadline; or the deadline fired but the work ended
    # before the cancellation reached it (delivery is a scheduling point of its own)
    assert outcomes == {("ok", False), ("cancelled", True), ("ok", True)}


def test_closing_a_scope_with_a_running_child_is_a_leak():
    def parent(m, world):
        tg = world.task_group("jobs")
        tg.spawn("straggler", worker(10, "x")(m, world))
        tg.cancel()
        tg.close()  # without waiting: the cancellation has not even been delivered yet
        yield world.timeout(1)

    result = detsim.run(scripted(parent=parent))
    assert result.violation.property == "no leaked task"
    assert "jobs/straggler still ran" in result.violation.message
    assert result.world.primitives["jobs"].statistics().leaked == 1


def test_a_child_that_fails_is_still_a_violation_and_join_reports_it():
    def bad(m, world):
        yield world.checkpoint()
        raise ValueError("broken child")

    def parent(m, world):
        tg = world.task_group("jobs")
        tg.spawn("bad", bad(m, world))
        m.joined = yield tg.join_next()

    result = detsim.run(scripted(parent=parent))
    assert result.violation.property == "ValueError" and "broken child" in result.violation.message


def test_join_next_on_an_empty_group_is_none_and_closed_groups_spawn_nothing():
    def parent(m, world):
        tg = world.task_group("jobs")
        m.none = yield tg.join_next()
        tg.close()
        try:
            tg.spawn("late", worker(1, "x")(m, world))
        except detsim.ModelError as e:
            m.log.append(str(e))

    result = detsim.run(scripted(parent=parent))
    assert result.model.none is None
    assert result.model.log == ["task group jobs is closed: it cannot spawn 'late'"]


def test_a_waiting_joiner_feeds_the_wait_for_graph_and_describes_the_group():
    def parent(m, world):
        tg = world.task_group("jobs")
        tg.spawn("forever", forever(m, world))
        yield tg.join_next()

    def forever(m, world):
        yield world.event()  # nobody will trigger it

    result = detsim.run(scripted(parent=parent))
    assert result.violation.property == "no deadlock"
    assert "parent (waits on task group jobs (running: jobs/forever))" in result.violation.message


class Prefer(detsim.Strategy):
    """At every schedule tie, the first of ``names`` that is a candidate, else the default."""

    def __init__(self, *names):
        self.names = names

    def choose(self, label, candidates, world):
        return next((candidates.index(n) for n in self.names if n in candidates), 0)


def test_the_deadline_cancels_the_work_when_it_and_its_delivery_come_first():
    early = detsim.run(deadline_model(), Prefer("jobs times out", "cancel jobs/work"))
    assert early.model.timed_out and early.model.ended[0].outcome == "cancelled"
    assert [d.choice for d in early.trace.decisions if d.chosen] == ["jobs times out", "cancel jobs/work"]


def test_a_task_group_is_a_select_branch():
    def make(m, world):
        m.inbox = world.channel("inbox", capacity=1)

    def parent(m, world):
        tg = world.task_group("jobs")
        tg.spawn("w", worker(3, "done")(m, world))
        sel = world.select([("jobs", tg), ("inbox", m.inbox)], policy="biased", name="either")
        picked = yield sel.recv()
        m.picked = picked
        tg.close()

    result = detsim.run(scripted(make, parent=parent))
    assert result.ok, result.violation
    assert result.model.picked.index == 0 and result.model.picked.value == Joined("jobs/w", "ok", "done")

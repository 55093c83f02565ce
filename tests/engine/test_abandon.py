"""Give-backs: what a primitive handed to a waiter that never received it (the waiter
was cancelled, or its event lost an any_of race in the same instant) goes to the next
waiter or back where it came from; waiters nobody waits on are skipped."""
import detsim
from tests.support import scripted


class Prefer(detsim.Strategy):
    """At every schedule tie, the first of ``names`` that is a candidate, else the default."""

    def __init__(self, *names):
        self.names = names

    def choose(self, label, candidates, world):
        return next((candidates.index(n) for n in self.names if n in candidates), 0)


def test_a_lock_handed_to_a_cancelled_child_goes_to_the_next_waiter():
    def make(m, world):
        m.lock = world.mutex("lock")

    def holder(m, world):
        yield m.lock.acquire()
        yield world.timeout(5)
        m.lock.release()  # hands the lock to the queued child: its event succeeds now

    def parent(m, world):
        tg = world.task_group("jobs")
        tg.spawn("child", child(m, world))
        yield world.timeout(5)
        tg.cancel()  # delivered after the grant, before the child resumes (see Prefer)
        yield tg.wait()
        tg.close()
        m.log.append(m.lock.holder)
        yield m.lock.acquire()  # the lock was passed on, so this does not block forever
        m.log.append("parent has it")

    def child(m, world):
        yield world.checkpoint()
        yield m.lock.acquire()
        m.log.append("child saw the lock")  # never: cancelled before it resumed

    result = detsim.run(scripted(make, holder=holder, parent=parent), Prefer("holder", "cancel jobs/child"))
    assert result.ok, result.violation
    assert result.model.log == [None, "parent has it"]


def test_an_item_handed_to_a_cancelled_receiver_stays_in_the_channel():
    def make(m, world):
        m.ch = world.channel("ch", capacity=4)

    def sender(m, world):
        yield world.timeout(5)
        yield m.ch.send("x")  # hands x to the parked receiver

    def parent(m, world):
        tg = world.task_group("jobs")
        tg.spawn("receiver", receiver(m, world))
        yield world.timeout(5)
        tg.cancel()
        yield tg.wait()
        tg.close()
        m.log.append(len(m.ch))
        m.log.append((yield m.ch.recv()))

    def receiver(m, world):
        m.log.append(("got", (yield m.ch.recv())))

    result = detsim.run(scripted(make, sender=sender, parent=parent), Prefer("sender", "cancel jobs/receiver"))
    assert result.ok, result.violation
    assert result.model.log == [1, "x"]
    assert result.world.primitives["ch"].statistics().received == 1  # counted once, by the parent


def test_the_loser_of_an_any_of_race_never_swallows_a_result():
    def worker(m, world):
        yield world.timeout(5)
        return 5

    def parent(m, world):
        tg = world.task_group("jobs")
        tg.spawn("slow", worker(m, world))
        first = tg.join_next()
        yield world.any_of([first, world.timeout(2)])  # the timer wins: first is abandoned
        m.log.append(first.triggered)
        m.log.append((yield tg.join_next()))
        tg.close()

    result = detsim.run(scripted(parent=parent))
    assert result.ok, result.violation
    assert result.model.log[0] is False and result.model.log[1].value == 5


def test_a_tied_any_of_gives_back_the_item_it_did_not_take():
    def make(m, world):
        m.ch = world.channel("ch", capacity=2)

    def sender(m, world):
        yield world.timeout(3)
        yield m.ch.send("x")

    def receiver(m, world):
        got = yield world.any_of([m.ch.recv(), world.timeout(3)])  # both can be due at t=3
        m.got = [v for v in got.values() if v is not None]

    taken = set()
    for seed in range(40):
        result = detsim.run(scripted(make, sender=sender, receiver=receiver), detsim.Random(seed))
        assert result.ok, result.violation
        left = list(result.model.ch._buffer)
        assert sorted(result.model.got + left) == ["x"], (seed, result.model.got, left)  # never lost
        taken.add(bool(result.model.got))
    assert taken == {True, False}  # the receive won in some schedules, the timer in others


def test_a_notification_handed_to_a_cancelled_waiter_goes_to_the_next_one():
    def make(m, world):
        m.bell = world.notify("bell")

    def ringer(m, world):
        yield world.timeout(5)
        m.bell.notify_one()

    def parent(m, world):
        tg = world.task_group("jobs")
        tg.spawn("first", waiter(m, world, "first"))
        yield world.timeout(5)
        tg.cancel()  # only the first waiter is in the group
        yield tg.wait()
        tg.close()

    def other(m, world):
        yield world.timeout(1)
        yield from waiter(m, world, "other")

    def waiter(m, world, name):
        try:
            yield m.bell.notified()
            m.log.append(name)
        except BaseException:
            m.log.append(f"{name} cancelled")
            raise

    result = detsim.run(scripted(make, ringer=ringer, parent=parent, other=other),
                        Prefer("ringer", "cancel jobs/first"))
    assert result.ok, result.violation
    assert result.model.log == ["first cancelled", "other"]  # notify_one's wake-up was passed on
    assert result.world.primitives["bell"].statistics().unheard == 0


def test_the_trace_records_the_parameters_as_given():
    from dataclasses import dataclass, field

    @dataclass
    class Overwrites(detsim.Model):
        calls: list = field(default_factory=list)

        def setup(self, world):
            self.calls = ["ghost"]  # a field reused as ghost state
            world.spawn("p", self.p(world))

        def p(self, world):
            yield world.checkpoint()

    assert detsim.run(Overwrites()).trace.params == {"calls": []}

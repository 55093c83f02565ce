"""world.channel: FIFO, bounded (backpressure), rendezvous, close, statistics and misuse."""
import detsim
from tests.support import scripted


def test_channel_is_fifo_bounded_and_closes():
    def make(m, world):
        m.ch = world.channel("jobs", 2)

    def producer(m, world):
        for i in range(5):
            yield m.ch.send(i)
            m.log.append(("sent", i, world.now))
        m.ch.close()

    def consumer(m, world):
        yield world.timeout(10)
        while True:
            item = yield m.ch.recv()
            if item is detsim.CLOSED:
                m.log.append(("closed", world.now))
                return
            m.log.append(("got", item, world.now))
            yield world.timeout(1)

    result = detsim.run(scripted(make, producer=producer, consumer=consumer))
    assert result.ok
    log = result.model.log
    assert [e[1] for e in log if e[0] == "got"] == [0, 1, 2, 3, 4]
    sent_at = {e[1]: e[2] for e in log if e[0] == "sent"}
    assert sent_at[0] == sent_at[1] == 0  # fits in the buffer
    assert sent_at[2] == 10  # backpressure: blocked until the consumer takes one
    assert log[-1] == ("closed", 15)
    stats = result.model.ch.statistics()
    assert (stats.capacity, stats.buffered, stats.sent, stats.received) == (2, 0, 5, 5)
    assert stats.max_buffered == 2 and stats.closed and stats.senders_waiting == 0


def test_rendezvous_channel_and_waiting_counts():
    seen = []

    def make(m, world):
        m.ch = world.channel("meet", 0)

    def sender(m, world):
        yield m.ch.send("hello")
        m.log.append(("sent", world.now))

    def receiver(m, world):
        yield world.timeout(4)
        seen.append(m.ch.statistics())
        item = yield m.ch.recv()
        m.log.append((item, world.now))

    result = detsim.run(scripted(make, sender=sender, receiver=receiver))
    assert result.ok and sorted(result.model.log) == [("hello", 4), ("sent", 4)]
    assert seen[0].senders_waiting == 1 and seen[0].buffered == 0
    stats = result.model.ch.statistics()
    assert stats.sent == stats.received == 1 and stats.max_buffered == 0


def test_send_on_a_closed_channel_is_a_model_error():
    def make(m, world):
        m.ch = world.channel("c", 1)

    def closer(m, world):
        m.ch.close()
        yield m.ch.send(1)

    result = detsim.run(scripted(make, closer=closer))
    assert result.violation.property == "ModelError" and "closed channel c" in result.violation.message

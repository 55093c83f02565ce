"""One run (``detsim.run``): an exception in a process is a violation naming the
process, the time and the source line; a handled one is not; a failing setup is a
model error."""
import pytest

import detsim
from tests.support import scripted, stepper


def test_exception_in_a_process_is_a_violation():
    def bad(m, world):
        yield world.timeout(2)
        raise ValueError("boom")

    result = detsim.run(scripted(good=stepper("g"), bad=bad))
    v = result.violation
    assert not result.ok and result.end == "violation"
    assert v.property == "ValueError" and v.error == "ValueError"
    assert v.process == "bad" and v.time == 2
    assert v.message.startswith("ValueError: boom") and "(at test_run.py:" in v.message
    assert result.trace.violation.property == "ValueError"


def test_assert_in_a_process_is_a_violation():
    def checker(m, world):
        yield world.checkpoint()
        assert world.now > 5, "too early"

    result = detsim.run(scripted(checker=checker))
    assert result.violation.property == "AssertionError"
    assert result.violation.process == "checker" and "too early" in result.violation.message


def test_a_handled_exception_is_not_a_violation():
    def child(m, world):
        yield world.checkpoint()
        raise KeyError("child")

    def parent(m, world):
        try:
            yield world.spawn("child", child(m, world))
        except KeyError:
            m.log.append("caught")

    result = detsim.run(scripted(parent=parent))
    assert result.ok and result.model.log == ["caught"]


def test_exception_in_setup_is_a_model_error():
    class Broken(detsim.Model):
        def setup(self, world):
            raise RuntimeError("no setup for you")

    with pytest.raises(detsim.ModelError, match="setup.*RuntimeError: no setup for you"):
        detsim.run(Broken())

"""2. Ctrl-C stops a campaign cleanly: how many schedules ran, what was found so far,
exit 130; never a "KeyboardInterrupt" violation, never a bogus trace."""
import os
import signal
import subprocess
import time

from dataclasses import dataclass

import detsim
from detsim.campaign import _check

from .conftest import DETSIM

SLOW = '''
import pathlib
from dataclasses import dataclass
import detsim


@dataclass
class Slow(detsim.Model):
    """Many schedules, each long enough that a campaign runs for minutes."""
    bug: str | None = None

    def setup(self, world):
        pathlib.Path("RUNNING").touch()  # the test interrupts only a campaign that has started
        for i in range(3):
            world.spawn(f"p{i}", self.work(world))

    def work(self, world):
        for _ in range(300):
            yield world.checkpoint()
'''


def _interrupt(project, *args, after=0.5):
    # PYTHONFAULTHANDLER: if Ctrl-C is not obeyed, SIGABRT makes detsim print where it hangs
    proc = subprocess.Popen([DETSIM, *args], cwd=project.root, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONFAULTHANDLER": "1"})
    deadline = time.monotonic() + 60
    while not (project.root / "RUNNING").exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # a loaded machine may take seconds to start Python
    time.sleep(after)
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)
        out, err = proc.communicate(timeout=30)
        raise AssertionError(f"detsim did not stop within 60 s of Ctrl-C; its stacks:\n{err[-6000:]}") from None
    return proc.returncode, out, err


def test_ctrl_c_during_a_campaign_exits_130_with_a_count(project):
    project.write("models/slow.py", SLOW)
    code, out, err = _interrupt(project, "check", "models.slow:Slow", "--runs", "10000000")
    assert code == 130 and "Traceback" not in err
    assert "interrupted after" in out and "no violation found so far (not a verdict)" in out
    assert "KeyboardInterrupt" not in out + err and "held" not in out
    assert not (project.root / ".detsim").exists()  # no bogus trace


@dataclass
class InterruptedInside(detsim.Model):
    """A process that is interrupted (as Ctrl-C lands inside model code) in run 3."""
    run_to_break: int = 3

    def setup(self, world):
        world.spawn("p", self.work(world))

    def work(self, world):
        yield world.checkpoint()
        if world.strategy.run == self.run_to_break:
            raise KeyboardInterrupt


def test_an_interrupt_inside_a_process_is_never_a_violation():
    result = detsim.check(InterruptedInside(), detsim.Random(0), runs=10)
    assert result.interrupted and result.verdict == "interrupted" and not result.ok
    assert result.violation is None and result.runs == 3 and result.trace is None
    assert "interrupted after 3 schedule(s)" in result.summary()


def test_an_interrupt_while_shrinking_keeps_the_best_trace_so_far(monkeypatch):
    from tests.trust.test_budgets import Racy

    calls = {"n": 0}
    real = _check.shrink_trace.__globals__["_Shrinker"].attempt

    def attempt(self, devs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(self, devs)

    monkeypatch.setattr(_check.shrink_trace.__globals__["_Shrinker"], "attempt", attempt)
    result = detsim.check(Racy(), detsim.Random(0), runs=200)
    assert result.interrupted and result.violation is not None and result.trace is not None
    assert result.one_minimal is False
    assert detsim.replay(result.trace).violation.property == result.violation.property

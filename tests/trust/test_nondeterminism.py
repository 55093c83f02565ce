"""8. Uncontrolled nondeterminism is caught: the global random generator, the wall
clock and os.urandom used from model code are model errors naming the call site;
a campaign re-executes a sample of runs; ``--audit`` re-runs every schedule in a
fresh process under another PYTHONHASHSEED."""
import os
import random
import time
from dataclasses import dataclass

import pytest

import detsim
from detsim.campaign import VERIFY_EVERY
from detsim.errors import NondeterminismError

LEAKS = '''
import os
import random
import time
from dataclasses import dataclass
import detsim


@dataclass
class Leaky(detsim.Model):
    source: str = "random"

    def setup(self, world):
        world.spawn("worker", self.work(world))

    def work(self, world):
        yield world.checkpoint()
        if self.source == "random":
            delay = random.randint(1, 3)
        elif self.source == "shuffle":
            delay = random.choice([1, 2])
        elif self.source == "time":
            delay = 1 if time.time() > 0 else 2
        elif self.source == "monotonic":
            delay = 1 if time.monotonic() > 0 else 2
        elif self.source == "urandom":
            delay = 1 + os.urandom(1)[0] % 2
        else:
            with detsim.allow_nondeterminism("a log line"):
                time.time()
            delay = 1
        yield world.timeout(delay)


@dataclass
class Hashy(detsim.Model):
    """Spawns in set order: a different PYTHONHASHSEED, a different schedule."""

    def setup(self, world):
        for name in {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"}:
            world.spawn(name, self.work(world))

    def work(self, world):
        yield world.checkpoint()
'''


@pytest.mark.parametrize("source, call", [("random", "random.randint()"), ("shuffle", "random.choice()"),
                                          ("time", "time.time()"), ("monotonic", "time.monotonic()"),
                                          ("urandom", "os.urandom()")])
def test_wall_clock_and_global_random_are_model_errors(project, source, call):
    project.write("models/leaky.py", LEAKS)
    outcome = project.detsim("check", "models.leaky:Leaky", "-p", f"source={source}", "--runs", "5")
    assert outcome.code == 2
    outcome.one_error_line(f"the model called {call} at models/leaky.py:", "world.choose",
                           "allow_nondeterminism")


def test_the_escape_hatch(project):
    project.write("models/leaky.py", LEAKS)
    outcome = project.detsim("check", "models.leaky:Leaky", "-p", "source=allowed", "--runs", "5")
    assert outcome.code == 0, outcome.err


def test_guards_are_removed_after_a_run():
    originals = (random.random, time.time, os.urandom)
    detsim.run(Forgetful(), detsim.Random(0))
    assert (random.random, time.time, os.urandom) == originals


_EXECUTIONS = []


@dataclass
class Forgetful(detsim.Model):
    """Remembers, across runs, how often it ran: the second execution of the same
    decisions spawns a different process (hidden state outside the decisions)."""

    def setup(self, world):
        _EXECUTIONS.append(1)
        world.spawn("a", self.work(world))
        world.spawn("b" if len(_EXECUTIONS) % VERIFY_EVERY else "c", self.work(world))

    def work(self, world):
        yield world.checkpoint()
        yield world.checkpoint()


def test_sampled_re_execution_catches_hidden_state():
    _EXECUTIONS.clear()
    with pytest.raises(NondeterminismError, match=f"run {VERIFY_EVERY - 1} re-executed"):
        detsim.check(Forgetful(), detsim.Random(0), runs=2 * VERIFY_EVERY)


def test_audit_flags_a_model_that_depends_on_hash_order(project):
    project.write("models/leaky.py", LEAKS)
    outcome = project.detsim("check", "models.leaky:Hashy", "--runs", "5", "--audit",
                             env={"PYTHONHASHSEED": "0"})
    assert outcome.code == 2
    outcome.one_error_line("audit: run 0 differs in a fresh process with PYTHONHASHSEED=1")


def test_audit_passes_a_deterministic_model(project):
    outcome = project.detsim("check", "models.counter:Counter", "-p", "bug=null", "--runs", "30", "--audit")
    assert outcome.code == 0, outcome.err
    assert "audit: all 30 run(s) identical in a fresh process with PYTHONHASHSEED=" in outcome.out

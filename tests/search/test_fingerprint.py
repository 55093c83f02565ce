"""Fingerprints of the complete world state: equal states agree, different ones differ,
the text is the same in every process, and what cannot be written out is said."""
import os
import subprocess
import sys
import threading
from dataclasses import dataclass

import pytest

import detsim
from detsim.campaign import execute
from detsim.engine import Recorder
from detsim.search._fingerprint import Unfingerprintable, collision_probability, fingerprint, state_text
from tests.search.soundness_models import Counter
from tests.support import Last


class Collect(Recorder):
    """The state text and fingerprint after every step of one run."""

    def __init__(self, absolute=True):
        self.absolute, self.texts, self.prints = absolute, [], []

    def attach(self, world, model):
        self.model = model

    def after_step(self, world):
        self.texts.append(state_text(world, self.model, self.absolute))
        self.prints.append(fingerprint(world, self.model, absolute=self.absolute))


def states_of(model, strategy=None):
    rec = Collect()
    execute(model, strategy or detsim.Fifo(), {}, recorder=rec)
    return rec


def test_the_same_run_gives_the_same_fingerprints():
    assert states_of(Counter(workers=2)).prints == states_of(Counter(workers=2)).prints


def test_every_step_of_a_counter_changes_the_state():
    # Each step moves a process (its position), the counter, or the due events.
    prints = states_of(Counter(workers=2)).prints
    assert len(set(prints)) == len(prints)


def test_model_fields_process_positions_and_locals_are_in_the_state():
    text = states_of(Counter(workers=2)).texts[2]
    assert "count int:0" in text.replace("\x1f", " ")
    assert "gen:soundness_models.py:Counter.worker" in text
    assert "seen" in text  # a local of a process that read the counter
    assert "@" in text


def test_which_process_ran_first_is_seen():
    fifo, last = states_of(Counter(workers=2)), states_of(Counter(workers=2), Last())
    assert fifo.prints[0] != last.prints[0]  # w0 started vs w1 started
    a, b = fifo.texts[0].split("\x1f"), last.texts[0].split("\x1f")
    assert len(a) == len(b) and sum(x != y for x, y in zip(a, b)) >= 2  # positions (and due events) differ


def test_time_is_relative_unless_asked_for():
    text = states_of(Counter(workers=2)).texts[0]
    assert text.startswith("now:0")
    rec = Collect(absolute=False)
    execute(Counter(workers=2), detsim.Fifo(), {}, recorder=rec)
    assert not rec.texts[0].startswith("now:") and rec.texts[0] in text


@dataclass
class Opaque(detsim.Model):
    def setup(self, world):
        self.lock = threading.Lock()  # a host lock: no fields to compare
        world.spawn("p", self.proc(world))

    def proc(self, world):
        yield world.checkpoint()


def test_an_object_without_fields_cannot_be_fingerprinted():
    class Raise(Collect):
        def after_step(self, world):
            with pytest.raises(Unfingerprintable, match="lock"):
                fingerprint(world, self.model)
            self.texts.append("checked")

    rec = Raise()
    execute(Opaque(), detsim.Fifo(), {}, recorder=rec)
    assert rec.texts


def test_the_text_does_not_depend_on_the_hash_seed():
    code = ("from tests.search.test_fingerprint import states_of; from tests.search.soundness_models import "
            "Philosophers; print(states_of(Philosophers(seats=2)).prints)")
    outs = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=os.getcwd())
        outs.add(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                check=True).stdout)
    assert len(outs) == 1 and outs.pop().startswith("[")


def test_collision_probability_is_tlc_s_estimate():
    assert collision_probability(1, 64) == 1 / 2 ** 65
    assert collision_probability(1_000_000, 64) == pytest.approx(1e12 / 2 ** 65)

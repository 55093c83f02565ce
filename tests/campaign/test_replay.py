"""Replay (``detsim.replay``): the round trip through a file (never skipped), the
model rebuilt from the trace alone, exceptions and model choices replayed, and
divergence reported at the first decision that differs."""
from dataclasses import dataclass
from fractions import Fraction

import pytest

import detsim
from tests.support import RacyCounter, edited, find_lost_update


@pytest.fixture(scope="module")
def found():
    return find_lost_update()


def same_violation(a, b):
    return (a.property, a.time, a.step, a.process, a.message) == (b.property, b.time, b.step, b.process, b.message)



# ---- round trip -------------------------------------------------------------------

def test_round_trip_through_a_file(found, tmp_path):
    path = found.trace.save(tmp_path / "failure.json")
    assert path.exists()
    replayed = detsim.replay(path)
    assert not replayed.ok
    assert same_violation(replayed.violation, found.violation)
    assert replayed.trace.decisions == found.trace.decisions
    assert replayed.trace.deviations() == found.trace.deviations()
    assert replayed.steps == found.trace.outcome["steps"]
    # The replay's own trace is a valid trace that replays again.
    again = detsim.replay(replayed.trace.save(tmp_path / "again.json"))
    assert same_violation(again.violation, found.violation)


def test_original_and_shrunk_traces_both_replay(found):
    for trace in (found.trace, found.original_trace):
        loaded = detsim.Trace.from_json(trace.to_json())
        result = detsim.replay(loaded)
        assert same_violation(result.violation, trace.violation)
        assert result.trace.decisions == trace.decisions
    assert len(found.original_trace.deviations()) > len(found.trace.deviations())


def test_replay_rebuilds_the_model_from_the_trace_alone(found, tmp_path):
    data = found.trace.to_dict()
    assert data["model"] == "tests.support:RacyCounter"
    assert data["params"] == {"workers": 3, "stagger": 1, "warmup": 8, "bug": "no-lock"}
    result = detsim.replay(found.trace.save(tmp_path / "t.json"))
    assert isinstance(result.model, RacyCounter) and result.model.count < 3


def test_a_passing_run_replays_as_passing(tmp_path):
    result = detsim.run(RacyCounter(bug=None), detsim.Random(5))
    assert result.ok and result.trace.decisions
    replayed = detsim.replay(result.trace.save(tmp_path / "ok.json"))
    assert replayed.ok and replayed.trace.decisions == result.trace.decisions


@dataclass
class Raiser(detsim.Model):
    """worker-b raises when it overtakes worker-a (a schedule or a choice deviation)."""

    bug: str | None = None

    def setup(self, world):
        self.a_done = False
        world.spawn("worker-a", self.a(world))
        world.spawn("worker-b", self.b(world))

    def a(self, world):
        yield world.timeout(world.choose("a delay", [0, 1]))  # a model-level choice in the trace
        self.a_done = True

    def b(self, world):
        yield world.checkpoint()
        if not self.a_done:
            raise ValueError("b overtook a")


def test_exception_violation_replays(tmp_path):
    assert detsim.run(Raiser()).ok
    found = detsim.check(Raiser(), detsim.Random(0), runs=100)
    assert not found.ok and found.violation.property == "ValueError"
    assert found.violation.process == "worker-b" and "b overtook a" in found.violation.message
    replayed = detsim.replay(found.trace.save(tmp_path / "raise.json"))
    assert same_violation(replayed.violation, found.violation)
    assert replayed.violation.error == "ValueError"
    assert "a delay" in {d.label for d in replayed.trace.decisions}
    assert replayed.trace.decisions == found.trace.decisions


def test_settings_with_fraction_horizon_round_trip(tmp_path):
    result = detsim.run(RacyCounter(bug=None), detsim.Random(0), horizon=Fraction(5, 2))
    path = result.trace.save(tmp_path / "fraction.json")
    replayed = detsim.replay(path)
    assert replayed.trace.decisions == result.trace.decisions



# ---- divergence -------------------------------------------------------------------

def test_edited_count_diverges_at_that_decision(found):
    """Version 2 stores the count and two names: a different count is a different question."""
    pos = 5
    real = found.trace.decisions[pos]

    def recount(data):
        data["decisions"][pos]["count"] += 1

    with pytest.raises(detsim.ReplayDivergence) as info:
        detsim.replay(edited(found.trace, recount))
    message = str(info.value)
    assert f"decision #{pos}" in message and f"step {real.step}" in message
    assert f"among {real.count + 1} candidates (default {real.default!r})" in message  # as recorded
    assert str(list(real.candidates)) in message  # the actual candidates
    assert "\n" not in message


def test_edited_default_name_diverges(found):
    pos = next(i for i, d in enumerate(found.trace.decisions) if d.chosen)

    def rename(data):
        data["decisions"][pos]["default"] = "worker-9"

    with pytest.raises(detsim.ReplayDivergence, match=rf"decision #{pos} .*default 'worker-9'"):
        detsim.replay(edited(found.trace, rename))


def test_edited_candidates_diverge_at_that_decision(found):
    """Version 1 stored every name: any renamed candidate is a divergence."""
    pos = 5
    real = found.trace.decisions[pos]

    def rename(data):
        data["decisions"][pos]["candidates"][1] = "worker-9"

    with pytest.raises(detsim.ReplayDivergence) as info:
        detsim.replay(edited(found.trace, rename, version=1))
    message = str(info.value)
    assert f"decision #{pos}" in message
    assert f"step {real.step}" in message
    assert "'worker-9'" in message  # the expected (recorded) candidates
    assert str(list(real.candidates)) in message  # the actual candidates
    assert "\n" not in message


def test_edited_label_diverges_at_that_decision(found):
    pos = 3

    def relabel(data):
        data["decisions"][pos]["label"] = "network"

    with pytest.raises(detsim.ReplayDivergence, match=rf"decision #{pos} .*expected 'network'"):
        detsim.replay(edited(found.trace, relabel))


def test_edited_chosen_diverges(found):
    pos = 4
    real = found.trace.decisions[pos]
    assert real.chosen == 0

    def rechoose(data):
        data["decisions"][pos].update(chosen=1, choice=real.candidates[1])

    with pytest.raises(detsim.ReplayDivergence) as info:
        detsim.replay(edited(found.trace, rechoose))
    number = int(str(info.value).split("decision #")[1].split(" ")[0])
    assert number > pos  # the edited decision is taken; the run then asks other questions


def test_an_edited_index_must_name_its_candidate(found):
    """Version 2 stores the chosen name beside the index: an index edited alone no longer
    names the candidate the run would take there, and replay says so at that decision."""
    pos = 4

    def rechoose(data):
        data["decisions"][pos]["chosen"] = 1

    with pytest.raises(detsim.ReplayDivergence, match=rf"decision #{pos} "):
        detsim.replay(edited(found.trace, rechoose))


def test_extra_decisions_diverge(found):
    extra = len(found.trace.decisions)

    def append(data):
        data["decisions"].append({"step": 999, "time": 0, "label": "schedule", "kind": "schedule",
                                  "count": 2, "choice": "worker-1", "default": "worker-0", "chosen": 1})

    with pytest.raises(detsim.ReplayDivergence, match=rf"decision #{extra}\b.*'worker-1'"):
        detsim.replay(edited(found.trace, append))


def test_too_few_decisions_diverge(found):
    kept = len(found.trace.decisions) - 3

    def drop(data):
        del data["decisions"][kept:]

    with pytest.raises(detsim.ReplayDivergence, match=rf"decision #{kept} .*only {kept} decisions"):
        detsim.replay(edited(found.trace, drop))


def test_a_model_that_changed_diverges(found):
    def change(data):
        data["params"]["warmup"] = 3

    with pytest.raises(detsim.ReplayDivergence, match=r"decision #\d+"):
        detsim.replay(edited(found.trace, change))

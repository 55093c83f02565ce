"""The trace file: what a trace records, and loading hand-edited, truncated, garbage,
pickled or missing files as one-line TraceFormatErrors; strings in a trace are
never evaluated."""
import builtins
import copy
import json
import pickle
from fractions import Fraction

import pytest

import detsim
from detsim.cli import main as cli_main
from tests.support import BAD_EDITS, RacyCounter, find_lost_update, write_edited


@pytest.fixture(scope="module")
def found():
    return find_lost_update()


def test_a_trace_records_format_strategy_outcome_and_decisions(found):
    data = found.trace.to_dict()
    assert data["format"] == "detsim-trace" and data["version"] == 2 and data["detsim"] == detsim.__version__
    assert data["strategy"]["name"] == "shrunk" and data["strategy"]["from"]["name"] == "random"
    assert data["outcome"]["ok"] is False and data["outcome"]["violation"]["property"] == "no lost update"
    assert data["decisions"]
    for d, decision in zip(data["decisions"], found.trace.decisions):
        # version 2: the count and two names, never the candidate list
        assert set(d) == {"step", "time", "label", "kind", "count", "chosen", "choice", "default"}
        assert d["count"] == len(decision.candidates) >= 2
        assert d["choice"] == decision.candidates[d["chosen"]] and d["default"] == decision.candidates[0]


def test_version_2_round_trips_and_replays(found, tmp_path):
    path = found.trace.save(tmp_path / "v2.json")
    loaded = detsim.Trace.load(path)
    assert loaded == found.trace and loaded.to_json() == found.trace.to_json()
    assert all(d.candidates is None for d in loaded.decisions)  # not stored: rebuilt by re-execution
    assert [(d.count, d.chosen, d.choice, d.default) for d in loaded.decisions] == \
        [(len(d.candidates), d.chosen, d.choice, d.candidates[0]) for d in found.trace.decisions]
    replayed = detsim.replay(path)
    assert replayed.violation.property == "no lost update"
    assert replayed.trace.decisions == found.trace.decisions
    assert [d.candidates for d in replayed.trace.decisions] == [d.candidates for d in found.trace.decisions]


def test_a_run_saves_version_2_straight_from_the_world(found, tmp_path):
    """A run's trace is written from the World's compact record; reading its decisions
    first (which lists every candidate) writes exactly the same file."""
    fresh = detsim.run(RacyCounter(bug="no-lock"), detsim.Random(3))
    lean = fresh.trace.to_json()
    assert fresh.trace._decisions is None  # nothing was built for the decisions
    assert len(fresh.trace.decisions) == len(fresh.world.decisions) > 0
    assert fresh.trace.to_json() == lean


V1_FIXTURE = {
    "format": "detsim-trace", "version": 1, "detsim": "0.1.0",
    "model": "tests.support:RacyCounter", "params": {"bug": "no-lock"},
    "strategy": {"name": "random", "seed": 0, "run": 0}, "settings": {},
    "outcome": {"ok": True, "end": "quiescent", "steps": 5, "time": 0, "violation": None},
    "decisions": [
        {"step": 0, "time": 0, "label": "schedule", "kind": "schedule",
         "candidates": ["w0", "w1"], "chosen": 1},
        {"step": 3, "time": "1/2", "label": "drop n1->n2 #3", "candidates": ["deliver", "drop"], "chosen": 0},
    ],
}


def test_a_version_1_file_still_loads(tmp_path):
    """A file written by a detsim before version 2: every candidate's name, and (second
    decision) no kind at all, recovered from the label as those versions did."""
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(V1_FIXTURE), encoding="utf-8")
    trace = detsim.Trace.load(path)
    first, second = trace.decisions
    assert (first.candidates, first.count, first.choice, first.default, first.kind) == \
        (("w0", "w1"), 2, "w1", "w0", "schedule")
    assert (second.kind, second.time, second.choice, second.count) == ("fault", Fraction(1, 2), "deliver", 2)
    assert trace.to_dict(version=1)["decisions"] == [
        {**V1_FIXTURE["decisions"][0]}, {**V1_FIXTURE["decisions"][1], "kind": "fault"}]
    again = detsim.Trace.from_json(trace.to_json())  # saved again: version 2
    assert json.loads(trace.to_json())["version"] == 2 and again == trace
    assert again.decisions[0].candidates is None and again.decisions[0].matches("schedule", ("w0", "w1"))


def test_a_version_1_trace_replays_like_its_version_2(found, tmp_path):
    v1 = tmp_path / "v1.json"
    v1.write_text(found.trace.to_json(version=1), encoding="utf-8")
    assert json.loads(v1.read_text())["version"] == 1
    assert detsim.Trace.load(v1) == found.trace
    assert detsim.replay(v1).trace.to_json() == detsim.replay(found.trace.save(tmp_path / "v2.json")).trace.to_json()


def test_version_1_cannot_be_written_without_the_names(tmp_path):
    path = tmp_path / "v2.json"
    path.write_text(json.dumps({**V1_FIXTURE, "version": 2, "decisions": [
        {"step": 0, "time": 0, "label": "schedule", "kind": "schedule", "count": 2, "chosen": 1,
         "choice": "w1", "default": "w0"}]}), encoding="utf-8")
    trace = detsim.Trace.load(path)
    with pytest.raises(ValueError, match="every candidate's name"):
        trace.to_dict(version=1)
    with pytest.raises(ValueError, match="cannot be written"):
        trace.to_dict(version=3)


def test_a_version_2_decision_matches_by_count_choice_and_default(tmp_path):
    d = detsim.Decision.lean(4, 0, "schedule", "schedule", 3, 2, "c", "a")
    assert d.matches("schedule", ("a", "b", "c")) and d.matches("schedule", ("a", "x", "c"))
    assert not d.matches("schedule", ("a", "b", "c", "d"))  # another count
    assert not d.matches("schedule", ("b", "a", "c"))  # another default
    assert not d.matches("schedule", ("a", "c", "b"))  # another choice
    assert not d.matches("choice", ("a", "b", "c"))  # another label
    assert str(d) == "step 4 t=0 schedule: chose 'c' (#2 of 3; default 'a')"
    assert d == detsim.Decision(4, 0, "schedule", ("a", "b", "c"), 2, "schedule")


@pytest.mark.parametrize("name", list(BAD_EDITS))
def test_hand_edited_traces_are_format_errors(found, tmp_path, name):
    path = write_edited(found.trace, name, tmp_path / "bad.json")
    with pytest.raises(detsim.TraceFormatError) as info:
        detsim.Trace.load(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)
    with pytest.raises(detsim.TraceFormatError):
        detsim.replay(path)


def test_malformed_outcome_violation_is_a_format_error(found, tmp_path, capsys):
    """A hand-edited outcome must be rejected on load, not crash ``show`` with a KeyError."""
    data = copy.deepcopy(found.trace.to_dict())
    data["outcome"]["violation"] = {"x": 1}
    path = tmp_path / "bad-outcome.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert cli_main(["show", str(path)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    with pytest.raises(detsim.TraceFormatError):
        detsim.Trace.load(path)


@pytest.mark.parametrize("content", ["", "{", "[]", "null", "42", "not json at all"],
                         ids=["empty", "brace", "list", "null", "number", "text"])
def test_garbage_files_are_format_errors(tmp_path, content):
    path = tmp_path / "garbage.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(detsim.TraceFormatError):
        detsim.Trace.load(path)


def test_truncated_trace_is_a_format_error(found, tmp_path):
    text = found.trace.to_json()
    for cut in (len(text) // 3, len(text) // 2, len(text) - 5):
        path = tmp_path / f"cut{cut}.json"
        path.write_text(text[:cut], encoding="utf-8")
        with pytest.raises(detsim.TraceFormatError, match="not valid JSON"):
            detsim.replay(path)


def test_missing_file_is_a_format_error(tmp_path):
    with pytest.raises(detsim.TraceFormatError, match="cannot read"):
        detsim.replay(tmp_path / "nope.json")


def test_a_pickled_trace_is_rejected_not_unpickled(found, tmp_path, monkeypatch):
    path = tmp_path / "trace.pickle"
    path.write_bytes(pickle.dumps(found.trace.to_dict()))

    def forbidden(*args, **kwargs):
        raise AssertionError("a trace was unpickled")

    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(pickle, "load", forbidden)
    with pytest.raises(detsim.TraceFormatError):
        detsim.Trace.load(path)


def test_expression_strings_stay_strings(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    result = detsim.run(RacyCounter(bug=payload), detsim.Random(0))
    assert result.ok  # an unknown bug name means the correct (locked) variant
    path = result.trace.save(tmp_path / "payload.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["decisions"][0]["label"] = payload  # also a string where the engine reads labels
    data["outcome"]["time"] = payload
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(data), encoding="utf-8")

    real_eval, real_exec = builtins.eval, builtins.exec

    def no_eval(source, *args, **kwargs):
        if isinstance(source, str) and "pwned" in source:
            raise AssertionError("a trace string was evaluated")
        return real_eval(source, *args, **kwargs)

    def no_exec(source, *args, **kwargs):
        if isinstance(source, str) and "pwned" in source:
            raise AssertionError("a trace string was executed")
        return real_exec(source, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", no_eval)
    monkeypatch.setattr(builtins, "exec", no_exec)
    loaded = detsim.Trace.load(path)
    assert loaded.params["bug"] == payload
    replayed = detsim.replay(path)
    assert replayed.model.bug == payload and replayed.ok
    odd = detsim.Trace.load(tampered)
    assert odd.decisions[0].label == payload and odd.outcome["time"] == payload
    with pytest.raises(detsim.ReplayDivergence):
        detsim.replay(odd)
    assert not marker.exists()

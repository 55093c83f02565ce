"""The trace file: what a trace records, and loading hand-edited, truncated, garbage,
pickled or missing files as one-line TraceFormatErrors; strings in a trace are
never evaluated."""
import builtins
import copy
import json
import pickle

import pytest

import detsim
from detsim.cli import main as cli_main
from tests.support import BAD_EDITS, RacyCounter, find_lost_update, write_edited


@pytest.fixture(scope="module")
def found():
    return find_lost_update()


def test_a_trace_records_format_strategy_outcome_and_decisions(found):
    data = found.trace.to_dict()
    assert data["format"] == "detsim-trace" and data["version"] == 1 and data["detsim"] == detsim.__version__
    assert data["strategy"]["name"] == "shrunk" and data["strategy"]["from"]["name"] == "random"
    assert data["outcome"]["ok"] is False and data["outcome"]["violation"]["property"] == "no lost update"
    for d in data["decisions"]:
        assert set(d) >= {"step", "time", "label", "candidates", "chosen"}


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

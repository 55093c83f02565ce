"""Replay round trip (never skipped), divergence, and malformed traces."""
import builtins
import copy
import json
import pickle
import shutil
import subprocess
import sys
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pytest

import detsim
from detsim.cli import main as cli_main
from models.lost_update import LostUpdate

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def found():
    result = detsim.check(LostUpdate(), detsim.Random(0), runs=200, shrink=True)
    assert not result.ok and result.violation.property == "no lost update"
    return result


def same_violation(a, b):
    return (a.property, a.time, a.step, a.process, a.message) == (b.property, b.time, b.step, b.process, b.message)


# ---- round trip ----------------------------------------------------------------

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
    assert data["model"] == "models.lost_update:LostUpdate"
    assert data["params"] == {"workers": 3, "stagger": 1, "warmup": 8, "bug": "no-lock"}
    assert data["format"] == "detsim-trace" and data["version"] == 1 and data["detsim"] == detsim.__version__
    assert data["strategy"]["name"] == "shrunk" and data["strategy"]["from"]["name"] == "random"
    assert data["outcome"]["ok"] is False and data["outcome"]["violation"]["property"] == "no lost update"
    for d in data["decisions"]:
        assert set(d) >= {"step", "time", "label", "candidates", "chosen"}
    result = detsim.replay(found.trace.save(tmp_path / "t.json"))
    assert isinstance(result.model, LostUpdate) and result.model.count < 3


def test_a_passing_run_replays_as_passing(tmp_path):
    result = detsim.run(LostUpdate(bug=None), detsim.Random(5))
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
    result = detsim.run(LostUpdate(bug=None), detsim.Random(0), horizon=Fraction(5, 2))
    path = result.trace.save(tmp_path / "fraction.json")
    replayed = detsim.replay(path)
    assert replayed.trace.decisions == result.trace.decisions


def run_cli(*args, console_script=False):
    exe = [shutil.which("detsim")] if console_script else [sys.executable, "-m", "detsim"]
    return subprocess.run(exe + list(args), cwd=REPO, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("console_script", [False, True], ids=["python-m", "console-script"])
def test_cli_replay_reproduces_and_exits_1(found, tmp_path, console_script):
    if console_script:
        assert shutil.which("detsim"), "the detsim console script is not installed"
    path = found.trace.save(tmp_path / "cli.json")
    proc = run_cli("replay", str(path), console_script=console_script)
    assert proc.returncode == 1, proc.stderr
    assert "replay reproduced" in proc.stdout and "no lost update" in proc.stdout


def test_cli_replay_of_a_passing_trace_exits_0(tmp_path):
    path = detsim.run(LostUpdate(bug=None), detsim.Random(2)).trace.save(tmp_path / "ok.json")
    assert cli_main(["replay", str(path)]) == 0


# ---- divergence ----------------------------------------------------------------

def edited(trace, edit):
    data = copy.deepcopy(trace.to_dict())
    edit(data)
    return detsim.Trace.from_dict(data)


def test_edited_candidates_diverge_at_that_decision(found):
    pos = 5
    real = found.trace.decisions[pos]

    def rename(data):
        data["decisions"][pos]["candidates"][1] = "worker-9"

    with pytest.raises(detsim.ReplayDivergence) as info:
        detsim.replay(edited(found.trace, rename))
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
        data["decisions"][pos]["chosen"] = 1

    with pytest.raises(detsim.ReplayDivergence) as info:
        detsim.replay(edited(found.trace, rechoose))
    number = int(str(info.value).split("decision #")[1].split(" ")[0])
    assert number > pos  # the edited decision is taken; the run then asks other questions


def test_extra_decisions_diverge(found):
    extra = len(found.trace.decisions)

    def append(data):
        data["decisions"].append({"step": 999, "time": 0, "label": "schedule",
                                  "candidates": ["worker-0", "worker-1"], "chosen": 1})

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


def test_cli_divergence_is_a_one_line_error(found, tmp_path):
    trace = edited(found.trace, lambda d: d["decisions"][2].__setitem__("label", "bogus"))
    path = trace.save(tmp_path / "diverged.json")
    proc = run_cli("replay", str(path))
    # The issue lists a divergent trace under "bad input gets exit code 2".
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "decision #2" in proc.stderr


# ---- malformed traces -----------------------------------------------------------

def _set(path, value):
    def edit(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return edit


def _delete(path):
    def edit(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return edit


BAD_EDITS = {
    "wrong format": _set(["format"], "pickle"),
    "wrong version": _set(["version"], 99),
    "missing format": _delete(["format"]),
    "missing decisions": _delete(["decisions"]),
    "missing model": _delete(["model"]),
    "model not module:Class": _set(["model"], "LostUpdate"),
    "params not an object": _set(["params"], [1, 2]),
    "decision missing chosen": _delete(["decisions", 0, "chosen"]),
    "decision missing candidates": _delete(["decisions", 0, "candidates"]),
    "chosen out of range": _set(["decisions", 0, "chosen"], 3),
    "chosen negative": _set(["decisions", 0, "chosen"], -1),
    "chosen a string": _set(["decisions", 0, "chosen"], "1"),
    "chosen a bool": _set(["decisions", 0, "chosen"], True),
    "candidates not strings": _set(["decisions", 0, "candidates"], [1, 2, 3]),
    "one candidate": _set(["decisions", 0, "candidates"], ["worker-0"]),
    "decision not an object": _set(["decisions", 0], "step 0"),
    "time not a number": _set(["decisions", 0, "time"], "soon"),
    "time divides by zero": _set(["decisions", 0, "time"], "1/0"),
}


@pytest.mark.parametrize("name", list(BAD_EDITS))
def test_hand_edited_traces_are_format_errors(found, tmp_path, name):
    data = copy.deepcopy(found.trace.to_dict())
    BAD_EDITS[name](data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
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
    result = detsim.run(LostUpdate(bug=payload), detsim.Random(0))
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


# ---- the CLI on bad traces ------------------------------------------------------

@pytest.mark.parametrize("name", ["wrong version", "chosen out of range", "missing decisions"])
def test_cli_bad_trace_exits_2_with_one_line(found, tmp_path, name):
    data = copy.deepcopy(found.trace.to_dict())
    BAD_EDITS[name](data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    proc = run_cli("replay", str(path))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("detsim: error:") and str(path) in lines[0]
    assert proc.stdout == ""


@pytest.mark.parametrize("command", ["replay", "show"])
@pytest.mark.parametrize("name", list(BAD_EDITS))
def test_cli_in_process_bad_trace_exits_2(found, tmp_path, capsys, command, name):
    data = copy.deepcopy(found.trace.to_dict())
    BAD_EDITS[name](data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert cli_main([command, str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1


def test_cli_truncated_and_binary_traces_exit_2(found, tmp_path, capsys):
    cut = tmp_path / "cut.json"
    cut.write_text(found.trace.to_json()[:100], encoding="utf-8")
    binary = tmp_path / "trace.bin"
    binary.write_bytes(pickle.dumps(found.trace.to_dict()))
    for path in (cut, binary, tmp_path / "missing.json"):
        assert cli_main(["replay", str(path)]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "error" in err


def test_cli_unknown_model_in_trace_exits_2(found, tmp_path, capsys):
    data = found.trace.to_dict()
    data["model"] = "models.no_such_model:Nothing"
    path = tmp_path / "unknown.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert cli_main(["replay", str(path)]) == 2
    assert "no_such_model" in capsys.readouterr().err

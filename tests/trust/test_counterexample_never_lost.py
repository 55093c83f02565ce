"""1. A found counterexample is never lost: wherever the trace cannot be written, the
report is printed, the trace goes to a fallback place that the message names (or is
printed as JSON), and the exit code stays 1."""
import json

import pytest

from detsim import cli
from detsim.campaign import save_safely
from detsim.trace import Trace

from .conftest import COUNTER


def test_out_is_a_directory(project):
    (project.root / "here").mkdir()
    outcome = project.detsim("check", "models.counter:Counter", "--runs", "50", "--out", "here")
    assert outcome.code == 1 and "Traceback" not in outcome.err
    assert 'property "no lost update" violated' in outcome.out
    assert "detsim: warning: cannot write here" in outcome.err
    saved = list((project.root / ".detsim" / "failures").glob("counter-no-lost-update-*.json"))
    assert len(saved) == 1 and f"detsim replay .detsim/failures/{saved[0].name}" in outcome.out
    assert Trace.load(saved[0]).violation.property == "no lost update"


def test_out_under_a_file_and_no_failures_folder_falls_back_to_the_temporary_folder(project):
    (project.root / "plain").write_text("a file, not a folder")
    (project.root / ".detsim").write_text("a file where the failures folder should be")
    outcome = project.detsim("check", "models.counter:Counter", "--runs", "50", "--out", "plain/t.json")
    assert outcome.code == 1 and "Traceback" not in outcome.err
    assert "cannot write plain/t.json" in outcome.err and "cannot write .detsim/failures" in outcome.err
    replay_line = next(line for line in outcome.out.splitlines() if "replay: detsim replay" in line)
    path = replay_line.split("detsim replay ", 1)[1].strip("'")
    assert "detsim-failures" in path and Trace.load(path).violation.property == "no lost update"


def test_nowhere_writable_prints_the_trace_as_json(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)

    def full_disk(self, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Trace, "save", full_disk)
    (tmp_path / "nowhere_models").mkdir()
    (tmp_path / "nowhere_models" / "counter.py").write_text(COUNTER)
    monkeypatch.syspath_prepend(str(tmp_path))
    code = cli.main(["check", "nowhere_models.counter:Counter", "--runs", "50"])
    out, err = capsys.readouterr()
    assert code == 1 and "No space left on device" in err and "here it is as JSON" in err
    start = out.index("{\n")
    trace = Trace.from_json(out[start:out.index("\n}\n", start) + 3])
    assert trace.violation.property == "no lost update"


def test_save_safely_names_every_place_it_tried(project, tmp_path):
    trace = Trace.load(project.failing_trace())
    blocker = tmp_path / "file"
    blocker.write_text("x")
    saved = save_safely(trace, out=blocker / "a.json", directory=blocker / "failures")
    assert saved.path is not None and saved.path.is_file()
    assert str(blocker / "a.json") in saved.note and str(blocker / "failures") in saved.note
    assert json.loads(saved.path.read_text())["model"] == trace.model


PASSING_FINDS = '''
from models.counter import Counter


def test_found(campaign):
    result = campaign.finds(Counter(), "no lost update", within=50)
    assert result.path is None
'''


@pytest.mark.parametrize("failures_folder", ["absent", "a file"])
def test_a_passing_finds_saves_nothing_and_never_fails_over_saving(project, failures_folder):
    if failures_folder == "a file":
        (project.root / ".detsim").write_text("not a folder")
    project.write("test_found.py", PASSING_FINDS)
    outcome = project.detsim_pytest("test_found.py")
    assert outcome.code == 0, outcome.out
    assert not (project.root / ".detsim" / "failures").exists()



FLAKY = '''
from dataclasses import dataclass
import detsim

EXECUTIONS = []  # hidden state outside the decisions: the model is nondeterministic


@dataclass
class Flaky(detsim.Model):
    """Fails on every execution but the 2nd (mode "all-but-second") or on its 1st only
    ("first"); an execution that does not fail spawns "c" where a failing one spawns
    "b", so a re-execution differs from the first decision on."""
    mode: str = "all-but-second"

    def setup(self, world):
        EXECUTIONS.append(1)
        n = len(EXECUTIONS)
        self.bad = n != 2 if self.mode == "all-but-second" else n == 1
        world.spawn("a", self.work(world))
        world.spawn("b" if self.bad else "c", self.work(world))

    def work(self, world):
        yield world.checkpoint()
        yield world.checkpoint()

    def properties(self):
        return [detsim.always("fine", lambda m: not m.bad)]
'''


def _kept(project, line: str) -> Trace:
    path = line.rsplit("trace of the run: ", 1)[1].rstrip(")")
    return Trace.load(project.root / path)


def test_a_lean_failing_run_that_does_not_repeat_is_run_again_in_full(project):
    """The run failed with a lean record; rebuilding its decisions (the 2nd execution)
    differs, so it is executed once more in full (the 3rd, which fails again) and that
    failing execution's trace is saved, with the schedule named. The failed rebuild is
    not tried again (one more execution could only tell another story). No shrinking,
    so that the executions are just these three."""
    project.write("models/flaky.py", FLAKY)
    outcome = project.detsim("check", "models.flaky:Flaky", "--runs", "5", "--seed", "3", "--no-shrink")
    assert outcome.code == 2, outcome.err
    line = outcome.one_error_line("the model is nondeterministic", "the failing schedule was run 0 of Random(3)",
                                  "executed once more in full it failed again", "trace of the run: ")
    kept = _kept(project, line)
    assert kept.violation.property == "fine" and kept.decisions


def test_a_full_record_failing_run_that_does_not_repeat_is_kept_as_first_executed(project):
    """--audit records every run in full: the run as first executed is what is saved."""
    project.write("models/flaky.py", FLAKY)
    outcome = project.detsim("check", "models.flaky:Flaky", "-p", "mode=first", "--runs", "5", "--seed", "3",
                             "--audit")
    assert outcome.code == 2, outcome.err
    line = outcome.one_error_line("the failing schedule was run 0 of Random(3)",
                                  "its trace as first executed is saved", "trace of the run: ")
    kept = _kept(project, line)
    assert kept.violation.property == "fine" and [d.chosen for d in kept.decisions]


def test_a_failing_run_that_never_fails_again_is_still_named(project):
    project.write("models/flaky.py", FLAKY)
    outcome = project.detsim("check", "models.flaky:Flaky", "-p", "mode=first", "--runs", "5", "--seed", "3")
    assert outcome.code == 2, outcome.err
    line = outcome.one_error_line("the failing schedule was run 0 of Random(3)",
                                  "executed once more in full it did not fail, so there is no failing trace")
    assert "trace of the run" not in line


def test_a_worker_s_failing_run_that_does_not_repeat_is_named_by_the_parent(project):
    """A worker rebuilds the failing run's decisions where it ran; when they differ,
    the parent names the run and executes it once more itself."""
    project.write("models/flaky.py", FLAKY)
    outcome = project.detsim("check", "models.flaky:Flaky", "-p", "mode=first", "--runs", "400", "--seed", "3",
                             "--workers", "2")
    assert outcome.code == 2, outcome.err
    outcome.one_error_line("the model is nondeterministic", "the failing schedule was run 0 of Random(3)",
                           "executed once more in full")

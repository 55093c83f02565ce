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

"""The command line, run as ``python -m detsim`` and as the ``detsim`` console script."""
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import detsim
from detsim.cli import main as cli_main
from models.lost_update import LostUpdate

REPO = Path(__file__).resolve().parents[1]
MODEL = "models.lost_update:LostUpdate"


def console_script():
    path = shutil.which("detsim")
    assert path, "the detsim console script is not on PATH (pip install -e .)"
    return [path]


LAUNCHERS = {"python-m": lambda: [sys.executable, "-m", "detsim"], "console-script": console_script}


@pytest.fixture(params=sorted(LAUNCHERS))
def detsim_cli(request):
    prefix = LAUNCHERS[request.param]()

    def run(*args):
        return subprocess.run(prefix + [str(a) for a in args], cwd=REPO, capture_output=True, text=True,
                              timeout=120)
    return run


def replay_path(stdout):
    match = re.search(r"^  replay: detsim replay (\S+)$", stdout, re.M)
    assert match, stdout
    return REPO / match.group(1)


def test_check_finds_the_lost_update_and_prints_a_replay_command(detsim_cli, request):
    # A different seed per launcher, so parallel workers never write the same failure file.
    seed = {"python-m": "0", "console-script": "1"}[request.node.callspec.params["detsim_cli"]]
    proc = detsim_cli("check", MODEL, "--runs", "50", "--seed", seed)
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    assert 'property "no lost update" violated' in out
    assert "deviations from the default schedule" in out and "1-minimal" in out
    path = replay_path(out)
    assert path.exists() and path.parent == REPO / ".detsim" / "failures"
    trace = detsim.Trace.load(path)
    assert trace.violation.property == "no lost update" and trace.model == MODEL
    replay = detsim_cli("replay", path)
    assert replay.returncode == 1 and "replay reproduced" in replay.stdout


def test_check_out_and_show(detsim_cli, tmp_path):
    out = tmp_path / "found.json"
    proc = detsim_cli("check", MODEL, "--runs", "50", "--seed", "3", "--strategy", "pct", "--out", out)
    assert proc.returncode == 1
    assert replay_path(proc.stdout) == out and out.exists()
    assert json.loads(out.read_text())["strategy"]["from"]["name"] == "pct"
    show = detsim_cli("show", out)
    assert show.returncode == 1
    assert "model models.lost_update:LostUpdate" in show.stdout
    assert "no lost update" in show.stdout and "#" in show.stdout


def test_correct_variant_holds(detsim_cli):
    proc = detsim_cli("check", MODEL, "--runs", "50", "-p", "bug=null")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "held over 50 schedules" in proc.stdout


@pytest.mark.parametrize("args, expected", [
    (["check", "models.no_such_model:X"], "cannot import model module"),
    (["check", "models.lost_update:NoSuchClass"], "has no model class"),
    (["check", "lost_update"], "MODULE:CLASS"),
    (["check", MODEL, "-p", "nosuch=1"], "has no parameter nosuch"),
    (["check", MODEL, "-p", "bug"], "-p expects key=value"),
    (["check", MODEL, "-p", "=3"], "-p expects key=value"),
    (["replay", "/nonexistent/trace.json"], "cannot read trace"),
], ids=["module", "class", "no-colon", "parameter", "malformed-p", "empty-key", "missing-trace"])
def test_usage_errors_exit_2_with_one_line(detsim_cli, args, expected):
    proc = detsim_cli(*args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("detsim: error:") and expected in lines[0]
    assert proc.stdout == ""


def test_argparse_errors_exit_2(capsys):
    assert cli_main(["check", MODEL, "--runs", "many"]) == 2
    assert cli_main(["frobnicate"]) == 2
    assert cli_main([]) == 2
    assert cli_main(["--help"]) == 0
    capsys.readouterr()


def test_parameters_are_json_or_bare_strings(capsys):
    assert cli_main(["check", MODEL, "--runs", "20", "-p", "bug=null", "-p", "workers=2"]) == 0
    assert "held over 20 schedules" in capsys.readouterr().out
    # a bare word is a string: an unknown bug name means the correct variant here
    assert cli_main(["check", MODEL, "--runs", "5", "-p", "bug=something-else"]) == 0
    assert cli_main(["check", MODEL, "--runs", "5", "-p", "workers=two"]) == 2
    assert "setup() raised TypeError" in capsys.readouterr().err


def test_strategies_and_no_shrink(tmp_path, capsys):
    for strategy in ("random", "pct", "dfs"):
        out = tmp_path / f"{strategy}.json"
        assert cli_main(["check", MODEL, "--runs", "300", "--strategy", strategy, "--out", str(out)]) == 1
        assert detsim.Trace.load(out).violation.property == "no lost update"
    assert cli_main(["check", MODEL, "--strategy", "fifo", "--runs", "5"]) == 0
    out = capsys.readouterr().out
    assert "held over 1 schedules" in out and "every schedule explored" not in out  # the bug is there
    out = tmp_path / "raw.json"
    assert cli_main(["check", MODEL, "--runs", "300", "--no-shrink", "--out", str(out)]) == 1
    assert "shrunk from" not in capsys.readouterr().out
    assert detsim.Trace.load(out).strategy["name"] == "random"


@dataclass
class Shown(detsim.Model):
    """A model with a ``show`` hook, for ``detsim show``."""

    bug: str | None = None

    def setup(self, world):
        self.visits = []
        for name in ("x", "y"):
            world.spawn(name, self.visit(world, name))

    def visit(self, world, name):
        yield world.checkpoint()
        self.visits.append(name)

    def show(self, result):
        return "visits: " + " ".join(result.model.visits)


def test_show_calls_the_model_show_hook(tmp_path, capsys):
    path = detsim.run(Shown(), detsim.Random(0)).trace.save(tmp_path / "shown.json")
    assert cli_main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "outcome: held" in out and re.search(r"^visits: [xy] [xy]$", out, re.M)


def test_show_of_a_passing_lost_update_trace_exits_0(tmp_path, capsys):
    path = detsim.run(LostUpdate(bug=None), detsim.Random(0)).trace.save(tmp_path / "ok.json")
    assert cli_main(["show", str(path)]) == 0
    assert "outcome: held" in capsys.readouterr().out



def test_check_prints_the_fault_table_only_for_models_with_faults(capsys):
    assert cli_main(["check", "models.lease:Lease", "--runs", "5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("models.lease:Lease: held over 5 schedules\n")
    assert "fault coverage: 5 run(s) with a fault plan of 5" in out and re.search(r"^  crash +\d+ +\d+$", out, re.M)
    assert cli_main(["check", MODEL, "--runs", "5", "-p", "bug=null"]) == 0
    assert capsys.readouterr().out == f"{MODEL}: held over 5 schedules\n"  # fault-free: unchanged

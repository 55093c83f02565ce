"""The command line, run as ``python -m detsim`` and as the ``detsim`` console script
(subprocesses, from the repository root) and in process: check, show, replay,
parameters, exit codes (0 held, 1 violation, 2 usage or input error)."""
import json
import pickle
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import detsim
from detsim.cli import main as cli_main
from tests.support import BAD_EDITS, REPO, RacyCounter, edited, find_lost_update, write_edited

MODEL = "tests.support:RacyCounter"
FAULTY_MODEL = f"{__name__}:Heartbeats"


def console_script():
    """The script pip installed beside this interpreter (the venv's bin/), so the suite
    runs as the README says, without activating the venv."""
    beside = Path(sys.executable).with_name("detsim")
    path = str(beside) if beside.is_file() else shutil.which("detsim")
    assert path, "the detsim console script is not installed (pip install -e .)"
    return [path]


LAUNCHERS = {"python-m": lambda: [sys.executable, "-m", "detsim"], "console-script": console_script}


def launch(launcher, *args):
    return subprocess.run(LAUNCHERS[launcher]() + [str(a) for a in args], cwd=REPO, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(params=sorted(LAUNCHERS))
def detsim_cli(request):
    return lambda *args: launch(request.param, *args)


@pytest.fixture(scope="module")
def found():
    return find_lost_update()


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
    assert f"model {MODEL}" in show.stdout
    assert "no lost update" in show.stdout and "#" in show.stdout


def test_correct_variant_holds(detsim_cli):
    proc = detsim_cli("check", MODEL, "--runs", "50", "-p", "bug=null")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "held over 50 schedules" in proc.stdout


@pytest.mark.parametrize("args, expected", [
    (["check", "tests.no_such_model:X"], "cannot import model module"),
    (["check", "tests.support:NoSuchClass"], "has no model class"),
    (["check", "racy_counter"], "MODULE:CLASS"),
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


def test_preemptions_are_reported_next_to_deviations(tmp_path, capsys):
    out = tmp_path / "raw.json"
    assert cli_main(["check", MODEL, "--runs", "300", "--no-shrink", "--out", str(out)]) == 1
    report = capsys.readouterr().out
    counted = re.search(r"  (\d+) deviating decision\(s\), (\d+) preemption\(s\)", report)
    assert counted and int(counted[1]) == len(detsim.Trace.load(out).deviations())
    for command in ("replay", "show"):
        assert cli_main([command, str(out)]) == 1
        line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("strategy "))
        assert line.endswith(f"{counted[1]} deviating from the default, {counted[2]} preemption(s)")


def test_dfs_takes_a_preemption_bound(capsys):
    assert cli_main(["check", MODEL, "-p", "bug=null", "-p", "workers=2", "-p", "warmup=1", "--strategy", "dfs",
                     "--max-preemptions", "1", "--runs", "5000"]) == 0
    out = capsys.readouterr().out
    assert "every schedule with at most 1 preemption" in out and "every schedule with ≤ 1 preemption explored: " in out
    assert cli_main(["check", MODEL, "--strategy", "dfs", "--max-preemptions", "1", "--max-deviations", "1"]) == 2
    assert "detsim: error: DFS takes one bound" in capsys.readouterr().err

LOTTERY = "tests.campaign.lottery:Lottery"


def test_workers_give_the_same_report_and_trace(tmp_path, capsys):
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}.json"
        assert cli_main(["check", LOTTERY, "--runs", "2000", "--seed", "3", "--workers", workers,
                         "--out", str(out)]) == 1
        outputs.append((capsys.readouterr().out.replace(str(out), "PATH"), out.read_text()))
    assert outputs[0] == outputs[1]
    assert "found after 30 schedule(s)" in outputs[0][0]  # run 29
    assert cli_main(["check", MODEL, "--runs", "50", "--strategy", "dfs", "--workers", "2", "-p", "bug=null"]) == 0
    assert "ran on one worker: dfs runs depend on the runs before them" in capsys.readouterr().out


def test_the_audit_compares_the_digests_of_runs_made_by_workers(capsys):
    # Here 2 workers send digests back; the audit's fresh process (300 < 1,000 runs) runs alone.
    assert cli_main(["check", LOTTERY, "--runs", "300", "-p", "winning=null", "--workers", "2", "--audit"]) == 0
    assert "audit: all 300 run(s) identical in a fresh process" in capsys.readouterr().out


def test_workers_and_dask_usage_errors(capsys):
    assert cli_main(["check", MODEL, "--workers", "0"]) == 2
    assert "--workers: invalid positive integer value" in capsys.readouterr().err
    assert cli_main(["check", MODEL, "--workers", "2", "--dask", "local"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_progress_lines_on_stderr_for_long_campaigns_off_a_terminal(capsys):
    assert cli_main(["check", LOTTERY, "--runs", "5000", "-p", "winning=null", "--workers", "2"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 10 and err[-1].startswith("detsim: checking: 5,000/5,000 runs, ")
    assert cli_main(["check", LOTTERY, "--runs", "5000", "-p", "winning=null", "--workers", "2", "--no-progress"]) == 0
    assert capsys.readouterr().err == ""


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


def test_show_of_a_passing_racy_counter_trace_exits_0(tmp_path, capsys):
    path = detsim.run(RacyCounter(bug=None), detsim.Random(0)).trace.save(tmp_path / "ok.json")
    assert cli_main(["show", str(path)]) == 0
    assert "outcome: held" in capsys.readouterr().out


@dataclass
class Heartbeats(detsim.Model):
    """A leader node sends ``beats`` heartbeats to a follower under a crash-and-drop
    fault plan: for ``detsim check``'s fault table."""

    beats: int = 10
    bug: str | None = None

    def setup(self, world):
        self.heard = []
        world.faults.configure(kinds=("crash", "drop"), heal_at=20)
        world.network.configure(1)
        world.node("leader", boot=lambda node: node.spawn("beat", self.beat(node)))
        world.node("follower", boot=lambda node: node.spawn("listen", self.listen(node), daemon=True))

    def beat(self, node):
        for _ in range(self.beats):
            node.send("follower", "beat")
            yield node.sleep(2)

    def listen(self, node):
        while True:
            msg = yield node.recv()
            self.heard.append(msg.body)

    def properties(self):
        return [detsim.always("only heartbeats arrive", lambda m: set(m.heard) <= {"beat"})]


def test_check_prints_the_fault_table_only_for_models_with_faults(capsys):
    assert cli_main(["check", FAULTY_MODEL, "--runs", "5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{FAULTY_MODEL}: held over 5 schedules\n")
    assert "fault coverage: 5 run(s) with a fault plan of 5" in out and re.search(r"^  crash +\d+ +\d+$", out, re.M)
    assert cli_main(["check", MODEL, "--runs", "5", "-p", "bug=null"]) == 0
    assert capsys.readouterr().out == f"{MODEL}: held over 5 schedules\n"  # fault-free: unchanged


# ---- replay and show on traces, good and bad --------------------------------------

def test_cli_replay_reproduces_and_exits_1(found, tmp_path, detsim_cli):
    path = found.trace.save(tmp_path / "cli.json")
    proc = detsim_cli("replay", path)
    assert proc.returncode == 1, proc.stderr
    assert "replay reproduced" in proc.stdout and "no lost update" in proc.stdout


def test_cli_replay_of_a_passing_trace_exits_0(tmp_path):
    path = detsim.run(RacyCounter(bug=None), detsim.Random(2)).trace.save(tmp_path / "ok.json")
    assert cli_main(["replay", str(path)]) == 0


def test_cli_divergence_is_a_one_line_error(found, tmp_path):
    trace = edited(found.trace, lambda d: d["decisions"][2].__setitem__("label", "bogus"))
    path = trace.save(tmp_path / "diverged.json")
    proc = launch("python-m", "replay", path)
    # The issue lists a divergent trace under "bad input gets exit code 2".
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "decision #2" in proc.stderr


@pytest.mark.parametrize("name", ["wrong version", "chosen out of range", "missing decisions"])
def test_cli_bad_trace_exits_2_with_one_line(found, tmp_path, name):
    path = write_edited(found.trace, name, tmp_path / "bad.json")
    proc = launch("python-m", "replay", path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("detsim: error:") and str(path) in lines[0]
    assert proc.stdout == ""


@pytest.mark.parametrize("command", ["replay", "show"])
@pytest.mark.parametrize("name", list(BAD_EDITS))
def test_cli_in_process_bad_trace_exits_2(found, tmp_path, capsys, command, name):
    path = write_edited(found.trace, name, tmp_path / "bad.json")
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
    data["model"] = "tests.no_such_model:Nothing"
    path = tmp_path / "unknown.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert cli_main(["replay", str(path)]) == 2
    assert "no_such_model" in capsys.readouterr().err

"""10. ``pytest --detsim-replay PATH`` runs just that trace as one item, from any
directory of the project and with the trace anywhere on disk; it collects nothing
else, so a broken test module elsewhere cannot block it."""
import shutil

SUITE = '''
from models.counter import Counter


def test_counter_holds(campaign):
    campaign.holds(Counter(), runs=50)
'''


def test_only_the_trace_runs_even_beside_a_broken_module(project, tmp_path_factory):
    trace = project.failing_trace()
    elsewhere = tmp_path_factory.mktemp("far_away") / "trace.json"
    shutil.copy(trace, elsewhere)
    project.write("tests/test_suite.py", SUITE)
    project.write("tests/test_broken.py", "import a_module_that_does_not_exist\n")
    for cwd in (project.root, project.root / "tests"):
        outcome = project.detsim_pytest("--detsim-replay", elsewhere, cwd=cwd)
        assert outcome.code == 1, outcome.out
        assert "1 failed" in outcome.out and "no lost update" in outcome.out
        assert "test_counter_holds" not in outcome.out and "a_module_that_does_not_exist" not in outcome.out


def test_a_passing_trace_passes_and_a_changed_outcome_fails(project):
    trace = project.failing_trace()
    text = trace.read_text()
    held = project.root / "held.json"
    held.write_text(text.replace('"ok": false', '"ok": true').replace('"violation": {', '"was": {'))
    outcome = project.detsim_pytest("--detsim-replay", held)
    assert outcome.code == 1 and "ended differently from the recorded outcome" in outcome.out


def test_a_refused_model_is_a_clear_failure(project):
    trace = project.failing_trace()
    hostile = project.root / "hostile.json"
    hostile.write_text(trace.read_text().replace("models.counter:Counter", "antigravity:X"))
    outcome = project.detsim_pytest("--detsim-replay", hostile)
    assert outcome.code == 1 and "refusing to load antigravity:X" in outcome.out
    assert "1 failed" in outcome.out

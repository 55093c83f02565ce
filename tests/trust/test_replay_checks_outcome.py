"""7. Replay checks the outcome: a re-execution whose violation differs from the
recorded one is an error (exit 2) saying the model changed or is nondeterministic;
``show`` re-executes the trace and its exit code reflects the re-execution."""
import json


def _edited(project, edit) -> str:
    data = json.loads(project.failing_trace().read_text())
    edit(data)
    path = project.root / "edited.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_replay_of_a_counterexample_reproduces_it(project):
    outcome = project.detsim("replay", project.failing_trace())
    assert outcome.code == 1 and "replay reproduced" in outcome.out


def test_a_different_recorded_step_is_a_nondeterminism_error(project):
    def later(data):
        data["outcome"]["violation"]["step"] += 7

    for command in ("replay", "show"):
        outcome = project.detsim(command, _edited(project, later))
        assert outcome.code == 2
        outcome.one_error_line("the trace recorded", "the model changed since the trace was saved",
                               "nondeterministic")


def test_a_trace_that_says_held_but_fails_is_not_believed(project):
    def held(data):
        data["outcome"]["violation"] = None
        data["outcome"]["ok"] = True

    for command in ("replay", "show"):
        outcome = project.detsim(command, _edited(project, held))
        assert outcome.code == 2
        outcome.one_error_line('ended with "no lost update"', "recorded no violation")


def test_show_exit_code_comes_from_re_executing(project):
    outcome = project.detsim("show", project.failing_trace())
    assert outcome.code == 1 and 'outcome: property "no lost update" violated' in outcome.out


def test_a_model_changed_under_the_trace_diverges_cleanly(project):
    trace = project.failing_trace()
    counter = project.root / "models" / "counter.py"
    counter.write_text(counter.read_text().replace("yield world.checkpoint()\n        if self.bug",
                                                   "if self.bug"))
    outcome = project.detsim("replay", trace)
    assert outcome.code == 2
    outcome.one_error_line("replay diverged at decision")

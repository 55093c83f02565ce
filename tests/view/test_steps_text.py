"""The story as text: ``detsim show PATH --steps`` (every step, runs folded, marks where
deviations and preemptions happen), the default ``show`` (the steps around each
deviation), and ``--html`` / ``check --html`` writing the page."""
import re

import pytest

import detsim
from detsim.campaign import story
from detsim.cli import main as cli_main
from detsim.view import render_around, render_steps
from tests.campaign.peterson import Peterson
from tests.support import REPO, scripted, stepper
from tests.view.models import Tellers


@pytest.fixture(scope="module")
def tellers_trace(tmp_path_factory):
    result = detsim.check(Tellers(), detsim.Random(0), runs=50)
    return result, result.trace.save(tmp_path_factory.mktemp("traces") / "tellers.json")


STEP = re.compile(r"^.{3} +(\d+)(?:–(\d+))?  t=")


def lines_of(text):
    return [line for line in text.splitlines() if STEP.match(line)]


def numbers(rows):
    """The step numbers the rows show (a folded row shows a range)."""
    out = []
    for row in rows:
        m = STEP.match(row)
        out.extend(range(int(m[1]), int(m[2] or m[1]) + 1))
    return out


def test_every_step_is_a_line_with_time_process_line_and_code(tellers_trace):
    result, _ = tellers_trace
    _, told = story(result.trace, Tellers())
    text = render_steps(told)
    rows = lines_of(text)
    shown = numbers(rows)
    assert shown == list(range(1, result.violation.step + 1))
    assert "teller-1" in text and "models.py:" in text and "yield theirs.acquire()" in text
    assert "blocked on account-b" in text and "acquired account-a" in text


def test_deviations_and_preemptions_are_marked_where_they_happen(tellers_trace):
    result, _ = tellers_trace
    _, told = story(result.trace, Tellers())
    text = render_steps(told)
    for pos, d in result.trace.deviations():
        assert f"deviation #{pos}: ran {d.choice}, FIFO would run {d.candidates[0]}" in text \
            or "kept teller-1 running" in text
    assert text.splitlines()[0].startswith("⚑ deviation from the default")
    assert any(row.lstrip().startswith(("↯", "⚑↯", "↯⚑")) for row in text.splitlines()[2:])


def test_long_runs_of_one_process_fold_into_one_line():
    model = scripted(a=stepper("a", 6), b=stepper("b", 1))
    _, told = story(detsim.run(model).trace, model)
    text = render_steps(told)
    assert re.search(r"a ×\d, line \d+ → ", text), text
    assert len(lines_of(text)) < len(told["steps"]) - 1
    result = detsim.check(Peterson(), detsim.Random(1), runs=200)
    _, told = story(result.trace, Peterson())
    assert len(lines_of(render_steps(told))) == result.violation.step  # three steps of t0 stay apart


def test_the_short_form_shows_the_steps_around_each_deviation(tellers_trace):
    result, _ = tellers_trace
    _, told = story(result.trace, Tellers())
    around = render_around(told, around=1)
    shown = set(numbers(lines_of(around)))
    devs = {d["step"] for d in told["decisions"] if d["dev"]}
    assert devs <= shown and result.violation.step in shown
    assert len(shown) < len(told["steps"]) - 1 and "⋮" in around


def test_show_prints_the_short_form_and_steps_prints_every_step(tellers_trace, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    _, path = tellers_trace
    assert cli_main(["show", str(path)]) == 1
    short = capsys.readouterr().out
    assert "the steps around each deviation and the last step (every step: detsim show PATH --steps):" in short
    assert cli_main(["show", str(path), "--steps"]) == 1
    full = capsys.readouterr().out
    assert "every step:" in full and len(lines_of(full)) > len(lines_of(short))


def test_show_html_writes_a_page_next_to_nothing_else(tellers_trace, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(REPO)
    _, path = tellers_trace
    out = tmp_path / "page.html"
    assert cli_main(["show", str(path), "--html", str(out)]) == 1
    assert f"html: {out}" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert "no deadlock" in page and f"detsim replay {path}" in page


def test_check_html_writes_the_counterexample_page(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(REPO)
    out = tmp_path / "check.html"
    code = cli_main(["check", "tests.view.models:Tellers", "--runs", "50", "--out", str(tmp_path / "t.json"),
                     "--html", str(out)])
    assert code == 1
    assert f"html: {out}" in capsys.readouterr().out
    assert "teller-0" in out.read_text(encoding="utf-8")
    held = tmp_path / "held.html"
    assert cli_main(["check", "tests.view.models:Tellers", "-p", "stagger=4", "--strategy", "fifo",
                     "--runs", "1", "--html", str(held)]) == 0
    assert "no HTML page was written" in capsys.readouterr().err and not held.exists()

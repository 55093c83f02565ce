"""The pytest plugin saves the counterexample's HTML page next to each failing trace."""

from tests.support import REPO

pytest_plugins = ["pytester"]

SUITE = """
from tests.support import RacyCounter


def test_no_lock_holds(campaign):
    campaign.holds(RacyCounter(), runs=campaign.budget(ci=200))
"""


def test_a_failing_holds_saves_the_page_beside_the_trace(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.delenv("DETSIM_PROFILE", raising=False)
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    (trace,) = sorted((pytester.path / ".detsim" / "failures").glob("*.json"))
    page = trace.with_suffix(".html")
    assert page.exists(), result.stdout.str()
    assert f"html: {page}" in result.stdout.str()
    text = page.read_text(encoding="utf-8")
    assert "no lost update" in text and f"detsim replay {trace}" in text
    assert "<script src" not in text and "<link" not in text

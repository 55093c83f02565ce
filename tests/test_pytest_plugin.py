"""The pytest plugin (registered through the pytest11 entry point), driven with pytester.

Inner sessions run in subprocesses: the plugin loads Hypothesis profiles globally,
which must not leak into this session."""
import json

import pytest

import detsim
from tests.support import REPO, RacyCounter

pytest_plugins = ["pytester"]

SUITE = """
import detsim
from tests.support import RacyCounter


def test_no_lock_holds(campaign):
    campaign.holds(RacyCounter(), runs=campaign.budget(ci=200))


def test_correct_variant_holds(campaign):
    campaign.holds(RacyCounter(bug=None), runs=campaign.budget(ci=30, deep=40))
"""


@pytest.fixture
def inner(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.delenv("DETSIM_PROFILE", raising=False)
    pytester.makepyfile(test_suite=SUITE)
    return pytester


def failures(pytester):
    return sorted((pytester.path / ".detsim" / "failures").glob("*.json"))


def test_a_failing_property_prints_a_counterexample_and_saves_the_trace(inner):
    result = inner.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["detsim: profile ci, seed 0"])
    out = result.stdout.str()
    assert 'property "no lost update" violated' in out
    assert "deviations from the default schedule" in out
    result.stdout.fnmatch_lines(["*#*: step * schedule: chose 'worker-*' (#1 of 3; default 'worker-*')*"])
    saved = failures(inner)
    assert len(saved) == 1 and saved[0].name.startswith("racycounter-no-lost-update-")
    assert f"replay: detsim replay {saved[0]}" in out
    assert f"pytest --detsim-replay {saved[0]}" in out
    data = json.loads(saved[0].read_text())
    assert data["outcome"]["violation"]["property"] == "no lost update"
    assert data["strategy"]["from"] == {"name": "random", "seed": 0, "run": data["strategy"]["from"]["run"]}


def test_detsim_workers_runs_campaigns_on_workers_with_the_same_counterexample(inner):
    inner.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1, failed=1)
    (one,) = failures(inner)
    alone = one.read_text()
    one.unlink()
    result = inner.runpytest_subprocess("-p", "no:cacheprovider", "--detsim-workers", "2")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["detsim: profile ci, seed 0, workers 2"])
    (two,) = failures(inner)
    assert two.read_text() == alone
    inner.runpytest_subprocess("--detsim-workers", "0").stderr.fnmatch_lines(["*--detsim-workers*invalid*"])


def test_detsim_replay_runs_only_the_replay(inner):
    inner.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1, failed=1)
    (path,) = failures(inner)
    # The model lives outside the inner project (in this repository's tests/), so the
    # trace may load it only when named: a trace file is data, never code.
    result = inner.runpytest_subprocess("-p", "no:cacheprovider", "--detsim-replay", str(path),
                                        "--detsim-trust", "tests.support")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert f"replayed {path}" in out and "no lost update" in out
    assert "test_correct_variant_holds" not in out and "1 failed" in out


def test_detsim_replay_of_a_passing_trace_passes(inner):
    path = detsim.run(RacyCounter(bug=None), detsim.Random(0)).trace.save(inner.path / "ok.json")
    result = inner.runpytest_subprocess("-p", "no:cacheprovider", "--detsim-replay", str(path),
                                        "--detsim-trust", "tests.support")
    result.assert_outcomes(passed=1)
    refused = inner.runpytest_subprocess("-p", "no:cacheprovider", "--detsim-replay", str(path))
    refused.assert_outcomes(failed=1)
    assert "refusing to load tests.support:RacyCounter" in refused.stdout.str()


def test_detsim_seed_is_used_and_shown(inner):
    result = inner.runpytest_subprocess("-p", "no:cacheprovider", "--detsim-seed", "7")
    result.stdout.fnmatch_lines(["detsim: profile ci, seed 7"])
    result.assert_outcomes(passed=1, failed=1)
    (path,) = failures(inner)
    assert json.loads(path.read_text())["strategy"]["from"]["seed"] == 7


def test_deep_profile_is_accepted(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    pytester.makepyfile(test_profile="""
        from hypothesis import settings

        def test_budget(campaign):
            assert campaign.profile == "deep"
            assert campaign.budget(ci=10, deep=500) == 500
            assert campaign.budget(ci=10) == 100
            assert settings.default.max_examples == 2000
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--detsim-profile", "deep")
    result.stdout.fnmatch_lines(["detsim: profile deep, seed 0"])
    result.assert_outcomes(passed=1)


def test_unknown_profile_is_a_usage_error(pytester, monkeypatch):
    monkeypatch.setenv("DETSIM_PROFILE", "huge")
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "DETSIM_PROFILE='huge'" in result.stderr.str()


def test_finds_asserts_the_planted_bug_is_found_and_minimal(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    pytester.makepyfile(test_finds="""
        import detsim
        from tests.support import RacyCounter

        def test_found(campaign):
            result = campaign.finds(RacyCounter(), "no lost update", within=200)
            assert len(result.trace.deviations()) == 1 and result.path is None  # a pass saves nothing

        def test_not_found(campaign):
            campaign.finds(RacyCounter(bug=None), "no lost update", within=20)

        def test_wrong_property(campaign):
            campaign.finds(RacyCounter(), "some other property", within=200)
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2)
    out = result.stdout.str()
    assert "planted bug not found" in out and "expected a violation of 'some other property'" in out
    (saved,) = failures(pytester)  # only the failing finds with a trace saved one
    assert json.loads(saved.read_text())["outcome"]["violation"]["property"] == "no lost update"

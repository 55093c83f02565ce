"""pytest integration: profiles, seeds, failure traces and replay.

* ``--detsim-profile ci|deep|dev`` picks campaign budgets and the Hypothesis
  profile of the same name (default: $DETSIM_PROFILE or "ci").
* ``--detsim-seed S`` fixes the base seed of every campaign (default 0).
* ``--detsim-replay PATH`` runs only the replay of one saved trace.
* A failing campaign saves its trace under ``.detsim/failures/`` and prints the
  replay command.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from .campaign import check, replay, save_failure
from .errors import PropertyViolation
from .search import Random

PROFILES = ("ci", "deep", "dev")


def _register_hypothesis_profiles() -> None:
    quiet = [HealthCheck.too_slow, HealthCheck.data_too_large]
    settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=quiet,
                              derandomize=True, print_blob=True)
    settings.register_profile("dev", max_examples=100, deadline=None, suppress_health_check=quiet)
    settings.register_profile("deep", max_examples=2000, deadline=None, suppress_health_check=quiet)


def pytest_addoption(parser):
    group = parser.getgroup("detsim")
    group.addoption("--detsim-replay", metavar="PATH", default=None,
                    help="replay one saved detsim trace instead of running the suite")
    group.addoption("--detsim-seed", metavar="S", type=int, default=None,
                    help="base seed for every detsim campaign (default 0)")
    group.addoption("--detsim-profile", choices=PROFILES, default=None,
                    help="campaign budget: ci (quick), deep (long) or dev; default $DETSIM_PROFILE or ci")


def pytest_configure(config):
    _register_hypothesis_profiles()
    profile = config.getoption("--detsim-profile") or os.environ.get("DETSIM_PROFILE") or "ci"
    if profile not in PROFILES:
        raise pytest.UsageError(f"DETSIM_PROFILE={profile!r}: use one of {', '.join(PROFILES)}")
    config._detsim_profile = profile
    if not config.getoption("--hypothesis-profile", default=None):
        settings.load_profile(profile)


def pytest_report_header(config):
    seed = config.getoption("--detsim-seed")
    return f"detsim: profile {config._detsim_profile}, seed {0 if seed is None else seed}"


class Campaign:
    """The ``campaign`` fixture: budgets from the profile, a fixed seed, saved failures."""

    def __init__(self, profile: str, seed: int, failures: Path):
        self.profile, self.seed, self.failures = profile, seed, failures

    def budget(self, ci: int, deep: int | None = None, dev: int | None = None) -> int:
        return {"ci": ci, "deep": deep or ci * 10, "dev": dev or ci}[self.profile]

    def _check(self, model, runs, strategy, **kw):
        strategy = strategy if strategy is not None else Random(self.seed)
        result = check(model, strategy, runs=runs, **kw)
        if not result.ok and result.trace is not None:
            result.path = str(save_failure(result.trace, self.failures))
        return result

    def holds(self, model, *, runs: int, strategy=None, **kw):
        """Assert that no schedule in the budget violates a property."""
        result = self._check(model, runs, strategy, **kw)
        if not result.ok:
            raise PropertyViolation(result.violation, _with_pytest_hint(result))
        return result

    def finds(self, model, prop: str, *, within: int, strategy=None, **kw):
        """Assert that a planted bug is found within ``within`` schedules, shrunk
        to a 1-minimal trace that replays to the same violation."""
        result = self._check(model, within, strategy, **kw)
        assert not result.ok, f"planted bug not found: {model!r} held over {result.runs} schedules"
        assert result.violation.property == prop, (
            f"expected a violation of {prop!r}, got:\n{result.report()}")
        replayed = replay(result.trace)
        assert replayed.violation is not None and replayed.violation.property == prop, "replay lost the violation"
        assert result.one_minimal, f"shrink did not reach a 1-minimal trace:\n{result.report()}"
        return result


def _with_pytest_hint(result) -> str:
    return result.report() + f"\n  or: pytest --detsim-replay {result.path}"


@pytest.fixture
def campaign(request):
    config = request.config
    seed = config.getoption("--detsim-seed")
    return Campaign(config._detsim_profile, 0 if seed is None else seed,
                    Path(config.rootpath) / ".detsim" / "failures")


class ReplayItem(pytest.Item):
    def __init__(self, *, path, **kw):
        super().__init__(**kw)
        self.trace_path = path

    def runtest(self):
        result = replay(self.trace_path)
        if result.violation is not None:
            raise PropertyViolation(result.violation, f"replayed {self.trace_path}: {result.violation}\n"
                                    + result.trace.describe())

    def repr_failure(self, excinfo):
        return str(excinfo.value)

    def reportinfo(self):
        return self.trace_path, None, f"detsim replay {self.trace_path}"


def pytest_collection_modifyitems(session, config, items):
    path = config.getoption("--detsim-replay")
    if not path:
        return
    items[:] = [ReplayItem.from_parent(session, name=f"replay[{path}]", path=path)]

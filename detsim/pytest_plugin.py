"""pytest integration: profiles, seeds, failure traces and replay.

* ``--detsim-profile ci|deep|dev`` picks campaign budgets and the Hypothesis
  profile of the same name (default: $DETSIM_PROFILE or "ci").
* ``--detsim-seed S`` fixes the base seed of every campaign (default 0).
* ``--detsim-workers N`` runs every ``campaign`` fixture's campaign on N worker
  processes (default 1; the verdict and the trace are the same whatever N).
* ``--detsim-replay PATH`` runs only the replay of one saved trace, as one item,
  without collecting the suite (a broken test module elsewhere cannot block it).
  ``--detsim-trust MODULE`` lets the trace load a model module outside the
  project's model packages.
* A failing ``campaign.holds`` saves its trace under ``.detsim/failures/`` (or a
  fallback place it names), the counterexample as a self-contained HTML page next
  to it (same name, ``.html``), and prints the replay command. A passing
  ``campaign.finds`` saves nothing.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from .campaign import check, project_root, replay, save_safely, story
from .errors import NondeterminismError, PropertyViolation
from .search import Random
from .trace import Trace
from .view import replay_command, write_html

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
    group.addoption("--detsim-trust", metavar="MODULE", action="append", default=[],
                    help="a model module outside the project's model packages that a replayed trace may load")
    group.addoption("--detsim-seed", metavar="S", type=int, default=None,
                    help="base seed for every detsim campaign (default 0)")
    group.addoption("--detsim-workers", metavar="N", type=_positive, default=1,
                    help="worker processes for each campaign fixture's campaign (default 1)")
    group.addoption("--detsim-profile", choices=PROFILES, default=None,
                    help="campaign budget: ci (quick), deep (long) or dev; default $DETSIM_PROFILE or ci")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def pytest_configure(config):
    _register_hypothesis_profiles()
    profile = config.getoption("--detsim-profile") or os.environ.get("DETSIM_PROFILE") or "ci"
    if profile not in PROFILES:
        raise pytest.UsageError(f"DETSIM_PROFILE={profile!r}: use one of {', '.join(PROFILES)}")
    config._detsim_profile = profile
    if not config.getoption("--hypothesis-profile", default=None):
        settings.load_profile(profile)


def pytest_report_header(config):
    seed, workers = config.getoption("--detsim-seed"), config.getoption("--detsim-workers")
    more = f", workers {workers}" if workers > 1 else ""
    return f"detsim: profile {config._detsim_profile}, seed {0 if seed is None else seed}{more}"


class Campaign:
    """The ``campaign`` fixture: budgets from the profile, a fixed seed, saved failures."""

    def __init__(self, profile: str, seed: int, failures: Path, workers: int = 1):
        self.profile, self.seed, self.failures, self.workers = profile, seed, failures, workers

    def budget(self, ci: int, deep: int | None = None, dev: int | None = None) -> int:
        return {"ci": ci, "deep": deep or ci * 10, "dev": dev or ci}[self.profile]

    def _check(self, model, runs, strategy, **kw):
        strategy = strategy if strategy is not None else Random(self.seed)
        kw.setdefault("workers", self.workers)
        return check(model, strategy, runs=runs, **kw)

    def _save(self, result, model=None) -> str:
        """Save a failing trace somewhere that works, and its HTML page beside it; never
        fails the test for either."""
        if result.trace is None:
            return ""
        saved = save_safely(result.trace, directory=self.failures)
        result.path = str(saved.path) if saved.path else None
        note = f"\n  ({saved.note})" if saved.note else ""
        if saved.path is None:
            note += "\n  trace (nowhere to save it):\n" + result.trace.to_json()
        elif model is not None and result.violation is not None:
            note += _page(result, model, saved.path)
        return note

    def holds(self, model, *, runs: int, strategy=None, **kw):
        """Assert that no schedule in the budget violates a property."""
        result = self._check(model, runs, strategy, **kw)
        if not result.ok:
            note = self._save(result, model)
            if result.violation is None:  # an overrun, or nothing explored: not a verdict
                raise AssertionError(f"{model!r}: {result.summary()}{note}")
            raise PropertyViolation(result.violation, _with_pytest_hint(result) + note)
        return result

    def finds(self, model, prop: str, *, within: int, strategy=None, **kw):
        """Assert that a planted bug is found within ``within`` schedules, shrunk
        to a 1-minimal trace that replays to the same violation."""
        result = self._check(model, within, strategy, **kw)
        assert not result.ok, f"planted bug not found: {model!r} {result.summary()}"
        problem = None
        if result.violation is None:
            problem = f"{model!r}: {result.summary()}"
        elif result.violation.property != prop:
            problem = f"expected a violation of {prop!r}, got:\n{result.report()}"
        else:
            replayed = replay(result.trace)
            if replayed.violation is None or replayed.violation.property != prop:
                problem = "replay lost the violation"
            elif not result.one_minimal:
                problem = f"shrink did not reach a 1-minimal trace:\n{result.report()}"
        if problem is not None:
            raise AssertionError(problem + self._save(result, model))
        return result


def _page(result, model, path) -> str:
    """Write the counterexample's HTML page next to its trace; say where (or why not)."""
    try:
        _, told = story(result.trace, model)
        page = write_html(told, Path(path).with_suffix(".html"), replay_command(path))
    except Exception as e:  # a picture: failing to draw it never hides the counterexample
        return f"\n  (no HTML page: {type(e).__name__}: {e})"
    return f"\n  html: {page}"


def _with_pytest_hint(result) -> str:
    hint = f"\n  or: pytest --detsim-replay {result.path}" if result.path else ""
    return result.report() + hint


@pytest.fixture
def campaign(request):
    config = request.config
    seed = config.getoption("--detsim-seed")
    return Campaign(config._detsim_profile, 0 if seed is None else seed,
                    Path(config.rootpath) / ".detsim" / "failures", config.getoption("--detsim-workers"))


class ReplayItem(pytest.Item):
    def __init__(self, *, path, trust=(), **kw):
        super().__init__(**kw)
        self.trace_path, self.trust = path, tuple(trust)

    def runtest(self):
        trace = Trace.load(self.trace_path)
        # The project is found from where pytest was started: the trace may live anywhere,
        # and pytest's rootdir follows the trace's folder when no ini file names the project.
        result = replay(trace, trust=self.trust, root=project_root(self.config.invocation_params.dir))
        recorded, got = _key(trace.violation), _key(result.violation)
        if recorded != got:
            raise NondeterminismError(f"replayed {self.trace_path}: the run ended differently from the "
                                      f"recorded outcome (recorded {recorded}, got {got}): the model "
                                      "changed or is nondeterministic")
        if result.violation is not None:
            raise PropertyViolation(result.violation, f"replayed {self.trace_path}: {result.violation}\n"
                                    + result.trace.describe())

    def repr_failure(self, excinfo):
        return str(excinfo.value)

    def reportinfo(self):
        return self.trace_path, None, f"detsim replay {self.trace_path}"


def _key(v):
    return None if v is None else (v.property, v.step, v.process)


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session):
    """With --detsim-replay, the session is that one trace: nothing else is collected."""
    config = session.config
    path = config.getoption("--detsim-replay")
    if not path:
        return None
    item = ReplayItem.from_parent(session, name=f"replay[{path}]", path=os.path.abspath(path),
                                  trust=config.getoption("--detsim-trust"))
    session.items = [item]
    session.testscollected = 1
    config.hook.pytest_collection_finish(session=session)
    return True

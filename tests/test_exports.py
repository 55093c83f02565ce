"""The public API, pinned: ``detsim.__all__`` and every subpackage's ``__all__`` are
written out here, so adding or removing a public name is a deliberate change to
this test. Also: every listed name exists, the top level re-exports the very
objects its subpackages own, the deprecated ``detsim.strategies`` alias still
works, and the CLI never imports pytest."""
import importlib
import subprocess
import sys

import pytest

import detsim
import detsim.testing
import detsim.world
from tests.support import REPO

EXPECTED = {
    "detsim": {
        "__version__", "errors", "Model", "World", "Strategy",
        "run", "check", "replay", "RunResult", "CheckResult", "allow_nondeterminism",
        "Fifo", "Random", "PCT", "DFS", "Replay", "Fair", "Exhaustive",
        "Property", "Observer", "Violation", "always", "at_end", "eventually", "sometimes", "no_deadlock",
        "no_starvation", "no_livelock", "select_fairness", "linearizable", "VacuityWarning",
        "Trace", "Decision",
        "CLOSED", "Lagged", "Selected", "CANCELLED", "Joined",
        "FAULT_KINDS", "FaultPlan", "FaultCoverageWarning", "Message", "Network", "Node", "CRASHED",
        "DetsimError", "ModelError", "PropertyViolation", "ReplayDivergence", "StepBudgetExceeded",
        "TraceFormatError", "NondeterminismError", "UsageError",
    },
    "detsim.engine": {
        "ControlPoint", "HorizonReached", "ProcessFailed", "DEFAULT_MAX_STEPS", "DEFAULT_INSTANT_BUDGET",
        "Overtaking", "DEFAULT_FAIRNESS_BOUND", "fairness_text",
        "Model", "defines", "fresh", "model_params", "model_ref", "settings_for", "SETTINGS",
        "Strategy", "ALWAYS_DEFAULT", "Task", "SpinWait", "current_task", "event_label", "option_name",
        "TimerCallback", "after", "EventLint", "Recorder", "abandon", "on_abandon", "SafeAnyOf", "SafeAllOf",
        "LeanRecordRead",
    },
    "detsim.trace": {
        "Decision", "Trace", "Violation", "SCHEDULE", "CHOICE", "FAULT", "KINDS",
        "encode_time", "decode_time", "FORMAT", "VERSION", "is_preemption", "count_preemptions",
    },
    "detsim.sync": {
        "Blocking", "WaitQueue", "Waiter", "WaitForGraph", "WaitLog", "WaitRecord",
        "Mutex", "LockStatistics", "Semaphore", "SemaphoreStatistics", "RwLock", "RwLockStatistics",
        "Notify", "NotifyStatistics", "Channel", "ChannelStatistics", "CLOSED",
        "Oneshot", "OneshotStatistics", "Broadcast", "BroadcastReceiver", "BroadcastStatistics",
        "Watch", "WatchReceiver", "WatchStatistics", "Lagged",
        "Select", "Selected", "SelectStatistics", "default_name",
        "TaskGroup", "TaskGroupStatistics", "Joined", "ScopeTimeout", "CANCELLED",
    },
    "detsim.faults": {
        "Network", "Message", "Node", "CRASHED", "Disk", "NodeClock", "Faults", "FaultPlan",
        "FAULT_KINDS", "NODE_KINDS", "CRASH_POINTS", "DEFAULT_FAULT_RATE", "FaultCoverageWarning",
        "fault_coverage", "coverage_table", "coverage_warning", "warn_coverage",
    },
    "detsim.monitor": {
        "Property", "Observer", "Always", "AtEnd", "Eventually", "Sometimes", "NoDeadlock",
        "always", "at_end", "eventually", "sometimes", "no_deadlock", "Monitor",
        "NoStarvation", "no_starvation", "WITHHELD", "NoLivelock", "no_livelock", "canonical",
        "SelectFairness", "select_fairness", "FairnessWitness", "witness_for",
        "VacuityWarning", "campaign_notes",
    },
    "detsim.search": {
        "Strategy", "Fifo", "Random", "PCT", "DFS", "Replay", "Rerun", "Guided", "Fair", "Exhaustive", "StateCaching", "RunPruned", "run_rng", "sparse_choice",
    },
    "detsim.campaign": {
        "RunResult", "CheckResult", "execute", "run", "check", "replay", "shrink", "deviations_of",
        "ShrinkInterrupted", "build_model", "load_class", "load_trace_class", "project_root",
        "save_failure", "save_safely", "Saved", "FAILURES", "VERIFY_EVERY", "allow_nondeterminism",
        "audit", "digest", "DIGEST_PREFIX", "story", "RunSummary", "Progress", "AUTO_MIN_RUNS",
        "dask_connect", "dask_close",
    },
    "detsim.view": {"counterexample_report", "replay_command", "StoryRecorder", "phrases", "render_steps",
                    "render_around", "render_setup", "deviation_steps", "render_html", "write_html",
                    "innermost_frame", "short_path", "where"},
    "detsim.history": {
        "History", "Op", "Operation", "NIL", "UNKNOWN", "HistoryError", "HistoryFormatError",
        "check_linearizable", "LinearizabilityResult",
        "RegisterSpec", "CasRegisterSpec", "KVSpec",
        "register", "cas_register", "kv", "get_spec",
        "parse_edn", "parse_edn_all", "Keyword", "Symbol",
        "read_jepsen_etcd_log", "read_edn_kv", "read_jepsen_edn_history",
        "render_timeline", "linearizable", "Linearizable",
    },
    "detsim.testing": {"schedules", "deviations", "fault_plans", "assert_run_holds", "Deviations", "from_seed"},
}

SUBPACKAGES = [name for name in EXPECTED if name.count(".") == 1 and name != "detsim.testing"]
HYPOTHESIS_HELPERS = ("schedules", "deviations", "fault_plans", "assert_run_holds")
ERRORS = {"DetsimError", "ModelError", "PropertyViolation", "ReplayDivergence", "StepBudgetExceeded",
          "NondeterminismError", "UsageError",
          "TraceFormatError"}


@pytest.mark.parametrize("module_name", sorted(EXPECTED))
def test_all_is_exactly_the_pinned_set(module_name):
    public = importlib.import_module(module_name).__all__
    assert len(public) == len(set(public)), f"{module_name}.__all__ lists a name twice"
    assert set(public) == EXPECTED[module_name]


@pytest.mark.parametrize("module_name", sorted(EXPECTED))
def test_every_name_in_all_exists(module_name):
    module = importlib.import_module(module_name)
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert missing == []


def test_the_top_level_names_are_the_objects_their_subpackages_own():
    assert detsim.Strategy is detsim.engine.Strategy is detsim.search.Strategy
    assert detsim.World is detsim.world.World
    owners = {name: [importlib.import_module(m) for m in SUBPACKAGES if name in EXPECTED[m]]
              for name in detsim.__all__}
    assert {name for name, found in owners.items() if not found} == {"__version__", "errors", "World", *ERRORS}
    for name, modules in owners.items():
        for module in modules:
            assert getattr(detsim, name) is getattr(module, name), f"detsim.{name} is not {module.__name__}.{name}"
    for name in ERRORS:
        assert getattr(detsim, name) is getattr(detsim.errors, name)
    assert detsim.errors is importlib.import_module("detsim.errors")


def test_unknown_top_level_names_are_attribute_errors():
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        detsim.no_such_name  # noqa: B018


def test_testing_exposes_the_hypothesis_helpers():
    assert detsim.testing is importlib.import_module("detsim.testing")
    for name in HYPOTHESIS_HELPERS:
        assert callable(getattr(detsim.testing, name))


def test_strategies_is_a_deprecated_alias_of_testing(monkeypatch):
    monkeypatch.delitem(sys.modules, "detsim.strategies", raising=False)  # import it afresh
    with pytest.warns(DeprecationWarning, match="import detsim.testing instead"):
        strategies = importlib.import_module("detsim.strategies")
    for name in HYPOTHESIS_HELPERS:
        assert getattr(strategies, name) is getattr(detsim.testing, name)


def test_importing_the_cli_does_not_import_pytest():
    proc = subprocess.run([sys.executable, "-c", "import sys, detsim.cli; assert 'pytest' not in sys.modules"],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr

"""Running models: one run, a campaign, replay, shrinking, saved failures.

What lives here: ``execute``/``run`` (one schedule; the trace is always built),
``check`` (a campaign that stops at the first violation and shrinks it; its runs
shared out over worker processes or a Dask cluster, docs/scale.md),
``replay`` (exact re-execution of a trace), the delta-debugging shrinker, the
model loader (``module:Class`` + parameters) and where failing traces are saved.

May import everything below it: ``detsim.world``, ``detsim.monitor``,
``detsim.search``, ``detsim.faults``, ``detsim.trace``, ``detsim.view``,
``detsim.engine``. Nothing imports this package but the public face (``detsim``,
the CLI, the pytest plugin, ``detsim.testing``).
"""
from ._audit import DIGEST_PREFIX, audit, digest
from ._check import VERIFY_EVERY, CheckResult, check
from ._dask import close as dask_close
from ._dask import connect as dask_connect
from ._parallel import AUTO_MIN_RUNS, RunSummary
from ._progress import Progress
from ._guard import allow_nondeterminism
from ._loader import build_model, load_class, load_trace_class, project_root
from ._run import RunResult, execute, replay, run
from ._save import FAILURES, Saved, save_failure, save_safely
from ._shrink import ShrinkInterrupted, deviations_of, shrink
from ._story import story

__all__ = ["RunResult", "CheckResult", "execute", "run", "check", "replay", "shrink", "deviations_of",
           "ShrinkInterrupted", "build_model", "load_class", "load_trace_class", "project_root",
           "save_failure", "save_safely", "Saved", "FAILURES", "VERIFY_EVERY", "allow_nondeterminism",
           "audit", "digest", "DIGEST_PREFIX", "story", "RunSummary", "Progress", "AUTO_MIN_RUNS",
           "dask_connect", "dask_close"]

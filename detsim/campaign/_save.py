"""Where failing traces are saved, and how a found counterexample is never lost.

The default place is ``.detsim/failures/MODEL-PROPERTY-DIGEST.json``. If the
preferred place cannot be written (a directory, a path under a file, a read-only
folder, a full disk), the trace goes to the next place that works: the default
folder, then a ``detsim-failures`` folder in the system's temporary directory.
If nothing is writable, the caller prints the trace as JSON instead.
"""
from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

FAILURES = ".detsim/failures"


def failure_name(trace) -> str:
    v = trace.violation
    prop = re.sub(r"[^A-Za-z0-9]+", "-", v.property if v else "run").strip("-").lower()[:60]
    model = re.sub(r"[^A-Za-z0-9_]+", "-", trace.model.rsplit(":", 1)[-1].lower())[:60]
    digest = hashlib.sha256(trace.to_json().encode()).hexdigest()[:10]
    return f"{model}-{prop}-{digest}.json"


def save_failure(trace, directory=FAILURES) -> Path:
    """Save under ``directory`` with a name made of the model, the property and a digest."""
    return trace.save(Path(directory) / failure_name(trace))


@dataclass
class Saved:
    path: Path | None  # where the trace is now, or None if no place was writable
    note: str | None  # what went wrong with the preferred place, for the user


def save_safely(trace, out=None, directory=FAILURES) -> Saved:
    """Save the trace at ``out`` (a file path) or under ``directory``; on failure fall
    back as described above. Never raises for a place that cannot be written."""
    attempts = []
    if out is not None:
        attempts.append(Path(out))
    attempts.append(Path(directory) / failure_name(trace))
    attempts.append(Path(tempfile.gettempdir()) / "detsim-failures" / failure_name(trace))
    problems = []
    for path in attempts:
        try:
            return Saved(trace.save(path), "; ".join(problems) or None)
        except OSError as e:
            problems.append(f"cannot write {path}: {e.strerror or e}")
    return Saved(None, "; ".join(problems))

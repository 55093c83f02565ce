"""Where failing traces are saved: ``.detsim/failures/MODEL-PROPERTY-DIGEST.json``."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

FAILURES = ".detsim/failures"


def save_failure(trace, directory=FAILURES) -> Path:
    v = trace.violation
    prop = re.sub(r"[^A-Za-z0-9]+", "-", v.property if v else "run").strip("-").lower()
    model = trace.model.rsplit(":", 1)[-1].lower()
    digest = hashlib.sha256(trace.to_json().encode()).hexdigest()[:10]
    return trace.save(Path(directory) / f"{model}-{prop}-{digest}.json")

"""``detsim check --audit``: the same campaign again, in a fresh process, under another hash seed.

A run must be a pure function of (model class, parameters, decision list) in any
process and under any ``PYTHONHASHSEED``. The audit re-runs the campaign's command
in a child process with a different hash seed, which prints a digest of every
run's trace; the first run whose digest differs is reported.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys

from ..errors import NondeterminismError

DIGEST_PREFIX = "detsim-digest "


def digest(trace) -> str:
    return hashlib.sha256(trace.to_json().encode()).hexdigest()


def audit(argv: list[str], digests: list[str]) -> str:
    """Run ``detsim <argv>`` (a check command) in a child process under another hash
    seed and compare its run digests with ``digests``. Returns a one-line summary;
    raises NondeterminismError at the first difference."""
    seed = os.environ.get("PYTHONHASHSEED", "")
    other = "1" if seed != "1" else "2"
    env = dict(os.environ, PYTHONHASHSEED=other)
    child = subprocess.run([sys.executable, "-m", "detsim", *argv, "--no-shrink", "--emit-digests"],
                           capture_output=True, text=True, env=env)
    theirs = [line[len(DIGEST_PREFIX):].split()[1] for line in child.stdout.splitlines()
              if line.startswith(DIGEST_PREFIX)]
    if child.returncode not in (0, 1):
        tail = (child.stderr.strip().splitlines() or ["no output"])[-1]
        raise NondeterminismError(f"audit: the campaign failed in a fresh process (PYTHONHASHSEED={other}): {tail}")
    for i, (a, b) in enumerate(zip(digests, theirs)):
        if a != b:
            raise NondeterminismError(
                f"audit: run {i} differs in a fresh process with PYTHONHASHSEED={other}: the model "
                "depends on hash order, id(), the wall clock or other state outside its decisions "
                f"(replay the run in both settings to see where)")
    if len(digests) != len(theirs):
        raise NondeterminismError(f"audit: this process ran {len(digests)} schedule(s), a fresh process with "
                                  f"PYTHONHASHSEED={other} ran {len(theirs)}")
    return f"audit: all {len(digests)} run(s) identical in a fresh process with PYTHONHASHSEED={other}"

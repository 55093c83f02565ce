"""A throwaway user project (pyproject.toml, models/) and the real ``detsim`` command."""
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

# The console script a user runs (beside this interpreter, in the venv): unlike
# `python -m`, it does not put the current directory on sys.path itself.
DETSIM = str(Path(sys.executable).with_name("detsim"))

COUNTER = '''
from dataclasses import dataclass
import detsim


@dataclass
class Counter(detsim.Model):
    """Two workers read, checkpoint and write a shared counter; bug="no-lock" races."""
    workers: int = 2
    bug: str | None = "no-lock"

    def setup(self, world):
        self.count = 0
        self.lock = world.mutex("lock")
        for i in range(self.workers):
            world.spawn(f"w{i}", self.work(world))

    def work(self, world):
        yield world.checkpoint()
        if self.bug != "no-lock":
            yield self.lock.acquire()
        seen = self.count
        yield world.checkpoint()
        self.count = seen + 1
        if self.bug != "no-lock":
            self.lock.release()

    def properties(self):
        return [detsim.at_end("no lost update", lambda m: m.count == m.workers)]
'''


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    def one_error_line(self, *words) -> str:
        """The run failed cleanly: exit 2, one `detsim: error:` line naming ``words``."""
        assert "Traceback" not in self.err + self.out, self.err
        errors = [line for line in self.err.splitlines() if line.startswith("detsim: error:")]
        assert len(errors) == 1, self.err
        for word in words:
            assert word in errors[0], errors[0]
        return errors[0]


class Project:
    def __init__(self, root: Path):
        self.root = root
        (root / "pyproject.toml").write_text("[project]\nname = 'user-project'\n")
        (root / "models").mkdir()
        (root / "models" / "__init__.py").write_text("")
        self.write("models/counter.py", COUNTER)

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return path

    def detsim(self, *args, cwd=None, env=None, timeout=120) -> Outcome:
        done = subprocess.run([DETSIM, *map(str, args)], cwd=cwd or self.root,
                              capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, **(env or {})})
        return Outcome(done.returncode, done.stdout, done.stderr)

    def detsim_pytest(self, *args, cwd=None, timeout=300) -> Outcome:
        """pytest in the project, with detsim's plugin (installed with detsim)."""
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                               *map(str, args)], cwd=cwd or self.root, capture_output=True, text=True,
                              timeout=timeout)
        return Outcome(done.returncode, done.stdout, done.stderr)

    def failing_trace(self) -> Path:
        """A saved counterexample of the racy counter."""
        outcome = self.detsim("check", "models.counter:Counter", "--runs", "50", "--out", "found.json")
        assert outcome.code == 1, outcome.err
        return self.root / "found.json"


@pytest.fixture
def project(tmp_path):
    return Project(tmp_path)

"""4. Broken models get a clear model error (exit 2), never a traceback; an event
made and never yielded is a warning naming the process and file:line."""
import pytest

BROKEN = '''
from dataclasses import dataclass
import detsim


@dataclass
class Base(detsim.Model):
    def setup(self, world):
        world.spawn("worker", self.work(world))

    def work(self, world):
        yield world.checkpoint()


@dataclass
class YieldsInt(Base):
    def work(self, world):
        yield world.checkpoint()
        yield 42


@dataclass
class PropertiesRaise(Base):
    def properties(self):
        raise KeyError("no such thing")


@dataclass
class PropertiesNotAList(Base):
    def properties(self):
        return detsim.always("x", lambda m: True)


@dataclass
class PropertiesNotProperties(Base):
    def properties(self):
        return [lambda m: True]


@dataclass
class StateRaises(Base):
    def properties(self):
        return [detsim.no_livelock(window=5)]

    def state(self):
        return {}["missing"]


@dataclass
class SetupRaises(Base):
    def setup(self, world):
        raise ValueError("bad setup")


@dataclass
class BadParameter(Base):
    size: int = 1

    def __post_init__(self):
        if self.size < 1:
            raise ValueError("size must be >= 1")


class NotAModel:
    pass


@dataclass
class ForgotYield(detsim.Model):
    def setup(self, world):
        self.lock = world.mutex("lock")
        world.spawn("worker", self.work(world))

    def work(self, world):
        world.checkpoint()
        self.lock.acquire()
        yield world.timeout(1)
        self.lock.release()
'''


def line_of(code: str) -> int:
    """The line of ``models/broken.py`` that holds ``code``."""
    return next(i for i, line in enumerate(BROKEN.splitlines(), 1) if line.strip() == code)


@pytest.mark.parametrize("model, words", [
    ("YieldsInt", ["process worker yielded '42'", "not an event", f"models/broken.py:{line_of('yield 42')}", "(yield 42)"]),
    ("PropertiesRaise", ["PropertiesRaise.properties() raised KeyError"]),
    ("PropertiesNotAList", ["properties() must return a list, got Always"]),
    ("PropertiesNotProperties", ["properties() returned function, not a detsim.Property"]),
    ("StateRaises", ["StateRaises.state() raised KeyError"]),
    ("SetupRaises", ["SetupRaises.setup() raised ValueError: bad setup"]),
    ("NotAModel", ["models.broken:NotAModel is not a detsim.Model subclass"]),
])
def test_a_broken_model_is_one_line_exit_2(project, model, words):
    project.write("models/broken.py", BROKEN)
    outcome = project.detsim("check", f"models.broken:{model}", "--runs", "3")
    assert outcome.code == 2
    outcome.one_error_line(*words)


def test_a_bad_parameter_names_the_model_and_the_line(project):
    project.write("models/broken.py", BROKEN)
    outcome = project.detsim("check", "models.broken:BadParameter", "-p", "size=0")
    assert outcome.code == 2
    outcome.one_error_line("BadParameter", "ValueError: size must be >= 1", "models/broken.py:")


def test_a_model_module_that_raises_on_import(project):
    project.write("models/explodes.py", "x = 1\nraise RuntimeError('import-time failure')\n")
    outcome = project.detsim("check", "models.explodes:Anything")
    assert outcome.code == 2
    outcome.one_error_line("importing model module models.explodes failed",
                           "RuntimeError: import-time failure", "models/explodes.py:2")


def test_a_model_module_with_a_syntax_error(project):
    project.write("models/typo.py", "def broken(:\n    pass\n")
    outcome = project.detsim("check", "models.typo:Anything")
    assert outcome.code == 2
    outcome.one_error_line("models.typo", "SyntaxError", "models/typo.py:1")


def test_events_made_and_never_yielded_are_warnings_naming_process_and_line(project):
    project.write("models/broken.py", BROKEN)
    outcome = project.detsim("check", "models.broken:ForgotYield", "--runs", "3")
    assert outcome.code == 0 and "Traceback" not in outcome.err
    warnings = [line for line in outcome.err.splitlines() if line.startswith("detsim: warning:")]
    checkpoint, acquire = line_of("world.checkpoint()"), line_of("self.lock.acquire()")
    assert any(f"process worker made an event at models/broken.py:{checkpoint}" in w
               and "world.checkpoint()" in w for w in warnings), outcome.err
    assert any(f"models/broken.py:{acquire}" in w and "self.lock.acquire()" in w for w in warnings), outcome.err
    assert all("missing `yield`" in w for w in warnings)

"""3. A trace file is data, never code: a trace may only make detsim import a model
module of the current project (or one named with --trust), and build only a
detsim.Model subclass. Every refusal is exit 2 with nothing imported or built:
each module and class below leaves a marker file if it ever runs."""
import json

import pytest

from detsim.campaign import load_trace_class
from detsim.errors import ModelError

MARKER_MODULE = '''
import pathlib
pathlib.Path(__file__).with_name("IMPORTED-" + __name__).write_text("ran")
'''

HELPERS = '''
import pathlib
from dataclasses import dataclass
import detsim


class Helper:
    """Not a model: a class a model uses."""
    def __init__(self, *args, **kwargs):
        pathlib.Path(__file__).with_name("BUILT-Helper").write_text("ran")


class SubHelper(Helper):
    pass


@dataclass
class Fine(detsim.Model):
    def __post_init__(self):
        marker = pathlib.Path(__file__).with_name("BUILT-Fine")
        marker.write_text(marker.read_text() + "x" if marker.exists() else "x")

    def setup(self, world):
        world.spawn("p", self.p(world))

    def p(self, world):
        yield world.checkpoint()
'''


def _trace_naming(project, model: str) -> str:
    data = json.loads(project.failing_trace().read_text())
    data["model"] = model
    data["params"] = {}
    path = project.root / "named.json"
    path.write_text(json.dumps(data))
    return str(path)


def _markers(project) -> list:
    return sorted(p.name for p in project.root.rglob("*") if p.name.startswith(("IMPORTED-", "BUILT-")))


@pytest.mark.parametrize("model", ["antigravity:Anything", "this:Zen", "multiprocessing.pool:Pool",
                                   "tempfile:TemporaryDirectory", "detsim:World", "os:system",
                                   "sitecustom_marker:Thing", "elsewhere.marker:Thing",
                                   "models.helpers:Helper", "models.helpers:SubHelper",
                                   "models.helpers:Missing"])
@pytest.mark.parametrize("command", ["replay", "show"])
def test_refused_with_nothing_imported_or_built(project, model, command):
    project.write("sitecustom_marker.py", MARKER_MODULE)  # in the project, but not a model module
    project.write("elsewhere/__init__.py", "")
    project.write("elsewhere/marker.py", MARKER_MODULE)
    project.write("models/helpers.py", HELPERS)
    outcome = project.detsim(command, _trace_naming(project, model))
    assert outcome.code == 2
    line = outcome.one_error_line(model.split(":")[0])
    assert "refusing" in line or "not a detsim.Model subclass" in line, line
    assert "Zen of Python" not in outcome.out  # `this` prints it when imported
    assert _markers(project) == []


def test_a_project_model_is_built_exactly_once(project):
    project.write("models/helpers.py", HELPERS)
    outcome = project.detsim("replay", _trace_naming(project, "models.helpers:Fine"))
    assert outcome.code == 2 and "replay diverged" in outcome.err  # a different model than recorded
    assert (project.root / "models" / "BUILT-Fine").read_text() == "x"


def test_trust_names_a_module_explicitly(project):
    project.write("elsewhere/__init__.py", "")
    project.write("elsewhere/model.py", HELPERS)
    refused = project.detsim("replay", _trace_naming(project, "elsewhere.model:Fine"))
    assert refused.code == 2 and "--trust" in refused.one_error_line("refusing")
    trusted = project.detsim("replay", _trace_naming(project, "elsewhere.model:Fine"),
                             "--trust", "elsewhere.model")
    assert "refusing" not in trusted.err and (project.root / "elsewhere" / "BUILT-Fine").exists()


def test_the_project_cannot_shadow_the_standard_library(project):
    project.write("json.py", MARKER_MODULE)  # a file named like a standard module
    project.write("random.py", MARKER_MODULE)
    trace = project.failing_trace()
    outcome = project.detsim("replay", trace)
    assert outcome.code == 1 and "replay reproduced" in outcome.out
    assert _markers(project) == []


def test_untrusted_text_is_cut_in_errors(project):
    outcome = project.detsim("replay", _trace_naming(project, "a" * 5000 + ":B"))
    line = outcome.one_error_line()
    assert outcome.code == 2 and len(line) < 400


def test_the_loader_refuses_before_importing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "sneaky.py").write_text(MARKER_MODULE)
    with pytest.raises(ModelError, match="not a model module of this project"):
        load_trace_class("sneaky:Thing")
    assert not (tmp_path / "IMPORTED-sneaky").exists()

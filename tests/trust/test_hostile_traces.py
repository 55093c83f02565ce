"""9. Hostile trace content is rejected with exit 2 and one line naming the file and
the field: absurd nesting, versions of the wrong type, bad settings, huge fields."""
import json

import pytest

from detsim.errors import TraceFormatError
from detsim.trace import Trace, _validate


def _write(project, name, content) -> str:
    path = project.root / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def _valid(project) -> dict:
    return json.loads(project.failing_trace().read_text())


@pytest.mark.parametrize("edit, words", [
    (lambda d: d.update(version=1.0), ["trace version 1.0 is not supported"]),
    (lambda d: d.update(version=True), ["trace version True is not supported"]),
    (lambda d: d.update(version="1"), ["trace version '1' is not supported"]),
    (lambda d: d.update(version=2**80), ["is not supported"]),
    (lambda d: d.update(settings={"max_steps": "lots"}), ["setting max_steps must be a positive integer"]),
    (lambda d: d.update(settings={"max_steps": -1}), ["setting max_steps must be a positive integer"]),
    (lambda d: d.update(settings={"horizon": "1/0"}), ["setting horizon divides by zero"]),
    (lambda d: d.update(settings={"horizon": "soon"}), ["setting horizon must be a time"]),
    (lambda d: d.update(settings={"horizon": -5}), ["setting horizon must be >= 0"]),
    (lambda d: d.update(settings={"rm -rf": 1}), ["unknown setting"]),
    (lambda d: d.update(settings=[1, 2]), ['"settings" must be an object']),
    (lambda d: d.update(model="no colon"), ['"model" must be a "module:Class" reference']),
    (lambda d: d.update(model="os:system; rm"), ['"model" must be a "module:Class" reference']),
    (lambda d: d.update(params=[]), ['"params" must be an object']),
    (lambda d: d["decisions"][0].update(label="x" * 100_000), ["decision 0 label is 100,000 characters long"]),
    (lambda d: d["decisions"][0].update(choice="a" * 100_000), ["decision 0 is malformed"]),
    (lambda d: d["decisions"][0].update(count=10**6, default=None), ["decision 0 is malformed"]),
    (lambda d: (d.update(version=1), d["decisions"][0].update(candidates=["a" * 100_000, "b"])),
     ["decision 0 is malformed"]),  # version 1 files are checked as strictly
    (lambda d: d.update(version=1), ["decision 0 is malformed", "candidates[>=2 strings]"]),
    (lambda d: d["decisions"][0].update(kind="wizardry"), ["decision 0 is malformed"]),
    (lambda d: d["decisions"][0].update(chosen=9), ["decision 0 is malformed"]),
    (lambda d: d["decisions"][0].update(time="1/0"), ["decision 0 time divides by zero"]),
    (lambda d: d["outcome"].update(violation={"property": "p"}), ['"outcome.violation" is malformed']),
    (lambda d: d["outcome"]["violation"].update(message="m" * (2**20 + 1)), ["is 1,048,577 characters long"]),
])
def test_hostile_fields(project, edit, words):
    data = _valid(project)
    edit(data)
    outcome = project.detsim("replay", _write(project, "hostile.json", data))
    assert outcome.code == 2
    line = outcome.one_error_line("hostile.json", *words)
    assert len(line) < 600


@pytest.mark.parametrize("content, words", [
    ("[" * 200_000 + "]" * 200_000, "nested too deeply"),
    ('{"format": "detsim-trace", "version": NaN}', "NaN is not a JSON number"),
    ('{"format": "detsim-trace", "version": Infinity}', "Infinity is not a JSON number"),
    ("\x80\x81 binary", "not a UTF-8 JSON trace"),
    ("", "not valid JSON"),
    ("[]", "not a detsim trace"),
])
def test_hostile_files(project, content, words):
    path = project.root / "hostile.json"
    path.write_bytes(content.encode("latin-1") if content.startswith("\x80") else content.encode())
    outcome = project.detsim("show", path)
    assert outcome.code == 2
    outcome.one_error_line("hostile.json", words)


def test_a_huge_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(_validate, "MAX_BYTES", 1000)
    path = tmp_path / "big.json"
    path.write_text(" " * 2000)
    with pytest.raises(TraceFormatError, match="2,000 bytes is too large for a trace"):
        Trace.load(path)


def test_a_missing_or_unreadable_path(project):
    outcome = project.detsim("replay", "nowhere.json")
    assert outcome.code == 2
    outcome.one_error_line("nowhere.json: cannot read trace")
    (project.root / "a_folder").mkdir()
    outcome = project.detsim("replay", "a_folder")
    assert outcome.code == 2
    outcome.one_error_line("a_folder: cannot read trace")

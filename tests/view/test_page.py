"""The page as a file: self-contained (no network, no external script or style), the
story embedded as JSON that no name can break out of, written whole."""
import json
import re

from detsim.view import render_html, write_html
from detsim.view._html import title_of


def tiny_story(name="p</script><script>alert(1)</script>"):
    step = {"i": 1, "t": 0, "x": 0.0, "p": name, "task": True, "at": None, "code": "x = 1", "notes": [],
            "d": [], "said": []}
    setup = dict(step, i=0, p="setup", task=False, code="")
    return {"model": "tests.support:RacyCounter", "params": {}, "strategy": {"name": "fifo"},
            "outcome": {"end": "violation", "steps": 1, "time": 0,
                        "violation": {"property": "prop <b>", "message": "m", "time": 0, "step": 1,
                                      "process": name, "cycle": [], "error": None}},
            "processes": [{"name": name, "group": "", "daemon": False}], "groups": [], "files": [],
            "steps": [setup, step], "decisions": [], "messages": [], "bands": [], "state": [{}, {"x": "1"}],
            "waitfor": {"edges": [], "cycle": []}, "lasso": None, "histories": []}


def embedded(page):
    return json.loads(re.search(r'<script type="application/json" id="story">(.*?)</script>', page, re.S)[1])


def test_the_page_needs_nothing_from_the_network():
    page = render_html(tiny_story(), "detsim replay x.json")
    assert "<link" not in page and "<script src" not in page and "@import" not in page
    assert not re.search(r'(src|href)="https?:', page)
    assert "default-src 'none'" in page  # the page itself forbids any fetch
    assert page.count("<script") == 3  # the data and the two inline scripts


def test_names_cannot_end_the_data_script_early():
    story = tiny_story()
    page = render_html(story, "detsim replay 'a b.json'")
    assert embedded(page)["steps"][1]["p"] == story["steps"][1]["p"]
    assert embedded(page)["replay"] == "detsim replay 'a b.json'"
    assert "<title>detsim: property &quot;prop &lt;b&gt;&quot; violated" in page
    assert title_of(story).startswith('property "prop <b>" violated')


def test_write_html_replaces_the_file_whole(tmp_path):
    path = write_html(tiny_story("p"), tmp_path / "deep" / "page.html")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    write_html(tiny_story("q"), path)
    assert embedded(path.read_text(encoding="utf-8"))["steps"][1]["p"] == "q"
    assert [p.name for p in path.parent.iterdir()] == ["page.html"]  # no temporary file left

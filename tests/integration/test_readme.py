"""The README must stay true: its model example runs and finds the planted bug, and
the commands it shows exist."""
import re
from pathlib import Path

import detsim

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_model_example_runs_and_finds_the_bug(capsys):
    namespace = {"__name__": "readme_example"}
    exec(compile(python_blocks()[0], "README.md", "exec"), namespace)
    printed = capsys.readouterr().out
    assert 'property "no lost update" violated' in printed
    model = namespace["LockedCounter"]
    assert detsim.check(model(), detsim.Random(0), runs=200).ok


def test_suite_example_uses_the_campaign_fixture():
    suite = python_blocks()[1]
    assert "campaign.holds(" in suite and "campaign.finds(" in suite


def test_set_up_commands_name_the_real_folders_and_extra():
    text = README.read_text(encoding="utf-8")
    assert "pip install -e '.[dev]'" in text
    assert "pytest properties/" in text and "pytest tests/" in text

"""For people: the counterexample report, the story of a run step by step, and the
self-contained HTML page (docs/viewer.md).

May import: ``detsim.trace``, ``detsim.engine`` (the Recorder base), ``detsim.monitor``
and ``detsim.history`` (to draw a lasso and a history's linearizable prefix).
"""
from ._frames import innermost_frame, short_path, where
from ._html import render_html, write_html
from ._report import counterexample_report, replay_command
from ._steps import deviation_steps, render_around, render_setup, render_steps
from ._story import StoryRecorder, phrases

__all__ = ["counterexample_report", "replay_command", "innermost_frame", "short_path", "where",
           "StoryRecorder", "phrases", "render_steps", "render_around", "render_setup", "deviation_steps",
           "render_html", "write_html"]

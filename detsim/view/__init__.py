"""For people: the counterexample report and the replay command to copy.

May import: ``detsim.trace``. (History timelines live with the history checker.)
"""
from ._report import counterexample_report, replay_command

__all__ = ["counterexample_report", "replay_command"]

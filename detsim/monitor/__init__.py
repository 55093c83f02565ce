"""Properties and the monitor that judges them during a run.

What lives here: the ``Property`` protocol and the ``Observer`` base, the built-in
kinds (``always``, ``at_end``, ``eventually``, ``sometimes``, ``no_deadlock``), the
per-run ``Monitor``, and liveness with a stated fairness assumption:
``no_starvation`` (from the wait log), ``no_livelock`` (lassos over ``state()``),
``select_fairness``, the fairness witness and the campaign's vacuity notes.

May import: ``detsim.engine``, ``detsim.sync``, ``detsim.trace``,
``detsim.errors``. See docs/architecture.md, "Properties".
"""
from ._base import Observer, Property
from ._fairness_witness import FairnessWitness, witness_for
from ._kinds import (Always, AtEnd, Eventually, NoDeadlock, Sometimes, always, at_end, eventually,
                     no_deadlock, sometimes)
from ._livelock import NoLivelock, canonical, no_livelock
from ._monitor import Monitor
from ._notes import VacuityWarning, campaign_notes
from ._select_fairness import SelectFairness, select_fairness
from ._starvation import WITHHELD, NoStarvation, no_starvation

__all__ = ["Property", "Observer", "Always", "AtEnd", "Eventually", "Sometimes", "NoDeadlock",
           "always", "at_end", "eventually", "sometimes", "no_deadlock", "Monitor",
           "NoStarvation", "no_starvation", "WITHHELD", "NoLivelock", "no_livelock", "canonical",
           "SelectFairness", "select_fairness", "FairnessWitness", "witness_for",
           "VacuityWarning", "campaign_notes"]

"""The scheduling core: the control point, tasks, the Model and Strategy bases.

What lives here: ``ControlPoint`` (the SimPy environment whose same-time ties are
recorded decisions), ``Task`` (a named process), the ``Model`` base class with the
hooks the engine reads, the ``Strategy`` interface with its declared capabilities,
named timers, and the weak-fairness bookkeeping shared by the Fair strategy and the
liveness properties.

May import: ``detsim.errors``, ``detsim.trace``, SimPy. Nothing else of detsim: the
primitives, faults, strategies and properties are built on top of this package.
See docs/architecture.md.
"""
from ._abandon import SafeAllOf, SafeAnyOf, abandon, on_abandon
from ._control import (DEFAULT_INSTANT_BUDGET, DEFAULT_MAX_STEPS, ControlPoint, HorizonReached,
                       ProcessFailed)
from ._fairness import DEFAULT_FAIRNESS_BOUND, Overtaking, fairness_text
from ._lint import EventLint
from ._model import SETTINGS, Model, defines, fresh, model_params, model_ref, settings_for
from ._record import LeanRecordRead
from ._recorder import Recorder
from ._strategy import ALWAYS_DEFAULT, Strategy
from ._task import SpinWait, Task, current_task, event_label, option_name
from ._timers import TimerCallback, after

__all__ = ["ControlPoint", "HorizonReached", "ProcessFailed", "DEFAULT_MAX_STEPS",
           "DEFAULT_INSTANT_BUDGET", "Overtaking", "DEFAULT_FAIRNESS_BOUND", "fairness_text",
           "Model", "defines", "fresh", "model_params", "model_ref", "settings_for", "SETTINGS",
           "Strategy", "ALWAYS_DEFAULT", "Task", "SpinWait", "current_task", "event_label", "option_name",
           "TimerCallback", "after", "EventLint", "Recorder", "LeanRecordRead",
           "abandon", "on_abandon", "SafeAnyOf", "SafeAllOf"]

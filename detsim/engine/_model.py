"""The Model base class: the hooks the engine reads, declared in one place.

A model is a dataclass whose fields are its parameters (JSON values, so a trace can
rebuild it). ``setup(world)`` spawns its processes; everything else is optional:

=================== ==========================================================
hook                what the engine does with it
=================== ==========================================================
``setup(world)``    called once per run on a fresh instance
``properties()``    the properties checked in every run (``no_deadlock`` is added
                    unless present); see docs/architecture.md, "Properties"
``observers()``     per-step hooks that are not properties (timelines, ghost state)
``state()``         a hashable abstract state (liveness, coverage, the viewer);
                    must be a function of the schedule
``show(result)``    extra text for ``detsim show`` (e.g. a protocol timeline)
``horizon``         virtual time at which a run ends (None: at quiescence)
``max_steps``       step budget of a run (None: the engine default)
``instant_budget``  steps allowed at one virtual instant (None: the default)
=================== ==========================================================

The three settings may be class attributes or dataclass fields; a value given to
``run``/``check`` wins.
"""
from __future__ import annotations

import dataclasses
import json
import math
from fractions import Fraction

from ..errors import ModelError, UsageError

SETTINGS = ("max_steps", "instant_budget", "horizon")
_SCALARS = (str, int, float, bool, type(None))
_PARAMS: dict = {}  # model class -> names of its init fields (dataclasses.fields is slow per run)


class Model:
    """Subclass as a dataclass: fields are the parameters, ``setup`` spawns processes."""

    horizon = None
    max_steps = None
    instant_budget = None

    def setup(self, world) -> None:
        raise NotImplementedError(f"{type(self).__name__}.setup(world) is not written")

    def properties(self) -> list:
        """The model's properties (detsim.always, at_end, eventually, sometimes, ...)."""
        return []

    def observers(self) -> list:
        """Objects with ``Property``'s hooks that watch a run without judging it."""
        return []

    def state(self):
        """A hashable abstract state after each step; None: the model declares none."""
        return None

    def show(self, result) -> str:
        """Extra text for ``detsim show``: a picture of the run in the model's own terms."""
        return ""


def defines(model, hook: str) -> bool:
    """Whether the model overrides the Model hook ``hook`` (e.g. ``state``, ``show``)."""
    return getattr(type(model), hook, None) is not getattr(Model, hook)


def model_ref(model) -> str:
    cls = type(model)
    return f"{cls.__module__}:{cls.__qualname__}"


def model_params(model) -> dict:
    """The parameters as JSON values. A value with a ``to_dict()`` method (a
    ``FaultPlan``) is stored as that dict, which the model accepts back."""
    names = _PARAMS.get(type(model))
    if names is None:
        names = _PARAMS[type(model)] = (tuple(f.name for f in dataclasses.fields(model) if f.init)
                                        if dataclasses.is_dataclass(model) else ())
    params, plain = {}, True
    for name in names:
        value = getattr(model, name)
        if type(value) not in _SCALARS:
            plain = False
            if callable(getattr(type(value), "to_dict", None)):
                value = value.to_dict()
        params[name] = value
    if plain:
        return params  # JSON values already: no need to encode them to find out
    try:
        json.dumps(params, sort_keys=True)
    except (TypeError, ValueError) as e:
        raise ModelError(f"{model_ref(model)}: parameters must be JSON values ({e})") from None
    return params


def fresh(model):
    """A new instance with the same parameters: every run starts from scratch."""
    return type(model)(**model_params(model)) if dataclasses.is_dataclass(model) else type(model)()


def settings_for(model, overrides: dict) -> dict:
    """The run settings: an explicit override, else the model's own value, else the default.
    A budget must be a positive integer and a horizon a finite time >= 0."""
    unknown = sorted(set(overrides) - set(SETTINGS))
    if unknown:
        raise UsageError(f"unknown run setting {unknown[0]!r} (known: {', '.join(SETTINGS)})")
    out = {}
    for key in SETTINGS:
        value = overrides.get(key)
        if value is None:
            value = getattr(model, key)
        if value is None:
            continue
        if key == "horizon":
            if (isinstance(value, bool) or not isinstance(value, (int, float, Fraction))
                    or (isinstance(value, float) and not math.isfinite(value)) or value < 0):
                raise UsageError(f"horizon must be a finite virtual time >= 0, got {value!r}")
        elif type(value) is not int or value <= 0:
            raise UsageError(f"{key} must be a positive integer, got {value!r}")
        out[key] = value
    return out

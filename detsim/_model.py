"""The Model base class and the module:Class plumbing that traces rely on."""
from __future__ import annotations

import dataclasses
import importlib
import json

from .errors import ModelError


class Model:
    """Subclass as a dataclass: fields are the parameters, ``setup`` spawns processes.

    Optional hooks: ``properties()`` (a list of detsim properties; ``no_deadlock``
    is added unless present) and ``state()`` (a hashable abstract state).
    """

    def setup(self, world) -> None:
        raise NotImplementedError(f"{type(self).__name__}.setup(world) is not written")

    def properties(self) -> list:
        return []


def model_ref(model) -> str:
    cls = type(model)
    return f"{cls.__module__}:{cls.__qualname__}"


def model_params(model) -> dict:
    if not dataclasses.is_dataclass(model):
        return {}
    params = {f.name: getattr(model, f.name) for f in dataclasses.fields(model) if f.init}
    try:
        json.dumps(params, sort_keys=True)
    except (TypeError, ValueError) as e:
        raise ModelError(f"{model_ref(model)}: parameters must be JSON values ({e})") from None
    return params


def fresh(model):
    """A new instance with the same parameters: every run starts from scratch."""
    return type(model)(**model_params(model)) if dataclasses.is_dataclass(model) else type(model)()


def load_class(ref: str):
    module_name, sep, qualname = ref.partition(":")
    if not sep or not module_name or not qualname:
        raise ModelError(f"model must be given as MODULE:CLASS, got {ref!r}")
    try:
        obj = importlib.import_module(module_name)
    except ImportError as e:
        raise ModelError(f"cannot import model module {module_name!r}: {e}") from None
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise ModelError(f"module {module_name!r} has no model class {qualname!r}")
    if not isinstance(obj, type):
        raise ModelError(f"{ref} is not a class")
    return obj


def build_model(ref_or_class, params: dict):
    cls = load_class(ref_or_class) if isinstance(ref_or_class, str) else ref_or_class
    if dataclasses.is_dataclass(cls):
        known = {f.name for f in dataclasses.fields(cls) if f.init}
        unknown = sorted(set(params) - known)
        if unknown:
            raise ModelError(f"{cls.__name__} has no parameter {', '.join(unknown)} "
                             f"(known: {', '.join(sorted(known)) or 'none'})")
    elif params:
        raise ModelError(f"{cls.__name__} takes no parameters")
    try:
        return cls(**params)
    except (TypeError, ValueError) as e:
        raise ModelError(f"{cls.__name__}({params}): {e}") from None

"""From a ``module:Class`` reference and parameters to a model instance."""
from __future__ import annotations

import dataclasses
import importlib

from ..errors import ModelError


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

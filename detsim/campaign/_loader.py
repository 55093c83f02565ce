"""From ``module:Class`` and parameters to a model instance, under trust rules.

Two sources name a model, and they are trusted differently:

* **the user** (``detsim check MODULE:CLASS``, ``build_model`` in Python): the
  module is imported because the user asked for it;
* **a trace file**, which is data: its module is imported only if it is a model
  module of the current project, i.e. it lies in one of the project's model
  packages (``models`` by default; ``[tool.detsim] model-packages`` in the
  project's pyproject.toml adds more) under the project root, or the user named
  it explicitly (``--trust MODULE``). Anything else is refused before anything
  is imported. A module already imported is not imported again.

Either way the class is built only if it is a ``detsim.Model`` subclass. The
project root is added at the *end* of ``sys.path`` (never first), so a file in the
project can never shadow a standard module. See docs/architecture.md.
"""
from __future__ import annotations

import ast
import dataclasses
import importlib
import os
import sys
import tomllib
import traceback
from pathlib import Path

from ..engine import Model
from ..errors import ModelError
from ..trace._validate import clip

DEFAULT_MODEL_PACKAGES = ("models",)


def project_root(start=None) -> Path:
    """The nearest directory at or above ``start`` (default: the current directory)
    that holds a pyproject.toml; the start directory itself if none does."""
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    return here


def model_packages(root: Path) -> tuple:
    """The project's model packages: ``models`` plus ``[tool.detsim] model-packages``."""
    packages = list(DEFAULT_MODEL_PACKAGES)
    try:
        with open(root / "pyproject.toml", "rb") as f:
            config = tomllib.load(f).get("tool", {}).get("detsim", {})
    except (OSError, tomllib.TOMLDecodeError):
        config = {}
    extra = config.get("model-packages", [])
    if isinstance(extra, list):
        packages += [p for p in extra if isinstance(p, str) and p not in packages]
    return tuple(packages)


def use_project(root: Path) -> None:
    """Make the project's modules importable without letting them shadow anything."""
    entry = str(root)
    if entry not in sys.path and os.path.realpath(entry) not in map(os.path.realpath, sys.path):
        sys.path.append(entry)


def _split(ref) -> tuple[str, str]:
    if not isinstance(ref, str):
        raise ModelError(f"model must be given as MODULE:CLASS, got {clip(ref)}")
    module_name, sep, qualname = ref.partition(":")
    if not sep or not module_name or not qualname:
        raise ModelError(f"model must be given as MODULE:CLASS, got {clip(ref)}")
    return module_name, qualname


def _import(module_name: str):
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name and module_name.startswith(e.name):
            raise ModelError(f"cannot import model module {clip(module_name)}: no module named "
                             f"{clip(e.name)}") from None
        raise ModelError(f"importing model module {clip(module_name)} failed: {_where(e)}") from None
    except Exception as e:  # the module itself raised: a broken model, one line
        raise ModelError(f"importing model module {clip(module_name)} failed: {_where(e)}") from None


def _where(error: BaseException) -> str:
    """``Type: message (file:line)`` of the innermost frame that raised."""
    frames = traceback.extract_tb(error.__traceback__) if error.__traceback__ else []
    at = f" ({os.path.relpath(frames[-1].filename)}:{frames[-1].lineno})" if frames else ""
    if isinstance(error, SyntaxError) and error.filename:
        at = f" ({os.path.relpath(error.filename)}:{error.lineno})"
    return f"{type(error).__name__}: {clip(str(error), 200)}{at}"


def _model_class(module, module_name: str, qualname: str, ref: str) -> type:
    obj = module
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise ModelError(f"module {clip(module_name)} has no model class {clip(qualname)}")
    if not (isinstance(obj, type) and issubclass(obj, Model)):
        raise ModelError(f"{clip(ref)} is not a detsim.Model subclass")
    return obj


def load_class(ref: str) -> type:
    """The Model class the user named (the module is imported because they asked)."""
    module_name, qualname = _split(ref)
    use_project(project_root())
    return _model_class(_import(module_name), module_name, qualname, ref)


def _locate(module_name: str, root: Path) -> Path | None:
    """The file ``module_name`` would load from under ``root``, found without importing."""
    parts = module_name.split(".")
    base = root.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _declares_class(path: Path, qualname: str, ref: str) -> None:
    """Before importing: the module's source must define ``qualname`` as a class with
    a base class (a Model subclass has one). Read as text, never run."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return  # the import itself will report it as a broken model module
    body = tree.body
    node = None
    for part in qualname.split("."):
        node = next((n for n in body if isinstance(n, ast.ClassDef) and n.name == part), None)
        if node is None:
            raise ModelError(f"refusing to load {clip(ref)} from a trace: {path.name} defines no class "
                             f"{clip(qualname)}")
        body = node.body
    if not node.bases:
        raise ModelError(f"refusing to load {clip(ref)} from a trace: {clip(qualname)} is not a "
                         "detsim.Model subclass")


def _first_provider(top: str) -> str | None:
    """The sys.path entry Python would import the top-level package ``top`` from."""
    for entry in sys.path:
        folder = Path(entry or os.getcwd())
        if (folder / top).is_dir() or (folder / f"{top}.py").is_file():
            return os.path.realpath(folder)
    return None


def load_trace_class(ref, trust=(), root=None) -> type:
    """The Model class a trace names, imported only under the trust rules above.
    ``root``: the project root (default: found from the current directory)."""
    module_name, qualname = _split(ref)
    module = sys.modules.get(module_name)
    if module is None:
        root = Path(root).resolve() if root is not None else project_root()
        top = module_name.split(".")[0]
        explicit = any(module_name == t or module_name.startswith(t + ".") for t in trust)
        if not explicit:
            packages = model_packages(root)
            if top not in packages or _locate(module_name, root) is None:
                raise ModelError(
                    f"refusing to load {clip(ref)} from a trace: {clip(module_name)} is not a model "
                    f"module of this project ({', '.join(p + '/' for p in packages)} under {root}); "
                    "name it with --trust MODULE if you mean it")
            _declares_class(_locate(module_name, root), qualname, ref)
            use_project(root)
            provider = _first_provider(top)
            if provider != os.path.realpath(root):
                raise ModelError(f"refusing to load {clip(ref)} from a trace: {top!r} would be imported "
                                 f"from {provider}, not from the project at {root}")
        else:
            use_project(root)
        module = _import(module_name)
    return _model_class(module, module_name, qualname, ref)


def build_model(ref_or_class, params: dict, *, from_trace: bool = False, trust=(), root=None):
    """An instance of the named Model class with ``params``; every failure is a ModelError."""
    if isinstance(ref_or_class, str):
        cls = load_trace_class(ref_or_class, trust, root) if from_trace else load_class(ref_or_class)
    else:
        cls = ref_or_class
    if not isinstance(params, dict):
        raise ModelError(f"{cls.__name__}: parameters must be an object, got {clip(params)}")
    if dataclasses.is_dataclass(cls):
        known = {f.name for f in dataclasses.fields(cls) if f.init}
        unknown = sorted(set(params) - known)
        if unknown:
            raise ModelError(f"{cls.__name__} has no parameter {clip(', '.join(unknown))} "
                             f"(known: {', '.join(sorted(known)) or 'none'})")
    elif params:
        raise ModelError(f"{cls.__name__} takes no parameters")
    try:
        return cls(**params)
    except Exception as e:  # a model's own validation (or a bug in it): one line
        raise ModelError(f"{cls.__name__}({clip(params, 200)}): {_where(e)}") from None

"""The Monitor: evaluates a model's properties and observers during one run.

Built-in predicate kinds are evaluated inline (the monitor runs after every step,
so it avoids a call per property); every other property is reached through the
hooks of the ``Property`` protocol, and only when it overrides them.
"""
from __future__ import annotations

from ..errors import DetsimError, ModelError
from ..trace import Violation
from ._base import Observer, Property, overrides
from ._kinds import Always, AtEnd, Eventually, Sometimes


class Monitor:
    def __init__(self, model, world, props, observers=()):
        self.model, self.world, self.props = model, world, props
        self.observers = observers = list(observers)
        for o in observers:
            _attach(o, model, world)
        # One pass over the properties (a Monitor is built for every run): the built-in
        # predicate kinds go to their inline lists, the rest are reached by their hooks.
        self.always, self.at_end, self.unseen = always, at_end, unseen = [], [], []
        self.stepped, self.finished = stepped, finished = [], []
        for p in props:
            kind = type(p)
            attach, after, finish = _hooks(kind)
            if attach:
                _attach(p, model, world)
            if kind is AtEnd:
                at_end.append(p)
            elif kind is Always:
                always.append(p)
            elif kind is Sometimes:
                unseen.append(p)
            else:
                if after:
                    stepped.append(p)
                if finish:
                    finished.append(p)
        for hooked in (stepped, finished):  # eventually first: its deadline is judged before other verdicts
            if len(hooked) > 1:
                hooked.sort(key=lambda p: not isinstance(p, Eventually))
        self.watchers = [o for o in observers if overrides(o, "after_step", Observer)] if observers else []
        self.reached: list[str] = []
        self._current = None  # the hooked property being called, to name it if it raises
        self.busy = bool(always or unseen or stepped or self.watchers)

    def after_step(self):
        try:
            return self._after_step()
        except DetsimError:  # a ModelError from a property (e.g. a bad state()) stays an error
            raise
        except Exception as e:  # a raising predicate is a model defect, reported like a violation
            return self._raised(e)

    def _after_step(self):
        model, world = self.model, self.world
        for o in self.watchers:
            o.after_step(model, world)
        for p in self.always:
            if not p.pred(model):
                return p.after_step(model, world)
        if self.unseen:
            for p in list(self.unseen):
                if p.pred(model):
                    self.unseen.remove(p)
                    p.reached = True
                    self.reached.append(p.name)
        for p in self.stepped:
            self._current = p
            v = p.after_step(model, world)
            if v is not None:
                return v
        self._current = None
        return None

    def at_finish(self):
        try:
            return self._at_finish()
        except DetsimError:
            raise
        except Exception as e:
            return self._raised(e)

    def _at_finish(self):
        model, world = self.model, self.world
        for o in self.observers:
            o.at_finish(model, world)
        for p in self.at_end:
            if not p.pred(model):
                return p.at_finish(model, world)
        for p in self.finished:
            self._current = p
            v = p.at_finish(model, world)
            if v is not None:
                return v
        self._current = None
        return None

    def _raised(self, error) -> Violation:
        """Name the property that raised: the hooked one being called, else the
        predicate that raises again when tried (found only on this error path)."""
        culprit = self._current
        if culprit is None:
            for p in self.props:
                pred = getattr(p, "pred", None)
                if pred is None:
                    continue
                try:
                    pred(self.model)
                except Exception:
                    culprit = p
                    break
        w = self.world
        what = f'property "{culprit.name}"' if culprit is not None else "a property"
        return Violation(culprit.name if culprit is not None else "a property",
                         f"{what} raised {type(error).__name__}: {error}",
                         w.now, w.steps, w.current_name, error=type(error).__name__)


_HOOKS: dict = {}  # property class -> whether it overrides attach, after_step, at_finish


def _hooks(cls) -> tuple:
    """Which Property hooks ``cls`` overrides; a class's answer never changes, and a
    Monitor is built for every run (docs/lean-runs.md)."""
    found = _HOOKS.get(cls)
    if found is None:
        found = _HOOKS[cls] = tuple(getattr(cls, hook) is not getattr(Property, hook)
                                    for hook in ("attach", "after_step", "at_finish"))
    return found


def _attach(hooked, model, world) -> None:
    try:
        hooked.attach(model, world)
    except DetsimError:
        raise
    except Exception as e:  # a broken property or observer is a model error, not a crash
        raise ModelError(f"{type(hooked).__name__} {getattr(hooked, 'name', '')!r}.attach() raised "
                         f"{type(e).__name__}: {e}") from None

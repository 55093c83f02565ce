"""The decision record of a run: what a trace is made of.

Three forms, cheapest first (docs/lean-runs.md):

* **lean**: the chosen index of each schedule tie and nothing else, for a
  campaign's runs that nobody reads; ``decisions`` is rebuilt after the run by
  re-executing it with every name (the runner supplies how);
* **compact**: schedule ties logged flat with the labels of the events that joined
  the tie (a strategy that never reads names: Random, Fifo), turned into decision
  tuples only when ``decisions`` is read;
* **full**: a decision tuple per decision, as the strategy was asked.

Decisions a strategy is asked through ``decide`` (choices, faults) are always kept in
full.
"""
from __future__ import annotations

from functools import partial

from ..trace import SCHEDULE


class LeanRecordRead(BaseException):
    """Internal: ``world.decisions`` was read during a lean run, which keeps only the
    chosen indices. The runner runs the same schedule again with the full record.
    A BaseException, so that model code catching ``Exception`` does not swallow it."""


class DecisionRecord:
    """The decision-record half of ``ControlPoint`` (its state is declared there)."""

    __slots__ = ()

    @property
    def decisions(self) -> list:
        """Every decision so far, as (step, time, label, candidates, chosen, kind) tuples."""
        if self._ties is not None:
            self._unlean()
        if self._ops:
            self._flush()
        return self._decisions

    @decisions.setter
    def decisions(self, rows: list) -> None:
        self._decisions = rows
        self._ops.clear()  # the same list for the World's life: the step loop holds it

    def record_lean(self) -> bool:
        """Keep only the chosen index of each schedule tie from now on. Only before the
        first step, and only for a strategy that decides ties without reading names;
        returns whether the record is lean."""
        if not self._compact or self.steps or self._ops:
            return False
        self._ties = []
        return True

    def finish_lean(self, rebuild) -> None:
        """The lean run ended: ``rebuild(ties, rows)`` re-executes it and returns its
        decision tuples (``rows``: the decisions kept in full, in order)."""
        self._rebuild = rebuild

    @property
    def lean(self) -> bool:
        """Whether this run's record is (still) lean."""
        return self._ties is not None

    def _unlean(self) -> None:
        if self._rebuild is None:  # read while the run goes on: the names were never kept
            self.lean_broken = True
            raise LeanRecordRead("world.decisions read during a lean run")
        rebuild, ties, rows = self._rebuild, self._ties, self._decisions
        self._ties = self._rebuild = None
        try:
            decisions = list(rebuild(ties, rows))
        except BaseException as error:
            # The re-execution differed (or failed): the record stays lean and every later
            # read raises the same error, never a partial list and never another run.
            self._ties, self._rebuild = ties, partial(_raise, error)
            raise
        self._decisions = decisions
        self._ops.clear()

    def _flush(self) -> None:
        """Replay the compact record (see step) into decision tuples."""
        rows = self._decisions
        for step, time, names, chosen in _decode(self._ops, self._names):
            rows.append((step, time, SCHEDULE, tuple(names), chosen, SCHEDULE))
        self._ops.clear()

    def decision_rows(self) -> list:
        """Every decision so far as a (step, time, label, kind, count, chosen, choice,
        default) row: what trace format version 2 stores. Read from the compact record
        without building candidate tuples (and without flushing it)."""
        if self._ties is not None:
            self._unlean()
        rows = [(step, time, label, kind, len(cands), chosen, cands[chosen], cands[0])
                for step, time, label, cands, chosen, kind in self._decisions]
        if self._ops:
            rows.extend((step, time, SCHEDULE, SCHEDULE, len(names), chosen, names[chosen], names[0])
                        for step, time, names, chosen in _decode(self._ops, list(self._names)))
        return rows


def _decode(ops: list, names: list):
    """The compact schedule record, one decision at a time: (step, time, the
    candidate names then due, chosen). ``names`` is the due list the record starts
    from; it is updated as decisions are read (the chosen event leaves it)."""
    i, end = 0, len(ops)
    while i < end:
        step = ops[i]
        if step is None:  # the due list emptied while its last event was named
            names.clear()
            i += 1
            continue
        new = ops[i + 3]
        if new:
            names += ops[i + 4:i + 4 + new]
        chosen = ops[i + 2]
        yield step, ops[i + 1], names, chosen
        names.pop(chosen)
        i += 4 + new


def _raise(error: BaseException, ties, rows):
    raise error.with_traceback(None)

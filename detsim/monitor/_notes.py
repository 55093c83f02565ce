"""Campaign-level notes: the assumptions liveness verdicts rest on, and vacuity warnings."""
from __future__ import annotations

import warnings


class VacuityWarning(UserWarning):
    """A liveness property held only because nothing happened that could break it."""


def campaign_notes(props, counters: dict, runs: int) -> list[str]:
    """Fairness assumptions of the model's liveness properties, plus a
    VacuityWarning for each that held only because nothing happened."""
    notes = []
    for prop in props:
        stated = prop.campaign_notes(counters, runs)
        if stated is None:
            continue
        note, vacuous = stated
        notes.append(note)
        if vacuous:
            notes.append("warning: " + vacuous)
            warnings.warn(vacuous, VacuityWarning, stacklevel=4)
    return notes

"""Where a process is: the source line its generator frame stands at.

A process is a generator, perhaps delegating with ``yield from`` to another; the
innermost frame is where it will resume (the line of the ``yield`` it ran to). A
finished process has no frame. Used by the story of a run and by shrinking.
"""
from __future__ import annotations

import os


def innermost_frame(generator):
    """The frame of the innermost generator ``generator`` delegates to, or None."""
    frame = None
    while generator is not None:
        current = getattr(generator, "gi_frame", None)
        if current is None:
            break
        frame = current
        generator = getattr(generator, "gi_yieldfrom", None)
    return frame


def where(task) -> tuple | None:
    """(file path, line, function) where ``task`` stands, or None if it has finished."""
    frame = innermost_frame(getattr(task, "_generator", None))
    if frame is None:
        return None
    code = frame.f_code
    return code.co_filename, frame.f_lineno, code.co_name


def short_path(path: str) -> str:
    """A path as people read it: relative to the current directory when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive
        return path
    return path if rel.startswith("..") else rel



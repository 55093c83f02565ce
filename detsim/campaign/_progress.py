"""Campaign progress: a rich progress bar on a terminal, plain lines otherwise.

Shows runs done, schedules per second, faults fired and distinct abstract states.
Progress only displays: the wall clock it reads decides nothing about the campaign.
"""
from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bar

PLAIN_STEPS = 10  # plain output: one line at every tenth of the campaign
REFRESH = 0.1  # seconds between two redraws of the bar


def fired(counters: dict) -> int:
    return sum(n for key, n in counters.items() if key.startswith("fault:"))


class Progress:
    """``update(done, counters, states)`` after runs; ``close()`` at the end.
    ``mode``: "bar" (rich), "plain" (a line per tenth) or "auto" (bar on a terminal)."""

    def __init__(self, total: int | None, stream=None, mode: str = "auto", label: str = "checking"):
        self.stream = stream if stream is not None else sys.stderr
        if mode == "auto":
            mode = "bar" if _is_tty(self.stream) else "plain"
        self.mode, self.total, self.label = mode, total, label
        self.started = time.monotonic()
        self._next_line, self._last_draw = 1, 0.0
        self._bar = self._task = None
        if mode == "bar":
            self._open_bar()

    def _open_bar(self) -> None:
        console = Console(file=self.stream, force_terminal=True)
        # fits 80 columns: the bar, runs done, schedules/s, faults fired, distinct states, time
        self._bar = Bar(BarColumn(bar_width=16), MofNCompleteColumn(),
                        TextColumn("{task.fields[rate]} schedules/s, {task.fields[faults]} faults, "
                                   "{task.fields[states]} states"), TimeElapsedColumn(),
                        console=console, auto_refresh=False, transient=False)
        self._bar.start()
        self._task = self._bar.add_task(self.label, total=self.total, rate="-", faults=0, states=0)

    def update(self, done: int, counters: dict, states: int) -> None:
        now = time.monotonic()
        if self.mode == "bar":
            if now - self._last_draw >= REFRESH or done == self.total:
                self._last_draw = now
                self._bar.update(self._task, completed=done, rate=self._rate(done, now),
                                 faults=f"{fired(counters):,}", states=f"{states:,}")
                self._bar.refresh()
        elif self.mode == "plain" and self.total:
            if done * PLAIN_STEPS >= self._next_line * self.total:
                while done * PLAIN_STEPS >= self._next_line * self.total:
                    self._next_line += 1
                print(f"detsim: {self.label}: {done:,}/{self.total:,} runs, {self._rate(done, now)} schedules/s, "
                      f"{fired(counters):,} faults fired, {states:,} distinct states",
                      file=self.stream, flush=True)

    def _rate(self, done: int, now: float) -> str:
        elapsed = now - self.started
        return f"{done / elapsed:,.0f}" if elapsed > 0 else "-"

    def close(self) -> None:
        if self._bar is not None:
            self._bar.refresh()
            self._bar.stop()
            self._bar = None


def _is_tty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False

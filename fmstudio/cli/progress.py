"""How the CLI shows a running job: a progress bar on a terminal, or JSON lines."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Generator
from dataclasses import replace
from typing import IO, Any, TypeVar

from fmstudio.core.events import Activity, Event, Log, Progress, run_to_end

R = TypeVar("R")
PLAIN_EVERY_S = 5.0
"""Where stderr is not a terminal (a log file, CI), a progress line at each tenth and at least
this often while the job moves: a long job printed nothing for minutes."""


def event_to_json(event: Event) -> str:
    """One JSON line; an `Activity` is a "log" line marked `"activity": true` (scripts that
    read log lines keep reading them)."""
    payload: dict[str, Any] = {"event": type(event).__name__.lower()}
    if isinstance(event, Activity):
        payload = {"event": "log", "activity": True}
    payload.update({k: v for k, v in event.to_json().items() if k != "items"})
    return json.dumps(payload, default=str)


class ProgressDisplay:
    """Renders events to a stream: a redrawn bar on a TTY, plain lines otherwise, or JSON."""

    def __init__(
        self,
        stream: IO[str] | None = None,
        json_lines: bool = False,
        width: int = 30,
        quiet: bool = False,
    ):
        self.stream = stream or sys.stderr
        self.json_lines = json_lines
        self.quiet = quiet
        self.width = width
        self._tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last_line = ""
        self._last_percent = -1
        self._started: float | None = None  # the first progress: the whole job's ETA counts from it
        self._printed_at = 0.0

    def __call__(self, event: Event) -> None:
        if self.quiet and not self._tty:
            return
        if self.json_lines:
            print(event_to_json(event), file=self.stream, flush=True)
        elif isinstance(event, Progress):
            self._bar(event)
        elif isinstance(event, Log):
            self._clear()
            print(event.message, file=self.stream, flush=True)

    def _bar(self, event: Progress) -> None:
        now = time.monotonic()
        if self._started is None:
            self._started = now
        shown = replace(event, eta_s=self._eta(event, now - self._started))
        percent = int(event.fraction * 100)
        filled = int(event.fraction * self.width)
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {percent:3d}%  {shown.describe()}"
        if self._tty:
            self.stream.write("\r" + line[:120].ljust(len(self._last_line)))
            self.stream.flush()
            self._last_line = line[:120]
        elif percent // 10 != self._last_percent // 10 or now - self._printed_at >= PLAIN_EVERY_S:
            print(line, file=self.stream, flush=True)
            self._printed_at = now
        self._last_percent = percent

    @staticmethod
    def _eta(event: Progress, elapsed: float) -> float | None:
        """The whole job's time left, from its fraction: a step's own ETA (a file's, an
        epoch's) said 00:00 while most of a batch remained."""
        if event.fraction >= 1.0:
            return 0.0
        if event.fraction <= 0.0 or elapsed <= 0.0:
            return None
        return elapsed * (1.0 - event.fraction) / event.fraction

    def _clear(self) -> None:
        if self._tty and self._last_line:
            self.stream.write("\r" + " " * len(self._last_line) + "\r")
            self._last_line = ""

    def close(self) -> None:
        if self._tty and self._last_line:
            self.stream.write("\n")
            self.stream.flush()
            self._last_line = ""


def drive(
    job: Generator[Event, None, R],
    display: ProgressDisplay,
    after: Callable[[Event], None] | None = None,
) -> R:
    """Run a job to the end, showing its events (and handing each to `after` once shown),
    and return its result."""

    def show(event: Event) -> None:
        display(event)
        if after is not None:
            after(event)

    try:
        return run_to_end(job, show)
    finally:
        display.close()

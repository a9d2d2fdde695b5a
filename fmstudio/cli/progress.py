"""How the CLI shows a running job: a progress bar on a terminal, or JSON lines."""

from __future__ import annotations

import json
import sys
from collections.abc import Generator
from typing import IO, Any, TypeVar

from fmstudio.core.events import Activity, Event, Log, Progress, run_to_end

R = TypeVar("R")


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
        percent = int(event.fraction * 100)
        filled = int(event.fraction * self.width)
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {percent:3d}%  {event.describe()}"
        if self._tty:
            self.stream.write("\r" + line[:120].ljust(len(self._last_line)))
            self.stream.flush()
            self._last_line = line[:120]
        elif percent != self._last_percent and percent % 10 == 0:
            print(line, file=self.stream, flush=True)
        self._last_percent = percent

    def _clear(self) -> None:
        if self._tty and self._last_line:
            self.stream.write("\r" + " " * len(self._last_line) + "\r")
            self._last_line = ""

    def close(self) -> None:
        if self._tty and self._last_line:
            self.stream.write("\n")
            self.stream.flush()
            self._last_line = ""


def drive(job: Generator[Event, None, R], display: ProgressDisplay) -> R:
    """Run a job to the end, showing its events, and return its result."""
    try:
        return run_to_end(job, display)
    finally:
        display.close()

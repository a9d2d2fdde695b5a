"""Events of the speech jobs: plain data, so the window recognises them without numpy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fmstudio.core.events import Event
from fmstudio.core.speech.transcripts import Transcript


@dataclass(frozen=True)
class LiveText(Event):
    """Live transcript: `committed` will not change; `tentative` may, as more audio arrives."""

    committed: str
    tentative: str


@dataclass(frozen=True)
class FileStarted(Event):
    """A file of a batch is being transcribed: the segments that follow are its."""

    path: str


@dataclass(frozen=True)
class FileDone(Event):
    """A file of a batch is transcribed (or failed, with its reason): the window lists it at
    once instead of at the batch's end."""

    transcript: Transcript

    def to_json(self) -> dict[str, Any]:
        """The file and how it went (the transcript itself is the job's result)."""
        t = self.transcript
        return {"path": t.path, "error": t.error, "duration": round(t.duration, 3)}

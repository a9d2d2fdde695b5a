"""Transcripts and their segments: plain data, so writers and the window need no numpy."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str


@dataclass
class Transcript:
    """One file's transcript, or why there is none."""

    path: str
    text: str = ""
    language: str | None = None
    duration: float = 0.0
    segments: list[Segment] = field(default_factory=list)
    error: str | None = None
    audio: Any = field(default=None, repr=False, compare=False)
    """The decoded 16 kHz samples, when the job was asked to keep them (segment playback)."""

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "text": self.text,
            "language": self.language,
            "duration": round(self.duration, 3),
            "segments": [
                {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(s).items()}
                for s in self.segments
            ],
            "error": self.error,
        }
        return data


@dataclass(frozen=True)
class Recording:
    """What the record job made: the WAV on disk and, when a model was given, its transcript."""

    path: Path
    transcript: Transcript | None = None

"""Transcripts and their segments: plain data, so writers and the window need no numpy."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str
    """As Whisper writes it, with its leading space: joining the words gives the text."""


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    speaker: str = ""
    """Who says it, once speakers were found ("Speaker 1", or the name the user gave)."""
    words: tuple[Word, ...] = ()
    """Word times, when they were asked for or computed to find speakers."""

    def spoken_words(self) -> tuple[Word, ...]:
        """The word times while they still spell the text: a segment the user corrected
        has none (its words and times no longer match)."""
        spelled = "".join(w.text for w in self.words).split()
        return self.words if spelled and spelled == self.text.split() else ()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
        }
        if self.speaker:
            data["speaker"] = self.speaker
        if self.words:
            data["words"] = [
                {"start": round(w.start, 3), "end": round(w.end, 3), "text": w.text}
                for w in self.words
            ]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Segment:
        words = tuple(
            Word(float(w["start"]), float(w["end"]), str(w["text"])) for w in data.get("words", ())
        )
        return cls(
            float(data["start"]),
            float(data["end"]),
            str(data["text"]),
            str(data.get("speaker", "")),
            words,
        )


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
    language_probability: float | None = None
    """How sure Whisper was of the language it detected (None when the user chose it)."""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def speakers(self) -> list[str]:
        """The speakers in order of first appearance; empty when none were found."""
        return list(dict.fromkeys(s.speaker for s in self.segments if s.speaker))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "text": self.text,
            "language": self.language,
            "language_probability": None
            if self.language_probability is None
            else round(self.language_probability, 3),
            "duration": round(self.duration, 3),
            "segments": [s.to_json() for s in self.segments],
            "error": self.error,
        }
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Transcript:
        """The transcript `to_json` wrote (without its audio, which is not kept)."""
        probability = data.get("language_probability")
        return cls(
            str(data["path"]),
            str(data.get("text", "")),
            data.get("language"),
            float(data.get("duration", 0.0)),
            [Segment.from_json(s) for s in data.get("segments", ())],
            data.get("error"),
            language_probability=None if probability is None else float(probability),
        )


@dataclass(frozen=True)
class Recording:
    """What the record job made: the WAV on disk and, when a model was given, its transcript."""

    path: Path
    transcript: Transcript | None = None

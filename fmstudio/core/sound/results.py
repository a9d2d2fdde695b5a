"""A recording's sounds: the classifier family's result, with the timeline beside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fmstudio.core.classify.results import ItemResult, Prediction
from fmstudio.core.events import Event


@dataclass(frozen=True)
class SoundSegment:
    start: float
    end: float
    """Seconds from the start of the clip."""
    label: str
    score: float
    """The class's mean score over the segment's patches."""

    def to_json(self) -> dict[str, object]:
        return {
            "start": round(self.start, 2),
            "end": round(self.end, 2),
            "label": self.label,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class SoundResult(ItemResult):
    """Its top sounds (the `predictions`) and which sound when."""

    segments: tuple[SoundSegment, ...] = ()
    duration: float = 0.0
    """Seconds of audio."""

    def to_json(self) -> dict[str, Any]:
        out = super().to_json()
        out["duration"] = round(self.duration, 2)
        out["timeline"] = [s.to_json() for s in self.segments]
        return out


@dataclass(frozen=True)
class LiveSounds(Event):
    """What the microphone hears now (its newest window), best first."""

    predictions: tuple[Prediction, ...]
    elapsed_s: float
    """Seconds recorded so far."""
